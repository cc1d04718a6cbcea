"""The dev server: a handbook folder in, a live preview on 127.0.0.1 out.

``rolebook serve`` builds the handbook into a temporary folder, serves it,
and rebuilds whenever a file under ``content/`` or ``templates/`` changes
(watchfiles). A build is written to a staging folder and swapped in whole
(``write.Output``), so the browser only ever sees complete builds. When a
build fails, the last good build stays online and every page shows the
problems with their ``file:line``. Each HTML page gets a small script that
asks ``/__rolebook__/status`` for the build number and reloads the page when
it changes.
"""

from __future__ import annotations

import html
import json
import mimetypes
import shutil
import signal
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import RolebookError

STATUS_URL = "/__rolebook__/status"
HOST = "127.0.0.1"
WATCHED = ("content", "templates")
_TYPES = {".wasm": "application/wasm", ".pf_meta": "application/octet-stream",
          ".pf_index": "application/octet-stream", ".pf_fragment": "application/octet-stream",
          ".pagefind": "application/octet-stream", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
          ".json": "application/json; charset=utf-8", ".svg": "image/svg+xml",
          ".csv": "text/csv; charset=utf-8"}


@dataclass
class Status:
    """The outcome of the latest build: its number and, if it failed, why."""

    version: int = 0
    error: str | None = None
    built: bool = False          # at least one build succeeded
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, error: str | None) -> None:
        with self.lock:
            self.version += 1
            self.error = error
            self.built = self.built or error is None

    def snapshot(self) -> dict:
        with self.lock:
            return {"version": self.version, "error": self.error, "built": self.built}


