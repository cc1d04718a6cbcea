"""The articles (content/pages/*.md): an index at articles/ and a page each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import views

if TYPE_CHECKING:
    from ..html import Site


def render(site: "Site") -> None:
    """Write articles/index.html and articles/<id>/index.html."""
    catalog = site.catalog
    articles = [{"entry": e, "url": views.article_url(e.id)} for e in catalog.pages]
    site.page(views.ARTICLES_URL, "html/articles.html", articles=articles)
    for item in articles:
        entry = item["entry"]
        site.page(item["url"], "html/article.html", entry=entry, page=entry.page,
                  body=entry.document.body,
                  sources=views.source_titles(catalog, entry.page.sources))
