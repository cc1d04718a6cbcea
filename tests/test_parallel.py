"""Pages rendered by the helper process (render/parallel.py) are the build's own pages.

The bundled handbook has too few pages for a helper; these tests lower the batch
size at which one starts (``PARALLEL_FROM``) so that its role and comparison pages
are shared with it, or send it every page (``AHEAD``), and check what a person
would notice: the same bytes in the site, a template mistake reported at its line,
and a build that is killed leaving nothing running and nothing locked.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import rolebook
from rolebook.render import parallel


def build(root: Path, out: Path) -> rolebook.BuildReport:
    return rolebook.build(root, rolebook.BuildOptions(out=out, pdf=False, force=True))


def files(site: Path) -> dict[str, bytes]:
    """Every file of the site; the manifest without the files' modification times."""
    found = {p.relative_to(site).as_posix(): p.read_bytes()
             for p in sorted(site.rglob("*")) if p.is_file()}
    manifest = json.loads(found.pop(".rolebook-manifest.json"))
    for entry in manifest["files"].values():
        entry.pop("stat")
    return found | {"manifest": manifest}


# The builds with a helper run in a process of their own: a test session has threads
# (file servers, the browser's), and the helper is forked only from a process with one.
WITH_HELPER = """
import json, sys
from pathlib import Path
import rolebook
from rolebook.render import parallel

parallel.PARALLEL_FROM, parallel.AHEAD = 2, int(sys.argv[3])
sent, send = [], parallel.Helper.send

def counted(self, name, key, make, args):
    sent.append(name)
    send(self, name, key, make, args)

parallel.Helper.send = counted
try:
    rolebook.build(Path(sys.argv[1]), rolebook.BuildOptions(out=Path(sys.argv[2]), pdf=False))
finally:
    print(json.dumps(sent))
"""


def build_with_helper(root: Path, out: Path, tmp_path: Path, ahead: int = parallel.AHEAD):
    """Build with a helper; the files sent to it, and the process's result."""
    script = tmp_path / "with_helper.py"
    script.write_text(textwrap.dedent(WITH_HELPER), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(root), str(out), str(ahead)],
                          capture_output=True, text=True, timeout=300)
    return json.loads(done.stdout.splitlines()[-1]), done


def test_the_site_is_the_same_byte_for_byte_with_a_helper(handbook_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10**9)
    build(handbook_copy, tmp_path / "alone")
    sent, done = build_with_helper(handbook_copy, tmp_path / "shared", tmp_path)
    assert done.returncode == 0, done.stderr
    assert any(u.startswith("roles/") for u in sent) and any(u.startswith("compare/") for u in sent)
    assert {"data/roles.json", "data/salaries.csv"} <= set(sent)  # made beside the pages
    assert files(tmp_path / "shared") == files(tmp_path / "alone")


def test_data_files_made_by_the_helper_are_updated_role_by_role(handbook_copy, tmp_path):
    """The helper makes the data files where there are none yet; the next build updates
    them here, role by role (Output.put_parts: the other parts copied): after one role's
    change, the same bytes as a build without a helper."""
    shared, alone = tmp_path / "shared", tmp_path / "alone"
    sent, done = build_with_helper(handbook_copy, shared, tmp_path)
    assert done.returncode == 0, done.stderr
    assert {"data/roles.json", "data/salaries.csv"} <= set(sent)
    role = handbook_copy / "content" / "roles" / "client-manager.yaml"
    text = role.read_text(encoding="utf-8")
    figure = next(word for word in text.split() if word.rstrip(",}").isdigit()
                  and int(word.rstrip(",}")) > 10_000).rstrip(",}")
    role.write_text(text.replace(figure, str(int(figure) + 1), 1), encoding="utf-8")
    sent, done = build_with_helper(handbook_copy, shared, tmp_path)
    assert done.returncode == 0, done.stderr
    assert not {"data/roles.json", "data/salaries.csv"} & set(sent)
    build(handbook_copy, alone)
    assert files(shared) == files(alone)
    rows = (shared / "data" / "salaries.csv").read_text(encoding="utf-8-sig")
    assert f",{int(figure) + 1}," in rows


def test_a_template_mistake_on_a_page_of_the_helper_is_reported_at_its_line(
        handbook_copy, tmp_path):
    out = tmp_path / "site"
    build(handbook_copy, out)
    before = files(out)
    theme = Path(rolebook.__file__).resolve().parents[2] / "templates" / "html" / "role.html"
    lines = theme.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "{% block content %}" in line) + 1
    lines.insert(at, "{{ role.no_such_field }}")
    override = handbook_copy / "templates" / "html" / "role.html"
    override.parent.mkdir(parents=True)
    override.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Every role page goes to the helper: the mistake is found there.
    sent, done = build_with_helper(handbook_copy, out, tmp_path, ahead=10**6)
    pages = [u for u in sent if not u.startswith("data/")]  # the data files go first
    assert pages and all(u.startswith("roles/") for u in pages)
    assert "rolebook.errors.ContentError" in done.stderr
    assert f"templates/html/role.html:{at + 1}: template error:" in done.stderr
    assert "no_such_field" in done.stderr
    assert files(out) == before


SLOW_HELPER = """
import sys, time
from pathlib import Path
import rolebook
from rolebook.render import html, parallel

parallel.PARALLEL_FROM, parallel.AHEAD = 1, 10**6
render_page = html.Site.render_page

def slow(self, *args):  # a page takes 3 s: the helper is busy with one when the build dies
    time.sleep(3)
    return render_page(self, *args)

html.Site.render_page = slow
start = parallel.Helper._start

def started(self):
    start(self)
    print("helper", self.process.pid, flush=True)

parallel.Helper._start = started
rolebook.build(Path(sys.argv[1]), rolebook.BuildOptions(out=Path(sys.argv[2]), pdf=False))
"""


def test_a_killed_build_leaves_no_helper_running_and_its_site_unlocked(handbook_copy, tmp_path):
    out = tmp_path / "site"
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(SLOW_HELPER), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(handbook_copy), str(out)],
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("helper "), line
        helper = int(line.split()[1])
        time.sleep(0.5)  # the helper is rendering its first page
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
        process.stdout.close()
    report = build(handbook_copy, out)  # the lock is free at once: no "another build"
    assert "index.html" in report.written and (out / "index.html").is_file()
    deadline = time.monotonic() + 10
    while _running(helper) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(helper)


def _running(pid: int) -> bool:
    """Is ``pid`` a live process (not gone, not a zombie waiting for its parent)?"""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
