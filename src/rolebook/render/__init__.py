"""Stage 4, render: a ``Catalog`` in, the files of the site out (into a staging ``Output``).

Each renderer is a module: ``html`` (the handbook pages and assets), ``data``
(roles.json, salaries.csv) and ``pdf`` (the official job descriptions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..pipeline import BuildOptions
    from ..resolve import Catalog
    from ..theme import Theme
    from ..write import Output


def render(catalog: "Catalog", theme: "Theme", output: "Output", options: "BuildOptions") -> None:
    """Render every output of the handbook into ``output``."""
    from . import data, html
    from .pages import INDEXED, OTHERS, search

    site = html.site(catalog, theme, output)
    html.copy_assets(site)
    # The index is made in the background while pages render, the pages it reads first.
    # What comes after the last indexed page (the other pages, the data files, the PDFs,
    # putting the site together) is done while Pagefind indexes the last of them: the
    # data files in the helper process while this one starts on the other pages, which
    # the two share once the helper is done, so that neither waits for the other at the end.
    with search.Indexer(site) as indexer:
        with site.helping():
            site.finished = indexer.finished
            html.render_pages(site, INDEXED)
            data.render_data(site)
            html.render_pages(site, OTHERS)
        if options.pdf:
            from . import pdf

            pdf.render_pdfs(catalog, theme, output, options)
        output.prepare()
