"""Problems found in a handbook, and the exception that carries them.

Every stage reports what is wrong with the content as ``Problem`` values
(file, line, column, message) rather than raising on the first one, so a
person sees everything to fix in one run. ``ContentError`` bundles them for
the CLI, which prints them and exits with code 1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, at a position a person can open."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}: {self.message}"
        if self.line:  # a template: Jinja knows the line only
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


class RolebookError(Exception):
    """Base class of the errors rolebook reports without a traceback."""


class ContentError(RolebookError):
    """The handbook's content or templates have problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        return ContentError, (self.problems,)  # pickled by its problems, not its message


class OutputError(RolebookError):
    """The output folder cannot be written safely."""


def display_path(path: Path, root: Path) -> str:
    """The path relative to the handbook folder, as the README and errors show it.

    A link is shown where it is, not where it leads (that may be outside).
    """
    for shown, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(root))),
                        (path.resolve(), root.resolve())):
        try:
            return shown.relative_to(base).as_posix()
        except ValueError:
            pass
    return path.as_posix()
