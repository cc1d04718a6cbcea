"""Broken handbooks: each case prints exactly its expected problems, exits 1 and loses nothing.

A case is a folder under tests/broken/: files under content/ and templates/
that replace or add to those of the minimal handbook in tests/fixtures/minimal
(a symbolic link stays a link), an optional remove.txt naming files or folders
to delete, an optional command.txt with the rolebook command to run (default
`check`; a template case needs `build --no-pdf` or `build`), and expected.txt
with the exact lines the command prints. Every case is also built over a
previous site, which must stay byte for byte as it was. To regenerate the
expected files after a deliberate change of wording, run:
ROLEBOOK_UPDATE_EXPECTED=1 pytest tests/test_broken.py
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import rolebook
from rolebook.cli import main

HERE = Path(__file__).parent
MINIMAL = HERE / "fixtures" / "minimal"
CASES = sorted(p for p in (HERE / "broken").iterdir() if p.is_dir())


def assemble(case: Path, target: Path) -> Path:
    """The minimal handbook with the case's files laid over it."""
    shutil.copytree(MINIMAL, target)
    for path in sorted(case.rglob("*")):
        relative = path.relative_to(case)
        if relative.parts[0] not in ("content", "templates") or path.is_dir():
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.unlink(missing_ok=True)
        if path.is_symlink():
            destination.symlink_to(os.readlink(path))
        else:
            shutil.copyfile(path, destination)
    removals = case / "remove.txt"
    if removals.exists():
        for line in removals.read_text(encoding="utf-8").split():
            doomed = target / line
            shutil.rmtree(doomed) if doomed.is_dir() else doomed.unlink()
    return target


def run_check(root: Path):
    return CliRunner().invoke(main, ["check", str(root)])


def command(case: Path) -> list[str]:
    """The rolebook command a case runs (its command.txt, else ``check``)."""
    path = case / "command.txt"
    return path.read_text(encoding="utf-8").split() if path.exists() else ["check"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def problem_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.endswith("nothing was written.")]


@pytest.fixture(scope="module")
def previous_site(tmp_path_factory) -> Path:
    """The minimal handbook's site (HTML only), as a previous build left it."""
    root = tmp_path_factory.mktemp("previous") / "handbook"
    shutil.copytree(MINIMAL, root)
    rolebook.build(root, rolebook.BuildOptions(pdf=False))
    return root / "site"


def test_minimal_fixture_is_valid():
    result = run_check(MINIMAL)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 roles")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_case(case: Path, tmp_path: Path, previous_site: Path):
    root = assemble(case, tmp_path / "handbook")
    shutil.copytree(previous_site, root / "site")
    before = snapshot(root / "site")
    args = command(case)
    started = time.perf_counter()
    result = CliRunner().invoke(main, [*args, str(root)])
    elapsed = time.perf_counter() - started
    problems = problem_lines(result)
    expected_file = case / "expected.txt"
    if os.environ.get("ROLEBOOK_UPDATE_EXPECTED"):
        expected_file.write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert problems == expected_file.read_text(encoding="utf-8").splitlines()
    if args == ["check"]:
        assert elapsed < 2, "a broken file must be rejected quickly"
        # `build` reports the same problems before it writes anything
        built = CliRunner().invoke(main, ["build", "--no-pdf", str(root)])
        assert built.exit_code == 1 and problem_lines(built) == problems, built.output
    assert snapshot(root / "site") == before, "the previous site changed"
    assert not [p.name for p in root.iterdir() if p.name.startswith(".site.")
                and not p.name.endswith("rolebook-lock")]


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


def test_nesting_that_would_crash_the_yaml_parser_is_refused(tmp_path: Path):
    root = assemble(HERE / "broken" / "cp1251", tmp_path / "handbook")
    deep = root / "content" / "roles" / "worker.yaml"
    deep.write_text("id: " + "[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")  # 400 kB
    started = time.perf_counter()
    result = run_check(root)
    assert result.exit_code == 1
    assert "content/roles/worker.yaml:1:54: lists and blocks are nested more than 50 levels" \
        in result.stderr
    assert time.perf_counter() - started < 2


def test_a_folder_that_does_not_exist_is_named(tmp_path: Path):
    missing = tmp_path / "no-such-handbook"
    for command in (["check"], ["build", "--no-pdf"], ["schema"]):
        result = CliRunner().invoke(main, [*command, str(missing)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert f"{missing.as_posix()}: no such folder; give the handbook's folder" in result.stderr
    assert not missing.exists(), "nothing is created for a mistyped folder"


def test_the_readme_lists_every_case():
    """tests/README.md: each case folder in exactly one category, the counts right."""
    rows = [line.split("|")[1:-1] for line in (HERE / "README.md").read_text(encoding="utf-8")
            .splitlines() if line.startswith("| ") and line.count("|") == 4]
    listed: list[str] = []
    for category, count, folders in rows:
        if count.strip().isdigit():
            names = re.findall(r"`([^`]+)`", folders)
            assert len(names) == int(count), category
            listed += names
    total = next(int(c.strip("* ")) for cat, c, _ in rows if "total" in cat)
    assert sorted(listed) == sorted(case.name for case in CASES)
    assert total == len(CASES)


def test_hidden_files_in_content_folders_are_ignored(tmp_path: Path):
    root = tmp_path / "handbook"
    shutil.copytree(MINIMAL, root)
    (root / "content" / "roles" / "._worker.yaml").write_bytes(b"\x00\x05Mac OS X resource fork")
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / ".draft.md").write_text("not a page", encoding="utf-8")
    result = run_check(root)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 roles, 2 regions, 0 articles")
