"""Markdown fields to safe HTML, once per text.

Content is written by people, not trusted: Markdown is rendered with
Python-Markdown and the result is cleaned by nh3 (an allow-list HTML
sanitizer), so ``<script>``, event handlers, ``javascript:`` links, iframes and
styles are dropped whatever the source says. The result is a ``Markup`` so
that Jinja's autoescape leaves it as it is.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import markdown as _markdown
import nh3
from markupsafe import Markup

_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i",
         "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
         "thead", "tr", "ul"}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
_SCHEMES = {"http", "https", "mailto"}


# What the typographer (Python-Markdown's smarty: quotes, dashes, ellipses) changes; it
# doubles the time of a conversion, and most texts hold none of it.
_SMARTY_CHANGES = ('"', "'", "--", "...")


@lru_cache(maxsize=4096)
def markdown_html(text: str) -> Markup:
    """Render ``text`` (Markdown) to sanitized HTML."""
    smart = any(mark in text for mark in _SMARTY_CHANGES)
    html = _converter(threading.get_ident(), smart).reset().convert(text)
    return Markup(nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                            link_rel="noopener noreferrer"))


@lru_cache(maxsize=16)
def _converter(thread: int, smart: bool) -> _markdown.Markdown:
    """A Markdown converter for one thread (a converter holds the state of the text it
    converts), reset before each text: setting one up (extensions, parsers) costs
    about as much as converting a paragraph. ``smart``: with the typographer, for a text
    it would change (without, the same HTML for the others, in half the time)."""
    if not smart:
        return _markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return _markdown.Markdown(extensions=["tables", "sane_lists", "smarty"],
                              extension_configs={"smarty": {"substitutions": {
                                  "left-double-quote": "«", "right-double-quote": "»"}}},
                              output_format="html")


def markdown_inline(text: str) -> Markup:
    """Render a one-line Markdown text without the surrounding paragraph."""
    html = str(markdown_html(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
