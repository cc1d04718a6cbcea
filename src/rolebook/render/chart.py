"""Salary chart geometry: a ``SalaryTable`` in, positions of marks out.

One row per region; in a row each grade's figure is a mark: a range is a
bar from min to max, an «до» figure a dashed line from zero to its value, a
single figure a dot, and the median of the region a tick across the row.
Marks that would overlap are put into lanes under each other, so contiguous
grades (I–IV) share one line while overlapping levels stack. The macro
``salary_chart`` of ``html/salary.html`` draws the result as inline SVG; colours
come from the stylesheet (classes ``g0``…``g5`` in grade order). Every
coordinate the SVG needs is computed here, so the template only writes values.

Every text of a chart (region names, tooltips, labels, ticks, legend) is escaped
here, as ``Markup``: the macro draws thousands of values a page and prints them
without Jinja's autoescape (which cost a third of a role page), and a text
printed elsewhere with autoescape on is not escaped twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from . import format as fmt
from .views import SalaryRow, SalaryTable, band_kind, band_text, grade_label

if TYPE_CHECKING:
    from ..model import Band

LANE = 16          # height of one lane
LANE_GAP = 4
ROW_PAD = 7
AXIS = 26          # room for the tick labels under the rows
POINT_R = 6
COLOURS = 6        # grade colours g0..g4; g5 is the grade-less «в целом» figure
OVERALL = "g5"


@dataclass(frozen=True)
class Layout:
    """Wide: region names left of the bars. Narrow (phones): names above each row."""

    width: int
    label_width: float
    right_pad: float
    label_above: bool


WIDE = Layout(width=640, label_width=150, right_pad=28, label_above=False)
NARROW = Layout(width=360, label_width=10, right_pad=26, label_above=True)
LABEL_LINE = 17    # height of a region name above its row (narrow layout)


@dataclass(slots=True)
class Mark:
    kind: str            # "range" | "up_to" | "point"
    x: float
    x2: float
    y: float             # top of the lane
    css: str             # "g0".."g5"
    label: Markup        # grade id drawn inside a wide enough bar ("" for none)
    title: Markup        # tooltip: region, grade, figure
    median_x: float | None = None
    # Where the parts are drawn once the lane is known:
    mid: float = 0.0           # the middle of the lane
    width: float = 0.0         # of a range's bar, at least 2 so that it stays visible
    label_x: float = 0.0       # the label: inside a bar, right of a cap or a dot
    cap_x: float = 0.0         # the cap at the end of an «до» line
    median_top: float = 0.0    # the median tick, a little taller than the lane
    median_bottom: float = 0.0


@dataclass(slots=True)
class ChartRow:
    label: Markup
    y: float
    height: float
    label_x: float = 0.0
    label_y: float = 0.0
    label_anchor: str = "end"
    mid: float = 0.0          # centre of the first lane («нет данных» goes there)
    marks: list[Mark] = field(default_factory=list)
    median_x: float | None = None
    median_title: Markup = Markup("")
    missing: bool = False     # no range, «до» or single figure in this row
    striped: bool = False     # every second row has a background
    median_top: float = 0.0   # the region's median line and the area that shows its title
    median_bottom: float = 0.0
    median_hit_x: float = 0.0
    median_hit_height: float = 0.0


@dataclass
class Chart:
    width: int
    height: float
    x0: float
    x1: float
    lane: int
    rows: list[ChartRow]
    ticks: list[tuple[float, Markup]]
    legend: list[tuple[str, Markup]]       # (css class, text)
    kinds: set[str]                        # which kinds of marks appear (for the key)
    bottom: float                          # where the rows end and the axis begins
    narrow: bool = False
    tick_y: float = 0.0                    # the baseline of the tick labels
    missing_x: float = 0.0                 # where «нет данных» starts in an empty row


def salary_chart(table: SalaryTable, scale_max: float | None = None,
                 layout: Layout = WIDE) -> Chart:
    """The chart of one salary table; ``scale_max`` shares one axis between charts."""
    return salary_charts(table, scale_max, (layout,))[0]


def salary_charts(table: SalaryTable, scale_max: float | None = None,
                  layouts: tuple[Layout, ...] = (WIDE, NARROW)) -> list[Chart]:
    """The chart of one salary table in each of ``layouts`` (by default wide and narrow).
    What each row shows and its tooltips are worked out once for all the layouts."""
    top, step = nice_axis(scale_max or table_max(table) or 1)
    colours = {g.id: f"g{i % (COLOURS - 1)}" for i, g in enumerate(table.grades)}
    legend = [(colours[g.id], escape(grade_label(g))) for g in table.grades]
    if table.has_overall:
        legend.append((OVERALL, Markup("В целом")))
    figures = [_row_figures(source, table, colours) for source in table.rows]
    return [_chart(table, figures, top, step, legend, layout) for layout in layouts]


@dataclass(frozen=True, slots=True)
class _Figure:
    """A mark of a row before it is placed: where it starts and ends on the axis."""

    kind: str
    css: str
    grade: str
    label: Markup   # the grade, escaped once for every layout
    title: Markup
    low: float
    high: float
    median: float | None


def _row_figures(source: SalaryRow, table: SalaryTable, colours: dict[str, str]) -> list[_Figure]:
    """The marks of one row in drawing order: each grade's figure, then «в целом»."""
    # The tooltip shows the band as the table does (a grade's figure, with its median).
    texts = [f.text for f in source.grade_figures] or [None] * len(table.grades)
    entries = [(g.id, colours[g.id], source.cells[g.id], text)
               for g, text in zip(table.grades, texts)]
    entries.append(("", OVERALL, source.overall, None))
    result = []
    for grade, css, band, text in entries:
        if band is None:
            continue
        text = text if text is not None else band_text(band, table.currency)
        kind = band_kind(band)
        if kind == "range":
            low, high = band.min, band.max
        elif kind == "up_to":
            low, high = 0, band.max
        else:
            low, high = band.value, band.value
        result.append(_Figure(kind, css, grade, escape(grade),
                              escape(f"{source.label}: {_grade_name(grade)}{text}"),
                              low, high, band.median))
    return result


