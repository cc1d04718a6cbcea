"""Salary charts: a ``SalaryTable`` in, an inline SVG drawing per layout out.

One row per region; in a row each grade's figure is a mark: a range is a
bar from min to max, an «до» figure a dashed line from zero to its value, a
single figure a dot, and the median of the region a tick across the row.
Marks that would overlap are put into lanes under each other, so contiguous
grades (I–IV) share one line while overlapping levels stack. The macro
``salary_chart`` of ``html/salary.html`` puts the drawing (``Chart.svg``) into
its figure with the key; colours and type come from the stylesheet (classes
``g0``…``g5`` in grade order).

The drawing is written here, not by a template: a page draws four charts of
hundreds of elements (two segments, each wide and for phones), and as a Jinja
macro they were a fifth of the time of a role page. Every text of a chart
(region names, tooltips, labels, ticks, legend) is escaped here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from . import format as fmt
from .views import MISSING, SalaryRow, SalaryTable, band_kind, band_text, grade_label

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


@dataclass
class Chart:
    """One layout of a chart: its size, key, and the drawing inside its ``<svg>``."""

    width: int
    height: int
    legend: list[tuple[str, Markup]]       # (css class, text)
    kinds: set[str]                        # which kinds of marks appear (for the key)
    body: str                              # the drawing: rows, axis, marks

    def svg(self, label: str, css: str) -> Markup:
        """The chart as an ``<svg>`` element of class ``css``, named ``label`` for screen
        readers (the same figures are in the table)."""
        return Markup(
            f'<svg class="salary-chart {escape(css)}" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" '
            f'aria-label="{escape(label)} (те же цифры — в таблице)">{self.body}</svg>')


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
    grades = {g.id: str(escape(g.id)) for g in table.grades} | {"": ""}
    rows = [_row_figures(source, table, colours, grades) for source in table.rows]
    kinds = {f.kind for row in rows for f in row.figures}
    if any(row.median is not None for row in rows):
        kinds.add("median")
    return [_chart(rows, top, step, legend, kinds, layout) for layout in layouts]


@dataclass(slots=True)
class _Figure:
    """A mark of a row before it is placed: where it starts and ends on the axis, and
    its drawing's parts that do not depend on where."""

    kind: str
    grade: str
    low: float
    high: float
    median: float | None
    head: str       # the mark's group and tooltip
    label: str      # the grade, escaped ("" for none)


@dataclass(slots=True)
class _Row:
    """A row's figures and texts, escaped once for every layout."""

    label: str
    figures: list[_Figure]
    median: float | None
    median_title: str


def _row_figures(source: SalaryRow, table: SalaryTable, colours: dict[str, str],
                 grades: dict[str, str]) -> _Row:
    """The marks of one row in drawing order: each grade's figure, then «в целом»;
    ``grades`` holds each grade id escaped."""
    # The tooltip shows the band as the table does (a grade's figure, with its median).
    texts = [f.text for f in source.grade_figures] or [None] * len(table.grades)
    entries = [(g.id, colours[g.id], source.cells[g.id], text)
               for g, text in zip(table.grades, texts)]
    entries.append(("", OVERALL, source.overall, None))
    name = source.label
    figures = []
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
        title = escape(f"{name}: {_grade_name(grade)}{text}")
        figures.append(_Figure(kind, grade, low, high, band.median,
                               f'<g class="mark {kind} {css}"><title>{title}</title>',
                               grades[grade]))
    median_title = ""
    if source.median is not None:
        median = fmt.money(source.median, table.currency)
        median_title = str(escape(f"{name}: медиана {median}"))
    return _Row(str(escape(name)), figures, source.median, median_title)


def _chart(rows: list[_Row], top: float, step: float, legend: list[tuple[str, Markup]],
           kinds: set[str], layout: Layout) -> Chart:
    """Place and draw ``rows`` in ``layout``: the row backgrounds and names, the axis
    behind the marks, then the marks (an SVG draws later parts over earlier ones).

    Heights are whole pixels (the lanes' sizes are); positions on the axis are
    rounded to a tenth of a pixel, and what is worked out from them rounded again,
    so that no coordinate is written with the digits of a float's error."""
    x0, x1 = layout.label_width, layout.width - layout.right_pad
    span = x1 - x0

    def x(value: float) -> float:
        """Where ``value`` is on the axis."""
        return round(x0 + value / top * span, 1)

    back: list[str] = []    # row backgrounds and names
    front: list[str] = []   # marks
    y = 0
    for index, row in enumerate(rows):
        height = _draw_row(row, x, y, layout, front)
        if index % 2 == 1:
            back.append(f'<rect class="row-bg" x="0" y="{y}" width="{layout.width}" '
                        f'height="{height}"></rect>')
        if layout.label_above:
            back.append(f'<text class="row-label" x="{x0}" y="{y + LABEL_LINE - 2}" '
                        f'text-anchor="start">{row.label}</text>')
        else:  # a row's height is even: its middle is a whole pixel
            back.append(f'<text class="row-label" x="{x0 - 10}" y="{y + height // 2}" '
                        f'text-anchor="end" dominant-baseline="central">{row.label}</text>')
        y += height
    for i in range(round(top / step) + 1):
        tick = x(i * step)
        back.append(f'<line class="grid" x1="{tick}" y1="0" x2="{tick}" y2="{y}"></line>'
                    f'<text class="tick" x="{tick}" y="{y + 17}" text-anchor="middle">'
                    f'{escape(short_amount(i * step))}</text>')
    return Chart(layout.width, y + AXIS, legend, kinds, "".join(back) + "".join(front))


