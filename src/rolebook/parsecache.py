"""A cache of parsed YAML, so that an unchanged file costs a hash and a read.

``yamlpos.parse`` builds the data and the position of every value in Python,
node by node (about 6 ms for a rich role). The result depends only on the
text and on the parser, so it is stored under ``<handbook>/.rolebook-cache/
yaml/`` keyed by the sha256 of the text and the versions of rolebook, of its
YAML module and of PyYAML. The files are pickles read with an unpickler that
builds only plain data (no code runs): a cache file that is damaged, of an
older format or not what its name says is ignored and the text parsed again,
so the cache can never change what a build makes. Errors are not cached: a
broken file is parsed, and reported, every time.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path

from . import yamlpos

FOLDER = ".rolebook-cache/yaml"
FORMAT = 1
_ALLOWED = {("builtins", name) for name in ("set", "frozenset", "bytes", "bytearray", "complex")}
_ALLOWED |= {("datetime", name) for name in ("date", "datetime", "time", "timedelta", "timezone")}


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain data only: containers, scalars and dates."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


class ParseCache:
    """Parsed YAML texts of one handbook, by content; ``parse`` is ``yamlpos.parse`` cached."""

    def __init__(self, root: Path):
        self.folder = Path(root) / FOLDER
        self.used: set[str] = set()
        self.salt = _parser_version()

    def parse(self, text: str) -> yamlpos.Located:
        """``yamlpos.parse(text)``, from the cache when this text was parsed before."""
        key = hashlib.sha256(f"{self.salt}\0{text}".encode()).hexdigest()
        self.used.add(key)
        located = self._read(key)
        if located is None:
            located = yamlpos.parse(text)  # a YamlProblem propagates: not cached
            self._write(key, located)
        return located

    def prune(self) -> None:
        """Drop the cache files no text of this load used (old versions of files)."""
        try:
            for path in self.folder.glob("*.pickle"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)
        except OSError:
            pass

    def _read(self, key: str) -> yamlpos.Located | None:
        try:
            raw = (self.folder / f"{key}.pickle").read_bytes()
            stored = _PlainUnpickler(io.BytesIO(raw)).load()
            if not (isinstance(stored, dict) and stored.get("format") == FORMAT
                    and stored.get("key") == key and isinstance(stored.get("positions"), dict)):
                return None
            return yamlpos.Located(stored["data"], stored["positions"])
        except Exception:  # noqa: BLE001 - any damage means: parse again
            return None

    def _write(self, key: str, located: yamlpos.Located) -> None:
        stored = {"format": FORMAT, "key": key, "data": located.data,
                  "positions": located.positions}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                pickle.dump(stored, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.folder / f"{key}.pickle")
        except (OSError, pickle.PicklingError):
            pass  # a read-only handbook folder builds without a cache


def _parser_version() -> str:
    """rolebook's version, its YAML module's source and PyYAML's version."""
    import yaml

    from . import __version__

    source = Path(yamlpos.__file__).read_bytes()
    return f"{FORMAT}\0{__version__}\0{yaml.__version__}\0{hashlib.sha256(source).hexdigest()}"
