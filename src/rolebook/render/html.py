"""The HTML handbook: a ``Catalog`` in, pages and assets written into the ``Output``.

Every page kind lives in a module of ``render/pages/`` with one function,
``render(site)``, that writes its pages through ``Site.page``. This module
holds what they share: the Jinja environment (autoescape, strict undefined,
Markdown as safe HTML), URLs, and the theme's static assets.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:
    import jinja2

    from ..resolve import Catalog
    from ..theme import Theme
    from ..write import Output
    from . import parallel


@dataclass
class Site:
    """What every page renderer needs: the catalog, templates and the output."""

    catalog: "Catalog"
    theme: "Theme"
    output: "Output"
    env: "jinja2.Environment"
    nav: list[dict[str, str]] = field(default_factory=list)
    # Told of every page file put in the output or kept from the previous build
    # (the search index starts on a department as soon as its pages are all there).
    finished: Callable[[str], None] = lambda name: None
    helper: "parallel.Helper | None" = None  # makes files beside this process (``files``)
    computed: dict[str, Any] = field(default_factory=dict)  # ``once``

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per build under ``name`` (and once more in the helper
        process, which has its own copy of the site): what many pages' contexts share."""
        if name not in self.computed:
            self.computed[name] = make()
        return self.computed[name]

    def page(self, url: str, template: str, *, key: str | None = None, **context: Any) -> None:
        """Render ``template`` to the page at ``url`` (``roles/kam/`` -> roles/kam/index.html).

        The context always holds ``site``, ``url`` and ``root`` (the relative
        path back to the site root); a page may pass its own ``root`` (the 404
        page, served at any depth, links from "/"). ``key`` names the page's
        inputs (``render.keys``; default: the whole handbook, ``catalog_key``):
        when it is unchanged the previous build's page is kept, not rendered.
        """
        name, key = page_file(url), key or self.catalog_key
        if not self._reuse_file(name, key):
            self.output.put(name, self.render_page(url, template, context), key)
            self.finished(name)

    def render_page(self, url: str, template: str, context: dict[str, Any]) -> str:
        """The HTML of the page at ``url``: ``template`` with ``context`` (see ``page``)."""
        values = {"site": self, "url": url, "root": relative_root(url)} | context
        return self.template(template).render(**values)

    def pages(self, template: str, context: Callable[["Site", Any], dict],
              pages: Iterable[tuple[str, str, Any]]) -> None:
        """Render many pages of one ``template``: each ``(url, key, argument)`` whose key
        changed gets the context ``context(site, argument)`` (a module-level function:
        the helper process may call it). Shared with the helper as ``files`` are."""
        self.files((page_file(url), key, page_html, (url, template, context, argument))
                   for url, key, argument in pages)

    def files(self, files: Iterable[tuple[str, str, Callable[..., str | bytes], tuple]]) -> None:
        """Write many files: each ``(name, key, make, args)`` whose key changed is made by
        ``make(site, *args)`` (a module-level function, with arguments that pickle: the
        helper process may call it). A batch of ``parallel.PARALLEL_FROM`` files or more
        (of two or more once the helper runs) is shared with it, file by file."""
        todo = [file for file in files if not self._reuse_file(file[0], file[1])]
        helper = self._helper_for(len(todo))
        for name, key, make, args in todo:
            if helper is not None and helper.room():
                helper.send(name, key, make, args)
                continue
            self.output.put(name, make(self, *args), key)
            self.finished(name)
            if helper is not None:
                helper.collect()
        if helper is not None:
            helper.collect(wait=True)

    def aside(self, name: str, key: str, write: Callable[..., None], args: tuple,
              costly: bool = True) -> None:
        """Have ``write(site, *args)`` write the file ``name`` into the output (with
        ``Output.put_parts``, say) in the helper process, while this one goes on, if it is
        ``costly`` and the handbook large; else here and now. It is recorded when the
        helper is next heard from."""
        if costly and self._helper_for(len(self.catalog.roles)) is not None:
            self.helper.send(name, key, write, args)
        else:
            write(self, *args)
            self.finished(name)

    def _helper_for(self, count: int) -> "parallel.Helper | None":
        """The helper process for work of ``count`` files (or roles), if that is
        ``parallel.PARALLEL_FROM`` or more and the helper runs or can be started, or more
        than one and it runs already."""
        from . import parallel

        if self.helper is None:
            return None
        running = self.helper.process is not None
        if (count >= parallel.PARALLEL_FROM or running and count > 1) and self.helper.available():
            return self.helper
        return None

    @contextlib.contextmanager
    def helping(self):
        """The helper process of this build (``render.parallel``), started when first needed
        and stopped at the end, once every file it was sent is recorded."""
        from .parallel import Helper

        self.helper, failed = Helper(self), True
        try:
            yield self
            self.helper.collect(wait=True)
            failed = False
        finally:
            self.helper.close(failed)
            self.helper = None

    def reuse(self, url: str, key: str | None = None) -> bool:
        """Keep the previous build's page at ``url`` if ``key`` (default ``catalog_key``) is
        unchanged. For a renderer that would compute a costly context: call ``page`` only
        when this is False."""
        return self._reuse_file(page_file(url), key or self.catalog_key)

    def _reuse_file(self, name: str, key: str) -> bool:
        if not self.output.reuse(name, key):
            return False
        self.finished(name)
        return True

    @cached_property
    def common_key(self) -> str:
        """What every page depends on (``keys.common_key``)."""
        from . import keys

        return keys.common_key(self.catalog, self.theme)

    @cached_property
    def catalog_key(self) -> str:
        """The key of a page listing the whole handbook (``keys.catalog_key``)."""
        from . import keys

        return keys.catalog_key(self.catalog, self.common_key)

    @cached_property
    def related_roles(self) -> dict[str, set[str]]:
        """Role id -> the roles its page shows (``keys.related_roles``)."""
        from . import keys

        return keys.related_roles(self.catalog)

    def template(self, name: str) -> "jinja2.Template":
        """The template ``name``; its mistakes are reported by ``render_pages``."""
        return self.env.get_template(name)


