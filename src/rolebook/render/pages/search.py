"""Search (``search/``): the search page and a Pagefind index of the finished pages.

Runs last: it writes the search page, then lets Pagefind read the role pages
and articles in the staging folder and write its index and search interface
into ``pagefind/``, all files that ship with the site (no CDN). Pagefind
picks the Russian stemmer from ``<html lang="ru">``, so «клиентов» finds
«клиент». Only those pages mark their content with ``data-pagefind-body``,
so only they are read: the other pages (home, comparisons, salaries) would
be parsed for nothing, and a change to them leaves the index as it is.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import RolebookError
from ..views import ARTICLES_URL, ROLES_URL
from ..views import SEARCH_URL as URL

if TYPE_CHECKING:
    from ..html import Site

BUNDLE = "pagefind"
# The pages that carry data-pagefind-body: a role's or an article's own page.
INDEXED = (ROLES_URL, ARTICLES_URL)


def render(site: "Site") -> None:
    """Write ``search/index.html``, then index the site into ``pagefind/``."""
    site.page(URL, "html/search.html")
    output, key = site.output, index_key(site.output.files)
    previous = [name for name in output.previous if name.startswith(f"{BUNDLE}/")]
    if key is not None and output.reuse_all(dict.fromkeys(previous, key)):
        return  # no page changed since the last build: its index still holds
    staging = output.staging
    for name in index_site(staging, staging / BUNDLE):
        output.record(f"{BUNDLE}/{name}", key)


def indexed(name: str) -> bool:
    """Whether the site file ``name`` is a page the index reads (``roles/<id>/index.html``)."""
    parts = name.split("/")
    return len(parts) == 3 and f"{parts[0]}/" in INDEXED and parts[2] == "index.html"


def index_key(files: dict[str, dict]) -> str | None:
    """The key of the search index: the keys of the indexed pages (None: a page without
    a key, whose content cannot be known unchanged), and Pagefind's version."""
    from importlib.metadata import version

    from ..keys import digest

    pages = sorted((name, entry.get("key")) for name, entry in files.items() if indexed(name))
    if any(page_key is None for _, page_key in pages):
        return None
    return digest(["search", version("pagefind"), *(f"{n}={k}" for n, k in pages)])


def index_site(site_folder: Path, bundle: Path) -> list[str]:
    """Index the HTML pages under ``site_folder`` into ``bundle``; the files written, relative."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["count"] = asyncio.run(_index(site_folder, bundle))
        except (OSError, AssertionError, RuntimeError) as exc:
            outcome["error"] = exc

    # Pagefind's API is asynchronous; its own thread keeps its event loop away from a
    # caller that runs one (an editor, a notebook, a browser-driving test).
    worker = threading.Thread(target=run, name="pagefind")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise RolebookError("the search index could not be built "
                            f"(Pagefind: {outcome['error']})") from outcome["error"]
    count = outcome.get("count", 0)
    if count == 0:
        raise RolebookError("the search index is empty: no page carries data-pagefind-body")
    return sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())


async def _index(site_folder: Path, bundle: Path) -> int:
    from pagefind.index import PagefindIndex

    # The context writes the bundle when it closes, to the configured output_path
    # (without one, to ./pagefind of the working folder): so configure it, write once.
    config = {"keep_index_url": False, "output_path": str(bundle)}
    async with PagefindIndex(config=config) as index:
        folders = ",".join(prefix.rstrip("/") for prefix in INDEXED)
        result = await index.add_directory(str(site_folder), glob=f"{{{folders}}}/*/index.html")
    return int(result.get("page_count", 0))
