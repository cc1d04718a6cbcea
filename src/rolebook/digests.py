"""The SHA-256 of a handbook's files, remembered between builds by each file's signature.

Hashing every file is most of what reading an unchanged large handbook costs
(490 MB at 10,000 roles, hashed by the up-to-date check and again by ``load``).
A file whose size, modification time, change time and inode are the ones
recorded with its digest still has that digest: a write moves the change time,
which no program can set back. As in git's index, an entry recorded less than
a second after the file last changed is not trusted (an edit within the same
clock tick would leave the times as they were); such a file is hashed again.

Kept in ``.rolebook-cache/digests.json``; a missing or damaged file means every
file is hashed, as without it.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import orjson

FILE = Path(".rolebook-cache") / "digests.json"
FORMAT = 2  # 2: files of the handbook named relative to its folder
RACY_NS = 1_000_000_000  # an entry this close to the file's last change is not trusted


class Digests:
    """Digests of files by signature: ``known`` before reading, ``remember`` after."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / FILE
        # The handbook's files are recorded by their names in it, however the folder was
        # named to rolebook (relative or absolute): ``rolebook build .`` and ``rolebook
        # build /path/to/it`` use the same entries.
        self.prefix = os.path.join(str(root), "")
        self.now = time.time_ns()
        self.entries: dict[str, list] = {}   # name -> [size, mtime, ctime, inode, recorded, sha]
        self.seen: dict[str, list] = {}      # the entries of the files looked at in this run
        self.changed = False
        try:
            data = orjson.loads(self.path.read_bytes())
            if data.get("format") == FORMAT and isinstance(data.get("files"), dict):
                self.entries = data["files"]
        except (OSError, ValueError, AttributeError):
            pass

    def known(self, path: str, stat: os.stat_result) -> str | None:
        """The digest recorded for the file at ``path`` with this ``stat``, if trusted."""
        path = self._name(path)
        entry = self.entries.get(path)
        if not (isinstance(entry, list) and len(entry) == 6
                and entry[:4] == _signature(stat)
                and isinstance(entry[4], int) and isinstance(entry[5], str)
                and max(stat.st_mtime_ns, stat.st_ctime_ns) < entry[4] - RACY_NS):
            return None
        self.seen[path] = entry
        return entry[5]

    def remember(self, path: str, stat: os.stat_result, digest: str) -> None:
        """Record the digest of the file at ``path`` read after ``stat`` was taken."""
        path = self._name(path)
        self.seen[path] = self.entries[path] = [*_signature(stat), self.now, digest]
        self.changed = True

    def _name(self, path: str) -> str:
        """The file's name in the handbook's folder (a file elsewhere: its path)."""
        return path[len(self.prefix):] if path.startswith(self.prefix) else path

    def of(self, path: str) -> str:
        """The file's digest: recorded, or read and hashed now."""
        stat = os.stat(path)
        digest = self.known(path, stat)
        if digest is None:
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            self.remember(path, stat, digest)
        return digest

    def save(self, only_seen: bool = False) -> None:
        """Write the entries back (``only_seen``: only those of the files looked at in this
        run, so that files deleted since are forgotten); a folder that cannot be written is
        no error."""
        files = self.seen if only_seen else self.entries
        if not self.changed and files.keys() == self.entries.keys():
            return  # the file holds these already
        try:
            self.path.parent.mkdir(exist_ok=True)  # in the handbook's folder, never making it
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            temporary.write_bytes(orjson.dumps({"format": FORMAT, "files": files}))
            os.replace(temporary, self.path)
        except OSError:
            pass


def _signature(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
