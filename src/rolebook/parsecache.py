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
from typing import Any

FOLDER = ".rolebook-cache/models"
FORMAT = 2
PARALLEL_FROM = 200  # documents missing from the cache worth starting worker processes for
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
    """Plain data, the classes of rolebook.model and the function that restores a band."""
    from . import model

    names = {name for name, value in vars(model).items()
             if isinstance(value, type) and value.__module__ == model.__name__}
    return _PLAIN | {(model.__name__, name) for name in names | {"_band"}}


class ModelCache:
    """Validated models of one handbook's files, by content, class and code version."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.folder = self.root / FOLDER
        self.used: set[str] = set()
        self.salt = _code_version()
        self.allowed = _allowed()

    def key(self, cls: type, digest: str) -> str:
        """The cache key of a file with the sha256 ``digest`` validated as ``cls`` (its text
        is made of its bytes by ``load``, which is part of the code version); marks the key
        as in use."""
        key = hashlib.sha256(f"{self.salt}\0{cls.__name__}\0{digest}".encode()).hexdigest()
        self.used.add(key)
        return key

    def get(self, key: str, cls: type) -> Any | None:
        """The model stored under ``key`` if it is there, intact and a ``cls``; else None."""
        try:
            raw = (self.folder / f"{key}.pickle").read_bytes()
            stored = _ModelUnpickler(io.BytesIO(raw), self.allowed).load()
        except Exception:  # noqa: BLE001 - missing or damaged: validate again
            return None
        if not (isinstance(stored, dict) and stored.get("format") == FORMAT
                and stored.get("key") == key and type(stored.get("model")) is cls):
            return None
        return stored["model"]

    def put(self, key: str, model: Any) -> None:
        """Store a validated model; a folder that cannot be written is no error."""
        _store(self.folder, key, model)

    def fill(self, documents: list, cls: type) -> None:
        """Parse, validate and store the documents the cache lacks, in worker processes.

        Only for many documents (``PARALLEL_FROM``), on more than one core, and from a
        process with one thread: the workers are forked (nothing is imported again, and a
        script without a ``__main__`` guard is not run again). A document that has a
        problem is left out: the model stage reads it and reports its problems as always.
        """
        missing = [d for d in documents
                   if d.cache_key and not (self.folder / f"{d.cache_key}.pickle").exists()]
        workers = min(os.cpu_count() or 1, 2)
        if len(missing) < PARALLEL_FROM or workers < 2 or threading.active_count() > 1 \
                or "fork" not in multiprocessing.get_all_start_methods():
            return
        from concurrent.futures import ProcessPoolExecutor

        chunks = [(self.folder, cls, missing[i::8]) for i in range(8)]
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_worker_started) as pool:
                list(pool.map(_fill, chunks))
        except (OSError, RuntimeError):
            pass  # no worker processes here: the model stage validates every file itself

    def prune(self) -> None:
        """Drop the entries no file of this build used (old versions of files)."""
        try:
            for path in self.folder.glob("*.pickle"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)
            for old in _OLD_FOLDERS:
                shutil.rmtree(self.root / old, ignore_errors=True)
        except OSError:
            pass


def _store(folder: Path, key: str, model: Any) -> None:
    """Write one cache entry (atomically); a folder that cannot be written is no error."""
    stored = {"format": FORMAT, "key": key, "model": model}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            pickle.dump(stored, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{key}.pickle")
    except (OSError, pickle.PicklingError):
        pass  # a read-only handbook folder builds without a cache


def _worker_started() -> None:
    """A worker's standard error stream is closed for rapidyaml (``yamlfast.quiet``):
    whatever goes wrong in it is reported by the build, which reads the file again."""
    from .yamlfast import quiet

    quiet()


def _fill(job: tuple) -> None:
    """In a worker: parse, validate and store each document of ``job`` that has no problem.

    Plain YAML is read with rapidyaml (``yamlfast``), the rest as the build reads it."""
    from .load import Unreadable
    from .validate import validate
    from .yamlfast import Unusual, read
    from .yamlpos import YamlProblem, parse

    folder, cls, documents = job
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
            _store(folder, document.cache_key, model)


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
