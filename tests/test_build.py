"""Whole builds: a failed, refused or killed build leaves the previous site as it was."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import rolebook
from rolebook.cli import main

REPO = Path(__file__).resolve().parents[1]
MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def minimal(tmp_path) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "handbook")
    return tmp_path / "handbook"


def test_bad_content_leaves_the_previous_site_byte_for_byte(minimal):
    rolebook.build(minimal, rolebook.BuildOptions(pdf=False))
    before = snapshot(minimal / "site")
    worker = minimal / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace("min: 28000", "min: 99000"),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--no-pdf", str(minimal)])
    assert result.exit_code == 1
    assert "content/roles/worker.yaml:18:7: salary.bands[1]: min 99000 is greater than max 36000" \
        in result.stderr
    assert snapshot(minimal / "site") == before
    assert not [p for p in minimal.iterdir() if p.name.startswith(".site.staging")]


def test_refuses_an_output_folder_it_did_not_write(minimal, tmp_path):
    elsewhere = tmp_path / "documents"
    elsewhere.mkdir()
    (elsewhere / "report.xlsx").write_bytes(b"keep me")
    result = CliRunner().invoke(main, ["build", "--no-pdf", "--out", str(elsewhere), str(minimal)])
    assert result.exit_code == 1 and "not written by rolebook" in result.stderr
    assert snapshot(elsewhere) == {"report.xlsx": b"keep me"}


def test_role_ids_cannot_collide_with_fixed_files_of_a_large_handbook(minimal, monkeypatch):
    """A role may be called `index`: its salary chunk must not take the chunk list's name."""
    from rolebook.render.pages import salaries

    roles = minimal / "content" / "roles"
    (roles / "index.yaml").write_text((roles / "worker.yaml").read_text(encoding="utf-8")
                                      .replace("id: worker", "id: index"), encoding="utf-8")
    monkeypatch.setattr(salaries, "PAGE_BUDGET", 10)  # every handbook is "large"
    rolebook.build(minimal, rolebook.BuildOptions(pdf=False))
    chunks = minimal / "site" / "data" / "salaries"
    assert {p.name for p in chunks.iterdir()} == {"_index.json", "index.json", "worker.json"}


def test_a_handbook_template_overrides_the_theme(minimal):
    override = minimal / "templates" / "html" / "404.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "theme/html/404.html" %}{% block title %}Нет такой страницы'
                        '{% endblock %}', encoding="utf-8")
    rolebook.build(minimal, rolebook.BuildOptions(pdf=False))
    assert "Нет такой страницы" in (minimal / "site" / "404.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("script", "said"), [
    ("echo 'Error: out of disk' >&2\nexit 3", "Pagefind: Error: out of disk"),
    ("exit 3", "Pagefind: it stopped with exit code 3"),
    (None, "Pagefind: [Errno 2] No such file or directory"),  # it cannot start
])
def test_pagefind_stopping_fails_the_build_and_keeps_the_site(minimal, tmp_path, script, said):
    """A search index that cannot be built: the build says what Pagefind said (or how it
    stopped), exits 1, and the previous site stays."""
    rolebook.build(minimal, rolebook.BuildOptions(pdf=False))
    before = snapshot(minimal / "site")
    boss = minimal / "content" / "roles" / "boss.yaml"  # a page to index again
    boss.write_text(boss.read_text(encoding="utf-8").replace("Руководит отделом.",
                                                             "Руководит отделом продаж."),
                    encoding="utf-8")
    stopping = tmp_path / "pagefind"
    if script is not None:
        stopping.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
        stopping.chmod(0o755)
    result = subprocess.run([sys.executable, "-m", "rolebook", "build", str(minimal), "--no-pdf"],
                            capture_output=True, text=True, timeout=120,
                            env=os.environ | {"PAGEFIND_BINARY_PATH": str(stopping)})
    assert result.returncode == 1, result.stderr
    assert f"error: the search index could not be built ({said}" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(minimal / "site") == before


def test_a_broken_template_is_reported_with_its_file_and_line(minimal):
    template = minimal / "templates" / "html" / "404.html"
    template.parent.mkdir(parents=True)
    template.write_text("<p>\n{% if %}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--no-pdf", str(minimal)])
    assert result.exit_code == 1, result.output
    assert "404.html:2:" in result.stderr and "Traceback" not in result.output


