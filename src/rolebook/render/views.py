"""View data for the HTML pages: model objects in, what the templates show out.

Pure functions over the ``Catalog`` and its roles, shared by every page kind
(the role pages, the salary comparison, the home page): URLs, the salary
matrix of a role with «нет данных» holes, percentages of the base region,
the geometry of the salary chart, one-line pay summaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from markupsafe import escape

from . import format as fmt

if TYPE_CHECKING:
    from ..model import Band, Grade, Region, Role, Segment
    from ..resolve import Catalog

MISSING = "нет данных"
COMPARE_URL = "compare/"
SALARIES_URL = "salaries/"
ORGCHART_URL = "orgchart/"
SEARCH_URL = "search/"
ARTICLES_URL = "articles/"
ROLES_URL = "roles/"

KIND_LABELS = {"range": "диапазон «от — до»", "up_to": "верхняя граница («до»)",
               "point": "одна цифра", "median": "медиана"}
CATEGORY_LABELS = {"head": "руководитель", "specialist": "специалист"}


# --- URLs ----------------------------------------------------------------------

def role_url(role_id: str) -> str:
    return f"{ROLES_URL}{role_id}/"


def pdf_url(role_id: str) -> str:
    return f"pdf/{role_id}.pdf"


def article_url(page_id: str) -> str:
    return f"{ARTICLES_URL}{page_id}/"


# --- one band -------------------------------------------------------------------

def band_kind(band: "Band") -> str:
    """"range", "up_to", "point", or "median" for a band that gives only a median."""
    if band.min is None and band.max is None and band.value is None:
        return "median"
    return band.kind


def band_text(band: "Band | None", currency: str = "RUB", median: bool = True) -> str:
    """A band as a person reads it: «53 000–66 000 ₽», «до 40 000 ₽», «120 000 ₽»;
    with ``median`` a median it carries is added («…, медиана 60 000 ₽»)."""
    if band is None:
        return MISSING
    kind = band_kind(band)
    if kind == "range":
        text = f"{fmt.number(band.min)}–{fmt.money(band.max, currency)}"
    elif kind == "up_to":
        text = f"до{fmt.NBSP}{fmt.money(band.max, currency)}"
    elif kind == "point":
        text = fmt.money(band.value, currency)
    else:
        return f"медиана {fmt.money(band.median, currency)}"
    if median and band.median is not None:
        text += f", медиана {fmt.money(band.median, currency)}"
    return text


def reference_value(band: "Band | None") -> float | None:
    """The figure compared across regions: the median, else the middle of a range,
    else the «до» figure, else the single figure."""
    if band is None:
        return None
    if band.median is not None:
        return band.median
    if band.min is not None:
        return (band.min + band.max) / 2
    return band.max if band.max is not None else band.value


def percent_of(value: float | None, base: float | None) -> int | None:
    """``value`` as a rounded percentage of ``base``; None when either is missing."""
    if value is None or not base:
        return None
    return round(value * 100 / base)


def comparable_percent(band: "Band | None", base: "Band | None") -> int | None:
    """A band as a percentage of the base region's band of the same kind (else None)."""
    if band is None or base is None or band_kind(band) != band_kind(base):
        return None
    return percent_of(reference_value(band), reference_value(base))


def base_region(catalog: "Catalog") -> str | None:
    """The region percentages refer to: Moscow when the handbook has it, else the first."""
    if "moscow" in catalog.regions:
        return "moscow"
    return next(iter(catalog.regions), None)


def grade_label(grade: "Grade") -> str:
    """«Диапазон I» as it is; «1» with a title that does not name it: «1 — Начинающий менеджер»."""
    if grade.id in grade.title.replace("—", " ").split():
        return grade.title
    return f"{grade.id} — {grade.title}"


# --- the salary matrix of a role ----------------------------------------------------

@dataclass
class Figure:
    """One cell of a salary table as shown: the text of its band or amount (None:
    «нет данных») and its percentage of the base region (None: none shown)."""

    text: str | None
    percent: int | None = None

    @property
    def html(self) -> str:
        """The text escaped, for a table written without autoescape."""
        return "" if self.text is None else escape(self.text)


@dataclass
class SalaryRow:
    """One region (None: the market as a whole) of one segment."""

    region: "Region | None"
    cells: dict[str, "Band | None"]          # grade id -> band
    overall: "Band | None" = None            # a grade-less range / «до» / single figure
    median: int | None = None                # the median of the region and segment
    percent: dict[str, int | None] = field(default_factory=dict)  # grade id | "overall" | "median"
    # The cells as the table shows them, formatted once for the table and the chart:
    # one per grade, then the columns «В целом» and «Медиана» the table has.
    grade_figures: list[Figure] = field(default_factory=list)
    total_figures: list[Figure] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.region.name if self.region is not None else "В целом по рынку"

    @property
    def empty(self) -> bool:
        return self.overall is None and self.median is None and not any(self.cells.values())


