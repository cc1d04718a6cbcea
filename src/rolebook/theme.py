"""The theme: where templates and assets come from.

A handbook's own ``templates/`` folder overrides single files of the theme
that ships inside the package (``rolebook/theme``); a template can extend
the file it overrides as ``theme/<name>``. The packaged theme is found with
``importlib.resources``, never relative to the working directory.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from importlib import resources
from pathlib import Path

import jinja2


def packaged_theme() -> Path:
    """The theme inside the installed package.

    A wheel carries it as ``rolebook/theme``. An editable install from a
    source checkout has no copy, so the checkout's ``templates/`` is used.
    """
    packaged = Path(str(resources.files("rolebook") / "theme"))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / "html").is_dir():
        return checkout
    raise FileNotFoundError("rolebook's theme is missing from the installation; reinstall rolebook")


class Theme:
    """Templates and assets for one handbook: its overrides first, then the theme."""

    def __init__(self, root: Path):
        self.folders = [p for p in (Path(root) / "templates", packaged_theme()) if p.is_dir()]
        # The same folder twice (this repository is its own theme) is one folder.
        self.folders = list(dict.fromkeys(p.resolve() for p in self.folders))

    def environment(self, **options) -> jinja2.Environment:
        """A Jinja environment: autoescape on, undefined names are errors."""
        loader = jinja2.ChoiceLoader([
            jinja2.PrefixLoader({"theme": jinja2.FileSystemLoader(str(self.folders[-1]))}),
            jinja2.FileSystemLoader([str(p) for p in self.folders]),
        ])
        return jinja2.Environment(loader=loader, autoescape=True,
                                  undefined=jinja2.StrictUndefined,
                                  trim_blocks=True, lstrip_blocks=True, **options)

    def find(self, name: str) -> Path:
        """The file ``name`` (``assets/fonts/x.ttf``) from the first folder that has it."""
        for folder in self.folders:
            candidate = (folder / name).resolve()
            if candidate.is_relative_to(folder) and candidate.is_file():
                return candidate
        raise FileNotFoundError(f"the theme has no file {name}")

    def files(self, prefix: str = "") -> dict[str, Path]:
        """Every theme file under ``prefix``, overrides winning: relative name -> path."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            base = folder / prefix
            if base.is_dir():
                for path in sorted(base.rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts:
                        found[path.relative_to(folder).as_posix()] = path
        return found

    @cached_property
    def digest(self) -> str:
        """A hash of every theme file: a change to any template or font changes it."""
        sha = hashlib.sha256()
        for name, path in sorted(self.files().items()):
            sha.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        return sha.hexdigest()
