"""The pipeline: load -> model -> resolve -> render -> write.

``check`` runs the first three stages and writes nothing; ``build`` reads and
validates everything before it writes anything, renders into a staging
folder and swaps it in only when the whole site is complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .load import load
from .resolve import Catalog, resolve


def check(root: Path | str = ".") -> Catalog:
    """Load, validate and cross-check a handbook; raise ``ContentError`` on problems."""
    return resolve(load(Path(root)))


@dataclass
class BuildOptions:
    out: Path | None = None           # default: <root>/site
    pdf: bool = True                  # render the PDF job descriptions
    roles: tuple[str, ...] = ()       # only these roles' PDFs (empty: all)
    force: bool = False               # ignore what the previous build can reuse
    jobs: int | None = None           # PDF worker processes (default: the cores)
    progress: bool = False            # show a progress bar


@dataclass
class BuildReport:
    out: Path
    written: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)


def build(root: Path | str = ".", options: BuildOptions | None = None) -> BuildReport:
    """Build the handbook at ``root`` into its site folder."""
    from .render import render
    from .theme import Theme
    from .write import Output

    root = Path(root)
    options = options or BuildOptions()
    catalog = check(root)                       # everything read and validated first
    theme = Theme(root)
    # --force with chosen roles renews only their PDFs; without, it renews everything.
    reuse = not options.force or bool(options.roles)
    with Output(options.out or root / "site", reuse=reuse) as output:
        render(catalog, theme, output, options)  # staging only; swapped in on success
    return BuildReport(output.target, output.written, output.reused)