def _build_process(root: Path, *args: str, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rolebook", "build", *args, str(root)],
                            stdout=subprocess.DEVNULL, stderr=stderr)


def _wait_for(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def _staging_has(root: Path, pattern: str):
    return lambda: any(root.glob(f".site.staging-*/{pattern}"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL],
                         ids=["SIGINT", "SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("point", ["start", "pages", "pdf"])
def test_a_killed_build_loses_nothing(handbook_copy, sig, point):
    """Kill a build of the bundled handbook at several points; the old site survives."""
    root = handbook_copy
    rolebook.build(root, rolebook.BuildOptions(pdf=False))
    before = snapshot(root / "site")
    role = root / "content" / "roles" / "sales-manager.yaml"
    role.write_text(re.sub(r"(?m)^clients:.*$", "clients: изменено", role.read_text(encoding="utf-8")),
                    encoding="utf-8")
    args = ("--force",) if point == "pdf" else ("--no-pdf", "--force")
    process = _build_process(root, *args)
    wait = {"start": lambda: True, "pages": _staging_has(root, "roles/*/index.html"),
            "pdf": _staging_has(root, "pdf/*.pdf")}[point]
    if not _wait_for(wait):
        process.kill()
        pytest.fail(f"the build never reached {point}")
    process.send_signal(sig)
    process.wait(timeout=60)
    assert snapshot(root / "site") == before
    # The next build cleans up after the killed one and is correct.
    rolebook.build(root, rolebook.BuildOptions(pdf=False))
    assert "изменено" in (root / "site" / "roles" / "sales-manager" / "index.html").read_text(
        encoding="utf-8")
    assert not [p for p in root.iterdir() if p.name.startswith((".site.staging", ".site.old"))]


def test_two_builds_at_once_do_not_corrupt_the_site(handbook_copy):
    root = handbook_copy
    first = _build_process(root, "--no-pdf", stderr=subprocess.PIPE)
    second = _build_process(root, "--no-pdf", stderr=subprocess.PIPE)
    errors = first.communicate(timeout=120)[1] + second.communicate(timeout=120)[1]
    codes = sorted([first.returncode, second.returncode])
    assert codes[0] == 0
    assert codes[1] in (0, 1)  # the second either waited its turn or was refused clearly
    if codes[1] == 1:
        assert b"another rolebook build" in errors
    result = CliRunner().invoke(main, ["build", "--no-pdf", str(root)])
    assert result.exit_code == 0
    assert (root / "site" / "index.html").is_file()


def test_rolebook_pdf_renders_the_chosen_roles_and_says_so(minimal):
    runner = CliRunner()
    first = runner.invoke(main, ["pdf", str(minimal), "worker"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"{minimal / 'site' / 'pdf' / 'worker.pdf'}: rendered"
    again = runner.invoke(main, ["pdf", str(minimal), "worker"])
    assert again.output.strip().endswith("worker.pdf: unchanged, not rendered again")
    forced = runner.invoke(main, ["pdf", "--force", str(minimal), "worker"])
    assert forced.output.strip().endswith("worker.pdf: rendered")
    unknown = runner.invoke(main, ["pdf", str(minimal), "ghost"])
    assert unknown.exit_code == 1 and "unknown role 'ghost'" in unknown.stderr


def test_a_character_the_pdf_font_lacks_is_shown_where_it_is_written(minimal):
    worker = minimal / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace(
        "Ведёт переговоры с клиентами", "Ведёт переговоры с клиентами 😀"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(minimal)])
    assert result.exit_code == 1
    assert "content/roles/worker.yaml:10:5: duties[0]: the PDF font has no glyph for '😀' " \
           "(U+1F600); remove or replace it" in result.stderr
    assert not (minimal / "site").exists()


def test_force_reuses_nothing(minimal):
    rolebook.build(minimal, rolebook.BuildOptions(pdf=False))
    again = rolebook.build(minimal, rolebook.BuildOptions(pdf=False))
    assert again.reused and not [n for n in again.written if n.endswith(".html")]
    forced = rolebook.build(minimal, rolebook.BuildOptions(pdf=False, force=True))
    assert forced.reused == [] and "index.html" in forced.written