def _chart(table: SalaryTable, figures: list[list[_Figure]], top: float, step: float,
           legend: list[tuple[str, str]], layout: Layout) -> Chart:
    x0, x1 = layout.label_width, layout.width - layout.right_pad
    span = x1 - x0

    def x(value: float) -> float:
        return round(x0 + value / top * span, 1)

    rows, y, kinds = [], 0.0, set()
    for index, (source, marks) in enumerate(zip(table.rows, figures)):
        row = _chart_row(source, marks, table.currency, x, y, layout)
        row.striped = index % 2 == 1
        kinds.update(m.kind for m in row.marks)
        if row.median_x is not None:
            kinds.add("median")
        rows.append(row)
        y += row.height
    ticks = [(x(i * step), escape(short_amount(i * step))) for i in range(round(top / step) + 1)]
    return Chart(layout.width, y + AXIS, x0, x1, LANE, rows, ticks, legend, kinds, y,
                 layout.label_above, tick_y=y + 17, missing_x=x0 + 6)


def _chart_row(source: SalaryRow, figures: list[_Figure], currency: str, x, y: float,
               layout: Layout) -> ChartRow:
    row = ChartRow(escape(source.label), y, 0.0)
    top = y + (LABEL_LINE if layout.label_above else 0)
    lanes: list[float] = []                  # right edge of each lane so far
    for figure in figures:
        start, end = x(figure.low), x(figure.high)
        left, right = _extent(figure.kind, start, end)
        for lane, edge in enumerate(lanes):  # the first lane with room for it
            if edge <= left + 0.5:
                lanes[lane] = right
                break
        else:
            lane = len(lanes)
            lanes.append(right)
        row.marks.append(_mark(figure, start, end, x, top + ROW_PAD + lane * (LANE + LANE_GAP)))
    count = max(len(lanes), 1)
    row.height = top - y + 2 * ROW_PAD + count * LANE + (count - 1) * LANE_GAP
    if layout.label_above:
        row.label_x, row.label_y, row.label_anchor = x(0), y + LABEL_LINE - 2, "start"
    else:
        row.label_x, row.label_y, row.label_anchor = x(0) - 10, y + row.height / 2, "end"
    row.mid = top + ROW_PAD + LANE / 2
    if source.median is not None:
        row.median_x = x(source.median)
        median = fmt.money(source.median, currency)
        row.median_title = escape(f"{source.label}: медиана {median}")
        row.median_top = row.mid - LANE / 2 - 4
        row.median_bottom = y + row.height - 3
        row.median_hit_x = row.median_x - 4
        row.median_hit_height = y + row.height - 3 - row.median_top
    row.missing = not row.marks  # a median alone still leaves the ranges missing
    return row


def _grade_name(grade: str) -> str:
    return f"грейд {grade}, " if grade else ""


_NO_LABEL = Markup("")


def _mark(figure: _Figure, start: float, end: float, x, y: float) -> Mark:
    """The mark of ``figure`` from ``start`` to ``end`` in the lane whose top is ``y``."""
    kind, label = figure.kind, figure.label
    if kind == "range":
        if end - start < 8 * max(len(figure.grade), 1) + 6:
            label = _NO_LABEL  # too narrow to hold its label; the legend and tooltip name it
        label_x = (start + end) / 2
    elif kind == "up_to":
        label_x = end + 6
    else:
        label_x = start + 9
    return Mark(kind, start, end, y, figure.css, label, figure.title,
                None if figure.median is None else x(figure.median),
                mid=y + LANE / 2, width=max(end - start, 2), label_x=label_x, cap_x=end - 2,
                median_top=y - 2, median_bottom=y + LANE + 2)


def _extent(kind: str, start: float, end: float) -> tuple[float, float]:
    """The horizontal space a mark takes, labels and dots included."""
    if kind == "point":
        return start - POINT_R - 14, start + POINT_R + 14
    if kind == "up_to":
        return start, end + POINT_R + 14
    return start, end


def table_max(table: SalaryTable) -> float:
    """The largest figure of a table (for the axis)."""
    values = [0.0]
    for row in table.rows:
        for band in list(row.cells.values()) + [row.overall]:
            if band is not None:
                values += [v for v in (band.min, band.max, band.value, band.median) if v is not None]
        if row.median is not None:
            values.append(row.median)
    return max(values)


def nice_axis(value: float, most_ticks: int = 6) -> tuple[float, float]:
    """The end of the axis and the distance between ticks: the smallest round step
    (1, 2, 2.5 or 5 times a power of ten) that covers ``value`` in at most ``most_ticks``."""
    power = 10 ** math.floor(math.log10(value / most_ticks)) if value > most_ticks else 1
    for step in (power * k for k in (1, 2, 2.5, 5, 10, 20, 25, 50)):
        top = math.ceil(value / step) * step
        if top / step <= most_ticks:
            return top, step
    return value, value


def short_amount(value: float) -> str:
    """Axis labels: 0, «50 тыс.», «1,5 млн»."""
    if value == 0:
        return "0"
    if value >= 1_000_000:
        return f"{fmt.number(value / 1_000_000)}{fmt.NBSP}млн"
    if value >= 1000:
        return f"{fmt.number(value / 1000)}{fmt.NBSP}тыс."
    return fmt.number(value)

