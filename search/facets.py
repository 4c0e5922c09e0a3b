"""Facet counts over a whole result set, read from the columns (not stored fields), and the
periods a timeline of them spans."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from search.columns import NO_VALUE, Columns
from search.model import Facet, FacetValue

TOP_NAMES = 30
UNDATED = "senza data"
# Periods a timeline fills in, gaps included: 50 years of months. Article dates are kept
# from 1800 (`dates.article_date_range`), so a full span of years always fits.
MAX_PERIODS = 600


def count_facets(columns: Columns, rows: np.ndarray) -> dict[str, Facet]:
    """Counts by year, month (`YYYY-MM`), author, source and place.

    Years and months are in calendar order, then «senza data» for the undated articles, so
    a date facet's counts add up to the number of rows. Authors, sources and places come
    by count (ties alphabetical), the first `TOP_NAMES`.
    """
    days = np.asarray(columns["day"])[rows]
    undated = int(np.count_nonzero(days == NO_VALUE))
    dated = days[days != NO_VALUE]
    years = _counts(dated // 10000)
    months = _counts(dated // 100)
    tail = (FacetValue(UNDATED, undated),) if undated else ()
    return {
        "year": Facet("year", tuple(FacetValue(str(y), c) for y, c in years) + tail),
        "month": Facet(
            "month",
            tuple(FacetValue(f"{m // 100:04d}-{m % 100:02d}", c) for m, c in months) + tail,
        ),
        "author": Facet("author", _top(columns, "author", rows)),
        "source": Facet("source", _top(columns, "source", rows)),
        "place": Facet("place", _top(columns, "place", rows)),
    }


def _counts(values: np.ndarray) -> list[tuple[int, int]]:
    found, counts = np.unique(values, return_counts=True)
    return [(int(v), int(c)) for v, c in zip(found, counts, strict=True)]


def _top(columns: Columns, name: str, rows: np.ndarray) -> tuple[FacetValue, ...]:
    codes = np.asarray(columns[name])[rows]
    counted = [
        (columns.label(name, code), count) for code, count in _counts(codes[codes != NO_VALUE])
    ]
    counted.sort(key=lambda item: (-item[1], item[0]))
    return tuple(FacetValue(label, count) for label, count in counted[:TOP_NAMES])


def span_length(first: int, last: int, unit: str) -> int:
    """Periods from `first` to `last`, both included: yyyy keys for "year", yyyymm for "month"."""
    if unit == "year":
        return last - first + 1
    return (last // 100 - first // 100) * 12 + last % 100 - first % 100 + 1


def timeline_periods(keys: Iterable[int], unit: str) -> list[int]:
    """The periods a timeline or a trend shows for the periods `keys` that hold articles.

    Every period from the first to the last, empty ones too (a gap is information), when
    they are at most `MAX_PERIODS`; past that, only `keys`, in order: a stray date far off
    (an index built before `dates.article_date_range`) adds one period, never thousands.
    """
    found = sorted(set(keys))
    if not found:
        return []
    first, last = found[0], found[-1]
    if span_length(first, last, unit) > MAX_PERIODS:
        return found
    if unit == "year":
        return list(range(first, last + 1))
    months = range(first // 100 * 12 + first % 100 - 1, last // 100 * 12 + last % 100)
    return [m // 12 * 100 + m % 12 + 1 for m in months]
