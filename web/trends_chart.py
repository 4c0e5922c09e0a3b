"""The trends chart: pure geometry from `search.trends.Trends`; the template draws it as SVG.

One line per query, in the absolute view (articles found) or the share view (found out of
published, in %). Lines differ by colour, dash and marker, so they stay apart without
colour. Every point with articles is a link to that query's results in that period (a
zero is drawn by the line alone; the table has every number); in the share view a period
without articles has no point (the line breaks: there is nothing to divide).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from search.trends import Trends
from web.formatting import MONTHS, month_label, number

WIDTH = 760  # viewBox units: 1:1 on a desktop, scaled down on a phone
LEFT = 72  # room for the values of the vertical axis
RIGHT = 16
TOP = 14
PLOT = 240
# Units a period label needs not to touch the next: at the desktop's font size, and at
# the larger one a phone gets (the chart scales down, the stylesheet scales the text up).
LABEL_ROOM = {"wide": 40, "narrow": 96}
# Colours readable on the page's paper (contrast above 4.5:1), then dashes and markers.
STYLES = (
    ("#0b5cad", "", "circle"),
    ("#b3261e", "7 4", "square"),
    ("#1d6b3f", "2 3", "diamond"),
    ("#6d28d9", "9 3 2 3", "triangle"),
    ("#8a4b00", "4 2", "circle-open"),
    ("#1b1a17", "1 2", "square-open"),
)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    href: str
    label: str  # "covid, marzo 2020: 8 articoli su 37 (21,6%)"


@dataclass(frozen=True)
class Series:
    number: int  # 1…6, also the style
    query: str
    total: int
    colour: str
    dash: str
    marker: str
    path: str  # SVG path data; "M" again after a gap
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class PeriodLabel:
    x: float
    label: str
    year: str  # months: the year under January and under the first period
    shown: str  # the widths at which the label fits: "wide narrow", "wide" or ""


@dataclass(frozen=True)
class Chart:
    view: str  # "numero" or "quota"
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    series: tuple[Series, ...]
    ticks: tuple[Tick, ...]
    periods: tuple[PeriodLabel, ...]
    label_y: float
    year_y: float
    caption: str


def build_chart(trends: Trends, view: str, href: Callable[[str, str], str]) -> Chart | None:
    """The chart of `trends`, or None when no query has a dated match.

    `href(query, period)`: the address of a query's results in a period.
    """
    periods = trends.periods
    if not periods:
        return None
    share = view == "quota"
    values = [
        [_value(p.matches, p.articles, share) for p in series.points] for series in trends.series
    ]
    top_value = max((v for row in values for v in row if v is not None), default=0.0)
    step, ticks_count = _ticks(top_value, share)
    highest = step * ticks_count
    bottom = TOP + PLOT
    slot = (WIDTH - LEFT - RIGHT) / len(periods)

    def x_of(at: int) -> float:
        return round(LEFT + slot * (at + 0.5), 2)

    def y_of(value: float) -> float:
        return round(bottom - value / highest * PLOT, 2)

    drawn = []
    for number_, (series, row) in enumerate(zip(trends.series, values, strict=True), start=1):
        colour, dash, marker = STYLES[(number_ - 1) % len(STYLES)]
        points, path, pen_up = [], [], True
        for at, (point, value) in enumerate(zip(series.points, row, strict=True)):
            if value is None:
                pen_up = True
                continue
            x, y = x_of(at), y_of(value)
            path.append(f"{'M' if pen_up else 'L'}{x},{y}")
            pen_up = False
            if not point.matches:
                continue
            label = f"{series.query}, {_period_name(point.period)}: " + _counted(
                point.matches, point.articles
            )
            points.append(Point(x, y, href(series.query, point.period), label))
        drawn.append(
            Series(
                number_,
                series.query,
                series.total,
                colour,
                dash,
                marker,
                " ".join(path),
                tuple(points),
            )
        )
    every = {name: max(1, math.ceil(room / slot)) for name, room in LABEL_ROOM.items()}
    labels = tuple(
        PeriodLabel(
            x_of(at),
            _short(trends.unit, period),
            period[:4] if trends.unit == "month" and (at == 0 or period[5:] == "01") else "",
            " ".join(name for name, n in every.items() if at % n == 0),
        )
        for at, period in enumerate(periods)
    )
    ticks = tuple(
        Tick(y_of(step * n), _tick_label(step * n, share)) for n in range(ticks_count + 1)
    )
    per = "anno" if trends.unit == "year" else "mese"
    what = "Quota sugli articoli pubblicati" if share else "Articoli trovati"
    label_y = bottom + 20
    return Chart(
        view=view,
        width=WIDTH,
        height=label_y + (22 if trends.unit == "month" else 0) + 8,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=bottom,
        series=tuple(drawn),
        ticks=ticks,
        periods=labels,
        label_y=label_y,
        year_y=label_y + 20,
        caption=(f"{what}, per {per}, da {_period_name(periods[0])} a {_period_name(periods[-1])}"),
    )


def _value(matches: int, articles: int, share: bool) -> float | None:
    if not share:
        return float(matches)
    return matches / articles * 100 if articles else None


def _ticks(top: float, share: bool) -> tuple[float, int]:
    """A round step and how many steps reach above `top` (4 or so)."""
    if top <= 0:
        return (25.0 if share else 1.0), 4
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if not share:
        step = max(1.0, math.ceil(step))
    return step, max(1, math.ceil(top / step - 1e-9))


def _tick_label(value: float, share: bool) -> str:
    if share:
        return percent(value / 100)
    return number(round(value))


def percent(share: float | None) -> str:
    """0.216 -> "21,6%"; under 0.1% with more digits, so that it is not "0,0%"."""
    if share is None:
        return "–"
    value = share * 100
    digits = 1 if value == 0 or value >= 0.1 else 2
    text = f"{value:.{digits}f}".replace(".", ",")
    return text.removesuffix(",0") + "%"


def _counted(matches: int, articles: int) -> str:
    found = "1 articolo" if matches == 1 else f"{number(matches)} articoli"
    share = f" ({percent(matches / articles)})" if articles else ""
    return f"{found} su {number(articles)}{share}"


def _short(unit: str, period: str) -> str:
    return period if unit == "year" else MONTHS[int(period[5:]) - 1][:3]


def _period_name(period: str) -> str:
    return period if len(period) == 4 else month_label(period)
