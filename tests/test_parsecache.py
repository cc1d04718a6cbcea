"""The model cache: an unchanged file is neither parsed nor validated again, a damaged
cache never changes what a handbook checks as, and problems found with cached models
are reported at the same place as without them."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

import rolebook
from rolebook.parsecache import FOLDER

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture
def handbook(tmp_path) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "handbook")
    return tmp_path / "handbook"


def models(root: Path) -> dict:
    """Every file's validated model, by file name."""
    catalog = rolebook.check(root)
    found = {"handbook": catalog.handbook}
    found |= {entry.document.name: entry.role for entry in catalog.roles.values()}
    return found


def cache_files(root: Path) -> list[Path]:
    return sorted((root / FOLDER).glob("*.pickle"))


def problems(root: Path) -> list[str]:
    with pytest.raises(rolebook.ContentError) as error:
        rolebook.check(root)
    return [str(problem) for problem in error.value.problems]


def test_second_check_reads_the_cache_and_gets_the_same_models(handbook, monkeypatch):
    first = models(handbook)
    assert len(cache_files(handbook)) == 4  # handbook, regions and two roles

    def no_reading(*args, **kwargs):
        raise AssertionError("parsed or validated although the cache holds this file")

    monkeypatch.setattr("rolebook.yamlpos.parse", no_reading)
    monkeypatch.setattr("rolebook.resolve.validate", no_reading)
    second = models(handbook)
    assert second == first
    assert second["content/roles/worker.yaml"].salary.bands[1].kind == "range"


def test_changed_file_is_validated_again_and_its_old_entry_dropped(handbook):
    models(handbook)
    before = set(cache_files(handbook))
    worker = handbook / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace("min: 28000", "min: 29000"),
                      encoding="utf-8")
    assert models(handbook)["content/roles/worker.yaml"].salary.bands[1].min == 29000
    after = set(cache_files(handbook))
    assert len(after) == len(before) and len(after - before) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign class", "swapped"])
def test_damaged_cache_falls_back_to_validating(handbook, damage):
    expected = models(handbook)
    files = cache_files(handbook)
    if damage == "garbage":
        for path in files:
            path.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        for path in files:
            path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    elif damage == "foreign class":  # a pickle that would build something not of the model
        for path in files:
            path.write_bytes(pickle.dumps({"format": 2, "key": path.stem,
                                           "model": PurePosixPath("/etc")}))
    else:  # valid entries under each other's names (a role's under the handbook's key...)
        contents = [path.read_bytes() for path in files]
        for path, content in zip(files, contents[1:] + contents[:1]):
            path.write_bytes(content)
    assert models(handbook) == expected
    assert models(handbook) == expected  # and the entries were written again, correctly
    assert set(cache_files(handbook)) == set(files)


def test_yaml_errors_are_not_cached(handbook):
    models(handbook)
    worker = handbook / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8") + "\nduties: [unclosed\n",
                      encoding="utf-8")
    for _ in range(2):
        with pytest.raises(rolebook.ContentError) as error:
            rolebook.check(handbook)
        assert [(p.file, p.line > 1) for p in error.value.problems] == [
            ("content/roles/worker.yaml", True)]
    assert len(cache_files(handbook)) == 3


def test_invalid_files_are_not_cached_and_reported_every_time(handbook):
    worker = handbook / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace("max: 36000", "max: 3600"),
                      encoding="utf-8")
    first = problems(handbook)
    assert first == problems(handbook)
    assert any("worker.yaml:18:" in line and "greater than max" in line for line in first)
    assert len(cache_files(handbook)) == 3


def test_problems_found_with_cached_models_are_at_their_place(handbook):
    models(handbook)  # both roles are in the cache now
    (handbook / "content" / "roles" / "boss.yaml").unlink()
    cached = problems(handbook)
    shutil.rmtree(handbook / ".rolebook-cache")
    assert cached == problems(handbook)
    assert any(line.startswith("content/roles/worker.yaml:8:") for line in cached)


