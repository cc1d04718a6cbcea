"""The theme: where templates and assets come from.

A handbook's own ``templates/`` folder overrides single files of the theme
that ships inside the package (``rolebook/theme``); a template can extend
the file it overrides as ``theme/<name>``. The packaged theme is found with
``importlib.resources``, never relative to the working directory.
A mistake in a template (bad syntax, a missing file, an undefined name) is
reported at the template's own file and line, like a mistake in the content.
"""

from __future__ import annotations

import hashlib
import os
import traceback
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import jinja2

from .errors import ContentError, Problem
from .installed import packaged_theme


class Theme:
    """Templates and assets for one handbook: its overrides first, then the theme."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.folders = [p for p in (Path(root) / "templates", packaged_theme()) if p.is_dir()]
        # The same folder twice (this repository is its own theme) is one folder.
        self.folders = list(dict.fromkeys(p.resolve() for p in self.folders))

    def environment(self, **options) -> jinja2.Environment:
        """A Jinja environment: autoescape on, undefined names are errors. A build makes
        its own and the templates do not change during it: Jinja does not look at their
        files again at every page (``auto_reload``)."""
        loader = jinja2.ChoiceLoader([
            jinja2.PrefixLoader({"theme": _Loader(str(self.folders[-1]))}),
            _Loader([str(p) for p in self.folders]),
        ])
        return jinja2.Environment(loader=loader, autoescape=True,
                                  undefined=jinja2.StrictUndefined,
                                  trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                                  **options)

    @contextmanager
    def reporting(self):
        """Turn a template mistake raised inside the block into a ``ContentError``."""
        try:
            yield
        except jinja2.TemplateError as exc:
            raise ContentError([self.problem(exc)]) from None
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # ``{{ 1 + "a" }}``: raised by the template's own code, not by rolebook's
            last = traceback.extract_tb(exc.__traceback__)[-1]
            if not self._owns(last.filename):
                raise
            raise ContentError([Problem(self._shown(last.filename), last.lineno or 0, 0,
                                        f"template error: {exc}")]) from None

    def problem(self, exc: jinja2.TemplateError) -> Problem:
        """The mistake at the template's file and line: ``templates/html/role.html:12: ...``."""
        if isinstance(exc, UnreadableTemplate):
            return Problem(self._shown(exc.filename), exc.lineno, 0, exc.message)
        if isinstance(exc, jinja2.TemplateSyntaxError):
            file = self._shown(exc.filename) if exc.filename else f"templates/{exc.name}"
            return Problem(file, exc.lineno, 0, f"template error: {exc.message}")
        # Jinja rewrites tracebacks: a template's frames carry its file name and line.
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if self._owns(f.filename)]
        if isinstance(exc, jinja2.TemplateNotFound):
            message = (f"template '{exc.name}' not found in the handbook's templates/ "
                       "or the theme; check the name")
            if not frames:
                return Problem(f"templates/{exc.name}", 0, 0,
                               "template not found in the handbook or the theme")
        elif isinstance(exc, jinja2.UndefinedError):
            message = (f"template error: {exc.message}; the template uses a value this page "
                       "does not have: check the spelling against the theme's file of the "
                       "same name")
        else:
            message = f"template error: {exc.message or type(exc).__name__}"
        if not frames:
            return Problem("templates", 0, 0, message)
        return Problem(self._shown(frames[-1].filename), frames[-1].lineno or 0, 0, message)

    def _owns(self, filename: str) -> bool:
        path = Path(filename)
        return path.is_absolute() and any(path.resolve().is_relative_to(f) for f in self.folders)

    def _shown(self, filename: str) -> str:
        """A template as a person finds it: relative to the handbook, else in the theme."""
        path = Path(os.path.abspath(filename))  # a link is shown where it is, not where it leads
        if path.is_relative_to(self.root.resolve()):
            return path.relative_to(self.root.resolve()).as_posix()
        theme = self.folders[-1]
        return f"theme/{path.relative_to(theme).as_posix()}" if path.is_relative_to(theme) \
            else path.as_posix()

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
                        found[path.relative_to(folder).as_posix()] = self._inside(path, folder)
        return found

    def _inside(self, path: Path, folder: Path) -> Path:
        """``path``, unless it is a link out of ``folder`` (it would publish that file)."""
        if not path.resolve().is_relative_to(folder):
            raise ContentError([Problem(self._shown(str(path.absolute())), 0, 0,
                                        _link_message(path))])
        return path

    @cached_property
    def digest(self) -> str:
        """A hash of every theme file: a change to any template or font changes it."""
        sha = hashlib.sha256()
        for name, path in sorted(self.files().items()):
            sha.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        return sha.hexdigest()


class UnreadableTemplate(jinja2.TemplateError):
    """A template file that is not UTF-8 text or links out of its folder."""

    def __init__(self, message: str, filename: str, lineno: int = 0):
        super().__init__(message)
        self.filename, self.lineno = filename, lineno


class _Loader(jinja2.FileSystemLoader):
    """Jinja's file loader, refusing links out of its folders and naming a non-UTF-8 file."""

    def get_source(self, environment, template):
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            filename = self._path(template)
            line = exc.object[: exc.start].count(b"\n") + 1
            byte = exc.object[exc.start]
            raise UnreadableTemplate(f"is not valid UTF-8 text (bad byte 0x{byte:02x}); "
                                     "save it as UTF-8", filename, line) from None
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(folder).resolve()) for folder in self.searchpath):
            raise UnreadableTemplate(_link_message(Path(filename)), filename)
        return source, filename, uptodate

    def _path(self, template: str) -> str:
        """The file the parent class read ``template`` from."""
        pieces = jinja2.loaders.split_template_path(template)
        return next(path for folder in self.searchpath
                    if Path(path := os.path.join(folder, *pieces)).is_file())


def _link_message(path: Path) -> str:
    return (f"is a link to {path.resolve()}, outside the handbook's templates; "
            "copy the file into the handbook instead")
