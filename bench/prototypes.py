"""Previews of changes to `search/`, monkeypatched in to measure them before anyone writes them.

Not library code: each function here stands in for one function of `search/results.py` or
`search/facets.py` with the same inputs and outputs, so that the query benchmark can say what
the change would save. The lead decides and writes the real thing.

* `column_arrays`: the sortable columns of a searcher (`day`, `author_key`, `source_key`,
  `group`) read once into numpy arrays, kept as long as the searcher lives;
* date filters as a set of docnums from the `day` array, instead of a `DateRange` query that
  Whoosh expands into a union of hundreds of numeric terms;
* facets and near-duplicate collapsing as numpy counts over those arrays, instead of one
  `MultiColumnReader.__getitem__` per match and column;
* `_rank` scoring only the best `TOP_K` hits and taking the other matches unscored (facets and
  totals need them, their order does not matter past the page); newest/oldest sorted by the
  `day` array.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

TOP_K = 200


@dataclass
class ColumnArrays:
    day: np.ndarray
    author: np.ndarray  # codes into author_names
    author_names: list[str]
    source: np.ndarray
    source_names: list[str]
    group: np.ndarray


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _codes(values: list[object]) -> tuple[np.ndarray, list[str]]:
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32)
    names = [v.decode("utf-8") if isinstance(v, bytes) else str(v or "") for v in index]
    return codes, names


def column_arrays(reader) -> ColumnArrays:
    cached = _CACHE.get(reader)
    if cached is None:
        day = np.fromiter(reader.column_reader("day"), dtype=np.int64)
        author, author_names = _codes(list(reader.column_reader("author_key")))
        source, source_names = _codes(list(reader.column_reader("source_key")))
        group, _ = _codes(list(reader.column_reader("group")))
        cached = ColumnArrays(day, author, author_names, source, source_names, group)
        _CACHE[reader] = cached
    return cached


class DaySpans:
    """Stands for the date filter until a searcher is at hand."""

    def __init__(self, ranges) -> None:
        self.ranges = ranges

    def docnums(self, reader) -> set[int]:
        from search.dates import OPEN_END, OPEN_START

        day = column_arrays(reader).day
        keep = day > 0  # undated articles never match a date filter
        for span, negated in self.ranges:
            low = 0 if span.start == OPEN_START else _day(span.start)
            high = 99_999_999 if span.end == OPEN_END else _day(span.end)
            inside = (day >= low) & (day <= high)
            keep &= ~inside if negated else inside
        return set(np.flatnonzero(keep).tolist())


def _day(when) -> int:
    return when.year * 10000 + when.month * 100 + when.day


def date_filter(ranges):
    return DaySpans(ranges) if ranges else None


def count_facets(reader, docnums):
    from collections import Counter

    from search.facets import TOP_NAMES
    from search.model import Facet, FacetValue

    arrays = column_arrays(reader)
    picked = np.fromiter(docnums, dtype=np.int64)
    days = arrays.day[picked]
    dated = days[days > 0]
    years = Counter(dict(zip(*np.unique(dated // 10000, return_counts=True), strict=True)))
    months = Counter(dict(zip(*np.unique(dated // 100, return_counts=True), strict=True)))

    def top(codes: np.ndarray, names: list[str]) -> tuple[FacetValue, ...]:
        counts = np.bincount(codes[picked], minlength=len(names))
        order = np.argsort(-counts, kind="stable")
        return tuple(
            FacetValue(names[i], int(counts[i]))
            for i in order[: TOP_NAMES + 1]
            if counts[i] and names[i]
        )[:TOP_NAMES]

    return {
        "year": Facet("year", tuple(FacetValue(str(y), int(c)) for y, c in sorted(years.items()))),
        "month": Facet(
            "month",
            tuple(
                FacetValue(f"{m // 100:04d}-{m % 100:02d}", int(c))
                for m, c in sorted(months.items())
            ),
        ),
        "author": Facet("author", top(arrays.author, arrays.author_names)),
        "source": Facet("source", top(arrays.source, arrays.source_names)),
    }


def collapse(searcher, ranked, collapse_on):
    if not collapse_on or not ranked:
        return ranked, {}
    groups = column_arrays(searcher.reader()).group
    codes = groups[np.fromiter((d for _, d in ranked), dtype=np.int64, count=len(ranked))]
    _, first, counts = np.unique(codes, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    leaders = [ranked[i] for i in first[order].tolist()]
    similar = {
        ranked[i][1]: int(c) - 1
        for i, c in zip(first.tolist(), counts.tolist(), strict=True)
        if c > 1
    }
    return leaders, similar


def rank(searcher, query, filters, request):
    """Top TOP_K scored, the rest unscored; date sorts by the `day` array."""
    from whoosh import query as wq

    reader = searcher.reader()
    allowed = filters.docnums(reader) if isinstance(filters, DaySpans) else filters
    sort = request.sort
    if sort == "relevance" and isinstance(query, wq.Every):
        sort = "newest"
    if sort == "relevance":
        top = searcher.search(query, limit=TOP_K, filter=allowed, terms=False)
        scored = [(float(s), d) for s, d in top.top_n]
        if len(scored) < TOP_K:
            return scored
        seen = {d for _, d in scored}
        rest = (d for d in searcher.docs_for_query(query) if d not in seen)
        if allowed is not None:
            rest = (d for d in rest if d in allowed)
        return scored + [(0.0, d) for d in rest]
    docs = np.fromiter(searcher.docs_for_query(query), dtype=np.int64)
    if allowed is not None:
        docs = docs[np.isin(docs, np.fromiter(allowed, dtype=np.int64))]
    day = column_arrays(reader).day[docs]
    if sort == "newest":
        order = np.argsort(-day, kind="stable")
    else:
        order = np.argsort(np.where(day == 0, 99_999_999, day), kind="stable")
    return [(0.0, d) for d in docs[order].tolist()]


def _rank_with_day_filter(original):
    def rank_(searcher, query, filters, request):
        if isinstance(filters, DaySpans):
            filters = filters.docnums(searcher.reader())
        return original(searcher, query, filters, request)

    return rank_


@contextmanager
def columns() -> Iterator[None]:
    """Dates, facets and collapsing from cached column arrays; ranking unchanged."""
    import search.results as results

    saved = (results.date_filter, results.count_facets, results._collapse, results._rank)
    results.date_filter = date_filter
    results.count_facets = count_facets
    results._collapse = collapse
    results._rank = _rank_with_day_filter(saved[3])
    try:
        yield
    finally:
        results.date_filter, results.count_facets, results._collapse, results._rank = saved


@contextmanager
def columns_and_top_k() -> Iterator[None]:
    """`columns()` and, in addition, only the best TOP_K matches scored."""
    import search.results as results

    with columns():
        saved = results._rank
        results._rank = rank
        try:
            yield
        finally:
            results._rank = saved
