"""PostgreSQL against Whoosh in the same run: build, searches, HTTP, memory, incremental add.

    .venv/bin/python -m bench.postgres --corpus ../shared/corpus --rounds 3  # real articles
    .venv/bin/python -m bench.postgres --articles 100000         # synthetic

For each engine:
* **build**: `reindex --full` from nothing in a child process (`bench.builds`): articles/s,
  CPU seconds of the Python side (the server's own CPU is not in it), peak RSS of the
  indexing process and of its largest helper, size of the index (folder, or database);
* **searches**: the project's query mix (`bench.queries`: single words, three words,
  phrases, dated, newest first) as a web worker runs it: one `Archive`, `search()` with
  highlights, facets and collapsing, the result cache cleared before every query; the
  engines take turns query by query, so a burst of load falls on both alike;
* **known items** (real corpus only): every 7th Wikinews and Facta article searched by its
  title, in the top 10?
* **HTTP**: `archivio serve` (default workers), 8 clients, then each worker's memory;
* **incremental**: 100 new articles (a new JSONL file beside the same files) into the
  index, then once more with nothing changed.

PostgreSQL runs in a throwaway cluster on loopback (`tests/postgres_cluster.py`) with its
durable defaults (fsync on). Figures go to `<work>/<label>/results.json` and are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import time
from pathlib import Path

from bench.builds import run_build
from bench.latency import archivio_search, summary
from bench.queries import BenchQuery, query_mix
from bench.synth import SHARED, generate

ENGINES = ("whoosh", "postgresql")
NEW_ARTICLES = 100


def synthetic_corpus(articles: int, work: Path, seed: int = 1) -> Path:
    """The synthetic corpus of `bench.run` at this size, generated once and kept."""
    corpus = work / str(articles) / "corpus"
    marker = corpus / ".complete"
    if not marker.exists():
        shutil.rmtree(corpus, ignore_errors=True)
        print(f"generating {articles} synthetic articles in {corpus} ...", flush=True)
        generate(articles, seed, corpus)
        marker.write_text(f"{articles} {seed}\n")
    return corpus


def database_bytes(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


def build(engine: str, corpus: Path, index: Path, backend: str | None) -> dict[str, float]:
    print(f"building {engine} ...", flush=True)
    figures = run_build("archivio", corpus, index, archivio_engine=engine, backend=backend)
    if backend is not None:
        figures["index_bytes"] = database_bytes(backend)
    figures["articles_per_s"] = figures["articles"] / figures["seconds"]
    figures["cpu_ms_per_article"] = 1000 * figures["cpu_seconds"] / figures["articles"]
    print(
        f"  {figures['articles']} articles in {figures['seconds']:.1f} s "
        f"({figures['articles_per_s']:.0f}/s, {figures['cpu_ms_per_article']:.2f} ms CPU each "
        f"on the Python side), peak RSS {figures['peak_rss_mb']:.0f} MB "
        f"(+{figures['peak_rss_children_mb']:.0f} in helpers), "
        f"index {figures['index_bytes'] / 1e6:.0f} MB",
        flush=True,
    )
    return figures


def searches(
    archives: dict[str, object], mix: tuple[BenchQuery, ...], rounds: int
) -> dict[str, dict]:
    """The mix in turns, engine by engine for each query; figures overall and by kind."""
    from search.errors import SearchTimeout

    times: dict[str, list[tuple[str, float]]] = {name: [] for name in archives}
    timeouts: dict[str, list[str]] = {name: [] for name in archives}
    for query in mix:  # warm-up: first touches of files, pages, connections
        for archive in archives.values():
            with contextlib.suppress(SearchTimeout):
                archivio_search(archive, query)
    for _ in range(rounds):
        for query in mix:
            for name, archive in archives.items():
                started = time.perf_counter()
                try:  # a search past the deadline counts with the time it took, and is named
                    archivio_search(archive, query)
                except SearchTimeout:
                    timeouts[name].append(query.text)
                times[name].append((query.kind, (time.perf_counter() - started) * 1000))
    figures: dict[str, dict] = {}
    for name, values in times.items():
        kinds = sorted({kind for kind, _ in values})
        figures[name] = {
            **{k: round(v, 1) for k, v in summary([ms for _, ms in values]).items()},
            "timeouts": timeouts[name],
            "by_kind": {
                kind: {
                    k: round(v, 1)
                    for k, v in summary([ms for q, ms in values if q == kind]).items()
                    if k in ("p50_ms", "p95_ms")
                }
                for kind in kinds
            },
        }
    return figures


def known_items(archive: object, corpus: Path, every: int = 7) -> dict[str, bool]:
    """Every `every`-th Wikinews and Facta article searched by its title: in the top 10?"""
    from search.errors import QueryError
    from search.results import SearchRequest, search

    found: dict[str, bool] = {}
    for name in ("wikinews-it.jsonl", "facta.jsonl"):
        if not (corpus / name).exists():
            continue
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
    return found


def http(index: Path, log: Path) -> dict[str, object]:
    from bench.http_load import measure_http

    figures = measure_http(index, log)
    workers = figures.pop("worker_memory_mb", {})
    figures["worker_rss_mb"] = [round(m["VmRSS"]) for m in workers.values()]  # type: ignore[union-attr]
    figures["worker_pss_mb"] = [round(m.get("Pss", 0.0)) for m in workers.values()]  # type: ignore[union-attr]
    figures.pop("times_ms", None)
    return figures


def incremental(
    engine: str, corpus: Path, index: Path, home: Path, backend: str | None, full_s: float
) -> dict[str, float]:
    """100 new articles in a new file beside the same files, then a run with nothing new."""
    grown = home / f"incremental-corpus-{engine}"
    shutil.rmtree(grown, ignore_errors=True)
    grown.mkdir(parents=True)
    for source in sorted(corpus.iterdir()):
        if source.name != ".complete":
            (grown / source.name).symlink_to(source.resolve())  # same names, sizes, mtimes
    generate(NEW_ARTICLES, 1001, grown, prefix="new", procs=1)
    common = {"incremental": True, "fresh": False, "archivio_engine": engine, "backend": backend}
    added = run_build("archivio", grown, index, **common)  # type: ignore[arg-type]
    nothing = run_build("archivio", grown, index, **common)  # type: ignore[arg-type]
    return {
        "new_articles": NEW_ARTICLES,
        "added": added["articles"],
        "seconds": round(added["seconds"], 2),
        "cpu_seconds": round(added["cpu_seconds"], 2),
        "nothing_changed_seconds": round(nothing["seconds"], 2),
        "share_of_full_build": round(added["seconds"] / full_s, 4),
    }


def say(key: str, value: object) -> None:
    print(json.dumps({key: value}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--corpus", type=Path, help=f"a corpus folder (default {SHARED})")
    source.add_argument("--articles", type=int, help="synthetic articles (`bench.synth`)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/archivio-bench-postgres"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP run")
    parser.add_argument("--no-incremental", action="store_true", help="skip the incremental add")
    parser.add_argument(
        "--keep-cluster",
        action="store_true",
        help="leave the PostgreSQL cluster running at the end (its folder and URL are printed)",
    )
    args = parser.parse_args()
    from tests.postgres_cluster import start_cluster

    if args.articles:
        corpus, label = synthetic_corpus(args.articles, args.work), str(args.articles)
    else:
        corpus, label = (args.corpus or SHARED), "real"
    home = args.work / f"engines-{label}"
    home.mkdir(parents=True, exist_ok=True)
    names = args.engines.split(",")
    cluster = start_cluster(durable=True) if "postgresql" in names else None
    if cluster is not None:
        print(f"cluster: {cluster.url} in {cluster.root}", flush=True)
    results: dict[str, object] = {"label": label, "engines": names}
    try:
        url = cluster.url if cluster else None
        backends = {name: url if name == "postgresql" else None for name in names}
        indexes = {name: home / name for name in names}
        for index in indexes.values():
            shutil.rmtree(index, ignore_errors=True)
        results["builds"] = {n: build(n, corpus, indexes[n], backends[n]) for n in names}
        say("builds", results["builds"])
        from search.archive import Archive

        archives = {name: Archive(indexes[name]) for name in names}
        mix = query_mix() if args.articles else query_mix(corpus)  # words of the real articles
        results["searches"] = searches(archives, mix, args.rounds)
        say("searches", results["searches"])
        if not args.articles:
            known = {name: known_items(archive, corpus) for name, archive in archives.items()}
            results["known_in_top10"] = {n: f"{sum(k.values())}/{len(k)}" for n, k in known.items()}
            if len(names) == 2:
                first, second = (known[n] for n in names)
                same = sum(first[key] == second.get(key) for key in first)
                results["known_item_agreement"] = f"{same}/{len(first)}"
            say("known_items", {k: results[k] for k in ("known_in_top10",) if k in results})
        for archive in archives.values():
            archive.close()  # type: ignore[attr-defined]
        if not args.no_http:
            results["http"] = {n: http(indexes[n], home / f"serve-{n}.log") for n in names}
            say("http", results["http"])
        if not args.no_incremental:
            results["incremental"] = {
                n: incremental(
                    n,
                    corpus,
                    indexes[n],
                    home,
                    backends[n],
                    results["builds"][n]["seconds"],  # type: ignore[index]
                )
                for n in names
            }
            say("incremental", results["incremental"])
        results["load_after"] = os.getloadavg()[0]
    finally:
        if cluster is not None and args.keep_cluster:
            print(f"cluster kept: {cluster.url} in {cluster.root}", flush=True)
        elif cluster is not None:
            cluster.remove()
        (home / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"figures in {home / 'results.json'}", flush=True)


if __name__ == "__main__":
    main()