@dataclass
class SalaryTable:
    """The bands of one role in one segment (None: the source gives no segments)."""

    segment: "Segment | None"
    grades: list["Grade"]
    has_overall: bool
    has_median: bool
    rows: list[SalaryRow]
    currency: str = "RUB"
    base_region: str | None = None
    base_name: str = ""     # the base region's name (the percentages are of its figures)

    @property
    def caption(self) -> str:
        return self.segment.name if self.segment is not None else "Все работодатели"


def salary_tables(catalog: "Catalog", role: "Role") -> list[SalaryTable]:
    """The role's salary bands as one table per segment; missing cells are None."""
    salary = role.salary
    if salary is None or not salary.bands:
        return []
    bands = salary.bands
    used_grades = {b.grade for b in bands}
    grades = [g for g in salary.grades if g.id in used_grades]
    has_overall = any(b.grade is None and band_kind(b) != "median" for b in bands)
    has_median = any(b.grade is None and b.median is not None for b in bands)
    regions = _ordered_regions(catalog, {b.region for b in bands})
    base = base_region(catalog)
    base_name = catalog.regions[base].name if base else ""
    tables = []
    for segment_id in _ordered_segments(catalog, {b.segment for b in bands}):
        index = {(b.region, b.grade): b for b in bands if b.segment == segment_id}
        rows = [_row(catalog, region, grades, index, base) for region in regions]
        for row in rows:
            _figures(row, grades, has_overall, has_median, salary.currency)
        tables.append(SalaryTable(catalog.segments.get(segment_id) if segment_id else None,
                                  grades, has_overall, has_median, rows, salary.currency, base,
                                  base_name))
    return tables


def _ordered_regions(catalog: "Catalog", ids: set) -> list[str | None]:
    ordered: list[str | None] = [None] if None in ids else []
    return ordered + [r for r in catalog.regions if r in ids]


def _ordered_segments(catalog: "Catalog", ids: set) -> list[str | None]:
    ordered: list[str | None] = [None] if None in ids else []
    return ordered + [s for s in catalog.segments if s in ids]


def _row(catalog: "Catalog", region_id: str | None, grades: list["Grade"],
         index: dict, base: str | None) -> SalaryRow:
    whole = index.get((region_id, None))
    row = SalaryRow(
        region=catalog.regions.get(region_id) if region_id else None,
        cells={g.id: index.get((region_id, g.id)) for g in grades},
        overall=whole if whole is not None and band_kind(whole) != "median" else None,
        median=whole.median if whole is not None else None,
    )
    if region_id is not None and region_id != base:
        base_whole = index.get((base, None))
        for g in grades:
            row.percent[g.id] = comparable_percent(row.cells[g.id], index.get((base, g.id)))
        row.percent["overall"] = comparable_percent(row.overall, base_whole)
        row.percent["median"] = percent_of(row.median, base_whole.median if base_whole else None)
    return row


def _figures(row: SalaryRow, grades: list["Grade"], has_overall: bool, has_median: bool,
             currency: str) -> None:
    """Fill ``row.grade_figures`` and ``row.total_figures``; the figure «в целом» leaves
    out its median when the column «Медиана» shows it."""
    def text(band: "Band | None", median: bool = True) -> str | None:
        return None if band is None else band_text(band, currency, median)

    row.grade_figures = [Figure(text(row.cells[g.id]), row.percent.get(g.id)) for g in grades]
    row.total_figures = []
    if has_overall:
        row.total_figures.append(Figure(text(row.overall, not has_median),
                                        row.percent.get("overall")))
    if has_median:
        row.total_figures.append(Figure(None if row.median is None
                                        else fmt.money(row.median, currency),
                                        row.percent.get("median")))


# --- summaries -----------------------------------------------------------------------

def salary_figures(role: "Role") -> tuple[int | None, int | None]:
    """The lowest and highest figure among the role's bands (ranges, «до», points)."""
    bands = role.salary.bands if role.salary else []
    # A band has a value or a range's ends, never both (model.Band).
    lows = [band.value if band.min is None else band.min for band in bands]
    highs = [band.value if band.max is None else band.max for band in bands]
    return (min((v for v in lows if v is not None), default=None),
            max((v for v in highs if v is not None), default=None))


