"""schema.org data for the role pages: a role in, an ``Occupation`` as JSON-LD out.

The data is built as a plain dict and serialised as compact JSON; the
characters that could end the ``<script>`` element or start markup inside it
(``<``, ``>``, ``&``) are written as ``\\u003c`` escapes, which JSON parsers
read back as the same characters. Content therefore cannot break out of the
script element whatever it says.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import nh3
from markupsafe import Markup

from .data import json_bytes
from .markdown import markdown_html
from .views import role_url

if TYPE_CHECKING:
    from ..model import Band, Role
    from ..resolve import Catalog

_DURATION = {"month": "P1M"}
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def script_json(data: object) -> Markup:
    """``data`` as JSON that is safe inside ``<script type="application/ld+json">``.

    Compact, as machines read it: indented, a role's hundred salary figures made it a
    tenth of the page."""
    text = json_bytes(data).decode()
    for char, escaped in _SCRIPT_SAFE:  # str.replace: translate() is slow on Cyrillic
        text = text.replace(char, escaped)
    return Markup(text)


def plain_text(markdown: str) -> str:
    """Markdown -> one line of plain text (tags dropped, entities decoded)."""
    text = html.unescape(nh3.clean(str(markdown_html(markdown)), tags=set()))
    return " ".join(text.split())


def occupation(catalog: "Catalog", role: "Role") -> dict:
    """The schema.org ``Occupation`` of a role, with ``estimatedSalary`` per city."""
    data: dict = {"@context": "https://schema.org", "@type": "Occupation",
                  "name": role.title, "description": plain_text(role.summary)}
    base = catalog.handbook.base_url
    if base:
        data["url"] = base.rstrip("/") + "/" + role_url(role.id)
    req = role.requirements
    if req.education:
        data["educationRequirements"] = "; ".join(req.education)
    if req.experience:
        data["experienceRequirements"] = "; ".join(req.experience)
    if req.skills:
        data["skills"] = "; ".join(req.skills)
    if req.qualities:
        data["qualifications"] = "; ".join(req.qualities)
    if role.duties:
        data["responsibilities"] = "; ".join(role.duties)
    salaries = estimated_salaries(catalog, role)
    if salaries:
        data["estimatedSalary"] = salaries
        cities = {band.region for band in role.salary.bands}
        data["occupationLocation"] = [{"@type": "City", "name": region.name}
                                      for region in catalog.regions.values() if region.id in cities]
    return data


def estimated_salaries(catalog: "Catalog", role: "Role") -> list[dict]:
    """One ``MonetaryAmountDistribution`` per city (and segment): lowest to highest figure."""
    if role.salary is None:
        return []
    groups: dict[tuple, list["Band"]] = {}
    for band in role.salary.bands:
        if band.region is not None:
            groups.setdefault((band.region, band.segment), []).append(band)
    result = []
    for region in catalog.regions.values():
        for segment in [None, *catalog.segments]:
            bands = groups.get((region.id, segment))
            if bands:
                result.append(_distribution(catalog, role, region.name, segment, bands))
    return result


def _distribution(catalog: "Catalog", role: "Role", city: str, segment: str | None,
                  bands: list["Band"]) -> dict:
    name = city if segment is None else f"{city}, {catalog.segments[segment].name}"
    item: dict = {"@type": "MonetaryAmountDistribution", "name": name,
                  "currency": role.salary.currency,
                  "duration": _DURATION.get(role.salary.period, role.salary.period)}
    lows = [v for b in bands for v in (b.min, b.value) if v is not None]
    highs = [v for b in bands for v in (b.max, b.value) if v is not None]
    if lows:
        item["minValue"] = min(lows)
    if highs:
        item["maxValue"] = max(highs)
    medians = [b.median for b in bands if b.grade is None and b.median is not None]
    if medians:
        item["median"] = medians[0]
    return item
