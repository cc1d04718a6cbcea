"""A built HTML page as the tests read it: start tags, JSON-LD blocks and visible text."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class Page(HTMLParser):
    """Every start tag with its attributes (entities decoded; a bare attribute is ""),
    the JSON-LD blocks, and the text outside scripts and styles."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.jsonld: list[str] = []
        self.text_parts: list[str] = []
        self._inside: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag in ("script", "style"):
            self._inside = attributes.get("type") or tag

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._inside = None

    def handle_data(self, data):
        if self._inside == "application/ld+json":
            self.jsonld.append(data)
        elif self._inside is None:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        # ASCII whitespace only: the no-break spaces inside amounts are part of what is tested
        return re.sub(r"[ \t\r\n]+", " ", " ".join(self.text_parts)).strip()

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag
                and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]
