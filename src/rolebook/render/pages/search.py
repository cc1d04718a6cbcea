"""Search (``search/``): the search page and a Pagefind index of the role pages and articles.

Pagefind reads the finished pages and writes an index and its search interface,
files that ship with the site (no CDN). Pagefind picks the Russian stemmer from
``<html lang="ru">``, so «клиентов» finds «клиент». Only the role pages and
articles mark their content with ``data-pagefind-body``, so only they are read.

A large handbook's index is split into shards of whole departments, each a
bundle of its own under ``pagefind/<shard>/``; the search page searches the
first and merges the others (Pagefind's ``mergeIndex``). A shard is indexed
again only when one of its pages changed, so a changed role costs its shard,
not the whole handbook's index. Pagefind runs as separate processes: a shard
is handed to one as soon as its last page is written, and it indexes while the
rest of the site is rendered, on another core.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import shutil
import threading
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import RolebookError
from ..views import SEARCH_URL as URL
from ..views import article_url, role_url

if TYPE_CHECKING:
    from ..html import Site

BUNDLE = "pagefind"
# Pages of a shard: one changed page costs Pagefind this many again (about 10 ms each).
SHARD_PAGES = 500
# Shards indexed at the same time, each by a Pagefind process of its own, so that a shard
# whose pages are done does not wait for the previous one to be written. Two bound the
# memory of a large handbook (about 200 MB each).
AT_ONCE = 2
# Only the first bundle's interface and WebAssembly are loaded: a merged index is searched
# with the first one's. The other bundles keep their index and page records alone.
INTERFACE_ONLY = ("pagefind-", "pagefind.js", "wasm.")
KEEP_IN_EVERY_BUNDLE = ("pagefind-entry.json",)


def render(site: "Site") -> None:
    """Write ``search/index.html``: the search box over every shard's bundle."""
    shards = list(Shards(site.catalog).pages)
    if not shards:
        raise RolebookError("the search index is empty: the handbook has no role pages")
    from ..keys import digest

    site.page(URL, "html/search.html", key=digest([site.common_key, *shards]),
              bundles=[f"{BUNDLE}/{shard}/" for shard in shards])


class Shards:
    """The shards of the index: name -> the page files it reads, in the handbook's order.

    The articles, then the departments, are taken in order into shards of at least
    ``SHARD_PAGES`` pages, whole departments each; a shard is named after its first
    department. A handbook of fewer pages has one index, ranked as one.
    """

    def __init__(self, catalog) -> None:
        groups: dict[str, list[str]] = {}
        if catalog.pages:
            groups["articles"] = [_file(article_url(page.id)) for page in catalog.pages]
        for entry in catalog.roles.values():
            groups.setdefault(entry.role.department, []).append(_file(role_url(entry.id)))
        self.pages: dict[str, list[str]] = {}
        shard: list[str] = []
        for name, pages in groups.items():
            if not shard:
                shard = self.pages[name] = []
            shard += pages
            if len(shard) >= SHARD_PAGES:
                shard = []

    @property
    def primary(self) -> str:
        """The shard whose bundle also holds Pagefind's interface."""
        return next(iter(self.pages))


def _file(url: str) -> str:
    return url + "index.html"


