"""PostgreSQL against Whoosh on the real articles of ../shared/corpus, in the same run.

For each engine: a full build of the corpus (articles/s, wall time), then the project's
query mix (`bench.queries`: single words, three words, phrases, dated, newest first) as a
web worker runs it: one `Archive`, `search()` with highlights, facets and collapsing, the
result cache cleared before every query. PostgreSQL runs in a throwaway cluster on
loopback (`tests/postgres_cluster.py`) with its durable defaults (fsync on).

    .venv/bin/python -m bench.postgres --corpus ../shared/corpus --rounds 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from bench.latency import archivio_search, summary
from bench.queries import query_mix

ENGINES = ("whoosh", "postgresql")


def measure(engine: str, corpus: Path, work: Path, rounds: int) -> dict[str, object]:
    from search import engines
    from search.archive import Archive
    from search.indexer import reindex
    from search.settings import Settings

    index = work / engine
    shutil.rmtree(index, ignore_errors=True)
    cluster = None
    if engine == "postgresql":
        from tests.postgres_cluster import start_cluster

        cluster = start_cluster(durable=True)
        engines.BACKEND = cluster.url
    try:
        started = time.perf_counter()
        report = reindex(Settings(corpus_dir=corpus, index_dir=index), engine=engine)
        build = time.perf_counter() - started
        archive = Archive(index)
        queries = query_mix(corpus)
        for query in queries:  # warm-up: first touches of files, pages, connections
            archivio_search(archive, query)
        times: list[float] = []
        for _ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                archivio_search(archive, query)
                times.append((time.perf_counter() - started) * 1000)
        known, found = known_items(archive, corpus)
        archive.close()
        return {
            "engine": engine,
            "articles": report.articles,
            "build_s": round(build, 1),
            "articles_per_s": round(report.articles / build, 1),
            "queries": len(times),
            **{k: round(v, 1) for k, v in summary(times).items()},
            "known_items": len(known),
            "known_in_top10": found,
            "known_found": known,
        }
    finally:
        engines.BACKEND = None
        if cluster is not None:
            cluster.remove()


def known_items(archive: object, corpus: Path, every: int = 7) -> tuple[dict[str, bool], int]:
    """Every `every`-th Wikinews and Facta article searched by its title: in the top 10?"""
    from search.errors import QueryError
    from search.results import SearchRequest, search

    found: dict[str, bool] = {}
    for name in ("wikinews-it.jsonl", "facta.jsonl"):
        with open(corpus / name, encoding="utf-8") as handle:
            for n, line in enumerate(handle):
                if n % every:
                    continue
                record = json.loads(line)
                try:
                    page = search(archive, SearchRequest(query=record["title"], limit=10))  # type: ignore[arg-type]
                    found[record["id"]] = record["id"] in [hit.id for hit in page.hits]
                except QueryError:
                    found[record["id"]] = False
    return found, sum(found.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/archivio-bench-postgres"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", default=",".join(ENGINES))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = [
        measure(engine, args.corpus, args.work, args.rounds) for engine in args.engines.split(",")
    ]
    for result in results:
        shown = {k: v for k, v in result.items() if k != "known_found"}
        print(json.dumps(shown), flush=True)
    if len(results) == 2:
        first, second = (r["known_found"] for r in results)
        same = sum(first[key] == second.get(key) for key in first)  # type: ignore[index,union-attr]
        print(json.dumps({"known_item_agreement": f"{same}/{len(first)}"}), flush=True)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
