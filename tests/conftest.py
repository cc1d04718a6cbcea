"""Shared fixtures: the bundled handbook, checked once and built once per session."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

import rolebook

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def catalog():
    """The bundled handbook, loaded and resolved."""
    return rolebook.check(REPO)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The bundled handbook built once (HTML, data and PDFs) into a temporary folder."""
    out = tmp_path_factory.mktemp("build") / "site"
    rolebook.build(REPO, rolebook.BuildOptions(out=out))
    return out


@pytest.fixture
def handbook_copy(tmp_path) -> Path:
    """A private copy of the bundled handbook's content, to break or change."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path


@contextlib.contextmanager
def file_server(folder: Path):
    """``folder`` on a plain file server at 127.0.0.1, as people host a site; yields its URL."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """The built site on a plain file server."""
    with file_server(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()