def pay_summary(catalog: "Catalog", role: "Role") -> str:
    """«от 12 000 до 120 000 ₽ в месяц в 4 городах», or «нет данных»."""
    low, high = salary_figures(role)
    if high is None:
        return MISSING
    currency = role.salary.currency
    if low is None or low == high:
        text = f"до {fmt.money(high, currency)}" if low is None else fmt.money(high, currency)
    else:
        text = f"от {fmt.number(low)} до {fmt.money(high, currency)}"
    cities = len({b.region for b in role.salary.bands if b.region is not None})
    where = f"в {cities}{fmt.NBSP}{_city_locative(cities)}" if cities else "по рынку в целом"
    return f"{text} в месяц {where}"


def _city_locative(count: int) -> str:
    return "городе" if count % 10 == 1 and count % 100 != 11 else "городах"


_SENTENCE_END = re.compile(r"[.!?…](?=\s+[«(\"A-ZА-ЯЁ])")
# Markdown whose blocks cannot be rendered one by one: a reference link defined
# further down, a fenced code block that may hold blank lines.
_WHOLE_ONLY = re.compile(r"^ {0,3}(\[[^\]]+\]:|```|~~~)", re.M)


def lead_sentence(markdown: str, limit: int = 240) -> str:
    """The first sentence of a Markdown text as plain text, cut at a word near ``limit``."""
    text = _lead_text(markdown, limit)
    match = _SENTENCE_END.search(text)
    sentence = text[:match.end()] if match else text
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:—– ") + "…"
    return sentence


def _lead_text(markdown: str, limit: int) -> str:
    """Plain text of the leading blocks (paragraphs) of ``markdown`` that hold its first
    sentence: rendering a whole summary for one sentence costs the home page most of its
    time on a large handbook."""
    from .jsonld import plain_text

    if _WHOLE_ONLY.search(markdown):
        return plain_text(markdown)
    blocks = re.split(r"\n[ \t]*\n", markdown.strip())
    text = ""
    for count in range(1, len(blocks) + 1):
        text = plain_text("\n\n".join(blocks[:count]))
        if len(text) > limit or re.search(r"[.!?…]$", text) or _SENTENCE_END.search(text):
            break
    return text


def source_titles(catalog: "Catalog", ids: Iterable[str]) -> list[dict]:
    """Source ids -> [{"id", "title", "published"}] (the id is the title when unknown)."""
    known = {s.id: s for s in catalog.handbook.sources}
    result = []
    for source_id in ids:
        source = known.get(source_id)
        result.append({"id": source_id, "title": source.title if source else source_id,
                       "published": source.published if source else None})
    return result


def career(catalog: "Catalog", role: "Role") -> dict[str, list]:
    """Paths into and out of a role: its own, plus the other roles' paths that lead here
    (a role B with ``paths_out: A`` is a path into A). Each role appears once per direction."""
    from ..model import CareerStep

    result = {"paths_in": list(role.career.paths_in), "paths_out": list(role.career.paths_out)}
    mirror = {"paths_in": "paths_out", "paths_out": "paths_in"}
    for direction, other_direction in mirror.items():
        known = {step.role for step in result[direction] if step.role}
        for other_id, step in catalog.career_mentions.get((role.id, other_direction), ()):
            if other_id not in known:
                result[direction].append(CareerStep(role=other_id, note=step.note))
                known.add(other_id)
    return result


def comparisons(catalog: "Catalog", role: "Role") -> list[dict]:
    """The role's comparisons, plus those other roles make with it (columns swapped).

    Each: {"role": other id, "summary": Markdown | None, "aspects": [(aspect, this, other)],
    "mirrored": bool}. A pair compared from both sides is shown once, from this side."""
    result = [{"role": c.role, "summary": c.summary, "mirrored": False,
               "aspects": [(a.aspect, a.this, a.other) for a in c.aspects]}
              for c in role.comparisons]
    known = {c.role for c in role.comparisons}
    for other_id, c in catalog.compared_by.get(role.id, ()):
        if other_id not in known:
            result.append({"role": other_id, "summary": c.summary, "mirrored": True,
                           "aspects": [(a.aspect, a.other, a.this) for a in c.aspects]})
            known.add(other_id)
    return result


def roles_by_department(catalog: "Catalog") -> list[dict]:
    """[{"department": Department, "roles": [RoleEntry, ...]}] in the handbook's order."""
    members: dict[str, list] = {}
    for entry in catalog.roles.values():
        members.setdefault(entry.role.department, []).append(entry)
    return [{"department": department, "roles": members[department.id]}
            for department in catalog.handbook.departments if department.id in members]
