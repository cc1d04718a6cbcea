"""The salary comparison (``salaries/``): every role's bands by region, segment and grade.

One group of table rows per role and segment: each grade (and the region's
figure «в целом», usually its median) for each region, with «нет данных»
where the role's own matrix has a hole, and each figure as a percentage of
the base region (Moscow) for the same role, segment and grade. Above the
table, a chart per role and segment (``chart.salary_chart``). Without
JavaScript the page shows everything; ``salaries.js`` adds filters,
sorting and keeps their state in the URL.

A large handbook would outgrow the page's budget (``PAGE_BUDGET``): then the
page carries only the first role, every role's rows go to
``data/salaries/<role>.json`` (as data; ``salaries.js`` builds the same rows)
with the list of roles in ``_index.json`` (no role id can start with «_», so no
role's chunk can take its name), the script loads them on demand, and the
charts of the other roles are on their own pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import chart as charts, keys
from ..data import json_bytes
from ..views import (SALARIES_URL as URL, band_kind, base_region, comparable_percent,
                     reference_value, role_url, salary_tables)

if TYPE_CHECKING:
    from ...model import Band, Grade, Region, Role, Segment
    from ...resolve import Catalog
    from ..html import Site

PAGE_BUDGET = 900_000  # bytes of HTML; above it the page loads roles on demand
INLINE_ROWS = 1200     # table rows that surely fit the budget (a row is about 600 bytes)
CHUNKS = "data/salaries/"


@dataclass
class Bar:
    """Where a figure sits on the row's scale, in percent of its width."""

    kind: str                    # "range" | "up_to" | "point" | "median"
    left: float
    width: float = 0.0
    median: float | None = None  # the region's median, marked as a tick


@dataclass
class Line:
    """One table row: a role's figure for one segment, grade and region (or a hole)."""

    segment: "Segment | None"
    grade: "Grade | None"        # None: the region and segment as a whole
    region: "Region | None"      # None: the market as a whole
    band: "Band | None"          # None: the source gives no figure here
    percent: int | None = None   # of the base region, same role, segment and grade
    value: float | None = None   # what sorting by amount compares
    bar: Bar | None = None
    order: int = 0


@dataclass
class Group:
    """The rows of one role in one segment."""

    role: "Role"
    segment: "Segment | None"
    lines: list[Line] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.role.id}/{self.segment.id if self.segment else ''}"


def render(site: "Site") -> None:
    """Write ``salaries/index.html``, and for a large handbook the per-role chunks."""
    if _reuse_previous(site):
        return
    catalog = site.catalog
    roles = [entry.role for entry in catalog.roles.values()
             if entry.role.salary is not None and entry.role.salary.bands]
    # The scale and the filters from each role's summary of its bands (``Salary.summary``,
    # kept in the model cache): not a pass over a large handbook's million bands.
    scale = _scale(roles)
    base = base_region(catalog)
    groups = _Groups(catalog, base, scale)
    context = dict(groups=groups, charts=_Charts(catalog),
                   filters=filter_options(catalog, roles),
                   base=catalog.regions.get(base) if base else None, role_count=len(roles),
                   chunks=CHUNKS, scale_label=charts.short_amount(scale))
    small = len(roles) < 2 or _row_count(roles, groups) <= INLINE_ROWS
    html = _page(site, roles, context, chunked=False) if small else None
    if html is None or (len(roles) > 1 and len(html.encode()) > PAGE_BUDGET):
        html = _page(site, roles[:1], context, chunked=True)
        write_chunks(site, roles, base, scale)
    site.output.put(URL + "index.html", html, site.catalog_key)


def _reuse_previous(site: "Site") -> bool:
    """Keep the previous page and chunks when nothing of the handbook changed (the page's
    key is the whole handbook's; the chunks are then the same ones, under their own keys)."""
    previous = site.output.previous
    files = {name: entry.get("key") for name, entry in previous.items()
             if name.startswith(CHUNKS) and name != f"{CHUNKS}_index.json"}
    files |= {URL + "index.html": site.catalog_key}
    if f"{CHUNKS}_index.json" in previous:
        files[f"{CHUNKS}_index.json"] = site.catalog_key
    return all(files.values()) and site.output.reuse_all(files)


def _row_count(roles: list["Role"], groups: "_Groups") -> int:
    """The table rows of all roles; past ``INLINE_ROWS`` any larger count will do.

    Every band is a row of its own (bands for the same segment, region and grade
    share one), so a handbook with more of them than ``INLINE_ROWS`` is known to
    be large without computing its rows: its rows are then computed only for the
    chunks that are written again."""
    bands = 0
    for role in roles:  # counted until the count tells
        bands += len({(b.segment, b.region, b.grade) for b in role.salary.bands})
        if bands > INLINE_ROWS:
            return bands
    return sum(len(group.lines) for role in roles for group in groups[role.id])


