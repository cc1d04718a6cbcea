"""Stage 1, load: a handbook folder in, its source documents out.

Reads ``content/handbook.yaml``, ``content/regions.yaml``,
``content/roles/*.yaml`` and ``content/pages/*.md`` (Markdown with a YAML
front matter block). Nothing is interpreted here: each document is its
file's name, its digest and the key of its model in the cache
(``parsecache``). The model stage takes the model from the cache or parses
and validates the file, one at a time, so that the data of thousands of
files is never held at once; where a value sits is read again from the file
when a problem is reported at ``file:line:col``. Every unreadable file
becomes a ``Problem``; loading goes on so that all of them are reported.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from stat import S_ISREG
from typing import Any

from . import yamlpos
from .digests import Digests
from .errors import ContentError, Problem, display_path
from .model import Handbook, Page, Regions, Role
from .parsecache import ModelCache

MAX_FILE_BYTES = 1_000_000
CONTENT = "content"


class Document:
    """One source file: its name, its digest and the key of its model in the cache.

    The data is parsed from the file when asked for (``data``); where a value sits
    (``position``, ``problem``) is read again from the file when a problem needs it:
    problems are rare, and the positions of every value of every file would take more
    memory than the data itself.
    """

    def __init__(self, path: Path, name: str, digest: str, body: str = "",
                 body_line: int = 1, front_matter: bool = False, cache_key: str = ""):
        self.path = path
        self.name = name  # as shown in messages: relative to the handbook folder
        self.digest = digest  # sha256 of the file's bytes as loaded
        self.body = body  # the Markdown after the front matter (pages only)
        self.body_line = body_line  # line of the body's first line in the file
        self.front_matter = front_matter
        self.cache_key = cache_key  # "" without a cache

    def __repr__(self) -> str:
        return f"Document({self.name!r})"

    @property
    def data(self) -> Any:
        """The plain data of the file, parsed now (not kept: the model is).

        Raises ``yamlpos.YamlProblem`` for broken YAML and ``Unreadable`` when the file
        is gone or changed since it was loaded.
        """
        return yamlpos.parse(self.text()).data

    def text(self) -> str:
        """The YAML text of the file (a page's front matter), as loaded."""
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise Unreadable(f"cannot be read again: {exc.strerror}") from None
        if hashlib.sha256(raw).hexdigest() != self.digest:
            raise Unreadable("changed while the handbook was being read; run rolebook again")
        text = _decode(raw)
        return _split_front_matter(text)[0] if self.front_matter else text

    @property
    def located(self) -> yamlpos.Located:
        """The data with the position of every value."""
        return yamlpos.parse(self.text(), positions=True)

    def position(self, loc: tuple) -> tuple[int, int]:
        """Line and column of the value at ``loc`` (or of its nearest ancestor)."""
        try:
            return yamlpos.position(self.text(), loc)
        except Exception:  # noqa: BLE001 - changed or gone since it was read: its start
            return (1, 1)

    def problem(self, loc: tuple, message: str) -> Problem:
        return Problem(self.name, *self.position(loc), message)


@dataclass
class Sources:
    """Everything a handbook folder holds, before validation."""

    root: Path
    handbook: Document | None
    regions: Document | None
    roles: list[Document] = field(default_factory=list)
    pages: list[Document] = field(default_factory=list)
    role_ids: set[str] = field(default_factory=set)  # every role file, readable or not
    problems: list[Problem] = field(default_factory=list)  # files that could not be read
    cache: ModelCache | None = None  # where the model stage stores what it validates


def load(root: Path) -> Sources:
    """Read every content file of the handbook at ``root``.

    Files that cannot be read or parsed are listed in ``Sources.problems``;
    the rest are loaded so that their problems are reported in the same run.
    Raises ``ContentError`` only when there is no handbook to speak of.
    """
    root = Path(root)
    problems: list[Problem] = []
    cache = ModelCache(root)  # unchanged files are neither parsed nor validated again
    digests = Digests(root)   # nor read: their models are found by their recorded digest
    content = root / CONTENT
    if not root.is_dir():
        raise ContentError([Problem(root.as_posix(), 0, 0, (
            "no such folder; give the handbook's folder (the one that holds content/), "
            "or create a handbook with `rolebook init DIR`"))])
    if not content.is_dir():
        raise ContentError([Problem(display_path(content, root), 0, 0,
                                    "no content folder here; is this a handbook? "
                                    "Create one with `rolebook init DIR`")])
    sources = Sources(
        root=root,
        handbook=_read_required(root, content / "handbook.yaml", Handbook, problems, cache,
                                digests),
        regions=_read_optional(root, content / "regions.yaml", Regions, problems, cache, digests),
        roles=_read_all(root, content / "roles", "*.yaml", Role, problems, cache, digests),
        pages=_read_all(root, content / "pages", "*.md", Page, problems, cache, digests,
                        front_matter=True),
        role_ids={entry.name.rsplit(".", 1)[0]
                  for entry in _content_files(content / "roles", "*.yaml")},
        problems=problems,
        cache=cache,
    )
    digests.save()
    if not sources.role_ids:
        problems.append(Problem(display_path(content / "roles", root), 0, 0,
                                "the handbook has no roles: add content/roles/<id>.yaml"))
    return sources


def _read_required(root: Path, path: Path, cls: type, problems: list[Problem],
                   cache: ModelCache | None = None, digests: Digests | None = None
                   ) -> Document | None:
    if not path.is_file():
        problems.append(Problem(display_path(path, root), 0, 0, (
            "file is missing; every handbook needs one: `rolebook init DIR` makes a new "
            "handbook with an example to copy")))
        return None
    return read_document(root, path, problems, cls=cls, cache=cache, digests=digests)


def _read_optional(root: Path, path: Path, cls: type, problems: list[Problem],
                   cache: ModelCache | None = None, digests: Digests | None = None
                   ) -> Document | None:
    if not path.exists():
        return None
    return read_document(root, path, problems, cls=cls, cache=cache, digests=digests)


def _read_all(root: Path, folder: Path, pattern: str, cls: type, problems: list[Problem],
              cache: ModelCache | None = None, digests: Digests | None = None,
              front_matter: bool = False) -> list[Document]:
    if not folder.is_dir():
        return []
    documents, real_root, real_folder = [], root.resolve(), folder.resolve()
    shown = _shown_name(folder, root)
    # A file that is not a link is in its folder: whether it is inside the handbook is
    # known from the folder (resolving each of thousands of paths would look up every
    # folder above it).
    inside = real_folder.is_relative_to(real_root)
    for entry in _content_files(folder, pattern):
        link = entry.is_symlink()
        document = read_document(
            root, folder / entry.name, problems, front_matter, cls, cache, real_root, digests,
            real=None if link else real_folder / entry.name, inside=inside and not link,
            name=f"{shown}/{entry.name}")
        if document is not None:
            documents.append(document)
    return documents


def _content_files(folder: Path, pattern: str) -> list[os.DirEntry]:
    """The files of a content folder whose names match ``pattern``, in the order of their
    names, without hidden ones (macOS ._x.yaml, editor backups). Sorted by name, not as
    paths: pathlib compares paths part by part (half a second for 10,000 roles)."""
    try:
        with os.scandir(folder) as entries:
            found = [entry for entry in entries
                     if not entry.name.startswith(".") and fnmatchcase(entry.name, pattern)]
    except OSError:
        return []
    return sorted(found, key=lambda entry: entry.name)


def read_document(root: Path, path: Path, problems: list[Problem], front_matter: bool = False,
                  cls: type | None = None, cache: ModelCache | None = None,
                  real_root: Path | None = None, digests: Digests | None = None,
                  real: Path | None = None, inside: bool = False,
                  name: str | None = None) -> Document | None:
    """Read one file (its YAML is parsed later: ``Document.data``); on failure append a
    ``Problem`` and return None. With a ``cache`` and the ``cls`` the file is validated as,
    the document gets its key in the cache. ``real_root`` is ``root.resolve()``, ``real``
    ``path.resolve()`` when the caller knows them (``inside``: and knows it inside the
    handbook), ``name`` the file's name as shown. A YAML
    file whose digest ``digests`` knows is not read: only a model missing from the cache
    needs its text (``Document.text`` reads it then, and reports a file it cannot decode)."""
    name = name or _shown_name(path, root)
    try:
        real, stat = _checked(root, path, real_root, real, inside)
        known = None if front_matter or digests is None else digests.known(str(path), stat)
        body, body_line = "", 1
        if known is not None:
            digest = known
        else:
            raw = real.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            text = _decode(raw)
            if front_matter:
                body, body_line = _split_front_matter(text)[1:]
            if digests is not None:
                digests.remember(str(path), stat, digest)
        key = cache.key(cls, digest) if cache is not None and cls is not None else ""
    except Unreadable as exc:
        problems.append(Problem(name, 0, 0, str(exc)))
        return None
    return Document(path, name, digest, body, body_line, front_matter, key)


def _shown_name(path: Path, root: Path) -> str:
    """``display_path`` of a file found inside the root, without resolving links."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return display_path(path, root)


class Unreadable(Exception):
    """A file that cannot be read as a handbook file (the message says why)."""


def _checked(root: Path, path: Path, real_root: Path | None = None, real: Path | None = None,
             inside: bool = False) -> tuple[Path, os.stat_result]:
    """The file ``path`` leads to (``real`` if known; ``inside``: known to be inside the
    handbook) and its ``stat``, if it may be read as a handbook file."""
    real = real or path.resolve()
    if not inside and not real.is_relative_to(real_root or root.resolve()):
        raise Unreadable(f"is a link to {real}, outside the handbook folder; "
                          "copy the file into the handbook instead")
    try:
        stat = real.stat()
    except OSError:
        raise Unreadable("is not a regular file") from None
    if not S_ISREG(stat.st_mode):
        raise Unreadable("is not a regular file")
    if stat.st_size > MAX_FILE_BYTES:
        raise Unreadable(f"is {stat.st_size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; "
                          "split it into several files")
    return real, stat


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("is saved in the UTF-16 encoding («Юникод» in Notepad), not UTF-8; "
                          "re-save it as UTF-8 (Notepad: «Сохранить как» → Кодировка UTF-8)")
    if b"\x00" in raw:
        raise Unreadable("is not a text file (it contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")  # a BOM from Windows editors is fine
    except UnicodeDecodeError as exc:
        if _looks_like_cp1251(raw):
            raise Unreadable(
                "is saved in the Windows-1251 encoding, not UTF-8; re-save it as UTF-8 "
                "(Notepad: «Сохранить как» → Кодировка UTF-8), or convert it with "
                "`iconv -f cp1251 -t utf-8`") from None
        line = raw[: exc.start].count(b"\n") + 1
        raise Unreadable(f"is not valid UTF-8 text (bad byte 0x{raw[exc.start]:02x} "
                          f"on line {line}); save it as UTF-8") from None


def _looks_like_cp1251(raw: bytes) -> bool:
    """Most high bytes fall in cp1251's Cyrillic letters (0xC0-0xFF), and none sits inside
    a latin word (Latin-1's «café» has its high byte there, Russian text does not)."""
    high = [b for b in raw if b >= 0x80]
    return bool(high) and sum(b >= 0xC0 for b in high) / len(high) > 0.8 \
        and not re.search(rb"[A-Za-z][\xc0-\xff]|[\xc0-\xff][A-Za-z]", raw)


def _split_front_matter(text: str) -> tuple[str, str, int]:
    """Split ``---\\nYAML\\n---\\nMarkdown``; the YAML keeps its line numbers."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise Unreadable("must start with a front matter block: a line '---', "
                          "the page's YAML (title: ...), and another line '---'")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            # Blank first line keeps YAML line numbers equal to file line numbers.
            yaml_text = "\n" + "".join(lines[1:index])
            return yaml_text, "".join(lines[index + 1:]), index + 2
    raise Unreadable("front matter is not closed: add a line '---' after the page's YAML")
