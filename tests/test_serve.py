"""``rolebook serve``: builds, serves, rebuilds on change, reports failures in the page,
reloads the open page, and never serves a file outside the site."""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path
from urllib.request import urlopen

import pytest

from rolebook.errors import RolebookError
from rolebook.serve import DevServer, site_file


@pytest.fixture
def dev(handbook_copy):
    server = DevServer(handbook_copy, port=0)
    server.start()
    yield server
    server.stop()


def get(server: DevServer, path: str) -> tuple[int, str]:
    """A raw GET (no client-side normalisation of the path)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.httpd.server_address[1], timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode("utf-8", errors="replace")
    connection.close()
    return response.status, body


def status(server: DevServer) -> dict:
    with urlopen(server.url + "__rolebook__/status", timeout=10) as response:
        return json.loads(response.read())


def wait_for_build(server: DevServer, after: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = status(server)
        if current["version"] > after:
            return current
        time.sleep(0.2)
    raise AssertionError("no rebuild after the change")


def test_serves_the_build_with_the_reload_script(dev):
    assert status(dev) == {"version": 1, "error": None, "built": True}
    code, body = get(dev, "/")
    assert code == 200 and 'lang="ru"' in body and "/__rolebook__/status" in body
    code, body = get(dev, "/roles/sales-manager/")
    assert code == 200 and "Менеджер по продажам" in body
    assert get(dev, "/roles/sales-manager")[0] == 301
    assert get(dev, "/no/such/page/")[0] == 404


@pytest.mark.parametrize("path", ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                  "/roles/..%2f..%2f..%2fetc%2fpasswd", "/..%5c..%5cetc%5cpasswd",
                                  "/roles/%00/index.html"])
def test_refuses_paths_out_of_the_site(dev, path):
    code, body = get(dev, path)
    assert code == 403 and "root:" not in body


def test_a_link_out_of_the_site_is_not_followed(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (site / "page.html").write_text("ok")
    assert site_file(site, "/leak.txt") is None
    assert site_file(site, "/page.html") == site / "page.html"
    assert site_file(site, "/sub/../page.html") is None


def test_a_failed_build_keeps_the_last_site_and_shows_where(dev):
    role = dev.root / "content" / "roles" / "sales-manager.yaml"
    good = role.read_text(encoding="utf-8")
    line = good.splitlines().index("category: specialist") + 1
    role.write_text(good.replace("category: specialist", "category: boss"), encoding="utf-8")
    failed = wait_for_build(dev, 1)
    assert f"content/roles/sales-manager.yaml:{line}:" in failed["error"]
    assert failed["built"] is True
    code, body = get(dev, "/roles/sales-manager/")
    assert code == 200 and "Менеджер по продажам" in body  # the last good build
    assert 'role="alert"' in body and f"content/roles/sales-manager.yaml:{line}:" in body

    role.write_text(good, encoding="utf-8")
    fixed = wait_for_build(dev, failed["version"])
    assert fixed["error"] is None
    assert 'role="alert"' not in get(dev, "/")[1]


def test_a_template_error_names_the_template_line(dev):
    override = dev.root / "templates" / "html" / "home.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "theme/html/home.html" %}\n'
                        "{% block content %}\n{{ no_such_value.field }}\n{% endblock %}\n",
                        encoding="utf-8")
    before = status(dev)["version"]
    dev.rebuild()  # a new templates/ folder is not watched until the server restarts
    failed = wait_for_build(dev, before)
    assert "templates/html/home.html:3" in failed["error"]


def test_the_open_page_reloads_after_a_change(dev, browser):
    page = browser.new_page()
    page.goto(dev.url)
    handbook = dev.root / "content" / "handbook.yaml"
    text = handbook.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    handbook.write_text(text.replace(title, "title: Справочник после правки"), encoding="utf-8")
    page.wait_for_function("document.title.includes('Справочник после правки')", timeout=60_000)
    page.close()


def test_a_busy_port_is_an_error_not_a_traceback(handbook_copy):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(RolebookError, match="--port"):
            DevServer(handbook_copy, port=taken.getsockname()[1])


def test_stop_removes_the_temporary_build(handbook_copy):
    server = DevServer(handbook_copy, port=0)
    server.start()
    workdir = server.workdir
    assert status(server)["error"] is None
    assert (workdir / "site" / "index.html").is_file()
    server.stop()
    assert not Path(workdir).exists()
