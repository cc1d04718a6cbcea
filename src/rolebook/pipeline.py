"""The pipeline: load -> model -> resolve -> render -> write.

``check`` runs the first three stages and writes nothing; ``build`` reads and
validates everything before it writes anything, renders into a staging
folder and swaps it in only when the whole site is complete.
"""

from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .resolve import Catalog


def check(root: Path | str = ".") -> "Catalog":
    """Load, validate and cross-check a handbook; raise ``ContentError`` on problems."""
    # Imported here: a build whose site is up to date needs neither YAML nor pydantic.
    from .load import load
    from .resolve import resolve

    with _collector_paused():
        return resolve(load(Path(root)))


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector paused: a large handbook's catalog is millions of objects,
    which it would scan again at each of its passes while they are made (two thirds of
    the time of reading 10,000 cached roles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _frozen(make: Callable[[], "Catalog"]):
    """The catalog ``make()`` returns, made with the collector paused and then left out of
    its passes while the site is rendered (``gc.freeze``): it lives as long as the build,
    and a forked helper does not copy the memory pages those passes would touch. Frozen
    before the collector resumes: its first pass would scan every object made while it
    was paused (0.9 s at 10,000 roles). Let go of after the build."""
    with _collector_paused():
        catalog = make()
        gc.freeze()
    try:
        yield catalog
    finally:
        gc.unfreeze()


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
    catalog: "Catalog | None" = None  # the handbook as read and checked (None: up to date)


def build(root: Path | str = ".", options: BuildOptions | None = None) -> BuildReport:
    """Build the handbook at ``root`` into its site folder."""
    from .render import render
    from .theme import Theme
    from .write import Output, looked_ahead, up_to_date

    root = Path(root)
    options = options or BuildOptions()
    target = options.out or root / "site"
    inputs = build_inputs(root, options)
    if not options.force and (files := up_to_date(target, inputs)) is not None:
        return BuildReport(target.absolute(), [], files)  # nothing it is made from changed
    # --force with chosen roles renews only their PDFs; without, it renews everything.
    reuse = not options.force or bool(options.roles)
    # Everything read and validated first; then the site, into a staging folder only
    # (swapped in on success). Meanwhile the previous site's files are looked at, for the
    # kernel to hold them when the build asks which it can keep.
    with looked_ahead(target if reuse else None), \
            _frozen(lambda: check(root)) as catalog, \
            Output(target, reuse=reuse, inputs=inputs) as output:
        render(catalog, Theme(root), output, options)
    return BuildReport(output.target, output.written, output.reused, catalog)


def build_inputs(root: Path, options: BuildOptions) -> str:
    """The key of everything a build with ``options`` reads (``keys.build_inputs``)."""
    from .render.keys import build_inputs as inputs_key
    from .installed import packaged_theme

    folders = [folder for folder in (root / "templates", packaged_theme()) if folder.is_dir()]
    return inputs_key(root, folders, ["pdf" if options.pdf else "no-pdf", *options.roles])
