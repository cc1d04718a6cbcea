"""A cache of validated content files, so that an unchanged file costs a read and a hash.

Parsing a rich role's YAML and validating it against the model takes a few
milliseconds; a handbook of thousands of roles would spend seconds on every
rebuild. The model made of a file depends only on its bytes, on the class it is
validated as and on the code, so it is stored under ``<handbook>/
.rolebook-cache/models/`` keyed by the sha256 of those: rolebook's version,
the source of the modules that read and validate content, and the versions
of PyYAML and pydantic. The files are pickles read with an unpickler that
builds only the content model's classes and plain data: a cache file that is
damaged, of an older format or not what its name says is ignored and the
text parsed and validated again, so the cache can never change what a build
makes. Only files without problems are stored: a broken file is parsed,
validated and reported every time.

A file validated by the build itself is stored alone (``<key>.pickle``). The
many files of a cold build are validated by worker processes in batches, each
stored as one pack (``<name>.pack``: the keys, then the models): the build
reads a pack while the workers make the next, and a pack's models share their
equal values already (``model.share_equal_values``): reading 10,000 roles back
took 5.5 s from packs against 12 s from single files and sharing their values
afterwards. A pack stays while at least half of its models are in use; then its
remaining files are validated again.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

FOLDER = ".rolebook-cache/models"
FORMAT = 3
PARALLEL_FROM = 200  # documents missing from the cache worth starting worker processes for
PACKS = 16  # the batches of a cold build: the build reads one while the workers make others
_OLD_FOLDERS = (".rolebook-cache/yaml",)  # the parsed YAML of earlier versions
_PLAIN = {("builtins", name) for name in ("set", "frozenset", "bytes", "bytearray", "complex")}
_PLAIN |= {("datetime", name) for name in ("date", "datetime", "time", "timedelta", "timezone")}


class _ModelUnpickler(pickle.Unpickler):
    """Unpickles the content model's classes and plain data only (no other code runs)."""

    def __init__(self, file, allowed: set[tuple[str, str]]):
        super().__init__(file)
        self.allowed = allowed

    def find_class(self, module: str, name: str):
        if (module, name) in self.allowed:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of the content model")


def _allowed() -> set[tuple[str, str]]:
    """Plain data and the classes of rolebook.model."""
    from . import model

    names = {name for name, value in vars(model).items()
             if isinstance(value, type) and value.__module__ == model.__name__}
    return _PLAIN | {(model.__name__, name) for name in names}


class ModelCache:
    """Validated models of one handbook's files, by content, class and code version."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.folder = self.root / FOLDER
        self.used: set[str] = set()
        self.salt = _code_version()
        self.allowed = _allowed()
        self.unpacked: dict[str, Any] = {}  # key -> model, of the packs read
        self.packs: dict[Path, list[str]] = {}  # pack -> the keys it holds
        self.pack_of: dict[str, Path] = {}
        for path in sorted(self.folder.glob("*.pack")):
            if (keys := self._keys_of(path)) is not None:
                self._add_pack(path, keys)

    def key(self, cls: type, digest: str) -> str:
        """The cache key of a file with the sha256 ``digest`` validated as ``cls`` (its text
        is made of its bytes by ``load``, which is part of the code version); marks the key
        as in use."""
        key = hashlib.sha256(f"{self.salt}\0{cls.__name__}\0{digest}".encode()).hexdigest()
        self.used.add(key)
        return key

    def get(self, key: str, cls: type) -> Any | None:
        """The model stored under ``key`` if it is there, intact and a ``cls``; else None."""
        if (pack := self.pack_of.get(key)) is not None and key not in self.unpacked:
            self._read_pack(pack)
        found = self.unpacked.get(key)
        if found is None:
            found = self._single(key)
        return found if type(found) is cls else None

    def shares(self, key: str) -> bool:
        """Whether the model under ``key`` shares its equal values with others already
        (read from a pack)."""
        return key in self.unpacked

    def put(self, key: str, model: Any) -> None:
        """Store a validated model; a folder that cannot be written is no error."""
        _store(self.folder, key, model)

    def fill(self, documents: list, cls: type, each: Callable[[Any, Any], None] | None = None
             ) -> None:
        """Parse, validate and store the documents the cache lacks, in worker processes.

        Only for many documents (``PARALLEL_FROM``), on more than one core, and from a
        process with one thread: the workers are forked (nothing is imported again, and a
        script without a ``__main__`` guard is not run again). Each worker stores a pack,
        which this process reads while the workers make the next, and calls ``each(document,
        model)`` for its models: work on them that would otherwise wait for the last pack. A
        document that has a problem is left out: the model stage reads it and reports its
        problems as always.
        """
        missing = [d for d in documents if d.cache_key and not self._has(d.cache_key)]
        workers = min(os.cpu_count() or 1, 2)
        if len(missing) < PARALLEL_FROM or workers < 2 or threading.active_count() > 1 \
                or "fork" not in multiprocessing.get_all_start_methods():
            return
        from concurrent.futures import ProcessPoolExecutor

        by_key = {document.cache_key: document for document in missing}
        size = -(-len(missing) // PACKS)
        jobs = [(self.folder, cls, missing[i:i + size]) for i in range(0, len(missing), size)]
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_worker_started) as pool:
                for pack in pool.map(_fill, jobs):
                    if pack is not None:
                        self._read_pack(pack)
                        if each is not None:
                            self._each(pack, cls, by_key, each)
        except (OSError, RuntimeError):
            pass  # no worker processes here: the model stage validates every file itself

    def _each(self, pack: Path, cls: type, documents: dict[str, Any],
              each: Callable[[Any, Any], None]) -> None:
        """``each(document, model)`` for the models of a pack read (none if it was damaged)."""
        for key in self.packs.get(pack, ()):
            model = self.unpacked.get(key)
            if type(model) is cls and key in documents:
                each(documents[key], model)

    def prune(self) -> None:
        """Drop the entries no file of this build used (old versions of files), and the
        packs of which less than half is in use; forget the packs' models."""
        try:
            for path in self.folder.glob("*.pickle"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)
            for path in self.folder.glob("*.pack"):
                keys = self.packs.get(path, ())
                if not keys or 2 * sum(key in self.used for key in keys) < len(keys):
                    path.unlink(missing_ok=True)
            for old in _OLD_FOLDERS:
                shutil.rmtree(self.root / old, ignore_errors=True)
        except OSError:
            pass
        self.unpacked.clear()

    # -- reading ---------------------------------------------------------------------
    def _has(self, key: str) -> bool:
        return key in self.pack_of or (self.folder / f"{key}.pickle").exists()

    def _single(self, key: str) -> Any | None:
        """The model of a file stored alone, if intact."""
        try:
            raw = (self.folder / f"{key}.pickle").read_bytes()
            stored = _ModelUnpickler(io.BytesIO(raw), self.allowed).load()
        except Exception:  # noqa: BLE001 - missing or damaged: validate again
            return None
        if not (isinstance(stored, dict) and stored.get("format") == FORMAT
                and stored.get("key") == key):
            return None
        return stored.get("model")

    def _keys_of(self, path: Path) -> list[str] | None:
        """The keys a pack holds (its first pickle), or None if it cannot be read."""
        try:
            with path.open("rb") as file:
                keys = _ModelUnpickler(file, self.allowed).load()
        except Exception:  # noqa: BLE001 - damaged: its files are validated again
            return None
        return keys if isinstance(keys, list) and all(type(k) is str for k in keys) else None

    def _add_pack(self, path: Path, keys: list[str]) -> None:
        self.packs[path] = keys
        self.pack_of.update(dict.fromkeys(keys, path))

    def _read_pack(self, path: Path) -> None:
        """Take a pack's models; a damaged pack is forgotten (its files validated again)."""
        try:
            raw = io.BytesIO(path.read_bytes())  # two pickles, each with a memo of its own
            keys = _ModelUnpickler(raw, self.allowed).load()
            models = _ModelUnpickler(raw, self.allowed).load()
        except Exception:  # noqa: BLE001
            keys, models = None, None
        if not (isinstance(models, dict) and isinstance(keys, list) and list(models) == keys):
            for key in self.packs.pop(path, ()):
                self.pack_of.pop(key, None)
            return
        self._add_pack(path, keys)
        self.unpacked.update(models)


