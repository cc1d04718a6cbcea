"""The write stage: staged output, manifest, reuse, and what it refuses."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from rolebook import write
from rolebook.errors import OutputError
from rolebook.write import MANIFEST, Output


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def publish(target: Path, files: dict[str, str], keys: dict[str, str] | None = None) -> Output:
    with Output(target) as output:
        for name, text in files.items():
            if not (keys and name in keys and output.reuse(name, keys[name])):
                output.put(name, text, (keys or {}).get(name))
    return output


def test_a_build_is_swapped_in_whole(tmp_path):
    site = tmp_path / "site"
    publish(site, {"index.html": "one", "roles/a/index.html": "a"})
    assert snapshot(site).keys() == {"index.html", "roles/a/index.html", MANIFEST}
    publish(site, {"index.html": "two"})
    assert (site / "index.html").read_text() == "two"
    assert not (site / "roles").exists(), "files of the previous build that are gone go too"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")) == \
        [".site.rolebook-lock", ".site.spare"]


def spare_files(tmp_path: Path) -> dict[str, bool]:
    """The spare folder's files: name -> is it a link of the site's file of that name?"""
    spare, site = tmp_path / ".site.spare", tmp_path / "site"
    return {p.relative_to(spare).as_posix(): (site / p.relative_to(spare)).is_file()
            and os.path.samefile(p, site / p.relative_to(spare))
            for p in spare.rglob("*") if p.is_file() and p.name != ".rolebook-spare"}


def test_the_spare_folder_holds_only_links_to_the_site_s_files(tmp_path):
    site = tmp_path / "site"
    keys = {"a.html": "k", "b/c.html": "k", "d/e/f.html": "k"}
    publish(site, {"a.html": "A", "b/c.html": "C", "d/e/f.html": "F"}, keys)
    (site / "CNAME").write_text("handbook.example.ru")
    publish(site, {"a.html": "A", "b/c.html": "C2", "d/e/f.html": "F"},
            keys | {"b/c.html": "k2"})
    assert spare_files(tmp_path) == {"a.html": True, "d/e/f.html": True}
    # Put together in the spare: the written file, the one gone, the kept ones.
    publish(site, {"a.html": "A", "b/c.html": "C3", "g.html": "G"}, keys | {"b/c.html": "k3"})
    assert snapshot(site).keys() == {"a.html", "b/c.html", "g.html", "CNAME", MANIFEST}
    assert (site / "b/c.html").read_text() == "C3" and (site / "CNAME").read_text() \
        == "handbook.example.ru"
    assert not (site / "d").exists(), "a folder left empty goes with its files"
    assert spare_files(tmp_path) == {"a.html": True}


def publish_prepared(target: Path, before: dict[str, str], after: dict[str, str],
                     keys: dict[str, str]) -> None:
    """A build that puts its site together (``prepare``) before its last files are made."""
    with Output(target) as output:
        for files in (before, after):
            for name, text in files.items():
                if not output.reuse(name, keys.get(name, "")):
                    output.put(name, text, keys.get(name))
            output.prepare()


@pytest.mark.parametrize("spare", ["first build's", "rebuild's", None])
def test_files_made_after_prepare_are_in_the_site(tmp_path, spare):
    site = tmp_path / "site"
    keys = {"a.html": "k", "b/c.html": "k", "index/x": "k", "index/y": "k"}
    files = {"a.html": "A", "b/c.html": "C", "index/x": "X", "index/y": "Y"}
    publish(site, files, keys)
    if spare == "rebuild's":
        publish(site, files | {"a.html": "A2"}, keys | {"a.html": "k2"})
        keys["a.html"] = "k2"
    elif spare is None:
        shutil.rmtree(tmp_path / ".site.spare")
    # Put together there, or in the staging folder.
    assert (tmp_path / ".site.spare").is_dir() == (spare is not None)
    # The index is made again after the pages (its files go and come back); a page changes.
    publish_prepared(site, {"a.html": "A3", "b/c.html": "C"},
                     {"index/x": "X2", "index/z": "Z"},
                     keys | {"a.html": "k3", "index/x": "k4", "index/z": "k"})
    assert snapshot(site) | {MANIFEST: b""} == {
        "a.html": b"A3", "b/c.html": b"C", "index/x": b"X2", "index/z": b"Z", MANIFEST: b""}
    manifest = json.loads((site / MANIFEST).read_text())["files"]
    assert manifest.keys() == {"a.html", "b/c.html", "index/x", "index/z"}
    assert all(entry["stat"] == write._signature_of(os.stat(site / name))
               for name, entry in manifest.items())
    assert spare_files(tmp_path) == {"b/c.html": True}


def test_the_live_site_is_not_written_into_before_the_swap(tmp_path, monkeypatch):
    """The spare's files are links to the live site's: a file written again replaces its
    link, it is never written into."""
    site = tmp_path / "site"
    publish(site, {"a.html": "A", "b.html": "B"}, {"a.html": "k", "b.html": "k"})
    publish(site, {"a.html": "A", "b.html": "B2"}, {"a.html": "k", "b.html": "k2"})
    assert spare_files(tmp_path) == {"a.html": True}
    swap = write._swap

    def checked(new, target):
        assert (target / "a.html").read_text() == "A" and (new / "a.html").read_text() == "A2"
        return swap(new, target)

    monkeypatch.setattr(write, "_swap", checked)
    publish(site, {"a.html": "A2", "b.html": "B2"}, {"a.html": "k2", "b.html": "k2"})
    assert (site / "a.html").read_text() == "A2"


def test_a_first_build_leaves_a_spare_and_the_next_puts_only_its_changes_there(tmp_path,
                                                                               monkeypatch):
    site = tmp_path / "site"
    keys = {"a.html": "k", "b/c.html": "k", "d/e/f.html": "k"}
    publish(site, {"a.html": "A", "b/c.html": "C", "d/e/f.html": "F"}, keys)
    assert spare_files(tmp_path) == {"a.html": True, "b/c.html": True, "d/e/f.html": True}
    linked, link = [], write._link_or_copy
    monkeypatch.setattr(write, "_link_or_copy",
                        lambda old, new: linked.append(os.path.basename(new)) or link(old, new))
    publish(site, {"a.html": "A", "b/c.html": "C2", "d/e/f.html": "F"}, keys | {"b/c.html": "k2"})
    assert linked == ["c.html"], "the kept files are the spare's already"
    assert snapshot(site) | {MANIFEST: b""} == {
        "a.html": b"A", "b/c.html": b"C2", "d/e/f.html": b"F", MANIFEST: b""}
    assert spare_files(tmp_path) == {"a.html": True, "d/e/f.html": True}
    # The spare lacks b/c.html, which the next build keeps: it is linked in from the site.
    linked.clear()
    publish(site, {"a.html": "A2", "b/c.html": "C2", "d/e/f.html": "F"},
            keys | {"a.html": "k2", "b/c.html": "k2"})
    assert sorted(linked) == ["a.html", "c.html"]
    assert snapshot(site) | {MANIFEST: b""} == {
        "a.html": b"A2", "b/c.html": b"C2", "d/e/f.html": b"F", MANIFEST: b""}
    assert spare_files(tmp_path) == {"b/c.html": True, "d/e/f.html": True}


def test_a_spare_whose_mark_cannot_be_read_is_not_used(tmp_path):
    site = tmp_path / "site"
    keys = {"a.html": "k", "b.html": "k"}
    publish(site, {"a.html": "A", "b.html": "B"}, keys)
    (tmp_path / ".site.spare" / "b.html").unlink()
    (tmp_path / ".site.spare" / write.SPARE_MARK).write_text("")  # as an older rolebook left it
    publish(site, {"a.html": "A2", "b.html": "B"}, keys | {"a.html": "k2"})
    assert snapshot(site) | {MANIFEST: b""} == {"a.html": b"A2", "b.html": b"B", MANIFEST: b""}
    assert spare_files(tmp_path) == {"b.html": True}


def test_a_spare_left_half_changed_is_not_used(tmp_path, monkeypatch):
    site = tmp_path / "site"
    keys = {"a.html": "k", "b.html": "k"}
    publish(site, {"a.html": "A", "b.html": "B"}, keys)
    publish(site, {"a.html": "A", "b.html": "B2"}, keys | {"b.html": "k2"})
    before = snapshot(site)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(write.Output, "_sign", killed)  # dies while the spare is changed
    with pytest.raises(KeyboardInterrupt):
        publish(site, {"a.html": "A3", "b.html": "B2"}, keys | {"a.html": "k3", "b.html": "k2"})
    monkeypatch.undo()
    assert snapshot(site) == before
    (tmp_path / ".site.spare" / "a.html").unlink()  # whatever it holds is not trusted
    publish(site, {"a.html": "A4", "b.html": "B2"}, keys | {"a.html": "k4", "b.html": "k2"})
    assert (site / "a.html").read_text() == "A4" and (site / "b.html").read_text() == "B2"
    assert spare_files(tmp_path) == {"b.html": True}


def test_a_failed_build_leaves_the_previous_site(tmp_path):
    site = tmp_path / "site"
    publish(site, {"index.html": "one"})
    before = snapshot(site)
    with pytest.raises(RuntimeError):
        with Output(site) as output:
            output.put("index.html", "half")
            raise RuntimeError("render failed")
    assert snapshot(site) == before


def test_files_a_person_added_are_kept(tmp_path):
    site = tmp_path / "site"
    publish(site, {"index.html": "one"})
    (site / "CNAME").write_text("handbook.example.ru")
    publish(site, {"index.html": "two"})
    assert (site / "CNAME").read_text() == "handbook.example.ru"


def test_refuses_a_folder_it_did_not_write(tmp_path):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "contract.docx").write_text("important")
    with pytest.raises(OutputError, match="not written by rolebook"):
        Output(mine)
    assert (mine / "contract.docx").read_text() == "important"


def test_reuse_only_with_the_same_key_and_untouched_file(tmp_path):
    site = tmp_path / "site"
    publish(site, {"a.pdf": "A", "b.pdf": "B"}, {"a.pdf": "k1", "b.pdf": "k1"})
    (site / "b.pdf").write_text("tampered")
    output = publish(site, {"a.pdf": "A2", "b.pdf": "B2"}, {"a.pdf": "k1", "b.pdf": "k1"})
    assert output.reused == ["a.pdf"] and output.written == ["b.pdf"]
    assert (site / "a.pdf").read_text() == "A" and (site / "b.pdf").read_text() == "B2"
    output = publish(site, {"a.pdf": "A3"}, {"a.pdf": "k2"})
    assert output.written == ["a.pdf"]


def test_a_file_changed_on_disk_to_the_same_size_is_not_reused(tmp_path):
    site = tmp_path / "site"
    publish(site, {"a.html": "AAAA", "b.html": "BBBB"}, {"a.html": "k", "b.html": "k"})
    (site / "a.html").write_text("XXXX")           # same size, a new modification time
    os.utime(site / "b.html", ns=(1, 1))          # touched, content as it was
    output = publish(site, {"a.html": "AAAA", "b.html": "B2"}, {"a.html": "k", "b.html": "k"})
    assert output.written == ["a.html"] and output.reused == ["b.html"]
    assert (site / "a.html").read_text() == "AAAA" and (site / "b.html").read_text() == "BBBB"


@pytest.mark.parametrize("spare", [True, False])
def test_the_manifest_signs_each_kept_file_as_it_is_in_the_new_site(tmp_path, monkeypatch,
                                                                     spare):
    """Kept files linked into the staging folder, or found in the spare folder, are signed
    with the size and time found when they were checked: the next build finds them
    untouched without reading them, a touched one included (its content as it was)."""
    site, keys = tmp_path / "site", {"a.html": "k", "b/c.html": "k", "d.html": "k"}
    publish(site, {"a.html": "A", "b/c.html": "C", "d.html": "D"}, keys)
    if not spare:
        shutil.rmtree(tmp_path / ".site.spare")
    os.utime(site / "b/c.html", ns=(1, 1))             # touched, content as it was
    publish(site, {"a.html": "A", "b/c.html": "C", "d.html": "D2"}, keys | {"d.html": "k2"})
    files = json.loads((site / MANIFEST).read_text())["files"]
    for name in keys:
        stat = os.stat(site / name)
        assert files[name]["stat"] == [stat.st_size, stat.st_mtime_ns], name
    read, original = [], write._sha256
    monkeypatch.setattr(write, "_sha256",
                        lambda path: read.append(os.path.basename(path)) or original(path))
    output = publish(site, {"a.html": "A", "b/c.html": "C", "d.html": "D2"},
                     keys | {"d.html": "k2"})
    assert output.reused == ["a.html", "b/c.html", "d.html"] and output.written == []
    assert read == [], "an untouched file is not read to be reused"


def test_a_file_of_parts_makes_again_only_the_parts_whose_key_changed(tmp_path, monkeypatch):
    site, made, read = tmp_path / "site", [], []
    original = write._sha256
    monkeypatch.setattr(write, "_sha256",  # a file of parts is not read whole to be signed
                        lambda path: read.append(os.path.basename(path)) or original(path))

    def build(parts: dict[str, str]) -> None:
        def make(text: str):
            return lambda: made.append(text) or text.encode()
        with Output(site) as output:
            output.put_parts("data.txt", [(key, make(text)) for key, text in parts.items()])

    build({"head": "[", "a": "A,", "b": "B,", "tail": "]"})
    assert made == ["[", "A,", "B,", "]"]
    made.clear()
    build({"head": "[", "a": "A,", "b2": "BB,", "c": "C,", "tail": "]"})
    assert made == ["BB,", "C,"]                    # the others are copied from the last file
    assert (site / "data.txt").read_text() == "[A,BB,C,]"
    made.clear()
    (site / "data.txt").write_text("[X,YY,Z,]")    # changed by hand: nothing of it is trusted
    build({"head": "[", "a": "A,", "b2": "BB,", "c": "C,", "tail": "]"})
    assert made == ["[", "A,", "BB,", "C,", "]"]
    assert (site / "data.txt").read_text() == "[A,BB,C,]"
    assert read == []


def test_a_build_that_changes_nothing_leaves_the_site_folder_as_it_is(tmp_path):
    site = tmp_path / "site"
    files, keys = {"a.html": "A", "b/c.html": "C"}, {"a.html": "k", "b/c.html": "k"}
    publish(site, files, keys)
    folder = site.stat().st_ino
    output = publish(site, files, keys)
    assert output.reused == ["a.html", "b/c.html"] and output.written == []
    assert site.stat().st_ino == folder  # not swapped: nothing was linked or copied
    assert not list(tmp_path.glob(".site.staging-*"))
    publish(site, files | {"d.html": "D"}, keys)
    assert site.stat().st_ino != folder and (site / "a.html").read_text() == "A"

def test_a_damaged_manifest_means_a_full_rebuild(tmp_path):
    site = tmp_path / "site"
    publish(site, {"a.html": "A", "old.html": "stale"}, {"a.html": "k"})
    (site / MANIFEST).write_text("{not json")
    output = publish(site, {"a.html": "A"}, {"a.html": "k"})
    assert output.written == ["a.html"] and not (site / "old.html").exists()
    assert json.loads((site / MANIFEST).read_text())["files"].keys() == {"a.html"}


@pytest.mark.parametrize("name", ["../escape.html", "/etc/passwd", "a/../../b", "CON.html",
                                  "roles/nul/index.html", "a\\b", "", ".rolebook-manifest.json"])
def test_paths_that_leave_the_output_are_refused(tmp_path, name):
    with pytest.raises(OutputError):
        with Output(tmp_path / "site") as output:
            output.put(name, "x")
    assert not (tmp_path / "escape.html").exists()


def test_two_outputs_for_one_file_are_refused(tmp_path):
    with pytest.raises(OutputError, match="two outputs"):
        with Output(tmp_path / "site") as output:
            output.put("pdf/a.pdf", "1")
            output.put("pdf/a.pdf", "2")


def test_a_second_build_at_the_same_time_is_refused(tmp_path):
    site = tmp_path / "site"
    with Output(site) as first:
        first.put("index.html", "one")
        with pytest.raises(OutputError, match="another rolebook build"):
            Output(site)
    assert (site / "index.html").read_text() == "one"


def test_a_build_killed_between_the_renames_is_recovered(tmp_path):
    site = tmp_path / "site"
    publish(site, {"index.html": "one"})
    parked = tmp_path / ".site.old-x"
    parked.mkdir()
    os.rename(site, parked / "site")                   # the old site was moved aside ...
    (tmp_path / ".site.staging-y").mkdir()             # ... and the new one never arrived
    output = Output(site)
    assert (site / "index.html").read_text() == "one"
    assert output.previous.keys() == {"index.html"}
    output.discard()
    # The spare (links to the site's files) stays with the site put back.
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        [".site.rolebook-lock", ".site.spare", "site"]


def test_the_swap_is_one_atomic_exchange(tmp_path, monkeypatch):
    """On Linux the new site replaces the old in one step, with no moment without a site."""
    site = tmp_path / "site"
    publish(site, {"index.html": "one"})

    def no_rename(*args):
        raise AssertionError("the swap must not fall back to two renames")

    monkeypatch.setattr("rolebook.write.os.rename", no_rename)
    publish(site, {"index.html": "two"})
    assert (site / "index.html").read_text() == "two"


def walkers(monkeypatch) -> list[tuple[Path, int]]:
    """The previous sites looked at by a process forked for it (``write.looked_ahead``)."""
    started, fork = [], write._fork_walker
    monkeypatch.setattr(write, "_fork_walker", lambda target: started.append(
        (target, pid := fork(target))) or pid)
    return started


@pytest.mark.skipif(not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2,
                    reason="the look ahead needs fork and a second core")
def test_a_rebuild_looks_at_the_previous_site_in_a_process_that_ends_with_it(tmp_path, monkeypatch):
    site = tmp_path / "site"
    started = walkers(monkeypatch)
    # Earlier tests may leave threads of their own here, which a build does not have.
    monkeypatch.setattr(write.threading, "active_count", lambda: 1)
    with write.looked_ahead(site):
        pass
    assert started == [(site, 0)], "no site yet: nothing to look at, no process"
    publish(site, {"a.html": "A", "b/c.html": "C"})
    (site / "b" / "link.html").symlink_to(tmp_path / "nowhere")  # a person's broken link
    with write.looked_ahead(site):
        target, pid = started[-1]
        assert target == site and pid > 0
        # Left to finish here (it looks at every file), and not reaped: looked_ahead still
        # stops and reaps its own process, whose id no other process can have taken.
        ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        assert (ended.si_code, ended.si_status) == (os.CLD_EXITED, 0)
    with write.looked_ahead(site):
        (_, pid) = started[-1]
    with pytest.raises(ChildProcessError):  # stopped and waited for: no process is left
        os.waitpid(pid, os.WNOHANG)
    with write.looked_ahead(None):  # a build that keeps nothing
        pass
    assert len(started) == 3