class Indexer:
    """Indexes each shard once all its pages are in the output, in a background thread.

    ``finished(name)`` is told of every page written or kept; a shard whose
    pages are unchanged keeps its previous bundle. Use as a context around
    rendering: leaving it waits for Pagefind and records the bundles' files.
    """

    def __init__(self, site: "Site") -> None:
        self.output = site.output
        self.shards = Shards(site.catalog)
        self.waiting = {shard: set(pages) for shard, pages in self.shards.pages.items()}
        self.shard_of = {page: shard for shard, pages in self.shards.pages.items()
                         for page in pages}
        self.previous = {shard: [] for shard in self.shards.pages}  # the last build's bundles
        for name in self.output.previous:
            parts = name.split("/", 2)
            if len(parts) == 3 and parts[0] == BUNDLE and parts[1] in self.previous:
                self.previous[parts[1]].append(name)
        self.version = version("pagefind")
        self.jobs: queue.Queue = queue.Queue()
        self.done: dict[str, tuple[str, list[str]]] = {}  # shard -> (key, files written)
        self.failure: BaseException | None = None
        self.stopped = False  # the build failed: shards not begun are left alone
        self.scratch = self.output.staging / ".search"
        self.worker = threading.Thread(target=self._work, name="pagefind", daemon=True)

    def finished(self, name: str) -> None:
        """Note that the page file ``name`` is in the output."""
        shard = self.shard_of.get(name)
        if shard is None or name not in self.waiting[shard]:
            return
        self.waiting[shard].discard(name)
        if not self.waiting[shard]:
            self._ready(shard)

    def _ready(self, shard: str) -> None:
        key = self._key(shard)
        if not self.output.reuse_all(dict.fromkeys(self.previous[shard], key)):
            self._copy_pages(shard)
            if self.worker.ident is None:  # not started yet (a failed one is not restarted)
                self.worker.start()
            self.jobs.put((shard, key))

    def _copy_pages(self, shard: str) -> None:
        """Put the shard's pages as Pagefind reads them (``for_index``) in a folder of its own,
        where Pagefind names them by their path in the site.

        Done here, by the rendering thread, in one go: the background thread would take
        Python's lock back from the rendering for each file, and wait for it each time."""
        pages = self.scratch / shard
        for name in self.shards.pages[shard]:
            page = pages / name
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(for_index(self.output.current(name).read_bytes()))

    def _key(self, shard: str) -> str:
        """What the shard's bundle is made from: its pages' content (a page rendered again
        to the same bytes changes nothing), whether it holds the interface, Pagefind's
        version."""
        from ..keys import digest

        pages = [f"{name}={self.output.sha256(name)}" for name in self.shards.pages[shard]
                 if name in self.output.files]
        role = "primary" if shard == self.shards.primary else "merged"
        return digest(["search", self.version, shard, role, *pages])

    # -- the background thread ------------------------------------------------------
    def _work(self) -> None:
        try:
            asyncio.run(self._index_all())
        except BaseExceptionGroup as failed:  # the first shard's failure, as it was raised
            self.failure = failed.exceptions[0]
        except BaseException as exc:  # noqa: BLE001 -- handed to the rendering thread
            self.failure = exc

    async def _index_all(self) -> None:
        turns = asyncio.Semaphore(AT_ONCE)
        async with asyncio.TaskGroup() as shards:  # one failing stops the others
            while (job := await asyncio.to_thread(self.jobs.get)) is not None:
                shards.create_task(self._index(turns, *job))

    async def _index(self, turns: asyncio.Semaphore, shard: str, key: str) -> None:
        """Index one shard's pages into ``pagefind/<shard>/``, by a Pagefind process of its own."""
        async with turns:
            if self.stopped:
                return
            self.done[shard] = (key, await self._write_bundle(shard))

    async def _write_bundle(self, shard: str) -> list[str]:
        """The shard's bundle written by Pagefind's command line; its files, relative to it.

        The command line rather than Pagefind's service (its Python API): the same
        bundle, in about a tenth less of Pagefind's time. It runs in the shard's own
        folder with no ``PAGEFIND_`` variables, so that no configuration file or variable
        of the person building changes the index."""
        pages = self.scratch / shard
        bundle = self.output.staging / BUNDLE / shard
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
        try:
            process = await asyncio.create_subprocess_exec(
                _executable(), "--site", str(pages), "--output-path", str(bundle), "--silent",
                cwd=pages, env=environment, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        except OSError as exc:
            raise RolebookError(f"the search index could not be built (Pagefind: {exc})") from None
        _, errors = await process.communicate()
        if process.returncode != 0:
            said = errors.decode(errors="replace").strip().splitlines()
            reason = said[-1] if said else f"it stopped with exit code {process.returncode}"
            raise RolebookError(f"the search index could not be built (Pagefind: {reason})")
        if _page_count(bundle) == 0:
            raise RolebookError(f"the search index of {shard} is empty: "
                                "no page carries data-pagefind-body")
        shutil.rmtree(pages, ignore_errors=True)
        if shard != self.shards.primary:
            _drop_interface(bundle)
        return sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())

    # -- waiting for it ---------------------------------------------------------------
    def __enter__(self) -> "Indexer":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.stopped = True
            self.jobs.put(None)  # stop after the shards in hand; the staging folder goes anyway
            return
        for shard, waiting in self.waiting.items():
            if waiting:  # a page no renderer wrote: index what is there
                waiting.clear()
                self._ready(shard)
        if self.worker.is_alive():
            self.jobs.put(None)
            self.worker.join()
        shutil.rmtree(self.scratch, ignore_errors=True)
        if self.failure is not None:
            raise _failure(self.failure)
        for shard, (key, files) in self.done.items():
            for name in files:
                self.output.record(f"{BUNDLE}/{shard}/{name}", key)


SKIP = (b"<!--search:skip-->", b"<!--/search:skip-->")
DRAWING = (b"<svg", b"</svg>")


def for_index(page: bytes) -> bytes:
    """The page as Pagefind reads it: without its ``<svg>`` drawings and without the
    parts a template marks ``<!--search:skip-->`` … ``<!--/search:skip-->``.

    The salary tables and charts, career ladders and icons are never indexed (they
    are outside ``data-pagefind-body`` or inside ``data-pagefind-ignore``), yet
    Pagefind parses them: most of a role page's bytes and about half of Pagefind's time.
    The index of the page without them is the same. The page's content cannot hold
    either as markup (Markdown's HTML is sanitised, comments dropped; text is
    escaped), and neither nests.
    """
    return _without(_without(page, *SKIP), *DRAWING)


def _without(page: bytes, opening: bytes, closing: bytes) -> bytes:
    """``page`` without each part from ``opening`` to the next ``closing``, both included."""
    parts, start = [], 0
    while (begin := page.find(opening, start)) != -1 \
            and (end := page.find(closing, begin)) != -1:
        parts.append(page[start:begin])
        start = end + len(closing)
    parts.append(page[start:])
    return b"".join(parts)


def _drop_interface(bundle: Path) -> None:
    for path in bundle.iterdir():
        if path.is_file() and path.name.startswith(INTERFACE_ONLY) \
                and path.name not in KEEP_IN_EVERY_BUNDLE:
            path.unlink()


def _executable() -> str:
    """Pagefind's binary: the one its Python package finds (``PAGEFIND_BINARY_PATH``,
    then the binary packages it depends on, then the ``PATH``)."""
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise RolebookError("the search index could not be built: Pagefind's binary is not "
                            "installed (pip install 'pagefind[extended]')")
    return str(found)


def _page_count(bundle: Path) -> int:
    """The pages a bundle holds, as its entry file counts them (0 if it has none)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
        return sum(int(language.get("page_count", 0))
                   for language in entry.get("languages", {}).values())
    except (OSError, ValueError, AttributeError, TypeError):
        return 0


def _failure(exc: BaseException) -> BaseException:
    if isinstance(exc, RolebookError):
        return exc
    # What went wrong outside Pagefind (the scratch folder, the thread): said as it was.
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return RolebookError(f"the search index could not be built ({reason})")

