"""Facet counts over a whole result set, read from sortable columns (not stored fields)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from whoosh.reading import IndexReader

from search.model import Facet, FacetValue

TOP_NAMES = 30


def count_facets(reader: IndexReader, docnums: Iterable[int]) -> dict[str, Facet]:
    """Counts by year, month (`YYYY-MM`), author and source; undated articles are left out."""
    years: Counter[int] = Counter()
    months: Counter[int] = Counter()
    authors: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    year_col = reader.column_reader("year")
    month_col = reader.column_reader("month")
    author_col = reader.column_reader("author_key")
    source_col = reader.column_reader("source_key")
    for docnum in docnums:
        year = year_col[docnum]
        if year:
            years[year] += 1
            months[month_col[docnum]] += 1
        author = _text(author_col[docnum])
        if author:
            authors[author] += 1
        source = _text(source_col[docnum])
        if source:
            sources[source] += 1
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


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value if isinstance(value, str) else ""