class _Groups(dict):
    """Role id -> its row groups (``role_groups``), computed when first asked for."""

    def __init__(self, catalog: "Catalog", base: str | None, scale: float):
        super().__init__()
        self.catalog, self.base, self.scale = catalog, base, scale

    def __missing__(self, role_id: str) -> list[Group]:
        role = self.catalog.role(role_id)
        self[role_id] = role_groups(self.catalog, role, self.base, self.scale)
        return self[role_id]


class _Charts(dict):
    """Role id -> its charts, computed when a template first asks."""

    def __init__(self, catalog: "Catalog"):
        super().__init__()
        self.catalog = catalog

    def __missing__(self, role_id: str) -> list[dict]:
        self[role_id] = chart_list(self.catalog, self.catalog.role(role_id))
        return self[role_id]


def _page(site: "Site", roles: list["Role"], context: dict, chunked: bool) -> str:
    from ..html import relative_root

    template = site.template("html/salaries.html")
    return template.render(site=site, url=URL, root=relative_root(URL), chunked=chunked,
                           roles=roles, **context)


def write_chunks(site: "Site", roles: list["Role"], base: str | None, scale: float) -> None:
    """``data/salaries/<role>.json`` (the role's rows as data) and ``_index.json``.

    The rows are data, not markup, to keep ten thousand roles small on disk;
    ``salaries.js`` builds the same rows as ``salary-rows.html``. A chunk
    depends on its role's file, the regions, the theme and the page's scale
    only: when none changed, the previous build's chunk is reused.
    """
    common = _common_key(site, scale)
    # One role's rows at a time: all of them at once are hundreds of MB at 10,000 roles.
    site.files((f"{CHUNKS}{role.id}.json",
                keys.digest([common, site.catalog.roles[role.id].document.digest]),
                chunk_json, (role.id, base, scale)) for role in roles)
    index = {"roles": [[r.id, r.title] for r in roles]}
    site.output.put(f"{CHUNKS}_index.json", json_bytes(index), site.catalog_key)


def chunk_json(site: "Site", role_id: str, base: str | None, scale: float) -> bytes:
    """The chunk of the role ``role_id`` (``Site.files`` calls it)."""
    role = site.catalog.role(role_id)
    return json_bytes(chunk(role, role_groups(site.catalog, role, base, scale)))


def chunk(role: "Role", groups: list[Group]) -> dict:
    """A role's rows: per group [grade, grade label, grade note, region, region label,
    figure text or null, sort value, percent, bar [kind, left, width, median] or null]."""
    from ..views import band_text, grade_label

    def row(line: Line) -> list:
        grade = line.grade
        bar_ = line.bar
        return [grade.id if grade else "", grade_label(grade) if grade else "в целом",
                (grade.requirement or grade.title) if grade else "",
                line.region.id if line.region else "",
                line.region.name if line.region else "В целом по рынку",
                band_text(line.band, role.salary.currency) if line.band is not None else None,
                line.value, line.percent,
                [bar_.kind, bar_.left, bar_.width, bar_.median] if bar_ else None]

    return {"role": role.id, "title": role.title, "url": role_url(role.id),
            "groups": [{"segment": g.segment.id if g.segment else "",
                        "name": g.segment.name if g.segment else "все работодатели",
                        "rows": [row(line) for line in g.lines]} for g in groups]}


def _common_key(site: "Site", scale: float) -> str:
    """What every chunk depends on: rolebook's code (the version alone would miss a change
    of the code that writes them), the theme, the handbook's lists and the common scale."""
    return keys.digest([keys.code_key(), site.theme.digest, f"{scale:g}",
                        *keys.config_digests(site.catalog)])


# -- rows -------------------------------------------------------------------------

def role_groups(catalog: "Catalog", role: "Role", base: str | None, scale: float) -> list[Group]:
    """The role's rows, one group per segment, in the handbook's order."""
    bands = role.salary.bands
    segment_ids = _ordered({b.segment for b in bands}, list(catalog.segments))
    groups = []
    for segment_id in segment_ids:
        own = [b for b in bands if b.segment == segment_id]
        group = Group(role, catalog.segments.get(segment_id) if segment_id else None)
        group.lines = segment_lines(catalog, role, own, base)
        wholes: dict[str | None, "Band"] = {}  # region -> its first figure without a grade
        for band in own:
            if band.grade is None:
                wholes.setdefault(band.region, band)
        for order, line in enumerate(group.lines):
            line.order = order
            line.bar = bar(line.band, _region_median(wholes, line), scale)
        groups.append(group)
    return groups


