"""Facet counts over a whole result set, read from sortable columns (not stored fields)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from search.columns import NO_VALUE, Column
from search.model import Facet, FacetValue

TOP_NAMES = 30

Columns = Callable[[str], Column]


def count_facets(columns: Columns, docnums: np.ndarray) -> dict[str, Facet]:
    """Counts by year, month (`YYYY-MM`), author and source; undated articles are left out.

    `columns(name)` gives a column of the index (`Archive.column`). Years and months are in
    calendar order, authors and sources by count (ties alphabetical), the first `TOP_NAMES`.
    """
    years = _counts(columns("year").values[docnums])
    months = _counts(columns("month").values[docnums])
    return {
        "year": Facet("year", tuple(FacetValue(str(y), c) for y, c in years)),
        "month": Facet(
            "month", tuple(FacetValue(f"{m // 100:04d}-{m % 100:02d}", c) for m, c in months)
        ),
        "author": Facet("author", _top(columns("author_key"), docnums)),
        "source": Facet("source", _top(columns("source_key"), docnums)),
    }


def _counts(values: np.ndarray) -> list[tuple[int, int]]:
    """(value, count) in increasing order of value, missing values left out."""
    found, counts = np.unique(values[values != NO_VALUE], return_counts=True)
    return [(int(v), int(c)) for v, c in zip(found, counts, strict=True)]


def _top(column: Column, docnums: np.ndarray) -> tuple[FacetValue, ...]:
    counted = [(column.label(code), count) for code, count in _counts(column.values[docnums])]
    counted.sort(key=lambda item: (-item[1], item[0]))
    return tuple(FacetValue(label, count) for label, count in counted[:TOP_NAMES])
