"""Facet counts over a whole result set, read from sortable columns (not stored fields)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from search.model import Facet, FacetValue

TOP_NAMES = 30

Columns = Callable[[str], Sequence[object]]


def count_facets(columns: Columns, docnums: Iterable[int]) -> dict[str, Facet]:
    """Counts by year, month (`YYYY-MM`), author and source; undated articles are left out.

    `columns(name)` gives a column as a list indexed by docnum (`Archive.column`).
    """
    years: Counter[int] = Counter()
    months: Counter[int] = Counter()
    authors: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    year_col = columns("year")
    month_col = columns("month")
    author_col = columns("author_key")
    source_col = columns("source_key")
    for docnum in docnums:
        year = year_col[docnum]
        if year:
            years[year] += 1  # type: ignore[index]
            months[month_col[docnum]] += 1  # type: ignore[index]
        author = author_col[docnum]
        if author:
            authors[author] += 1  # type: ignore[index]
        source = source_col[docnum]
        if source:
            sources[source] += 1  # type: ignore[index]
    return {
        "year": Facet("year", tuple(FacetValue(str(y), c) for y, c in sorted(years.items()))),
        "month": Facet(
            "month",
            tuple(
                FacetValue(f"{m // 100:04d}-{m % 100:02d}", c) for m, c in sorted(months.items())
            ),
        ),
        "author": Facet("author", _top(authors)),
        "source": Facet("source", _top(sources)),
    }


def _top(counter: Counter[str]) -> tuple[FacetValue, ...]:
    return tuple(FacetValue(v, c) for v, c in counter.most_common(TOP_NAMES))