def segment_lines(catalog: "Catalog", role: "Role", bands: list["Band"],
                  base: str | None) -> list[Line]:
    """Market-wide figures first, then each grade (and «в целом») across the regions.

    A hole is a region and grade that the segment's own matrix has elsewhere
    (Moscow agencies without ranges I–IV); market-wide figures have no holes.
    """
    index = {(b.region, b.grade): b for b in bands}
    grades = {g.id: g for g in role.salary.grades}
    grade_ids = _ordered({b.grade for b in bands}, list(grades))
    regions = _ordered({b.region for b in bands if b.region is not None}, list(catalog.regions))
    segment = catalog.segments.get(bands[0].segment) if bands[0].segment else None
    lines = [_line(segment, grades.get(g), None, index[(None, g)], None)
             for g in grade_ids if (None, g) in index]
    # The grades first, then the region's figure «в целом», as the sources' tables go.
    grade_ids = [g for g in grade_ids if g is not None] + [None] * (None in grade_ids)
    for grade_id in grade_ids:
        for region_id in regions:
            band = index.get((region_id, grade_id))
            base_band = index.get((base, grade_id)) if base else None
            lines.append(_line(segment, grades.get(grade_id), catalog.regions[region_id], band,
                               comparable_percent(band, base_band)))
    return lines


def _line(segment, grade, region, band, percent) -> Line:
    return Line(segment, grade, region, band, percent, reference_value(band))


def _ordered(ids: set, order: list) -> list:
    """``ids`` in the order of ``order``, None (the whole) first, unknown ids last."""
    known = [i for i in order if i in ids]
    rest = sorted(i for i in ids if i is not None and i not in order)
    return ([None] if None in ids else []) + known + rest


def _region_median(wholes: dict[str | None, "Band"], line: Line) -> int | None:
    """The line's own median, else that of its region's figure without a grade."""
    if line.band is not None and line.band.median is not None:
        return line.band.median
    whole = wholes.get(line.region.id if line.region else None)
    return whole.median if whole is not None else None


def bar(band: "Band | None", median: int | None, scale: float) -> Bar | None:
    """The position of a figure on a scale from 0 to ``scale``."""
    def pct(value: float) -> float:
        return round(value * 100 / scale, 2)

    if band is None:
        return None
    mark = pct(median) if median is not None else None
    kind = band_kind(band)
    if kind == "range":
        return Bar(kind, pct(band.min), pct(band.max - band.min), mark)
    if kind == "up_to":
        return Bar(kind, 0, pct(band.max), mark)
    if kind == "point":
        return Bar(kind, pct(band.value), 0, mark)
    return Bar("median", pct(band.median), 0, mark)


def _scale(roles: list["Role"]) -> float:
    """One scale for every row of the page: the largest figure of the roles' bands,
    rounded up."""
    tops = [top for role in roles if (top := role.salary.summary.top) is not None]
    return charts.nice_axis(max(tops, default=1))[0]


# -- charts and filters -------------------------------------------------------------

def chart_list(catalog: "Catalog", role: "Role") -> list[dict]:
    """A chart per segment of the role, all on the role's own scale, wide and for phones."""
    tables = salary_tables(catalog, role)
    top = max((charts.table_max(t) for t in tables), default=0) or None
    result = []
    for table in tables:
        result.append({"segment": table.segment, "chart": charts.salary_chart(table, top)})
    return result


def filter_options(catalog: "Catalog", roles: list["Role"]) -> dict:
    """The choices of the filter form: segments, grades and regions that have figures."""
    segment_ids, region_ids, grade_ids = set(), set(), set()
    grades: dict[str, "Grade"] = {}
    for role in roles:
        summary = role.salary.summary
        segment_ids |= summary.segments
        region_ids |= summary.regions
        grade_ids |= summary.grades
        for grade in role.salary.grades:
            if grade.id in summary.grades:
                grades.setdefault(grade.id, grade)
    return {"segments": [catalog.segments[s] for s in catalog.segments if s in segment_ids],
            "unsegmented": None in segment_ids, "grades": list(grades.values()),
            "whole": None in grade_ids,
            "regions": [catalog.regions[r] for r in catalog.regions if r in region_ids],
            "market": None in region_ids}
