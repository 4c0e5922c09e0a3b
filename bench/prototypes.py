"""Previews of changes to `search/`, monkeypatched in to measure them before anyone writes them.

Not library code: each function stands in for one function of `search/results.py` with the
same inputs and outputs, so that the query benchmark can say what the change would save and
`check_previews` can show that results stay the same. The lead decides and writes the real
thing.

* `rank_top_k`: relevance ranking scores only the best `TOP_K` matches (Whoosh's top-k
  collector) and takes every other match unscored, for facets, totals and collapsing, whose
  order past the first pages does not matter; `_rank` as it is scores every match.

An earlier preview (column arrays for date filters, facets and collapsing) is now in
`search/` (commits ff9b6ea, b4ddc2d): its figures are in bench/RESULTS.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

TOP_K = 200


def rank_top_k(archive, searcher, query, filters, request):
    """`search.results._rank` with only the best TOP_K matches scored."""
    from whoosh import query as wq

    if request.sort != "relevance" or isinstance(query, wq.Every):
        return _ORIGINAL["rank"](archive, searcher, query, filters, request)
    everything = searcher.search(query, scored=False, limit=None, filter=filters.terms, terms=False)
    docnums = [docnum for _, docnum in everything.top_n]
    allowed = None
    if filters.dates:
        days = archive.column(searcher, "day")
        docnums = [d for d in docnums if filters.keep(days[d])]
        allowed = set(docnums)
    best = searcher.search(
        query,
        limit=TOP_K,
        filter=allowed if allowed is not None else filters.terms,
        terms=False,
    )
    scored = [(float(score), docnum) for score, docnum in best.top_n]
    seen = {docnum for _, docnum in scored}
    return scored + [(0.0, d) for d in docnums if d not in seen]


_ORIGINAL: dict[str, object] = {}


@contextmanager
def top_k() -> Iterator[None]:
    import search.results as results

    _ORIGINAL["rank"] = results._rank
    results._rank = rank_top_k
    try:
        yield
    finally:
        results._rank = _ORIGINAL.pop("rank")
