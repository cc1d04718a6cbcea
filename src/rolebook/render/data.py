"""The handbook as data: a ``Catalog`` in, ``data/roles.json`` and ``data/salaries.csv`` out.

roles.json is the whole resolved catalog (handbook settings, regions,
segments, every role with its page URL, PDF path and resolved reporting
lines, the articles). salaries.csv has one row per salary band for
spreadsheets: UTF-8 with a byte order mark so that Excel reads Cyrillic,
missing values as empty cells, and text cells that a spreadsheet would take
for a formula (starting with = + - @) prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .views import article_url, pdf_url, role_url

if TYPE_CHECKING:
    from ..model import Role
    from ..resolve import Catalog, RoleEntry
    from .html import Site

CSV_COLUMNS = ["role_id", "role_title", "region_id", "region", "segment", "grade", "min", "max",
               "median", "currency", "period", "kind", "source",
               "segment_name", "grade_title", "as_of", "note"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_data(site: "Site") -> None:
    """Write data/roles.json and data/salaries.csv, kept from the previous build when no
    content file changed; otherwise each role's part is made again only if that role's
    inputs changed (``Output.put_parts``), in the helper process (``Site.aside``) while the
    build's own process renders the pages the search index does not read."""
    from .keys import content_key

    key = content_key(site.catalog)
    for name in FILES:
        if not site.output.reuse(name, key):
            # Without a previous file every part is made; with one, mostly copied.
            site.aside(name, key, write_file, (name, key), costly=name not in site.output.previous)


def write_file(site: "Site", name: str, key: str) -> None:
    """Write the data file ``name`` into the site's output (``Site.aside``)."""
    site.output.put_parts(name, FILES[name](site.catalog), key)


Part = tuple[str, Callable[[], bytes]]  # (key, make): see Output.put_parts


def whole(parts: Iterable[Part]) -> bytes:
    """The file the parts make, all made anew."""
    return b"".join(make() for _, make in parts)


def _part_key(kind: str, *inputs: str) -> str:
    from .keys import code_key, digest

    return digest([kind, code_key(), *inputs])


def _role_inputs(entry: "RoleEntry") -> list[str]:
    """What a role's data depends on: its file and its resolved reporting lines."""
    return [entry.id, entry.document.digest, *entry.reports_to, "/", *entry.manages]


# --- roles.json -------------------------------------------------------------------

def roles_json(catalog: "Catalog") -> Iterator[Part]:
    """The resolved catalog as compact JSON (UTF-8, Cyrillic as is), by parts: the
    handbook, regions and segments; each role; the articles. Compact, not indented:
    it is read by programs, and a large handbook's is tens of megabytes."""
    from .keys import config_digests

    def head() -> bytes:
        start = {"handbook": catalog.handbook.model_dump(mode="json"),
                 "regions": [r.model_dump(mode="json") for r in catalog.regions.values()],
                 "segments": [s.model_dump(mode="json") for s in catalog.segments.values()]}
        return json_bytes(start)[:-1] + b',"roles":['

    yield _part_key("roles.json head", *config_digests(catalog)), head
    for index, entry in enumerate(catalog.roles.values()):
        comma = "," if index else ""  # the first role has none: part of its key
        yield (_part_key("roles.json role", comma, *_role_inputs(entry)),
               lambda entry=entry, comma=comma: comma.encode() + json_bytes(role_data(entry)))

    def tail() -> bytes:
        articles = [{"id": p.id, "url": article_url(p.id), **p.page.model_dump(mode="json")}
                    for p in catalog.pages]
        return b'],"articles":' + json_bytes(articles) + b"}\n"

    yield _part_key("roles.json tail", *(p.document.digest for p in catalog.pages)), tail


def json_bytes(data) -> bytes:
    """``data`` as compact JSON in UTF-8, Cyrillic as is: what the site's data files and
    scripts hold. orjson writes what ``json.dumps(data, ensure_ascii=False,
    separators=(",", ":"))`` does (floats aside, which both write so that they read back
    the same) about ten times faster: a large handbook writes hundreds of megabytes."""
    import orjson

    return orjson.dumps(data)


def role_data(entry: "RoleEntry") -> dict:
    """One role: its fields, where its page and PDF are, and the resolved reporting lines
    (``manages`` includes every role that reports to it)."""
    data = {"id": entry.id, "url": role_url(entry.id), "pdf": pdf_url(entry.id)}
    data |= entry.role.model_dump(mode="json")
    data["reports_to"] = list(entry.reports_to)
    data["manages"] = list(entry.manages)
    if entry.role.salary is not None:
        for band, dumped in zip(entry.role.salary.bands, data["salary"]["bands"]):
            dumped["kind"] = band.kind
    return data


# --- salaries.csv -----------------------------------------------------------------

def salaries_csv(catalog: "Catalog") -> Iterator[Part]:
    """One row per salary band of every role, as UTF-8 with BOM, by parts: the header,
    then each role's rows (which name regions and segments: regions.yaml is an input)."""
    from .keys import config_digests

    yield _part_key("salaries.csv head"), lambda: _csv_rows([CSV_COLUMNS]).encode("utf-8-sig")
    config = config_digests(catalog)
    names = ({r.id: _cell(r.name) for r in catalog.regions.values()},
             {s.id: _cell(s.name) for s in catalog.segments.values()})
    for entry in catalog.roles.values():
        role = entry.role
        if role.salary is None:
            continue
        yield (_part_key("salaries.csv role", *config, *_role_inputs(entry)),
               lambda role=role: _csv_rows(role_rows(role, *names)).encode())


def _csv_rows(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def role_rows(role: "Role", regions: dict[str, str], segments: dict[str, str]) -> list[list]:
    """The CSV rows of a role's bands (``CSV_COLUMNS``); a single figure is written as
    min = max = value. ``regions`` and ``segments``: id -> name as a cell (``_cell``).

    Texts are made cells once per role (ids cannot start like a formula, and the
    currency, period and kind are fixed words): a large handbook has millions of cells."""
    salary = role.salary
    grades: dict[str, str] = {}
    for grade in salary.grades:
        grades.setdefault(grade.id, _cell(grade.title))
    head = [role.id, _cell(role.title)]
    tail = [salary.currency, salary.period]
    source = _cell(salary.source)
    as_of = salary.as_of.isoformat() if salary.as_of else ""
    rows = []
    for band in salary.bands:
        region, segment, grade, value = band.region, band.segment, band.grade, band.value
        low, high = (value, value) if value is not None else (band.min, band.max)
        rows.append(head + [region or "", regions.get(region, "") if region else "",
                            segment or "", grade or "", _number(low), _number(high),
                            _number(band.median)] + tail
                    + [band.kind, source, segments.get(segment, "") if segment else "",
                       grades.get(grade, "") if grade else "", as_of, _cell(band.note)])
    return rows


def _number(value: float | None) -> float | str:
    return "" if value is None else value


def _cell(text: str | None) -> str:
    """Missing -> empty cell; text a spreadsheet would run as a formula -> quoted."""
    if text is None:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


FILES = {"data/roles.json": roles_json, "data/salaries.csv": salaries_csv}
