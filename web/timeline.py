"""The results timeline: hits per year (per month when they span under two years).

Pure geometry from the facet counts; the template draws it as SVG and the view gives
each bar its link. Periods with no hit are drawn (a gap is information) but not linked,
within `search.facets.MAX_PERIODS`: past that only the years with hits get a bar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from search.facets import UNDATED, span_length, timeline_periods
from search.model import Facet
from web.formatting import MONTHS, month_label, number

WIDTH = 720  # viewBox units: 1:1 on a desktop, scaled down on a phone
MONTHLY_UNDER = 24  # months: a shorter span is drawn month by month
TOP = 26  # room for the counts above the bars
CHART = 120
SIDE = 4
WIDEST_BAR = 64
# The stylesheet enlarges the labels as the chart shrinks (font size in viewBox units):
# each density lists the labels and counts that fit at its font size.
DENSITIES = {"wide": 12, "mid": 16, "narrow": 22}


@dataclass(frozen=True)
class Bar:
    period: str  # "2024" or "2024-03": also the value of the dal/al filters
    count: int
    title: str  # "marzo 2024: 3 articoli"
    x: float
    y: float
    width: float
    height: float
    slot_x: float  # the whole column, the bar's click and focus target
    slot_width: float
    label: str  # under the bar ("2024", "mar")
    label_class: str  # the densities at which the label fits ("wide mid")
    year_label: str  # second row, months only: the year at January and at the start
    count_label: str  # above the bar
    count_class: str  # the densities at which the count fits


@dataclass(frozen=True)
class Timeline:
    unit: str  # "year" or "month"
    bars: tuple[Bar, ...]
    width: float
    height: float
    baseline: float
    label_y: float
    year_y: float
    caption: str


def build_timeline(facets: dict[str, Facet]) -> Timeline | None:
    """The timeline of a result page, or None when no hit has a date."""
    # Undated articles are counted apart (`undated_count`), never spread over periods.
    years = {
        v.value: v.count for v in facets.get("year", Facet("year", ())).values if v.value != UNDATED
    }
    months = {
        v.value: v.count
        for v in facets.get("month", Facet("month", ())).values
        if v.value != UNDATED
    }
    if not years:
        return None
    month_keys = [int(m.replace("-", "")) for m in months]
    if months and span_length(min(month_keys), max(month_keys), "month") < MONTHLY_UNDER:
        keys = timeline_periods(month_keys, "month")
        labels = [f"{key // 100:04d}-{key % 100:02d}" for key in keys]
        return _layout("month", [(p, months.get(p, 0)) for p in labels])
    keys = timeline_periods(map(int, years), "year")
    return _layout("year", [(str(y), years.get(str(y), 0)) for y in keys])


def undated_count(facets: dict[str, Facet]) -> int:
    """How many results have no date: shown beside the timeline, with their own filter."""
    values = facets.get("year", Facet("year", ())).values
    return next((v.count for v in values if v.value == UNDATED), 0)


def _layout(unit: str, periods: list[tuple[str, int]]) -> Timeline:
    n = len(periods)
    slot = (WIDTH - 2 * SIDE) / n
    most = max(count for _, count in periods) or 1
    label_every = {d: _every(slot, 2.9 * size) for d, size in DENSITIES.items()}
    bars = []
    for i, (period, count) in enumerate(periods):
        height = max(count / most * CHART, 2.0) if count else 0.0
        slot_x = SIDE + i * slot
        width = min(slot * 0.7, WIDEST_BAR)
        count_label = number(count) if count else ""
        bars.append(
            Bar(
                period=period,
                count=count,
                title=f"{_period_name(period)}: {_articles(count)}",
                x=round(slot_x + (slot - width) / 2, 2),
                y=round(TOP + CHART - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                slot_x=round(slot_x, 2),
                slot_width=round(slot, 2),
                label=_label(unit, period),
                label_class=" ".join(d for d, k in label_every.items() if i % k == 0),
                year_label=period[:4] if unit == "month" and (i == 0 or period[5:] == "01") else "",
                count_label=count_label,
                count_class=" ".join(
                    d for d, size in DENSITIES.items() if slot >= 0.62 * size * len(count_label) + 4
                ),
            )
        )
    first, last = _period_name(periods[0][0]), _period_name(periods[-1][0])
    per = "anno" if unit == "year" else "mese"
    label_y = TOP + CHART + 26
    year_y = label_y + 26
    return Timeline(
        unit=unit,
        bars=tuple(bars),
        width=WIDTH,
        height=(year_y if unit == "month" else label_y) + 8,
        baseline=TOP + CHART,
        label_y=label_y,
        year_y=year_y,
        caption=f"Risultati per {per}, da {first} a {last}",
    )


def _every(slot: float, room: float) -> int:
    """Label every n-th column so that labels `room` units wide do not touch."""
    return max(1, math.ceil(room / slot))


def _label(unit: str, period: str) -> str:
    return period if unit == "year" else MONTHS[int(period[5:]) - 1][:3]


def _period_name(period: str) -> str:
    return period if len(period) == 4 else month_label(period)


def _articles(count: int) -> str:
    return "1 articolo" if count == 1 else f"{number(count)} articoli"
