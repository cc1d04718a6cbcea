"""Stage 5, write: rendered files in, a complete site swapped into place out.

A build writes into a staging folder next to the output and swaps it in only
when everything succeeded, so a failed or interrupted build leaves the
previous site as it was. A manifest (``.rolebook-manifest.json``) records
every file rolebook wrote, with the key of the inputs it came from: files
whose key did not change are reused from the previous site instead of being
rendered again, and rolebook never deletes a file it did not write (files a
person put into the output are carried over to the new site).

The previous site is not deleted after the swap: without the files the build
wrote again or dropped, it is a spare folder (``.<site>.spare``) of hard links
to the new site's files, and the next build puts its site together there. A
build that changed a few files of a large site then costs those few files, not
a link per file of the site and the deletion of the previous one. A first build
has no previous site: it links its own files into the spare (37,600 links at
10,000 roles, about 1 % of that build), so that the first edit after it is as
cheap as every later one.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from stat import S_ISREG
from typing import Callable, Iterable, Iterator

import orjson

from .errors import OutputError

MANIFEST = ".rolebook-manifest.json"
# In the spare folder (``.<site>.spare``), once it holds only links to the site's files: the
# names of the site's files it lacks (the ones written by the build that left it), as JSON.
SPARE_MARK = ".rolebook-spare"
RESERVED_NAMES = {"con", "prn", "aux", "nul"} | {f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)}


def safe_relpath(name: str) -> str:
    """``name`` as a relative POSIX path that stays inside the output, or OutputError.
    (Plain string tests: it is asked for every file of every build.)"""
    if not name or name.startswith("/") or "\\" in name or any(
            part in ("", ".", "..") or part.split(".")[0].lower() in RESERVED_NAMES
            or part.startswith(".rolebook") for part in name.split("/")):
        raise OutputError(f"refusing to write '{name}': the path would leave the output folder "
                          "or use a reserved name")
    return name


class Output:
    """A staging folder for one build of ``target``; ``commit`` swaps it in."""

    def __init__(self, target: Path, reuse: bool = True, inputs: str | None = None):
        self.target = Path(target).absolute()
        self.reusing = reuse  # False: render everything (``--force``), keep nothing
        self.inputs = inputs  # the key of everything the site is made from (``up_to_date``)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.target)
        try:
            _recover(self.target)
            self.previous, self.previous_inputs = _read_manifest(self.target)
        except BaseException:
            self._release()
            raise
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.staging-",
                                             dir=self.target.parent))
        self.files: dict[str, dict] = {}
        self._made: set[Path] = set()  # folders of the staging folder made by ``path``
        # The files reused from the previous site, in the order they were (the report's),
        # linked into the new site at commit.
        self.kept: dict[str, None] = {}
        # The signature of each previous file found untouched (``_untouched``): a kept file
        # linked into the staging folder is that file, and is signed without a ``stat`` more.
        self._checked: dict[str, list[int]] = {}
        self.linked = True  # every kept file was linked, none copied (``commit``)
        self._spare_lacks: set[str] = set()  # the site's files the spare folder lacks
        self.written: list[str] = []
        self._folders = self._make_folders()
        self._site: Path | None = None  # where ``prepare`` began putting the new site together
        self._done = (0, 0)  # how many of ``written`` and ``kept`` it holds

    @property
    def reused(self) -> list[str]:
        return list(self.kept)

    def _make_folders(self) -> threading.Thread | None:
        """Without a spare folder to put the new site together in, the staging folder needs
        every folder of the site (16,700 at 10,000 roles, 0.2 ms each): they are made in the
        background while the site renders (the system calls leave the interpreter free)."""
        if not self.reusing or not self.previous or self.previous is _DAMAGED \
                or (_spare_of(self.target) / SPARE_MARK).is_file():
            return None
        folders = sorted({os.path.dirname(name) for name in self.previous} - {""})
        thread = threading.Thread(target=_make_folders, args=(str(self.staging), folders),
                                  name="rolebook-folders", daemon=True)
        thread.start()
        return thread

    def settle(self) -> None:
        """Wait for the folders being made in the background (before a fork, or the end)."""
        if self._folders is not None:
            self._folders.join()
            self._folders = None

    # -- writing ------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """Where ``name`` goes in the staging folder (for renderers writing files)."""
        name = safe_relpath(name)
        if name in self.files:
            raise OutputError(f"two outputs would be written to '{name}'")
        path = self.staging / name
        if path.parent not in self._made:  # a folder holds many files: one call for it
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        return path

    def put(self, name: str, data: bytes | str, key: str | None = None) -> None:
        """Write one file; ``key`` identifies its inputs for the next build."""
        path = self.path(name)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        self.record(name, key)

    def put_parts(self, name: str, parts: Iterable[tuple[str, Callable[[], bytes]]],
                  key: str | None = None) -> None:
        """Write one file made of parts, each ``(part key, make)``: a part the previous
        build's file also holds under the same key is copied from there, not made again
        (one role changed in a large roles.json costs one role). Written as it goes:
        the whole file is never held in memory."""
        name = safe_relpath(name)
        previous = self._previous_parts(name)
        table, offset = [], 0
        # Unbuffered: the parts copied are copied by the kernel, between the files' descriptors.
        with open(self.path(name), "wb", buffering=0) as out, \
                (open(self.target / name, "rb") if previous else contextlib.nullcontext()) as old:
            run = (0, 0)  # parts next to each other in the previous file are copied at once
            for part_key, make in parts:
                if part_key in previous:
                    start, length = previous[part_key]
                    if run[1] and sum(run) != start:
                        _copy(old, out, *run)
                        run = (start, 0)
                    run = (run[0] if run[1] else start, run[1] + length)
                else:
                    _copy(old, out, *run)
                    run = (0, 0)
                    data = make()
                    _write(out, data)
                    length = len(data)
                table.append([part_key, offset, length])
                offset += length
            _copy(old, out, *run)
        self.files[name] = {"key": key, "parts": table}
        self.written.append(name)

    def _previous_parts(self, name: str) -> dict[str, tuple[int, int]]:
        """Part key -> (offset, length) in the previous build's file, if it can be trusted."""
        entry = self.previous.get(name)
        if not entry or not isinstance(entry.get("parts"), list) or not self._untouched(name):
            return {}
        try:
            return {key: (int(start), int(length)) for key, start, length in entry["parts"]}
        except (TypeError, ValueError):
            return {}

    def record(self, name: str, key: str | None = None) -> None:
        """Note a file a renderer wrote itself at ``self.path(name)``."""
        self.adopt(name, {"key": key})

    def adopt(self, name: str, entry: dict) -> None:
        """Note a file written at ``self.path(name)`` as ``entry`` of the manifest says (another
        process's ``Output``, a copy of this one, noted it so: ``render.parallel``)."""
        name = safe_relpath(name)
        self.files[name] = entry
        self.written.append(name)

    def reuse(self, name: str, key: str) -> bool:
        """Take ``name`` from the previous site if it was made from the same inputs."""
        name = safe_relpath(name)
        if not self._reusable(name, key):
            return False
        self._take(name, key)
        return True

    def reuse_all(self, keys: dict[str, str]) -> bool:
        """Take every file of ``keys`` (name -> key) from the previous site, or none (False):
        for files made together, such as a search index."""
        keys = {safe_relpath(name): key for name, key in keys.items()}
        if not keys or not all(self._reusable(name, key) for name, key in keys.items()):
            return False
        for name, key in keys.items():
            self._take(name, key)
        return True

    def _reusable(self, name: str, key: str) -> bool:
        entry = self.previous.get(name)
        return bool(entry) and entry.get("key") == key and self._untouched(name)

    def _untouched(self, name: str) -> bool:
        """Is the previous build's ``name`` as that build wrote it (and may it be reused)?"""
        entry = self.previous.get(name)
        if not self.reusing or not entry:
            return False
        old = os.path.join(self.target, name)
        try:
            stat = os.stat(old)
        except OSError:
            return False
        if not S_ISREG(stat.st_mode):
            return False
        # Size and modification time tell without reading the file (as make and git do);
        # when they differ, its content decides (a file of parts has no hash: ``_sign``).
        signature = _signature_of(stat)
        if entry.get("stat") == signature \
                or entry.get("sha256") is not None and _sha256(old) == entry["sha256"]:
            self._checked[name] = signature
            return True
        return False

    def _take(self, name: str, key: str) -> None:
        # The file is linked into the staging folder at commit, and only if the site changed.
        previous = self.previous[name]
        # A file of parts stays one for the next build.
        self.files[name] = {"key": key} | {field: previous[field] for field in ("sha256", "parts")
                                           if field in previous}
        self.kept[name] = None

    def current(self, name: str) -> Path:
        """Where this build's file ``name`` is now: staged, or kept in the previous site."""
        name = safe_relpath(name)
        return self.target / name if name in self.kept else self.staging / name

    def sha256(self, name: str) -> str:
        """The SHA-256 of the staged file ``name`` (computed once: commit reuses it)."""
        entry = self.files[safe_relpath(name)]
        if "sha256" not in entry:
            entry["sha256"] = _sha256(self.staging / name)
        return entry["sha256"]

    # -- finishing ----------------------------------------------------------------
    def prepare(self) -> None:
        """Begin putting the new site together with the files so far, while the last ones
        are still being made (the search index, in another process): ``commit`` adds
        only what came after. A build that wrote nothing yet may change nothing."""
        if self.written and self._site is None:
            self.settle()
            self._assemble()

    def commit(self) -> None:
        """Swap the new site in for the previous one; when the build wrote nothing and kept
        every file, the site stays as it is.

        The new site is put together in the spare folder the previous build left (it
        holds links to that site's files, so only what changed is done there) or, when
        there is none, in the staging folder; the previous site then becomes the spare."""
        self.settle()
        if not self.written and self.files.keys() == self.previous.keys() \
                and self.previous is not _DAMAGED and self.inputs == self.previous_inputs:
            self.discard()  # the manifest too would be the same, byte for byte
            return
        site = self._assemble()
        if site == self.staging:  # folders made beforehand for files this build does not have
            _remove_empty(site, {os.path.dirname(name) for name in self.previous}
                          - {os.path.dirname(name) for name in self.files})
        foreign = self._carry_over_foreign_files(site)
        (site / MANIFEST).unlink(missing_ok=True)
        # orjson: the manifest of a large site is tens of MB, written and read by every
        # rebuild (json took 0.35 s to write and 0.3 s to read it at 10,000 roles).
        (site / MANIFEST).write_bytes(orjson.dumps({"inputs": self.inputs, "files": self.files},
                                                   option=orjson.OPT_SORT_KEYS))
        previous_site = _swap(site, self.target)
        self._keep_spare(previous_site, foreign)
        shutil.rmtree(self.staging, ignore_errors=True)
        self._release()

    def _assemble(self) -> Path:
        """The new site put together, or finished if ``prepare`` began it."""
        if self._site is None:
            self._site = self._assemble_in_spare() or self._assemble_in_staging()
            return self._site
        try:
            self._add_to(self._site)
        except OSError:
            if self._site == self.staging:
                raise
            shutil.rmtree(self._site, ignore_errors=True)  # as _assemble_in_spare would
            self._done = (0, 0)
            self._site = self._assemble_in_staging()
        return self._site

    def _assemble_in_staging(self) -> Path:
        """The new site in the staging folder: the kept files linked in beside the written.
        (Folders made beforehand for files this build does not have are removed by
        ``commit``: the search index may still be writing into one.)"""
        self._add_to(self.staging)
        return self.staging

    def _add_to(self, site: Path) -> None:
        """Put the files written or kept since the last call into ``site`` (the spare folder
        or the staging folder) and sign them."""
        written, kept = self._done
        if site != self.staging:
            _remove(site, self.previous.keys() - self.files.keys())
            for name in self.written[written:]:
                self._place(self.staging / name, site / name)
        for name in list(self.kept)[kept:]:
            if site == self.staging or name in self._spare_lacks:
                self.linked &= _link_or_copy(self.target / name, site / name)
            # Linked (or copied with its time), or the spare's link to it: the file checked,
            # whose signature is known. Had it changed since, the next build would find its
            # signature stale and read it.
            if name in self._checked:
                self.files[name].setdefault("stat", self._checked[name])
        self._sign(site)
        self._done = (len(self.written), len(self.kept))

    def _assemble_in_spare(self) -> Path | None:
        """The new site in the previous build's spare folder, if there is one to trust:
        the files gone removed, the written ones linked in from the staging folder, the
        kept ones linked in where the spare lacks them.

        A kept file the spare has is the one of the previous site: a link to it, or a file
        with the content the manifest records for it (a file of the site replaced by
        another with other content would not have been kept)."""
        spare = _spare_of(self.target)
        marker = spare / SPARE_MARK
        if self.previous is _DAMAGED or not marker.is_file():
            return None
        try:
            self._spare_lacks = set(json.loads(marker.read_text(encoding="utf-8"))["lacks"])
        except (OSError, ValueError, KeyError, TypeError):
            shutil.rmtree(spare, ignore_errors=True)  # a spare of unknown content
            return None
        marker.unlink()  # being changed: not to be trusted if this build dies before the swap
        try:
            self._add_to(spare)
        except OSError:
            shutil.rmtree(spare, ignore_errors=True)
            return None
        return spare

    def _place(self, source: Path, destination: Path) -> None:
        """Link ``source`` at ``destination``, replacing what is there (never writing into
        it: in a spare folder it may be a link to a file of the live site)."""
        try:
            destination.unlink()
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            shutil.rmtree(destination)
        self.linked &= _link_or_copy(source, destination)

    def _sign(self, site: Path) -> None:
        """Record each file's hash and signature (size, modification time) in the manifest,
        unless signed before. A file of parts is not hashed (roles.json and salaries.csv
        are 300 MB each at 10,000 roles, and a rebuild copies most of them): its parts'
        keys say what it holds, and found changed on disk it is made again whole."""
        for name, entry in self.files.items():
            if "stat" in entry:
                continue
            path = os.path.join(site, name)
            entry["stat"] = _signature(path)
            if "sha256" not in entry and "parts" not in entry:
                entry["sha256"] = _sha256(path)

    def _keep_spare(self, previous_site: Path | None, foreign: list[str]) -> None:
        """Keep the previous site as the next build's spare folder, without the files this
        build wrote again or dropped: what is left are links to the new site's files.
        Without a previous site, the spare is made of links to every file of the new one."""
        spare = _spare_of(self.target)
        if previous_site is None:
            shutil.rmtree(spare, ignore_errors=True)
            if _link_files(self.target, spare, self.files):
                _mark_spare(spare, lacks=[])
            else:  # no hard links here: a spare of copies would cost what it saves
                shutil.rmtree(spare, ignore_errors=True)
            return
        parked = previous_site.parent if previous_site.parent != self.target.parent else None
        if self.linked and self.previous is not _DAMAGED:
            if previous_site != spare:
                shutil.rmtree(spare, ignore_errors=True)
                os.replace(previous_site, spare)
            _remove(spare, self.written, folders=False)
            _remove(spare, [*(self.previous.keys() - self.files.keys()), *foreign, MANIFEST])
            _mark_spare(spare, lacks=self.written)
        else:  # copies, or files of unknown origin: nothing worth keeping
            shutil.rmtree(previous_site, ignore_errors=True)
        if parked is not None:
            shutil.rmtree(parked, ignore_errors=True)

    def discard(self) -> None:
        """Drop the staging folder; the previous site stays as it was."""
        self.settle()
        shutil.rmtree(self.staging, ignore_errors=True)
        self._release()

    def _carry_over_foreign_files(self, site: Path) -> list[str]:
        """Copy the files a person put into the previous site into ``site``; their names."""
        if not self.target.is_dir() or self.previous is _DAMAGED:
            return []
        foreign = [name for name in _files_under(str(self.target))
                   if name != MANIFEST and name not in self.previous and name not in self.files]
        for name in foreign:
            destination = site / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.unlink(missing_ok=True)
            shutil.copy2(self.target / name, destination)
        return foreign

    def forget_lock(self) -> None:
        """In a process forked from the build: close its copy of the lock's handle. The
        lock stays the build's, and is free as soon as the build ends, however it ends."""
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> "Output":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
            return
        try:
            self.commit()
        except BaseException:
            self.discard()  # the staging folder and the lock, whatever step failed
            raise


