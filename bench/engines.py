"""Engines side by side in one run: Archivio on Whoosh and on Tantivy, stock Whoosh, bare Tantivy.

    python -m bench.engines --corpus ../shared/corpus            # the real JSONL files
    python -m bench.engines --articles 100000                    # synthetic (`bench.synth`)

Builds: each in a fresh child process (`bench.builds`): articles/s (wall), CPU seconds,
peak RSS. Searches: the query mix of `bench.queries`, warmed up, then `--rounds` rounds in
which the four take turns query by query. Archivio's side is its whole search
(`search.results.search`: highlights, facets, near-duplicate collapsing, ranking cache
cleared before each query); stock Whoosh and bare Tantivy return their top 10 with titles.
Figures go to `<work>/engines-<label>/results.json` and are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.builds import run_build
from bench.latency import archivio_search, percentile, stock_search
from bench.queries import BenchQuery, query_mix
from bench.synth import SHARED, generate

BUILDS = ("stock-whoosh", "bare-tantivy", "archivio-whoosh", "archivio-tantivy")


def _corpus_of_jsonl(source: Path, target: Path) -> Path:
    """A corpus folder holding copies of `source`'s JSONL files: the articles, no HTML.

    Copies, not links: `archivio reindex` skips links that leave the corpus folder.
    """
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.jsonl")):
        copy = target / path.name
        if copy.is_symlink():
            copy.unlink()
        if not copy.exists():
            shutil.copyfile(path, copy)
    return target


def build_all(corpus: Path, home: Path, skip: set[str]) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    for name in BUILDS:
        if name in skip:
            continue
        index = home / name
        print(f"building {name} ...", flush=True)
        if name == "stock-whoosh":
            result = run_build("stock", corpus, index)
        elif name == "bare-tantivy":
            result = run_build("bare-tantivy", corpus, index)
        else:
            result = run_build("archivio", corpus, index, archivio_engine=name.split("-")[1])
        result["articles_per_s"] = result["articles"] / result["seconds"]
        result["cpu_ms_per_article"] = 1000 * result["cpu_seconds"] / result["articles"]
        figures[name] = result
        print(
            f"  {result['articles']} articles in {result['seconds']:.1f} s "
            f"({result['articles_per_s']:.0f}/s, {result['cpu_ms_per_article']:.2f} ms CPU each), "
            f"peak RSS {result['peak_rss_mb']:.0f} MB (+{result['peak_rss_children_mb']:.0f} "
            f"in helpers), index {result['index_bytes'] / 1e6:.0f} MB",
            flush=True,
        )
    return figures


def measure_searches(
    home: Path, real: Path, rounds: int, names: tuple[str, ...] = BUILDS
) -> dict[str, dict[str, float]]:
    from bench import bare_tantivy
    from search.archive import Archive

    mix = query_mix(real)
    runs: dict[str, Callable[[BenchQuery], object]] = {}
    archives = []
    for name in names:
        if name.startswith("archivio-"):
            archive = Archive(home / name)
            archives.append(archive)
            runs[name] = partial(archivio_search, archive)
        elif name == "stock-whoosh":
            from whoosh import index as whoosh_index

            runs[name] = partial(stock_search, whoosh_index.open_dir(str(home / name)))
        else:
            bare = bare_tantivy.open_index(home / name)
            runs[name] = lambda q, bare=bare: bare_tantivy.search(bare, q.text)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for query in mix:  # warm-up: page cache, stem caches, parsers
        for run in runs.values():
            run(query)
    for _ in range(rounds):
        for query in mix:
            for name, run in runs.items():
                started = time.perf_counter()
                run(query)
                times[name].append((time.perf_counter() - started) * 1000)
    for archive in archives:
        archive.close()
    return {
        name: {
            "n": len(values),
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
        }
        for name, values in times.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="real JSONL files (default: synthetic)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--real", type=Path, default=SHARED, help="real corpus: query mix, synth")
    parser.add_argument("--work", type=Path, default=Path("/tmp/archivio-bench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-builds", default="", help="comma list of builds to reuse")
    parser.add_argument(
        "--only", default=",".join(BUILDS), help="comma list of the builds to make and search"
    )
    args = parser.parse_args(argv)
    if args.corpus is not None:
        label = "real"
        home = args.work / "engines-real"
        corpus = _corpus_of_jsonl(args.corpus, home / "corpus")
    else:
        label = str(args.articles)
        home = args.work / f"engines-{args.articles}"
        corpus = args.work / str(args.articles) / "corpus"
        if not (corpus / ".complete").exists():
            print(f"generating {args.articles} synthetic articles in {corpus} ...", flush=True)
            generate(args.articles, args.seed, corpus, corpus=args.real)
            (corpus / ".complete").write_text(f"{args.articles} {args.seed}\n")
    home.mkdir(parents=True, exist_ok=True)
    results_path = home / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    names = tuple(name for name in BUILDS if name in args.only.split(","))
    skip = {name for name in args.skip_builds.split(",") if name} | (set(BUILDS) - set(names))
    builds = results.get("builds", {})
    builds.update(build_all(corpus, home, skip))
    results.update(
        label=label,
        machine=f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        builds=builds,
    )
    results_path.write_text(json.dumps(results, indent=2))
    print("searching ...", flush=True)
    results["searches"] = measure_searches(home, args.real, args.rounds, names)
    results["load_after"] = os.getloadavg()[0]
    results_path.write_text(json.dumps(results, indent=2))
    for name, figures in results["searches"].items():
        print(f"  {name:17} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms")
    print(f"figures in {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