def _draw_row(row: _Row, x, y: int, layout: Layout, out: list[str]) -> int:
    """Append the marks of ``row``, whose top is at ``y``, to ``out``; its height
    (``x``: where a value is on the axis).

    A mark goes into the first lane with room for it (labels and dots included), so
    contiguous grades share one line and overlapping ones stack."""
    lane_top = y + (LABEL_LINE if layout.label_above else 0)
    first = len(out)
    lanes: list[float] = []                  # right edge of each lane so far
    for figure in row.figures:
        start, end = x(figure.low), x(figure.high)
        left, right = _extent(figure.kind, start, end)
        for lane, edge in enumerate(lanes):
            if edge <= left + 0.5:
                lanes[lane] = right
                break
        else:
            lane = len(lanes)
            lanes.append(right)
        median_x = None if figure.median is None else x(figure.median)
        out.append(_mark(figure, start, end, median_x,
                         lane_top + ROW_PAD + lane * (LANE + LANE_GAP)))
    count = max(len(lanes), 1)
    height = lane_top - y + 2 * ROW_PAD + count * LANE + (count - 1) * LANE_GAP
    mid = lane_top + ROW_PAD + LANE // 2
    if len(out) == first:  # nothing drawn (a median alone still leaves the figures missing)
        out.append(f'<text class="chart-missing" x="{layout.label_width + 6}" y="{mid}" '
                   f'dominant-baseline="central">{MISSING}</text>')
    if row.median is not None:
        at = x(row.median)
        median_top, median_bottom = mid - LANE // 2 - 4, y + height - 3
        out.append(f'<g class="mark median-mark"><title>{row.median_title}</title>'
                   f'<line class="median" x1="{at}" y1="{median_top}" x2="{at}" '
                   f'y2="{median_bottom}"></line><rect class="median-hit" x="{round(at - 4, 1)}" '
                   f'y="{median_top}" width="8" height="{median_bottom - median_top}"></rect></g>')
    return height


def _grade_name(grade: str) -> str:
    return f"грейд {grade}, " if grade else ""


def _mark(figure: _Figure, start: float, end: float, median_x: float | None,
          y: int) -> str:
    """The drawing of ``figure`` from ``start`` to ``end`` in the lane whose top is ``y``."""
    kind, label, mid = figure.kind, figure.label, y + LANE // 2
    if kind == "range":
        parts = [f'<rect class="bar" x="{start}" y="{y}" width="{round(max(end - start, 2), 1)}" '
                 f'height="{LANE}" rx="3"></rect>']
        # A bar too narrow to hold its label goes without: the legend and tooltip name it.
        if label and end - start >= 8 * len(figure.grade) + 6:
            parts.append(f'<text class="bar-label" x="{round((start + end) / 2, 2)}" y="{mid}" '
                         f'text-anchor="middle" dominant-baseline="central">{label}</text>')
    else:
        if kind == "up_to":
            parts = [f'<line class="upto-line" x1="{start}" y1="{mid}" x2="{end}" y2="{mid}">'
                     f'</line><rect class="upto-cap" x="{round(end - 2, 1)}" y="{y}" width="4" '
                     f'height="{LANE}" rx="1"></rect>']
            label_x = round(end + 6, 1)
        else:
            parts = [f'<circle class="dot" cx="{start}" cy="{mid}" r="6"></circle>']
            label_x = round(start + 9, 1)
        if label:
            parts.append(f'<text class="mark-label" x="{label_x}" y="{mid}" '
                         f'dominant-baseline="central">{label}</text>')
    if median_x is not None:
        parts.append(f'<line class="median" x1="{median_x}" y1="{y - 2}" x2="{median_x}" '
                     f'y2="{y + LANE + 2}"></line>')
    return figure.head + "".join(parts) + "</g>"


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

