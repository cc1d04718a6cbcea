"""Running one command and measuring it: a command line in, a ``Run`` out.

Each run is a child process started with ``subprocess.Popen`` and reaped
with ``os.wait4``, which returns the resource usage of that child alone:
``ru_maxrss`` is the peak resident memory of the child (or of the largest of
its own waited-for children, such as PDF worker processes). Wall time is
``time.perf_counter`` around start and reap. Each run starts after ``sync``:
the files earlier runs wrote (gigabytes at 10,000 roles) are on disk, and their
writing back does not slow this run, as it would not a build a person starts
minutes after the last. A run that exits non-zero or
passes its time limit is a failed ``Run`` with the end of its output; the
benchmark goes on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Run:
    ok: bool
    seconds: float
    max_rss_kib: int
    returncode: int
    output: str = ""  # the end of stdout and stderr, for the report and for parsing
    cpu_seconds: float = 0.0  # user + system time of the child and its waited-for children

    def as_dict(self) -> dict:
        return asdict(self)


def run(command: list[str], cwd: Path | None = None, env: dict | None = None,
        timeout: float = 3600, keep: int = 4000) -> Run:
    """Run ``command`` to completion and measure it; never raises for the command's failure."""
    os.sync()  # not timed: see the module's docstring
    with tempfile.TemporaryFile() as out:
        try:
            start = time.perf_counter()
            child = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            return Run(False, 0.0, 0, -1, f"could not start {command[0]}: {exc}")
        timer = threading.Timer(timeout, _kill_group, [child.pid])
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not reap it again
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    timed_out = child.returncode == -signal.SIGKILL and seconds >= timeout
    if timed_out:
        text += f"\n[killed after the time limit of {timeout:.0f} s]"
    return Run(child.returncode == 0, seconds, usage.ru_maxrss, child.returncode, _tail(text, keep),
               usage.ru_utime + usage.ru_stime)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _tail(text: str, keep: int) -> str:
    return text if len(text) <= keep else "…" + text[-keep:]


def capture(command: list[str], cwd: Path | None = None) -> str:
    """The first line a command prints (a version), or what went wrong."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else f"unavailable (exit {done.returncode})"
