"""Salary charts: a ``SalaryTable`` in, an inline SVG drawing out.

One row per region, its name above it; in a row each grade's figure is a mark:
a range is a bar from min to max, an «до» figure a dashed line from zero to its
value, a single figure a dot, and the median of the region a tick across the
row. Marks that would overlap are put into lanes under each other, so
contiguous grades (I–IV) share one line while overlapping levels stack. The
macro ``salary_chart`` of ``html/salary.html`` puts the drawing (``Chart.svg``)
into its figure with the key; colours and type come from the stylesheet
(classes ``g0``…``g5`` in grade order).

One drawing fits every width: positions along the axis are percentages of the
drawing's width (an SVG without a ``viewBox`` places ``x="37.5%"`` at that share
of its own width) and the rest is in pixels, so the bars stretch with the page
and the text keeps its size on a phone and on a desktop alike. Which marks share
a lane is decided for the narrowest width the page gives a chart
(``NARROWEST``): what does not collide on a phone does not on a desktop.

The drawing is written here, not by a template: a page draws two charts of
hundreds of elements, and as a Jinja macro they were a fifth of the time of a
role page. Every text of a chart (region names, tooltips, labels, ticks,
legend) is escaped here.
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
LABEL_LINE = 17    # height of a region's name above its row
AXIS = 26          # room for the tick labels under the rows
POINT_R = 6
COLOURS = 6        # grade colours g0..g4; g5 is the grade-less «в целом» figure
OVERALL = "g5"
NARROWEST = 280    # pixels: a chart on a phone 360 pixels wide (lanes are decided for it)
# Chart widths from which a bar's label is shown (the stylesheet's container queries show
# ``from-<width>`` there): a bar too narrow on a phone to hold its grade holds it wider.
LABEL_WIDTHS = (400, 500, 600, 700, 800)


@dataclass
class Chart:
    """A chart: its height, key, and the drawing inside its ``<svg>``."""

    height: int
    legend: list[tuple[str, Markup]]       # (css class, text)
    kinds: set[str]                        # which kinds of marks appear (for the key)
    body: str                              # the drawing: rows, axis, marks

    def svg(self, label: str) -> Markup:
        """The chart as an ``<svg>`` element as wide as its container, named ``label`` for
        screen readers (the same figures are in the table)."""
        return Markup(
            f'<svg class="salary-chart" width="100%" height="{self.height}" role="img" '
            f'aria-label="{escape(label)} (те же цифры — в таблице)">{self.body}</svg>')


def salary_chart(table: SalaryTable, scale_max: float | None = None) -> Chart:
    """The chart of one salary table; ``scale_max`` shares one axis between charts.
    What each row shows and its tooltips are worked out first, then placed and drawn."""
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
    return _chart(rows, top, step, legend, kinds)


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
    """A row's figures and texts (escaped), before they are placed."""

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
           kinds: set[str]) -> Chart:
    """Place and draw ``rows``: the row backgrounds and names, the axis behind the
    marks, then the marks (an SVG draws later parts over earlier ones).

    Heights are whole pixels (the lanes' sizes are); positions on the axis are
    percentages with two decimals (``_at``)."""
    back: list[str] = []    # row backgrounds and names
    front: list[str] = []   # marks
    y = 0
    for index, row in enumerate(rows):
        height = _draw_row(row, top, y, front)
        if index % 2 == 1:
            back.append(f'<rect class="row-bg" x="0" y="{y}" width="100%" '
                        f'height="{height}"></rect>')
        back.append(f'<text class="row-label" x="0" y="{y + LABEL_LINE - 2}">{row.label}</text>')
        y += height
    for i in range(round(top / step) + 1):
        tick = _at(i * step, top)
        back.append(f'<line class="grid" x1="{tick}" y1="0" x2="{tick}" y2="{y}"></line>'
                    f'<text class="tick" x="{tick}" y="{y + 17}" text-anchor="middle">'
                    f'{escape(short_amount(i * step))}</text>')
    return Chart(y + AXIS, legend, kinds, "".join(back) + "".join(front))


def _at(value: float, top: float) -> str:
    """Where ``value`` is on an axis ending at ``top``: a share of the drawing's width
    (in hundredths of a percent: under a tenth of a pixel on the widest chart)."""
    return f"{value * 100 / top:.2f}%"