def test_data_is_read_again_after_the_model_is_built(handbook):
    catalog = rolebook.check(handbook)
    document = catalog.roles["worker"].document
    text = (handbook / "content" / "roles" / "worker.yaml").read_text(encoding="utf-8")
    assert document.data == yaml.safe_load(text)
    assert document.located.positions[("salary", "bands", 1, "min")] == (18, 57)
    assert document.position(("salary", "bands", 1, "min")) == (18, 57)


# A process of its own, as `rolebook build` runs: workers are forked only from a process
# with one thread, and a test session has others (the browser, file servers).
IN_A_PROCESS = """
import sys
import rolebook.parsecache as cache
cache.PARALLEL_FROM = 1
cache.PACKS = int(sys.argv[2])
import rolebook
rolebook.check(sys.argv[1])
"""


def packs(root: Path) -> list[Path]:
    return sorted((root / FOLDER).glob("*.pack"))


def fill_in_workers(root: Path, batches: int = 16) -> None:
    shutil.rmtree(root / ".rolebook-cache", ignore_errors=True)
    subprocess.run([sys.executable, "-c", IN_A_PROCESS, str(root), str(batches)], check=True)


needs_two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2,
                                     reason="worker processes need two cores")


@needs_two_cores
def test_worker_processes_fill_the_cache_with_the_same_models(handbook, monkeypatch):
    expected = models(handbook)
    fill_in_workers(handbook)
    assert len(packs(handbook)) == 2  # a batch of one role each
    assert len(cache_files(handbook)) == 2  # the handbook and the regions, stored alone

    def no_reading(*args, **kwargs):
        raise AssertionError("parsed or validated although a pack holds this file")

    with monkeypatch.context() as patched:
        patched.setattr("rolebook.yamlpos.parse", no_reading)
        patched.setattr("rolebook.resolve.validate", no_reading)
        patched.setattr("rolebook.parsecache.ModelCache.put", no_reading)
        catalog = rolebook.check(handbook)
    assert {e.document.name: e.role for e in catalog.roles.values()} == {
        name: model for name, model in expected.items() if name.startswith("content/roles/")}


# Longer than the short texts pydantic gives one object itself.
COMMON = ("Общий текст, который повторяется в описаниях двух ролей справочника. " * 2).strip()


@needs_two_cores
def test_a_pack_shares_equal_values_of_its_models(handbook):
    for name, summary in (("boss", "Руководит отделом."), ("worker", "Продаёт.")):
        path = handbook / "content" / "roles" / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(summary, COMMON), encoding="utf-8")
    fill_in_workers(handbook, batches=1)
    assert len(packs(handbook)) == 1
    roles = rolebook.check(handbook).roles
    assert roles["boss"].role.summary == COMMON
    assert roles["boss"].role.summary is roles["worker"].role.summary


