"""Files unchanged since the last build are not read again, and no edit is missed.

``rolebook.digests`` remembers each content file's SHA-256 with its size, times and
inode; a build trusts it only while all of them are as recorded.
"""

from __future__ import annotations

import json
import os
import time

import pytest

import rolebook
from rolebook import digests as digests_module
from rolebook.digests import Digests

ROLE = "sales-manager"


def build(root):
    return rolebook.build(root, rolebook.BuildOptions(pdf=False))


def role_page(root) -> str:
    return (root / "site" / "roles" / ROLE / "index.html").read_text(encoding="utf-8")


def content_files_read(monkeypatch) -> list[str]:
    """The content YAML files opened from now on."""
    read = []
    real_open = open

    def watched(file, *args, **kwargs):
        if str(file).endswith(".yaml") and "content/" in str(file):
            read.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watched)
    monkeypatch.setattr("io.open", watched)
    return read


def test_a_second_build_reads_no_content_file_again(handbook_copy, monkeypatch):
    monkeypatch.setattr(digests_module, "RACY_NS", 0)  # the files were copied just now
    build(handbook_copy)
    (handbook_copy / "content" / "pages" / "new.md").write_text(  # something to build again
        "---\ntitle: Новая статья\n---\n\nТекст.\n", encoding="utf-8")
    time.sleep(0.01)
    read = content_files_read(monkeypatch)
    report = build(handbook_copy)
    assert "articles/new/index.html" in report.written
    assert read == []


def test_the_handbook_named_another_way_reads_no_content_file_again(handbook_copy, monkeypatch):
    """``rolebook build .`` after ``rolebook build /path/to/it``: the same files."""
    monkeypatch.setattr(digests_module, "RACY_NS", 0)
    build(handbook_copy.absolute())
    (handbook_copy / "content" / "pages" / "new.md").write_text(
        "---\ntitle: Новая статья\n---\n\nТекст.\n", encoding="utf-8")
    monkeypatch.chdir(handbook_copy)
    read = content_files_read(monkeypatch)
    assert "articles/new/index.html" in build(".").written
    assert read == []


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_seen(handbook_copy,
                                                                       monkeypatch):
    monkeypatch.setattr(digests_module, "RACY_NS", 0)  # trusted as soon as recorded
    build(handbook_copy)
    path = handbook_copy / "content" / "roles" / f"{ROLE}.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    same_length = title[:-4] + "ЙЦУК"[: len(title[-4:])]
    assert len(same_length.encode()) == len(title.encode()) or pytest.skip("title too short")
    path.write_text(text.replace(title, same_length, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a copy tool would
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    build(handbook_copy)
    assert same_length.split(":", 1)[1].strip().strip('"') in role_page(handbook_copy)


def test_a_digest_recorded_right_after_the_file_changed_is_not_trusted(tmp_path):
    file = tmp_path / "a.yaml"
    file.write_text("a: 1\n", encoding="utf-8")
    fresh = Digests(tmp_path)  # records at the time the file was written: racy
    digest = fresh.of(str(file))
    assert fresh.known(str(file), file.stat()) is None
    older = Digests(tmp_path)
    older.now += 2 * digests_module.RACY_NS  # as if recorded two seconds later
    older.remember(str(file), file.stat(), digest)
    assert older.known(str(file), file.stat()) == digest


def test_a_damaged_record_means_every_file_is_read(handbook_copy):
    build(handbook_copy)
    record = handbook_copy / ".rolebook-cache" / "digests.json"
    assert json.loads(record.read_text())["files"]
    record.write_text("{not json", encoding="utf-8")
    path = handbook_copy / "content" / "roles" / f"{ROLE}.yaml"
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, "title: Старший менеджер по продажам", 1),
                    encoding="utf-8")
    build(handbook_copy)
    assert "Старший менеджер по продажам" in role_page(handbook_copy)
    assert json.loads(record.read_text())["format"] == digests_module.FORMAT


def test_a_file_that_cannot_be_decoded_is_reported_however_its_digest_is_known(handbook_copy):
    path = handbook_copy / "content" / "roles" / f"{ROLE}.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251", errors="replace"))
    messages = []
    for _ in range(2):  # the second time the digest of the broken file is on record
        with pytest.raises(rolebook.ContentError) as caught:
            build(handbook_copy)
        messages.append(str(caught.value))
    assert "Windows-1251" in messages[0] and messages[1] == messages[0]