def page_html(site: Site, url: str, template: str, context: Callable[[Site, Any], dict],
              argument: Any) -> str:
    """The page at ``url``: ``template`` with ``context(site, argument)`` (``Site.pages``)."""
    return site.render_page(url, template, context(site, argument))


def page_file(url: str) -> str:
    """The file of the page at ``url``: "roles/kam/" -> "roles/kam/index.html"."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def relative_root(url: str) -> str:
    """The path from the page at ``url`` back to the site root: "" -> "./", "roles/kam/" -> "../../"."""
    return "../" * url.count("/") or "./"


def render_pages(site: Site, kinds: list) -> None:
    """Write the pages of these kinds (``pages.PAGE_KINDS``)."""
    with site.theme.reporting():  # a template mistake: its file and line, no traceback
        for kind in kinds:
            kind.render(site)


def site(catalog: "Catalog", theme: "Theme", output: "Output") -> Site:
    """The handbook's ``Site``: its catalog, theme, Jinja environment and output."""
    return Site(catalog, theme, output, environment(theme), navigation())


def navigation() -> list[dict[str, str]]:
    """The main menu of every page: url (from the site root) and label."""
    from . import views

    return [{"url": "", "title": "Главная"},
            {"url": views.ROLES_URL, "title": "Должности"},
            {"url": views.COMPARE_URL, "title": "Сравнение должностей"},
            {"url": views.SALARIES_URL, "title": "Зарплаты по регионам"},
            {"url": views.ORGCHART_URL, "title": "Оргструктура"},
            {"url": views.ARTICLES_URL, "title": "Статьи"},
            {"url": views.SEARCH_URL, "title": "Поиск"}]


def environment(theme: "Theme") -> "jinja2.Environment":
    """The theme's Jinja environment with rolebook's filters and helpers."""
    from . import format as fmt
    from . import views
    from .markdown import markdown_html, markdown_inline

    env = theme.environment()
    env.filters.update(markdown=markdown_html, markdown_inline=markdown_inline,
                       band=views.band_text, grade_label=views.grade_label, **fmt.FILTERS)
    env.globals.update(role_url=views.role_url, pdf_url=views.pdf_url,
                       article_url=views.article_url, MISSING=views.MISSING,
                       CATEGORY_LABELS=views.CATEGORY_LABELS, KIND_LABELS=views.KIND_LABELS)
    return env


def copy_assets(site: Site) -> None:
    """Copy the theme's ``assets/`` (CSS, scripts, fonts, icons) into the site."""
    from .keys import digest

    for name, path in site.theme.files("assets").items():
        data = path.read_bytes()
        key = digest(["asset", hashlib.sha256(data).hexdigest()])
        if not site.output.reuse(name, key):
            site.output.put(name, data, key)