def _draw_row(row: _Row, top: float, y: int, out: list[str]) -> int:
    """Append the marks of ``row``, whose top is at ``y``, to ``out``; its height
    (the axis ends at ``top``).

    A mark goes into the first lane with room for it at the narrowest width (labels and
    dots included), so contiguous grades share one line and overlapping ones stack."""
    lane_top = y + LABEL_LINE
    first = len(out)
    lanes: list[float] = []                  # right edge of each lane so far, in pixels
    for figure in row.figures:
        left, right = _extent(figure.kind, figure.low / top * NARROWEST,
                              figure.high / top * NARROWEST)
        for lane, edge in enumerate(lanes):
            if edge <= left + 0.5:
                lanes[lane] = right
                break
        else:
            lane = len(lanes)
            lanes.append(right)
        out.append(_mark(figure, top, lane_top + ROW_PAD + lane * (LANE + LANE_GAP)))
    count = max(len(lanes), 1)
    height = LABEL_LINE + 2 * ROW_PAD + count * LANE + (count - 1) * LANE_GAP
    mid = lane_top + ROW_PAD + LANE // 2
    if len(out) == first:  # nothing drawn (a median alone still leaves the figures missing)
        out.append(f'<text class="chart-missing" x="0" dx="6" y="{mid}" '
                   f'dominant-baseline="central">{MISSING}</text>')
    if row.median is not None:
        at = _at(row.median, top)
        median_top, median_bottom = mid - LANE // 2 - 4, y + height - 3
        out.append(f'<g class="mark median-mark"><title>{row.median_title}</title>'
                   f'<line class="median" x1="{at}" y1="{median_top}" x2="{at}" '
                   f'y2="{median_bottom}"></line><rect class="median-hit" x="{at}" '
                   f'y="{median_top}" width="8" height="{median_bottom - median_top}" '
                   f'transform="translate(-4 0)"></rect></g>')
    return height


def _grade_name(grade: str) -> str:
    return f"грейд {grade}, " if grade else ""


def _mark(figure: _Figure, top: float, y: int) -> str:
    """The drawing of ``figure`` in the lane whose top is ``y`` (the axis ends at ``top``)."""
    kind, label, mid = figure.kind, figure.label, y + LANE // 2
    start = _at(figure.low, top)
    if kind == "range":
        # At least a sliver (2 px wide at the narrowest) for a range whose ends are close.
        width = max((figure.high - figure.low) * 100 / top, 200 / NARROWEST)
        parts = [f'<rect class="bar" x="{start}" y="{y}" width="{width:.2f}%" '
                 f'height="{LANE}" rx="3"></rect>']
        # A label is shown where its bar can hold it, else the legend and tooltip name it.
        shown = _label_class(figure, top) if label else None
        if shown is not None:
            parts.append(f'<text class="{shown}" x="{_at((figure.low + figure.high) / 2, top)}" '
                         f'y="{mid}" text-anchor="middle" dominant-baseline="central">{label}'
                         '</text>')
    else:
        if kind == "up_to":
            end = _at(figure.high, top)
            parts = [f'<line class="upto-line" x1="{start}" y1="{mid}" x2="{end}" y2="{mid}">'
                     f'</line><rect class="upto-cap" x="{end}" y="{y}" width="4" '
                     f'height="{LANE}" rx="1" transform="translate(-2 0)"></rect>']
            label_at, offset = end, 6
        else:
            parts = [f'<circle class="dot" cx="{start}" cy="{mid}" r="{POINT_R}"></circle>']
            label_at, offset = start, 9
        if label:
            parts.append(f'<text class="mark-label" x="{label_at}" dx="{offset}" y="{mid}" '
                         f'dominant-baseline="central">{label}</text>')
    if figure.median is not None:
        at = _at(figure.median, top)
        parts.append(f'<line class="median" x1="{at}" y1="{y - 2}" x2="{at}" '
                     f'y2="{y + LANE + 2}"></line>')
    return figure.head + "".join(parts) + "</g>"


def _label_class(figure: _Figure, top: float) -> str | None:
    """The class of a bar's label: shown at every width, from one of ``LABEL_WIDTHS``
    on, or None where even the widest chart's bar cannot hold it."""
    share = (figure.high - figure.low) / top
    needed = 8 * len(figure.grade) + 6  # pixels
    if share * NARROWEST >= needed:
        return "bar-label"
    return next((f"bar-label from-{width}" for width in LABEL_WIDTHS
                 if share * width >= needed), None)


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

