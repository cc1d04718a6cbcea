"""Input keys of the rendered files, for incremental builds (``Output.reuse``).

A file's key is a hash of exactly what it was made from; a later build that
computes the same key takes the file from the previous site instead of
rendering it again. A key must change whenever the file could: when in
doubt a key takes in more (a needless re-render costs time, a missing input
gives a stale page).

- ``code_key``: rolebook's version and its own source files (an editable
  install changes code without changing the version).
- ``templates_key``: every template of the theme and of the handbook's
  overrides, shadowed ones included (``{% extends "theme/html/role.html" %}``
  reads the packaged file an override hides).
- ``common_key``: the two above plus handbook.yaml and regions.yaml, which
  every page shows (title, navigation, departments, regions).
- ``content_key``: code and every content file (the data files).
- ``catalog_key``: ``common_key`` plus every role and article: for pages that
  list the whole handbook (home, indexes, salaries, comparisons).
- ``role_page_key``: ``common_key`` plus the role's own file and the files of
  the roles its page shows (``related_roles``) and of the articles that name it.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from ..resolve import Catalog, RoleEntry
    from ..theme import Theme

CONFIG_FILES = ("handbook.yaml", "regions.yaml")


def digest(parts: Iterable[str]) -> str:
    """sha256 of the parts, each ended by a NUL (so ("ab", "c") differs from ("a", "bc"))."""
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part.encode() + b"\0")
    return sha.hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """rolebook's version and a hash of its Python sources (read once per process)."""
    from .. import __version__

    package = Path(__file__).resolve().parents[1]
    sha = hashlib.sha256(__version__.encode() + b"\0")
    for path in sorted(package.rglob("*.py")):
        sha.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def build_inputs(root: Path, theme_folders: list[Path], options: Iterable[str]) -> str:
    """Everything a build reads: rolebook's code, the installed libraries and their versions,
    the build's options and every file of ``content/`` and of the theme folders. A site
    built from the same inputs is the same site (``write.up_to_date``)."""
    from ..digests import Digests
    from ..installed import libraries

    digests = Digests(root)  # a file unchanged since the last build is not read again
    sha = hashlib.sha256(f"inputs\0{code_key()}\0".encode())
    sha.update("\0".join(libraries()).encode() + b"\0")
    sha.update("\0".join(options).encode() + b"\0")
    seen: set[str] = set()  # folders linked in are read once (and a link loop ends)
    for index, folder in enumerate([Path(root) / "content", *theme_folders]):
        for base, dirs, files in os.walk(folder, followlinks=True):
            if os.path.realpath(base) in seen:
                dirs[:] = []
                continue
            seen.add(os.path.realpath(base))
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            # Names made as strings: 10,000 role files made paths took a third of this walk.
            inner = Path(base).relative_to(folder).as_posix()
            prefix = "" if inner == "." else inner + "/"
            for file in sorted(files):
                sha.update(f"{index}\0{prefix}{file}\0".encode())
                try:
                    sha.update(bytes.fromhex(digests.of(os.path.join(base, file))))
                except OSError:
                    sha.update(b"unreadable")
    digests.save(only_seen=True)  # the files of this handbook and theme, as they are now
    return sha.hexdigest()


def templates_key(theme: "Theme", prefix: str = "html") -> str:
    """A hash of every file under ``prefix`` in every theme folder, overridden ones included."""
    sha = hashlib.sha256()
    for index, folder in enumerate(theme.folders):
        base = folder / prefix
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                name = path.relative_to(folder).as_posix()
                sha.update(f"{index}\0{name}\0".encode() + path.read_bytes() + b"\0")
    return sha.hexdigest()


def config_digests(catalog: "Catalog") -> list[str]:
    """The digests of content/handbook.yaml and content/regions.yaml, in file-name order
    (looked up, not searched for: a large handbook's data files ask for every role)."""
    names = sorted(f"content/{name}" for name in CONFIG_FILES)
    return [catalog.digests[name] for name in names if name in catalog.digests]


def common_key(catalog: "Catalog", theme: "Theme") -> str:
    """What every page depends on: code, templates, handbook.yaml and regions.yaml."""
    return digest(["common", code_key(), templates_key(theme), *config_digests(catalog)])


def content_key(catalog: "Catalog") -> str:
    """Code plus every content file (config, roles, articles): for data files."""
    files = sorted(catalog.digests.items())
    files += sorted((str(p.document.path), p.document.digest) for p in catalog.pages)
    return digest(["content", code_key(), *(f"{name}={d}" for name, d in files)])


def catalog_key(catalog: "Catalog", common: str) -> str:
    """``common`` plus every content file (roles and articles): for pages listing them all."""
    return digest(["catalog", common, content_key(catalog)])


def named_roles(catalog: "Catalog", entry: "RoleEntry") -> set[str]:
    """Roles this role's page shows because of its own file or position: bosses,
    subordinates, career steps and comparisons (the page names no other role)."""
    role = entry.role
    found = set(entry.reports_to) | set(entry.manages)
    found |= {step.role for step in (*role.career.paths_in, *role.career.paths_out) if step.role}
    found |= {c.role for c in role.comparisons}
    found.discard(entry.id)
    return found & catalog.roles.keys()


def related_roles(catalog: "Catalog") -> dict[str, set[str]]:
    """Role id -> the roles its page may show: those it names and those naming it
    (a mirrored career step or comparison, a subordinate)."""
    related: dict[str, set[str]] = defaultdict(set)
    for entry in catalog.roles.values():
        for other in named_roles(catalog, entry):
            related[entry.id].add(other)
            related[other].add(entry.id)
    return related


def role_page_key(catalog: "Catalog", entry: "RoleEntry", common: str,
                  related: set[str]) -> str:
    """The key of a role's page: ``common``, its file, the related roles' and articles' files."""
    parts = ["role", common, entry.id, entry.document.digest]
    parts += [f"{r}={catalog.roles[r].document.digest}" for r in sorted(related)]
    parts += [f"{p.id}={p.document.digest}" for p in catalog.pages if entry.id in p.page.roles]
    return digest(parts)