@contextlib.contextmanager
def looked_ahead(target: Path | None) -> Iterator[None]:
    """While the build reads and checks the handbook, a forked process looks at every file
    of the previous site at ``target`` (one ``stat`` each), so that the kernel holds them
    when the build asks whether each is as it was written. A rebuild that changed one role
    of 10,000 looks at 37,600 files in 16,700 folders: more than a second when another
    program's work has pushed them out of the kernel's caches, done here on the other
    core. (A thread would not do: with the build's own thread busy, it would run between
    the interpreter's switch intervals.) Stopped when the build ends, done or not; None:
    nothing to look at."""
    pid = _fork_walker(Path(target).absolute()) if target is not None else 0
    try:
        yield
    finally:
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)


def _fork_walker(target: Path) -> int:
    """The walker's process id; 0 where it is not worth starting or cannot be forked."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if not hasattr(os, "fork") or (cores or 1) < 2 \
            or threading.active_count() > 1 \
            or not (target / MANIFEST).is_file():
        return 0
    try:
        pid = os.fork()
    except OSError:
        return 0
    if pid == 0:  # the walker: nothing of the build's runs here, not even its exit handlers
        code = 1
        try:
            _stat_all(str(target))
            code = 0
        finally:
            os._exit(code)
    return pid


def _swap(site: Path, target: Path) -> Path | None:
    """Put ``site`` in the place of ``target`` so that no moment lacks a complete site;
    where the previous site is now (None: there was none)."""
    previous = None
    if target.exists() and _exchange(site, target):
        previous = site
    else:
        if target.exists():  # two renames; a kill between them is undone by _recover
            parked = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            previous = parked / "site"
            os.rename(target, previous)
        os.rename(site, target)
    _fsync_dir(target.parent)
    return previous


def _spare_of(target: Path) -> Path:
    return target.parent / f".{target.name}.spare"


def _remove(folder: Path, names: Iterable[str], folders: bool = True) -> None:
    """Remove the files ``names`` from ``folder`` where they are; with ``folders``, also
    the folders that are left empty."""
    for name in names:
        path = folder / name
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            shutil.rmtree(path)
        if not folders:
            continue
        for parent in path.parents:
            if parent == folder:
                break
            try:
                parent.rmdir()
            except OSError:  # not empty, or gone
                break


def _mark_spare(spare: Path, lacks: list[str]) -> None:
    """Mark ``spare`` as holding only links to the site's files, all but ``lacks``."""
    (spare / SPARE_MARK).write_text(json.dumps({"lacks": lacks}, ensure_ascii=False,
                                               separators=(",", ":")), encoding="utf-8")


