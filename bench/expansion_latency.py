"""What query expansion costs: the query mix with expansion off, each technique alone, all on.

    python -m bench.expansion_latency [--index DIR] [--rounds 3] [--relevance-topics]

The mix is `bench.queries.query_mix` (60 queries: single words, three words, phrases,
date-filtered, newest first); `--relevance-topics` adds the 101 queries of both relevance
sets. Every search is new (ranking cache cleared). The variants run in alternation, query
by query, so that a burst of load on the shared machine falls on all of them alike. The
target (issue 15): expansion adds at most 30% to the mix's p95. The re-ranking of the
first 100 (`riordino`, `search.rerank`) counts as a technique: "all but riordino" against
"all (default)" is what it adds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.latency import summary
from bench.queries import query_mix
from bench.relevance import SETS
from search.archive import Archive
from search.query import expansion
from search.results import SearchRequest, search

VARIANTS: dict[str, frozenset[str] | None] = {
    "off (--no-expand)": None,
    "sinonimi": frozenset({"sinonimi"}),
    "luoghi": frozenset({"luoghi"}),
    "retroazione": frozenset({"retroazione"}),
    "riordino": frozenset({"riordino"}),
    "all but riordino": frozenset(expansion.TECHNIQUES) - {"riordino"},
    "all (default)": frozenset(expansion.TECHNIQUES),
}


def requests(with_topics: bool) -> list[SearchRequest]:
    found = [
        SearchRequest(query=q.text, date_from=q.date_from, date_to=q.date_to, sort=q.sort, limit=10)
        for q in query_mix()
    ]
    if with_topics:
        for path in SETS.values():
            for line in path.read_text(encoding="utf-8").splitlines():
                found.append(SearchRequest(query=json.loads(line)["query"], limit=10))
    return found


def run(archive: Archive, request: SearchRequest, techniques: frozenset[str] | None) -> float:
    saved = expansion.DEFAULT_TECHNIQUES
    expansion.DEFAULT_TECHNIQUES = techniques or frozenset()
    try:
        archive.cache.clear()
        started = time.perf_counter()
        search(archive, SearchRequest(**{**request.__dict__, "expand": techniques is not None}))
        return (time.perf_counter() - started) * 1000
    finally:
        expansion.DEFAULT_TECHNIQUES = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path(tempfile.gettempdir()) / "archivio-rel")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--relevance-topics", action="store_true")
    args = parser.parse_args()
    archive = Archive(args.index)
    mix = requests(args.relevance_topics)
    for request in mix:  # warm-up: page cache, postings cache, stems
        for techniques in VARIANTS.values():
            run(archive, request, techniques)
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.rounds):
        for request in mix:
            for name, techniques in VARIANTS.items():
                times[name].append(run(archive, request, techniques))
    base = summary(times["off (--no-expand)"])
    print(f"{len(mix)} queries x {args.rounds} rounds, {archive.stats().articles} articles")
    for name in VARIANTS:
        figures = summary(times[name])
        ratio = figures["p95_ms"] / base["p95_ms"]
        print(
            f"{name:<20} p50 {figures['p50_ms']:6.1f} ms  p95 {figures['p95_ms']:6.1f} ms  "
            f"mean {figures['mean_ms']:6.1f} ms  p95 vs off {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
