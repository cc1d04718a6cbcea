"""The parse cache: an unchanged file is read from the cache, and a damaged cache
never changes what a handbook loads as."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path, PurePosixPath

import pytest

import rolebook
from rolebook.load import load
from rolebook.parsecache import FOLDER

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture
def handbook(tmp_path) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "handbook")
    return tmp_path / "handbook"


def loaded(root: Path) -> dict:
    """Every document's data and positions, by file name."""
    sources = load(root)
    documents = [sources.handbook, sources.regions, *sources.roles, *sources.pages]
    return {d.name: (d.data, d.located.positions) for d in documents if d is not None}


def cache_files(root: Path) -> list[Path]:
    return sorted((root / FOLDER).glob("*.pickle"))


def test_second_load_reads_the_cache_and_gets_the_same_data(handbook, monkeypatch):
    first = loaded(handbook)
    assert len(cache_files(handbook)) == len(first)

    def no_parsing(text):
        raise AssertionError("parsed although the cache holds this text")

    monkeypatch.setattr("rolebook.yamlpos.parse", no_parsing)
    assert loaded(handbook) == first


def test_changed_file_is_parsed_again_and_its_old_entry_dropped(handbook):
    loaded(handbook)
    before = set(cache_files(handbook))
    worker = handbook / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace("min: 28000", "min: 29000"),
                      encoding="utf-8")
    assert "29000" in repr(loaded(handbook)["content/roles/worker.yaml"][0])
    after = set(cache_files(handbook))
    assert len(after) == len(before) and len(after - before) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign class", "swapped"])
def test_damaged_cache_falls_back_to_parsing(handbook, damage):
    expected = loaded(handbook)
    files = cache_files(handbook)
    if damage == "garbage":
        for path in files:
            path.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        for path in files:
            path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    elif damage == "foreign class":  # a pickle that would build something not plain data
        for path in files:
            path.write_bytes(pickle.dumps({"format": 1, "key": path.stem,
                                           "data": PurePosixPath("/etc"), "positions": {}}))
    else:  # valid entries under each other's names
        contents = [path.read_bytes() for path in files]
        for path, content in zip(files, contents[1:] + contents[:1]):
            path.write_bytes(content)
    assert loaded(handbook) == expected
    assert loaded(handbook) == expected  # and the entries were written again, correctly
    catalog = rolebook.check(handbook)
    assert set(catalog.roles) == {"boss", "worker"}


def test_yaml_errors_are_not_cached(handbook):
    loaded(handbook)
    worker = handbook / "content" / "roles" / "worker.yaml"
    worker.write_text(worker.read_text(encoding="utf-8") + "\nduties: [unclosed\n",
                      encoding="utf-8")
    for _ in range(2):
        with pytest.raises(rolebook.ContentError) as error:
            rolebook.check(handbook)
        assert any(p.file.endswith("worker.yaml") and p.line > 1 for p in error.value.problems)


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