class DevServer:
    """Build, watch and serve one handbook; ``start`` runs it in threads, ``stop`` ends it."""

    def __init__(self, root: Path | str, port: int = 8000, pdf: bool = False):
        self.root = Path(root).absolute()
        self.pdf = pdf
        self.status = Status()
        self.workdir = Path(tempfile.mkdtemp(prefix="rolebook-serve-"))
        self.out = self.workdir / "site"
        try:
            self.httpd = ThreadingHTTPServer((HOST, port), _handler(self))
        except OSError as exc:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise RolebookError(f"cannot listen on {HOST}:{port} ({exc.strerror}); "
                                "choose another port with --port") from None
        self.httpd.daemon_threads = True
        self._stop = threading.Event()
        self._building = threading.Lock()
        self._watching = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def rebuild(self) -> str | None:
        """Build into the temporary folder; return the error text, or None on success."""
        from .pipeline import BuildOptions, build

        with self._building:  # one build at a time, whoever asks
            try:
                build(self.root, BuildOptions(out=self.out, pdf=self.pdf))
                error = None
            except Exception as exc:  # noqa: BLE001 - any failure is shown in the page
                error = describe_failure(exc)
            self.status.update(error)
        return error

    def watch(self) -> None:
        """Rebuild after every batch of changes until ``stop``."""
        import watchfiles

        paths = [self.root / name for name in WATCHED if (self.root / name).is_dir()]
        # yield_on_timeout: an empty batch soon after the watcher is set up says it is ready.
        for changes in watchfiles.watch(*paths, stop_event=self._stop, debounce=200,
                                        rust_timeout=500, yield_on_timeout=True,
                                        raise_interrupt=False):
            self._watching.set()
            if changes:
                self.rebuild()

    def start(self) -> None:
        """Watch, build once, then serve; watching and serving run in background threads."""
        self._spawn(self.watch)
        self._watching.wait(timeout=10)  # so that changes made during the first build count
        self.rebuild()
        self._spawn(self.httpd.serve_forever)

    def _spawn(self, target) -> None:
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Stop serving and watching, and remove the temporary build folder."""
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join()  # a build under way finishes first
        with self._building:
            shutil.rmtree(self.workdir, ignore_errors=True)


def serve(root: Path | str = ".", port: int = 8000, pdf: bool = False,
          announce=print) -> None:
    """Run the dev server until interrupted (Ctrl+C)."""
    server = DevServer(root, port, pdf)
    # A terminated server cleans up like an interrupted one.
    signal.signal(signal.SIGTERM, _interrupt)
    server.start()
    announce(f"Serving {server.root} at {server.url} (Ctrl+C stops)")
    error = server.status.snapshot()["error"]
    if error:
        announce(error)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def describe_failure(exc: BaseException) -> str:
    """A failed build as text a person can act on: ``file:line: message`` lines."""
    from .errors import ContentError

    if isinstance(exc, ContentError):
        return "\n".join(str(problem) for problem in exc.problems)
    if isinstance(exc, RolebookError):
        return f"error: {exc}"
    # Template mistakes arrive as ContentError (Theme.reporting); anything else is a bug.
    message = f"{type(exc).__name__}: {exc}"
    return message + "\n\n" + "".join(traceback.format_exception(exc)[-6:])


# -- HTTP -------------------------------------------------------------------------

def _handler(server: DevServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        dev = server
    return Handler


class _Handler(BaseHTTPRequestHandler):
    """Serves the latest complete build; never a file outside it."""

    dev: DevServer
    server_version = "rolebook-serve"

    def do_GET(self) -> None:  # noqa: N802 - http.server names
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet by default
        pass

    def _respond(self, head: bool) -> None:
        path = urlsplit(self.path).path
        if path == STATUS_URL:
            body = json.dumps(self.dev.status.snapshot(), ensure_ascii=False).encode()
            return self._send(HTTPStatus.OK, body, ".json", head)
        target = site_file(self.dev.out, path)
        if target is None:
            return self._send(HTTPStatus.FORBIDDEN, self._page("Доступ запрещён"), ".html", head)
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = target / "index.html"
        body = _read(target, self.dev.out)
        if body is None:
            title = "Страница не найдена" if self.dev.status.snapshot()["built"] else \
                "Сайт ещё не собран"
            return self._send(HTTPStatus.NOT_FOUND, self._page(title), ".html", head)
        if target.suffix == ".html":
            body = inject(body, self.dev.status.snapshot())
        self._send(HTTPStatus.OK, body, target.suffix, head)

    def _page(self, title: str) -> bytes:
        page = (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">'
                f"<title>{title}</title></head><body><h1>{title}</h1></body></html>")
        return inject(page.encode(), self.dev.status.snapshot())

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, suffix: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", _TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0]
                         or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)


def site_file(site: Path, url_path: str) -> Path | None:
    """The file under ``site`` that ``url_path`` names, or None if it would leave the site."""
    parts = [part for part in unquote(url_path).split("/") if part]
    if any(part in (".", "..") or "\\" in part or "\x00" in part or ":" in part
           for part in parts):
        return None
    candidate = site.joinpath(*parts)
    try:
        if not candidate.resolve().is_relative_to(site.resolve()):
            return None  # a link pointing out of the site
    except OSError:
        return None
    return candidate


def _read(path: Path, site: Path) -> bytes | None:
    """The file's bytes, or None if there is no such file."""
    for _attempt in range(3):
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            if site.exists():
                return None
            time.sleep(0.05)  # the site folder is being swapped for a new build
    return None


_RELOAD = """<script>(function(){var v=%d;function p(){fetch("%s",{cache:"no-store"})\
.then(function(r){return r.json()}).then(function(s){if(s.version!==v){location.reload()}\
else{setTimeout(p,500)}}).catch(function(){setTimeout(p,2000)})}setTimeout(p,500)})();</script>"""

_ERROR = ('<div role="alert" style="position:fixed;inset:auto 0 0 0;z-index:2147483647;'
          'max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#fff4f4;'
          'color:#5c0000;border-top:4px solid #c00;font:14px/1.45 system-ui,sans-serif">'
          '<strong>Сборка не удалась: %s. Исправьте ошибки — страница обновится сама.</strong>'
          '<pre style="white-space:pre-wrap;margin:.5rem 0 0;font:13px/1.45 monospace">'
          '%s</pre></div>')


def inject(page: bytes, status: dict) -> bytes:
    """Add the reload script, and the build error if there is one, before ``</body>``."""
    extra = _RELOAD % (status["version"], STATUS_URL)
    if status["error"]:
        shown = "показана последняя удачная сборка" if status["built"] else "сайт ещё не собран"
        extra = _ERROR % (shown, html.escape(status["error"])) + extra
    text = page.decode("utf-8", errors="replace")
    index = text.lower().rfind("</body>")
    text = text[:index] + extra + text[index:] if index >= 0 else text + extra
    return text.encode("utf-8")
