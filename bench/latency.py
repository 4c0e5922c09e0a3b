"""In-process query latency: Archivio's full search against a bare stock-Whoosh search.

Archivio: one `Archive` (as in a web worker), `search()` with highlights, facets and
near-duplicate collapsing. Stock: a new searcher per query, `QueryParser("body")`,
`search(limit=10)`, stored titles read. Both run the same query mix, warmed up first, in
alternation so that a burst of load on the machine falls on both alike.

`measure_variants` reruns Archivio's side with one part switched off (monkeypatched) at a
time, to say what each part of a search costs.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.queries import BenchQuery, query_mix


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(p / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def summary(times_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(times_ms),
        "p50_ms": percentile(times_ms, 50),
        "p95_ms": percentile(times_ms, 95),
        "mean_ms": statistics.fmean(times_ms) if times_ms else float("nan"),
        "max_ms": max(times_ms) if times_ms else float("nan"),
    }


def uncached(archive) -> None:
    """Forget computed rankings, if this Archivio keeps any: every measured search is new."""
    cache = getattr(archive, "cache", None)
    if cache is not None:
        cache.clear()


def archivio_search(archive, query: BenchQuery, collapse: bool = True, cached: bool = False):
    from search.results import SearchRequest, search

    if not cached:
        uncached(archive)
    request = SearchRequest(
        query=query.text,
        date_from=query.date_from,
        date_to=query.date_to,
        sort=query.sort,
        limit=10,
        collapse=collapse,
    )
    return search(archive, request)


def stock_search(ix, query: BenchQuery) -> list[str]:
    from whoosh.qparser import QueryParser

    with ix.searcher() as searcher:
        parsed = QueryParser("body", ix.schema).parse(query.text)
        return [hit["title"] for hit in searcher.search(parsed, limit=10)]


def measure_queries(
    archivio_index: Path, stock_index: Path | None, rounds: int = 3
) -> dict[str, object]:
    """p50/p95 of the mix on both sides, per kind of query for Archivio."""
    from whoosh import index as whoosh_index

    from search.archive import Archive

    mix = query_mix()
    archive = Archive(archivio_index)
    stock = whoosh_index.open_dir(str(stock_index)) if stock_index else None
    totals: dict[str, int] = {}
    for query in mix:  # warm-up: page cache, stem caches, parser
        totals[query.text] = archivio_search(archive, query).total
        if stock is not None:
            stock_search(stock, query)
    ours: list[float] = []
    theirs: list[float] = []
    repeated: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for query in mix:
            started = time.perf_counter()
            archivio_search(archive, query)
            elapsed = (time.perf_counter() - started) * 1000
            ours.append(elapsed)
            by_kind[query.kind].append(elapsed)
            if hasattr(archive, "cache"):  # the same search again, from the ranking cache
                started = time.perf_counter()
                archivio_search(archive, query, cached=True)
                repeated.append((time.perf_counter() - started) * 1000)
            if stock is not None:
                started = time.perf_counter()
                stock_search(stock, query)
                theirs.append((time.perf_counter() - started) * 1000)
    archive.close()
    result: dict[str, object] = {
        "queries": len(mix),
        "rounds": rounds,
        "archivio": summary(ours),
        "archivio_by_kind": {kind: summary(times) for kind, times in by_kind.items()},
        "archivio_repeated_from_cache": summary(repeated) if repeated else None,
        "median_total_matches": statistics.median(totals.values()),
    }
    if stock is not None:
        result["stock"] = summary(theirs)
        result["p95_ratio"] = result["archivio"]["p95_ms"] / result["stock"]["p95_ms"]  # type: ignore[index]
    return result


# --- what each part of a search costs ------------------------------------------------------


@contextmanager
def _patched(module, **replacements) -> Iterator[None]:
    saved = {name: getattr(module, name) for name in replacements}
    for name, value in replacements.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def _variants() -> dict[str, Callable[[], object]]:
    import search.results as results

    def no_highlight():
        return _patched(results, snippet=lambda text, terms, size=240: text[:size])

    def no_facets():
        return _patched(results, count_facets=lambda reader, docnums: {})

    def no_phrase_boost():
        return _patched(results, proximity=lambda parsed: None)

    def no_suggest():
        return _patched(results, suggest=lambda searcher, text: None)

    def top_10_only():
        # What the engine costs when only the page is collected (no facets, no collapse).
        original = results.Searcher.search

        def search(self, query, **options):
            if options.get("limit", 0) is None:
                options["limit"] = 10
            return original(self, query, **options)

        return _patched(results.Searcher, search=search)

    def bare():
        stack = [no_highlight(), no_facets(), top_10_only()]
        return _Stack(stack)

    return {
        "no-highlight": no_highlight,
        "no-facets": no_facets,
        "no-phrase-boost": no_phrase_boost,
        "no-suggest": no_suggest,
        "collect-top-10-only": top_10_only,
        "bare (no highlight, facets, collapse; top 10)": bare,
    }


class _Stack:
    def __init__(self, managers: list) -> None:
        self.managers = managers

    def __enter__(self) -> None:
        for manager in self.managers:
            manager.__enter__()

    def __exit__(self, *exc: object) -> None:
        for manager in reversed(self.managers):
            manager.__exit__(*exc)


def measure_variants(archivio_index: Path, rounds: int = 2) -> dict[str, dict[str, float]]:
    """The mix as-is and with each part switched off; mean/p95 and saving per query."""
    from search.archive import Archive

    mix = query_mix()
    archive = Archive(archivio_index)
    for query in mix:
        archivio_search(archive, query)
    variants: dict[str, Callable[[], object]] = {"as-is": _nothing, **_variants()}
    variants["no-collapse"] = _nothing
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for name, make in variants.items():  # interleaved: load bursts fall on all
            with make():  # type: ignore[attr-defined]
                for query in mix:
                    started = time.perf_counter()
                    archivio_search(archive, query, collapse=name != "no-collapse")
                    times[name].append((time.perf_counter() - started) * 1000)
    archive.close()
    base = statistics.fmean(times["as-is"])
    out = {}
    for name, values in times.items():
        figures = summary(values)
        figures["saving_ms"] = base - figures["mean_ms"]
        figures["saving_pct"] = 100 * figures["saving_ms"] / base
        out[name] = figures
    return out


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def profile_queries(archivio_index: Path, out: Path, rounds: int = 2) -> Path:
    """A pyinstrument profile of the mix (Archivio's side), as text."""
    from pyinstrument import Profiler

    from search.archive import Archive

    mix = query_mix()
    archive = Archive(archivio_index)
    for query in mix:
        archivio_search(archive, query)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(rounds):
        for query in mix:
            archivio_search(archive, query)
    profiler.stop()
    archive.close()
    out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return out
