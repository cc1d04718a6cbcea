"""Broken handbooks: each case prints exactly its expected problems and exits 1.

A case is a folder under tests/broken/: files that replace those of the
minimal handbook in tests/fixtures/minimal, an optional remove.txt naming
files to delete, and expected.txt with the exact lines `rolebook check`
prints. To regenerate the expected files after a deliberate change of
wording, run: ROLEBOOK_UPDATE_EXPECTED=1 pytest tests/test_broken.py
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rolebook.cli import main

HERE = Path(__file__).parent
MINIMAL = HERE / "fixtures" / "minimal"
CASES = sorted(p for p in (HERE / "broken").iterdir() if p.is_dir())


def assemble(case: Path, target: Path) -> Path:
    """The minimal handbook with the case's files laid over it."""
    shutil.copytree(MINIMAL, target)
    for path in case.rglob("*"):
        relative = path.relative_to(case)
        if path.is_file() and relative.parts[0] == "content":
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    removals = case / "remove.txt"
    if removals.exists():
        for line in removals.read_text(encoding="utf-8").split():
            (target / line).unlink()
    return target


def run_check(root: Path):
    return CliRunner().invoke(main, ["check", str(root)])


def test_minimal_fixture_is_valid():
    result = run_check(MINIMAL)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 roles")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_case(case: Path, tmp_path: Path):
    root = assemble(case, tmp_path / "handbook")
    started = time.perf_counter()
    result = run_check(root)
    elapsed = time.perf_counter() - started
    problems = [line for line in result.stderr.splitlines() if not line.endswith("nothing was written.")]
    expected_file = case / "expected.txt"
    if os.environ.get("ROLEBOOK_UPDATE_EXPECTED"):
        expected_file.write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert problems == expected_file.read_text(encoding="utf-8").splitlines()
    assert elapsed < 2, "a broken file must be rejected quickly"


def test_utf8_bom_is_accepted(tmp_path: Path):
    root = assemble(HERE / "broken" / "cp1251", tmp_path / "handbook")
    worker = root / "content" / "roles" / "worker.yaml"
    text = (MINIMAL / "content" / "roles" / "worker.yaml").read_text(encoding="utf-8")
    worker.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert run_check(root).exit_code == 0


def test_a_link_to_a_file_outside_the_handbook_is_refused(tmp_path: Path):
    root = assemble(HERE / "broken" / "cp1251", tmp_path / "handbook")
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    worker = root / "content" / "roles" / "worker.yaml"
    worker.unlink()
    worker.symlink_to(secret)
    result = run_check(root)
    assert result.exit_code == 1
    assert f"content/roles/worker.yaml: is a link to {secret}, outside the handbook folder; " \
           "copy the file into the handbook instead" in result.stderr
    assert "hunter2" not in result.output


def test_a_file_over_the_size_limit_is_refused_without_parsing(tmp_path: Path):
    root = assemble(HERE / "broken" / "cp1251", tmp_path / "handbook")
    big = root / "content" / "roles" / "worker.yaml"
    big.write_text("duties:\n" + "  - Ведёт переговоры с клиентами\n" * 40_000, encoding="utf-8")
    result = run_check(root)
    assert result.exit_code == 1
    assert "content/roles/worker.yaml: is 2," in result.stderr
    assert "over the limit of 1,000,000; split it into several files" in result.stderr
