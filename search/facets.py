"""Facet counts over a whole result set, read from the columns (not stored fields)."""

from __future__ import annotations

import numpy as np

from search.columns import NO_VALUE, Columns
from search.model import Facet, FacetValue

TOP_NAMES = 30
UNDATED = "senza data"


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
