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
    # The index is made in the background while pages render, the pages it reads first;
    # the data files, which it does not read, last, in the helper process. What comes after
    # the last indexed page (the other pages, the data files, the PDFs, putting the site
    # together) is done while Pagefind indexes the last of them.
    with search.Indexer(site) as indexer:
        with site.helping():
            site.finished = indexer.finished
            html.render_site(site)
            data.render_data(site)
        if options.pdf:
            from . import pdf

            pdf.render_pdfs(catalog, theme, output, options)
        output.prepare()