def _link_files(source: Path, destination: Path, names: Iterable[str]) -> bool:
    """Hard-link the files ``names`` of ``source`` into ``destination``, a new folder;
    False if links cannot be made there."""
    made: set[str] = {""}
    try:
        os.makedirs(destination)
        for name in names:
            folder = os.path.dirname(name)
            if folder not in made:
                os.makedirs(os.path.join(destination, folder), exist_ok=True)
                made.add(folder)
            os.link(os.path.join(source, name), os.path.join(destination, name))
    except OSError:
        return False
    return True


def _make_folders(root: str, folders: list[str]) -> None:
    for folder in folders:
        try:
            os.makedirs(os.path.join(root, folder), exist_ok=True)
        except OSError:
            return  # the build goes on; it makes what it writes into itself


def _remove_empty(root: Path, folders: Iterable[str]) -> None:
    """Remove the ``folders`` of ``root`` that are empty, and their parents left empty."""
    for folder in sorted(folders, key=len, reverse=True):  # the deepest first
        path = root / folder
        while path != root:
            try:
                path.rmdir()
            except OSError:  # not empty, or gone
                break
            path = path.parent


def _files_under(folder: str, prefix: str = "") -> Iterator[str]:
    """The regular files under ``folder`` (links to files included, links to folders not
    followed), as relative POSIX names."""
    with os.scandir(folder) as entries:
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                yield from _files_under(entry.path, name + "/")
            elif entry.is_file():  # not a broken link
                yield name