def _store(folder: Path, key: str, model: Any) -> None:
    """Write one model alone (``<key>.pickle``)."""
    _write(folder, f"{key}.pickle", [{"format": FORMAT, "key": key, "model": model}])


def _store_pack(folder: Path, models: dict[str, Any]) -> Path | None:
    """Write models as one pack: the list of their keys, then the models by key."""
    name = hashlib.sha256("\0".join(models).encode()).hexdigest()
    return _write(folder, f"{name}.pack", [list(models), models])


def _write(folder: Path, name: str, pickles: list) -> Path | None:
    """Write a cache file atomically; None if the folder cannot be written, which is no
    error (a read-only handbook folder builds without a cache)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            for data in pickles:
                pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / name)
    except (OSError, pickle.PicklingError):
        return None
    return folder / name


def _worker_started() -> None:
    """A worker's standard error stream is closed for rapidyaml (``yamlfast.quiet``):
    whatever goes wrong in it is reported by the build, which reads the file again."""
    from .yamlfast import quiet

    quiet()


def _fill(job: tuple) -> Path | None:
    """In a worker: parse and validate each document of ``job`` that has no problem, and
    store them as one pack, their equal values shared; the pack, if one was stored.

    Plain YAML is read with rapidyaml (``yamlfast``), the rest as the build reads it."""
    from .load import Unreadable
    from .model import share_equal_values
    from .validate import validate
    from .yamlfast import Unusual, read
    from .yamlpos import YamlProblem, parse

    folder, cls, documents = job
    models: dict[str, Any] = {}
    shared: dict = {}
    for document in documents:
        try:
            text = document.text()
            try:
                data = read(text)
            except Unusual:
                data = parse(text).data
            model = validate(document, cls, [], data)
        except (YamlProblem, Unreadable):
            continue
        if model is not None:
            share_equal_values(model, shared)
            models[document.cache_key] = model
    return _store_pack(folder, models) if models else None


def _code_version() -> str:
    """rolebook's version, the source of the modules a model depends on, the YAML parsers
    and pydantic."""
    from importlib.metadata import version

    from . import __version__, load, model, validate, yamlfast, yamlpos

    sources = hashlib.sha256()
    for module in (yamlpos, yamlfast, load, model, validate):
        sources.update(Path(module.__file__).read_bytes())
    return "\0".join([str(FORMAT), __version__, version("PyYAML"), _version("rapidyaml"),
                      version("pydantic"), version("pydantic-core"), sources.hexdigest()])


def _version(distribution: str) -> str:
    """The installed version of ``distribution``, or "" if it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return ""
