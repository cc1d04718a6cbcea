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
    (``manages`` includes every role that reports to it); each salary band with its kind.

    The bands are made dicts here, not by pydantic: it would call their serializer once
    a band, most of the time of a role's data."""
    from ..model import Band

    role = entry.role
    data = {"id": entry.id, "url": role_url(entry.id), "pdf": pdf_url(entry.id)}
    data |= role.model_dump(mode="json", exclude={"salary": {"bands"}})
    data["reports_to"] = list(entry.reports_to)
    data["manages"] = list(entry.manages)
    if role.salary is not None:
        bands = [dict(zip(Band.FIELDS, band), kind=band.kind) for band in role.salary.bands]
        dumped = data["salary"]
        data["salary"] = {name: bands if name == "bands" else dumped[name]
                          for name in type(role.salary).model_fields}
    return data


# --- salaries.csv -----------------------------------------------------------------

def salaries_csv(catalog: "Catalog") -> Iterator[Part]:
    """One row per salary band of every role, as UTF-8 with BOM, by parts: the header,
    then each role's rows (which name regions and segments: regions.yaml is an input)."""
    from .keys import config_digests

    yield (_part_key("salaries.csv head"),
           lambda: (",".join(map(_csv_field, CSV_COLUMNS)) + "\r\n").encode("utf-8-sig"))
    config = config_digests(catalog)
    names = ({r.id: _csv_field(_cell(r.name)) for r in catalog.regions.values()},
             {s.id: _csv_field(_cell(s.name)) for s in catalog.segments.values()})
    for entry in catalog.roles.values():
        role = entry.role
        if role.salary is None:
            continue
        yield (_part_key("salaries.csv role", *config, *_role_inputs(entry)),
               lambda role=role: role_csv(role, *names).encode())


def role_csv(role: "Role", regions: dict[str, str], segments: dict[str, str]) -> str:
    """The CSV rows of a role's bands (``CSV_COLUMNS``); a single figure is written as
    min = max = value. ``regions`` and ``segments``: id -> name as a CSV field.

    Each text is made a field once per role (``_csv_field``), and a row is its fields
    joined: a large handbook has millions of cells, and the csv module would quote
    every one of them again."""
    salary = role.salary
    grades: dict[str, str] = {}
    for grade in salary.grades:
        grades.setdefault(grade.id, _csv_field(_cell(grade.title)))
    head = f"{_csv_field(role.id)},{_csv_field(_cell(role.title))},"
    tail = ",".join(map(_csv_field, (salary.currency, salary.period)))
    source = _csv_field(_cell(salary.source))
    as_of = salary.as_of.isoformat() if salary.as_of else ""
    ids = {None: ""}  # region, segment and grade ids as fields
    rows = []
    for band in salary.bands:
        region, segment, grade, value = band.region, band.segment, band.grade, band.value
        low, high = (value, value) if value is not None else (band.min, band.max)
        for name in (region, segment, grade):
            if name not in ids:
                ids[name] = _csv_field(name)
        rows.append(f"{head}{ids[region]},{regions.get(region, '') if region else ''},"
                    f"{ids[segment]},{ids[grade]},{_number(low)},{_number(high)},"
                    f"{_number(band.median)},{tail},{band.kind},{source},"
                    f"{segments.get(segment, '') if segment else ''},"
                    f"{grades.get(grade, '') if grade else ''},{as_of},"
                    f"{_csv_field(_cell(band.note)) if band.note else ''}\r\n")
    return "".join(rows)


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _csv_field(text: str) -> str:
    """``text`` as a field of a CSV row, quoted as the csv module quotes it (a field's
    quoting depends on the field alone, so a row is its fields joined by commas)."""
    if not text:
        return ""  # alone in a row the module writes "", to tell it from an empty line
    buffer = io.StringIO()
    csv.writer(buffer).writerow([text])
    return buffer.getvalue()[:-2]


def _cell(text: str | None) -> str:
    """Missing -> empty cell; text a spreadsheet would run as a formula -> quoted."""
    if text is None:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


FILES = {"data/roles.json": roles_json, "data/salaries.csv": salaries_csv}