def _stat_all(folder: str) -> None:
    """``stat`` every file and folder under ``folder`` (links not followed); what is gone
    or cannot be read is passed over."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    _stat_all(entry.path)
                else:
                    with contextlib.suppress(OSError):
                        entry.stat(follow_symlinks=False)
    except OSError:
        pass


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically with Linux's renameat2(RENAME_EXCHANGE), if available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _lock(target: Path):
    handle = open(target.parent / f".{target.name}.rolebook-lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise OutputError(f"another rolebook build is writing {target}; wait for it to finish")
    return handle


def _recover(target: Path) -> None:
    """Undo what a build killed mid-way left behind (we hold the lock, so none runs).

    A kill between the two renames of ``commit`` leaves no site but the old
    one parked in ``.<name>.old-*/site``: put it back. Staging and parked
    folders are rolebook's own and are removed.
    """
    parent, name = target.parent, target.name
    for parked in sorted(parent.glob(f".{name}.old-*")):
        if not target.exists() and (parked / "site").is_dir():
            os.rename(parked / "site", target)
        shutil.rmtree(parked, ignore_errors=True)
    for staging in parent.glob(f".{name}.staging-*"):
        shutil.rmtree(staging, ignore_errors=True)
    spare = _spare_of(target)
    if spare.exists() and not ((spare / SPARE_MARK).is_file() and target.is_dir()):
        shutil.rmtree(spare, ignore_errors=True)  # left half-changed, or its site is gone


class _Damaged(dict):
    """A manifest that exists but cannot be read: the folder is ours, nothing is reused."""


_DAMAGED = _Damaged()


def _read_manifest(target: Path) -> tuple[dict[str, dict], str | None]:
    """The previous build's files and inputs key; refuses a non-empty folder rolebook did
    not make."""
    if not target.exists():
        return {}, None
    if not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder")
    manifest = target / MANIFEST
    if not manifest.is_file():
        if any(target.iterdir()):
            raise OutputError(f"{target} is not empty and was not written by rolebook; "
                              "choose another output folder with --out")
        return {}, None
    try:
        data = orjson.loads(manifest.read_bytes())
        files = {name: entry for name, entry in data["files"].items() if isinstance(entry, dict)}
        inputs = data.get("inputs")
        return files, inputs if isinstance(inputs, str) else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return _DAMAGED, None


def up_to_date(target: Path, inputs: str) -> list[str] | None:
    """The files of the site at ``target`` if it was built from ``inputs`` and none of its
    files changed since (a rebuild would change nothing); else None."""
    target = Path(target).absolute()
    try:
        files, previous_inputs = _read_manifest(target)
    except OutputError:
        return None
    if previous_inputs != inputs or files is _DAMAGED:
        return None
    for name, entry in files.items():
        try:
            if entry.get("stat") != _signature(target / name):
                return None
        except OSError:
            return None
    return sorted(files)


def _link_or_copy(old: Path, new: Path) -> bool:
    """Hard-link ``old`` at ``new``, where nothing is (a copy where links cannot be made),
    making its folder if missing; was it linked? One system call for most files."""
    for attempt in (1, 2):
        try:
            os.link(old, new)
            return True
        except FileExistsError:
            raise  # never copied over: it may be a link to a file of the live site
        except FileNotFoundError:
            if attempt == 2 or not os.path.exists(old):
                raise
            os.makedirs(os.path.dirname(new), exist_ok=True)
        except OSError:
            break
    shutil.copy2(old, new)
    return False


def _write(file, data: bytes) -> None:
    """Write all of ``data`` to an unbuffered file (one write may take only a part)."""
    view = memoryview(data)
    while view:
        view = view[file.write(view):]


def _copy(source, destination, start: int, length: int) -> None:
    """Append ``length`` bytes of ``source`` from ``start`` to ``destination`` (files
    opened without buffering), in the kernel where it can."""
    while length > 0:
        try:
            done = os.copy_file_range(source.fileno(), destination.fileno(), length, start)
        except (AttributeError, OSError):  # not on this system or between these file systems
            source.seek(start)
            _write(destination, source.read(length))
            return
        if done == 0:
            raise OutputError(f"{source.name} ended before its part at {start} did")
        start, length = start + done, length - done


def _signature(path: Path | str) -> list[int]:
    """Size and modification time (ns): a file rewritten since has another."""
    return _signature_of(os.stat(path))


def _signature_of(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns]


def _sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
