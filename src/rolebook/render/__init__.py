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
    from .pages import search

    site = html.site(catalog, theme, output)
    # The index is made in the background while pages render; the data files are handed to
    # the helper process first, which makes them while this one renders the first pages.
    # The PDFs, then putting the site together, while Pagefind indexes the last pages.
    with search.Indexer(site) as indexer:
        with site.helping():
            site.finished = indexer.finished
            data.render_data(site)
            html.render_site(site)
        if options.pdf:
            from . import pdf

            pdf.render_pdfs(catalog, theme, output, options)
        output.prepare()
