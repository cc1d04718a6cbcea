"""A second process that renders pages (and other files) while the build renders others.

Once the catalog is resolved, a build's pages are independent of each other: a
helper forked from the build has the same catalog, theme and staging folder, so
it can make any file it is sent (a page, a role's salary rows) and write it
there; the build records the file as if it had written it. The build keeps a
few files queued at the helper and makes the rest itself, so both cores work
and neither waits for the other.

The helper is forked once, when the first batch large enough is made, and
only from a process with one thread (a fork copies no other thread, and a lock
another thread held would stay locked in the copy); it serves every later
batch. Where there is one core, no ``fork``, or another thread, files are
made in the build's process, as they are for small batches.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from typing import TYPE_CHECKING, Callable

from ..errors import RolebookError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .html import Site

PARALLEL_FROM = 64  # files: fewer are made sooner than a process is forked
AHEAD = 3           # files queued at the helper: it never idles, and ends soon after the build


class Helper:
    """The helper process of one build, started when a batch first needs it."""

    def __init__(self, site: "Site") -> None:
        self.site = site
        self.process: multiprocessing.Process | None = None
        self.connection: "Connection | None" = None
        self.sent: dict[str, str] = {}  # file -> its key, being made at the helper
        self.unavailable = False

    def available(self) -> bool:
        """Start the helper if it is not running and may be started; is it there?"""
        if self.process is None and not self.unavailable:
            self.site.output.settle()  # its thread must end before the fork
            self.unavailable = not _may_fork()
            if not self.unavailable:
                self._start()
        return self.process is not None

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(self.site, theirs, ours),
                                  name="rolebook-pages", daemon=True)
        try:
            process.start()
        except OSError:  # no processes left to fork: render here
            self.unavailable = True
            ours.close()
            return
        finally:
            theirs.close()
        self.process, self.connection = process, ours

    def room(self) -> bool:
        """May another file be sent (the helper has fewer than ``AHEAD`` queued)?"""
        return len(self.sent) < AHEAD

    def send(self, name: str, key: str, make: Callable[..., str | bytes | None],
             args: tuple) -> None:
        """Have the helper write the file ``name``: ``make(site, *args)`` (``Site.files``), or
        let ``make`` write it into the helper's output (it returns None: ``Site.aside``)."""
        self.connection.send((name, make, args))
        self.sent[name] = key

    def collect(self, wait: bool = False) -> None:
        """Record the files the helper has written; with ``wait``, until it has written all."""
        while self.sent and (wait or self.connection.poll()):
            try:
                kind, name, value = self.connection.recv()
            except EOFError:
                raise RolebookError("the process making pages beside the build stopped "
                                    "unexpectedly") from None
            if kind == "error":
                raise value
            key = self.sent.pop(name)
            # A file the job wrote itself comes with what the helper's output noted of it.
            self.site.output.adopt(name, {"key": key} if value is None else value)
            self.site.finished(name)

    def close(self, failed: bool) -> None:
        """Stop the helper: at once after a failure, else once it has read the end."""
        if self.process is None:
            return
        try:
            if failed:
                self.process.terminate()
            else:
                self.connection.send(None)
        except OSError:  # it has ended already
            pass
        self.process.join()
        self.connection.close()
        self.process = None


def _may_fork() -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) > 1 and threading.active_count() == 1 \
        and "fork" in multiprocessing.get_all_start_methods()


def _serve(site: "Site", connection: "Connection", builds_end: "Connection") -> None:
    """The helper: write each file sent until the build sends ``None`` or is gone."""
    build = os.getppid()
    builds_end.close()  # so that the build's end closing (it was killed) reads as the end
    site.output.forget_lock()  # a killed build's lock is free at once, not when this exits
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C: the build stops this one
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None or os.getppid() != build:  # the end, or the build was killed
            return
        name, make, args = job
        try:
            with site.theme.reporting():  # a template mistake at its file and line
                data = make(site, *args)
            if os.getppid() != build:  # killed meanwhile: do not make its staging folder again
                return
            if data is None:  # the job wrote the file: the build takes over its record
                connection.send(("done", name, site.output.files[name]))
                continue
            site.output.path(name).write_bytes(data.encode() if isinstance(data, str) else data)
        except Exception as exc:  # noqa: BLE001 -- reported by the build
            connection.send(("error", name, _portable(exc, name)))
            return
        connection.send(("done", name, None))


def _portable(exc: Exception, name: str) -> Exception:
    """``exc`` if it survives pickling, else an error that says what it was."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RolebookError(f"{name} could not be made: {type(exc).__name__}: {exc}")