@needs_two_cores
def test_a_changed_file_keeps_its_pack_until_less_than_half_of_it_is_used(handbook):
    expected = models(handbook)
    fill_in_workers(handbook, batches=1)
    [pack] = packs(handbook)
    worker = handbook / "content" / "roles" / "worker.yaml"
    original = worker.read_text(encoding="utf-8")
    worker.write_text(original.replace("min: 28000", "min: 29000"), encoding="utf-8")
    assert models(handbook)["content/roles/worker.yaml"].salary.bands[1].min == 29000
    assert packs(handbook) == [pack] and len(cache_files(handbook)) == 3  # half of it in use
    boss = handbook / "content" / "roles" / "boss.yaml"
    boss.write_text(boss.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    models(handbook)
    assert packs(handbook) == [] and len(cache_files(handbook)) == 4
    worker.write_text(original, encoding="utf-8")
    assert models(handbook)["content/roles/worker.yaml"] == expected["content/roles/worker.yaml"]


@needs_two_cores
@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign class", "keys not its own"])
def test_damaged_pack_falls_back_to_validating(handbook, damage):
    expected = models(handbook)
    fill_in_workers(handbook)
    for path in packs(handbook):
        content = path.read_bytes()
        if damage == "garbage":
            path.write_bytes(b"not a pickle at all")
        elif damage == "truncated":
            path.write_bytes(content[: len(content) * 2 // 3])
        elif damage == "foreign class":
            keys = pickle.loads(content)
            path.write_bytes(pickle.dumps(keys) + pickle.dumps({keys[0]: PurePosixPath("/etc")}))
        else:  # a pack whose models are listed under other keys than it says it holds
            keys = pickle.loads(content)
            path.write_bytes(pickle.dumps(["0" * 64]) + content[len(pickle.dumps(keys)):])
    assert models(handbook) == expected
    assert models(handbook) == expected  # and the files were stored again, alone
    assert packs(handbook) == [] and len(cache_files(handbook)) == 4


def test_worker_processes_leave_broken_files_to_the_model_stage(handbook, monkeypatch):
    worker = handbook / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace("max: 36000", "max: 3600")
                      + "\nsumary: x\n", encoding="utf-8")
    expected = problems(handbook)
    shutil.rmtree(handbook / ".rolebook-cache")
    monkeypatch.setattr("rolebook.parsecache.PARALLEL_FROM", 1)
    assert problems(handbook) == expected and len(expected) == 2


def titles(catalog) -> dict:
    return {rid: (e.title_genitive, e.title_dative) for rid, e in catalog.roles.items()}


def test_declined_titles_come_from_the_cache_with_their_warnings(handbook, monkeypatch):
    first = rolebook.check(handbook)
    assert (handbook / ".rolebook-cache" / "titles.json").is_file()

    def no_declension(self, role):
        raise AssertionError("declined although the cache holds this title")

    monkeypatch.setattr("rolebook.morph.Inflector._derive_titles", no_declension)
    second = rolebook.check(handbook)
    assert titles(second) == titles(first)
    assert second.warnings == first.warnings


@pytest.mark.parametrize("damage", [b"{not json", b'{"version": "old", "titles": {}}',
                                    b'{"version": 1, "titles": {"x": 5}}', b"[]"])
def test_damaged_title_cache_declines_again(handbook, damage):
    first = rolebook.check(handbook)
    (handbook / ".rolebook-cache" / "titles.json").write_bytes(damage)
    second = rolebook.check(handbook)
    assert titles(second) == titles(first) and second.warnings == first.warnings
    assert titles(rolebook.check(handbook)) == titles(first)  # rewritten, and right


# The titles and warnings of a check whose roles the workers validate, as JSON.
TITLES_IN_A_PROCESS = """
import json, sys
import rolebook.parsecache as cache
cache.PARALLEL_FROM, cache.PACKS = 1, 2
import rolebook
from rolebook import morph
declined, stage_over = [], []  # roles declined, and whether the model stage was over then
derive, prune = morph.Inflector._derive_titles, cache.ModelCache.prune
morph.Inflector._derive_titles = lambda self, role: (
    declined.append([role.id, bool(stage_over)]) or derive(self, role))
cache.ModelCache.prune = lambda self: stage_over.append(1) or prune(self)
catalog = rolebook.check(sys.argv[1])
print(json.dumps({"titles": {r: [e.title_genitive, e.title_dative]
                             for r, e in catalog.roles.items()},
                  "warnings": [str(w) for w in catalog.warnings], "declined": declined}))
"""


@needs_two_cores
def test_titles_declined_while_workers_validate_are_the_same_with_their_warnings(handbook):
    worker = handbook / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace(
        "title: Менеджер по продажам", "title: Квазиглокализатор продаж"), encoding="utf-8")
    expected = rolebook.check(handbook)  # in this process: no workers (it has threads)
    assert expected.warnings, "the unknown word should be warned about"
    shutil.rmtree(handbook / ".rolebook-cache")
    run = subprocess.run([sys.executable, "-c", TITLES_IN_A_PROCESS, str(handbook)],
                         check=True, capture_output=True, text=True)
    found = json.loads(run.stdout)
    assert len(packs(handbook)) == 2  # the roles came from the workers' packs
    assert found["titles"] == {r: [e.title_genitive, e.title_dative]
                               for r, e in expected.roles.items()}
    assert found["warnings"] == [str(w) for w in expected.warnings]
    # Each title declined once, while the model stage was going on.
    assert sorted(found["declined"]) == sorted([r, False] for r in expected.roles)
