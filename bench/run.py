"""Archivio's performance benchmarks, each against stock Whoosh on the same data.

    python -m bench.run [--articles N] [--only index|incremental|query|http|memory|...]

The synthetic corpus (`bench.synth`) and the indexes are made once under
`--work/<N>/` (/tmp by default) and reused by later runs; `index` always rebuilds.
Every figure is printed with its ratio and target, and kept in `<work>/<N>/results.json`.

    index        full build, articles/s, Archivio vs stock (target >= 4x)
    incremental  100 new articles into the index (target <= 1% of Archivio's full build)
    query        p50/p95 of the query mix, Archivio's full search vs stock's bare search
    http         `archivio serve`, 8 clients on loopback (target p95 <= 2x in-process, 0 errors)
    memory       RSS per gunicorn worker (target <= 200 MB) and indexing peak RSS
    scale        build time, index size and query latency (Archivio only; for 1M articles)
    profile      what each part of a search costs (monkeypatched variants) + a profile
    profile-index  what each part of indexing costs (builds with one part switched off)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.builds import VARIANTS, dir_size, run_build
from bench.synth import generate

BENCHMARKS = (
    "index",
    "incremental",
    "query",
    "http",
    "memory",
    "scale",
    "profile",
    "profile-index",
)
DEFAULT = ("index", "incremental", "query", "http", "memory")
NEW_ARTICLES = 100


@dataclass
class Context:
    articles: int
    seed: int
    work: Path
    rounds: int = 3
    workers: int | None = None
    clients: int = 8
    variants: tuple[str, ...] = ()  # profile-index: these only
    reuse_stock: bool = False
    index_variant: str = "as-is"  # a `bench.builds.VARIANTS` name for Archivio's cached index
    results: dict[str, object] = field(default_factory=dict)
    ran: set[str] = field(default_factory=set)  # measured in this invocation

    @property
    def home(self) -> Path:
        return self.work / str(self.articles)

    @property
    def corpus(self) -> Path:
        return self.home / "corpus"

    @property
    def archivio_index(self) -> Path:
        if self.index_variant != "as-is":
            return self.home / f"archivio-index-{self.index_variant}"
        return self.home / "archivio-index"

    @property
    def stock_index(self) -> Path:
        return self.home / "stock-index"

    @property
    def results_file(self) -> Path:
        if self.index_variant != "as-is":
            return self.home / f"results-{self.index_variant}.json"
        return self.home / "results.json"

    def load(self) -> None:
        path = self.results_file
        if path.exists():
            self.results = json.loads(path.read_text("utf-8"))

    def record(self, name: str, figures: dict[str, object]) -> None:
        figures = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(), **figures}
        self.results[name] = figures
        self.ran.add(name)
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.results_file
        path.write_text(json.dumps(self.results, indent=2, ensure_ascii=False), "utf-8")


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, load {os.getloadavg()[0]:.1f}"


def verdict(ok: bool) -> str:
    return "MEETS TARGET" if ok else "MISSES TARGET"


def say(text: str) -> None:
    print(text, flush=True)


# --- data ------------------------------------------------------------------------------------


def prepare_corpus(ctx: Context) -> Path:
    marker = ctx.corpus / ".complete"
    if not marker.exists():
        if ctx.corpus.exists():
            shutil.rmtree(ctx.corpus)
        say(f"generating {ctx.articles} synthetic articles (seed {ctx.seed}) in {ctx.corpus} ...")
        generate(ctx.articles, ctx.seed, ctx.corpus)
        marker.write_text(f"{ctx.articles} {ctx.seed}\n")
    return ctx.corpus


def _usable(index: Path) -> bool:
    """An index there, of the schema and analysis version the code expects."""
    from search.errors import IndexMissingError, StaleIndexError
    from search.store import open_live_index

    try:
        ix, _ = open_live_index(index)
    except (IndexMissingError, StaleIndexError):
        return False
    ix.close()
    return True


def ensure_archivio(ctx: Context) -> Path:
    if not _usable(ctx.archivio_index):
        say("building Archivio's index (reused by later benchmarks) ...")
        figures = run_build(
            "archivio", prepare_corpus(ctx), ctx.archivio_index, variant=ctx.index_variant
        )
        ctx.record("archivio_build", figures)
    return ctx.archivio_index


def ensure_stock(ctx: Context) -> Path:
    if not any(ctx.stock_index.glob("*.toc")):
        say("building the stock Whoosh index (reused by later benchmarks) ...")
        figures = run_build("stock", prepare_corpus(ctx), ctx.stock_index)
        ctx.record("stock_build", figures)
    return ctx.stock_index


# --- benchmarks --------------------------------------------------------------------------------


def bench_index(ctx: Context) -> dict[str, object]:
    """Full build of the same corpus by stock Whoosh and by Archivio, one after the other."""
    corpus = prepare_corpus(ctx)
    if ctx.reuse_stock and "stock_build" in ctx.results and any(ctx.stock_index.glob("*.toc")):
        stock = ctx.results["stock_build"]  # stock Whoosh has not changed: its earlier build
        say(f"index  stock build of {stock['date']} reused (--reuse-stock)")  # type: ignore[index]
    else:
        stock = run_build("stock", corpus, ctx.stock_index)
        ctx.record("stock_build", stock)
    ours = run_build("archivio", corpus, ctx.archivio_index)
    ctx.record("archivio_build", ours)
    n = ctx.articles
    ratio = stock["seconds"] / ours["seconds"]
    cpu_ratio = stock["cpu_seconds"] / ours["cpu_seconds"]
    figures = {
        "articles": n,
        "stock_articles_per_s": n / stock["seconds"],
        "archivio_articles_per_s": n / ours["seconds"],
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "stock": stock,
        "archivio": ours,
        "target": ">= 4x stock",
        "meets": ratio >= 4,
    }
    say(
        f"index  {n} articles: stock {n / stock['seconds']:.0f} articles/s "
        f"({stock['seconds']:.1f} s, {stock['cpu_seconds']:.1f} s CPU, "
        f"{stock['index_bytes'] / 1e6:.0f} MB), Archivio {n / ours['seconds']:.0f} articles/s "
        f"({ours['seconds']:.1f} s, {ours['cpu_seconds']:.1f} s CPU, "
        f"{ours['index_bytes'] / 1e6:.0f} MB)"
    )
    say(
        f"       ratio {ratio:.2f}x stock (CPU time {cpu_ratio:.2f}x); target >= 4x: "
        f"{verdict(ratio >= 4)}"
    )
    say(
        f"       peak RSS: stock {stock['peak_rss_mb']:.0f} MB; "
        f"Archivio {ours['peak_rss_mb']:.0f} MB main process, "
        f"{ours['peak_rss_children_mb']:.0f} MB largest writer subprocess"
    )
    ctx.record("index", figures)
    return figures


def bench_incremental(ctx: Context) -> dict[str, object]:
    """100 new articles (a new JSONL file) into the index, against a full rebuild."""
    base = ensure_archivio(ctx)
    full = ctx.results["archivio_build"]["seconds"]  # type: ignore[index]
    corpus = ctx.home / "incremental-corpus"
    index = ctx.home / "incremental-index"
    for path in (corpus, index):
        if path.exists():
            shutil.rmtree(path)
    corpus.mkdir()
    for source in sorted(prepare_corpus(ctx).glob("*.jsonl")):
        (corpus / source.name).symlink_to(source)  # same names, sizes, mtimes: unchanged
    subprocess.run(["cp", "-al", str(base), str(index)], check=True)  # hard links: untouched
    generate(NEW_ARTICLES, ctx.seed + 1000, corpus, prefix="new", procs=1)
    added = run_build("archivio", corpus, index, incremental=True, fresh=False)
    nothing = run_build("archivio", corpus, index, incremental=True, fresh=False)
    share = added["seconds"] / full
    figures = {
        "new_articles": NEW_ARTICLES,
        "index_articles": ctx.articles,
        "seconds": added["seconds"],
        "cpu_seconds": added["cpu_seconds"],
        "nothing_changed_seconds": nothing["seconds"],
        "full_build_seconds": full,
        "share_of_full": share,
        "added": added,
        "target": "<= 1% of a full rebuild",
        "meets": share <= 0.01,
    }
    say(
        f"incremental  {NEW_ARTICLES} new articles into {ctx.articles}: {added['seconds']:.2f} s "
        f"({added['cpu_seconds']:.2f} s CPU) = {100 * share:.2f}% of a full rebuild "
        f"({full:.1f} s); nothing changed: {nothing['seconds']:.2f} s; target <= 1%: "
        f"{verdict(share <= 0.01)}"
    )
    shutil.rmtree(index, ignore_errors=True)
    ctx.record("incremental", figures)
    return figures


def bench_query(ctx: Context) -> dict[str, object]:
    from bench.latency import measure_queries

    figures = measure_queries(ensure_archivio(ctx), ensure_stock(ctx), rounds=ctx.rounds)
    ours, theirs = figures["archivio"], figures["stock"]
    ok = ours["p95_ms"] <= theirs["p95_ms"]  # type: ignore[index]
    figures["target"] = "Archivio full search p95 <= stock bare search p95"
    figures["meets"] = ok
    say(
        f"query  {figures['queries']} queries x {figures['rounds']} rounds on {ctx.articles}: "
        f"Archivio p50 {ours['p50_ms']:.1f} ms p95 {ours['p95_ms']:.1f} ms; "  # type: ignore[index]
        f"stock p50 {theirs['p50_ms']:.1f} ms p95 {theirs['p95_ms']:.1f} ms; "  # type: ignore[index]
        f"p95 ratio {figures['p95_ratio']:.2f}; target <= 1: {verdict(ok)}"
    )
    for kind, kind_figures in figures["archivio_by_kind"].items():  # type: ignore[union-attr]
        say(
            f"       {kind:7} p50 {kind_figures['p50_ms']:.1f} ms "
            f"p95 {kind_figures['p95_ms']:.1f} ms"
        )
    ctx.record("query", figures)
    return figures


def bench_http(ctx: Context) -> dict[str, object] | None:
    from bench.http_load import ServerMissing, measure_http
    from bench.latency import measure_queries

    index = ensure_archivio(ctx)
    if "query" in ctx.ran:
        in_process = ctx.results["query"]["archivio"]["p95_ms"]  # type: ignore[index]
    else:
        in_process = measure_queries(index, None, rounds=ctx.rounds)["archivio"]["p95_ms"]  # type: ignore[index]
    try:
        figures = measure_http(
            index, ctx.home / "serve.log", workers=ctx.workers, clients=ctx.clients
        )
    except ServerMissing as problem:
        say(f"http  SKIPPED: {problem}")
        return None
    ratio = figures["p95_ms"] / in_process  # type: ignore[operator]
    ok = ratio <= 2 and figures["errors"] == 0 and figures["requests"] > 0
    figures.update(
        {
            "in_process_p95_ms": in_process,
            "p95_ratio": ratio,
            "target": "p95 <= 2x in-process p95, 0 errors",
            "meets": ok,
        }
    )
    say(
        f"http  {ctx.clients} clients, {figures['requests']} requests, "
        f"{figures['workers']} workers: "
        f"p50 {figures['p50_ms']:.1f} ms p95 {figures['p95_ms']:.1f} ms "
        f"({figures['requests_per_s']:.1f} req/s), {figures['errors']} errors; "
        f"p95 = {ratio:.2f}x in-process ({in_process:.1f} ms); "
        f"target <= 2x, 0 errors: {verdict(ok)}"
    )
    ctx.record("http", figures)
    return figures


def bench_memory(ctx: Context) -> dict[str, object]:
    if "http" not in ctx.ran:
        bench_http(ctx)
    if "archivio_build" not in ctx.results:  # an index built earlier, figures unknown
        say("building Archivio's index once more for its peak RSS ...")
        figures = run_build("archivio", prepare_corpus(ctx), ctx.home / "memory-index")
        shutil.rmtree(ctx.home / "memory-index", ignore_errors=True)
        ctx.record("archivio_build", figures)
    http = ctx.results.get("http") or {}
    workers = http.get("worker_memory_mb", {})  # type: ignore[union-attr]
    rss = [m["VmRSS"] for m in workers.values()]
    pss = [m.get("Pss", 0.0) for m in workers.values()]
    build = ctx.results["archivio_build"]
    stock = ctx.results.get("stock_build")
    ok = bool(rss) and max(rss) <= 200
    figures = {
        "worker_rss_mb": rss,
        "worker_pss_mb": pss,
        "max_worker_rss_mb": max(rss) if rss else None,
        "indexing_peak_rss_mb": build["peak_rss_mb"],  # type: ignore[index]
        "indexing_peak_rss_children_mb": build["peak_rss_children_mb"],  # type: ignore[index]
        "stock_indexing_peak_rss_mb": stock["peak_rss_mb"] if stock else None,  # type: ignore[index]
        "target": "RSS per worker <= 200 MB",
        "meets": ok,
    }
    workers_text = ", ".join(f"{r:.0f}" for r in rss) or "none (http skipped)"
    say(
        f"memory  RSS per worker after the HTTP run: {workers_text} MB (PSS "
        f"{', '.join(f'{p:.0f}' for p in pss)}); target <= 200 MB: {verdict(ok)}"
    )
    say(
        f"        indexing peak RSS: Archivio {build['peak_rss_mb']:.0f} MB main + "  # type: ignore[index]
        f"{build['peak_rss_children_mb']:.0f} MB largest subprocess"  # type: ignore[index]
        + (f"; stock {stock['peak_rss_mb']:.0f} MB" if stock else "")  # type: ignore[index]
    )
    ctx.record("memory", figures)
    return figures


def bench_scale(ctx: Context) -> dict[str, object]:
    """Archivio alone (a stock build of 1M would take hours): build, size, latency."""
    from bench.latency import measure_queries

    corpus = prepare_corpus(ctx)
    progress = ctx.home / "build-progress.log"
    say(f"building Archivio's index of {ctx.articles} articles; progress in {progress}")
    build = run_build("archivio", corpus, ctx.archivio_index, progress=progress)
    ctx.record("archivio_build", build)
    latency = measure_queries(ctx.archivio_index, None, rounds=ctx.rounds)
    figures = {
        "articles": ctx.articles,
        "corpus_bytes": dir_size(corpus),
        "build": build,
        "query": latency,
    }
    ours = latency["archivio"]
    say(
        f"scale  {ctx.articles} articles: build {build['seconds']:.0f} s "
        f"({ctx.articles / build['seconds']:.0f} articles/s), index "
        f"{build['index_bytes'] / 1e9:.2f} GB, query p50 {ours['p50_ms']:.1f} ms "  # type: ignore[index]
        f"p95 {ours['p95_ms']:.1f} ms"  # type: ignore[index]
    )
    ctx.record("scale", figures)
    return figures


def bench_profile(ctx: Context) -> dict[str, object]:
    from bench.latency import measure_variants, profile_queries

    index = ensure_archivio(ctx)
    variants = measure_variants(index, rounds=ctx.rounds)
    say(f"profile  query mix on {ctx.articles}, one part switched off at a time:")
    for name, figures in variants.items():
        say(
            f"       {name:46} mean {figures['mean_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
            f"  saves {figures['saving_ms']:6.1f} ms ({figures['saving_pct']:4.0f}%)"
        )
    text = profile_queries(index, ctx.home / "profile-query.txt", rounds=ctx.rounds)
    say(f"       pyinstrument profile of the mix: {text}")
    ctx.record("profile", {"variants": variants, "profile": str(text)})
    return variants


INDEX_VARIANTS = (
    ("as-is", {}),
    ("procs=1", {"procs": 1}),
    ("procs=1+no-near-duplicates", {"procs": 1, "variant": "no-near-duplicates"}),
    ("procs=1+no-exact-field", {"procs": 1, "variant": "no-exact-field"}),
    ("procs=1+no-duplicate-keys", {"procs": 1, "variant": "no-duplicate-keys"}),
    ("procs=1+body-not-stored", {"procs": 1, "variant": "body-not-stored"}),
    ("not-compound", {"variant": "not-compound"}),
    ("procs=3", {"procs": 3}),
    ("limitmb=64", {"limit_mb": 64}),
    ("limitmb=1024", {"limit_mb": 1024}),
)


def bench_profile_index(ctx: Context) -> dict[str, object]:
    corpus = prepare_corpus(ctx)
    index = ctx.home / "variant-index"
    out: dict[str, object] = {}
    say(f"profile-index  {ctx.articles} articles, one change at a time:")
    chosen = [(n, o) for n, o in INDEX_VARIANTS if not ctx.variants or n in ctx.variants]
    for name, options in chosen:
        figures = run_build("archivio", corpus, index, **options)  # type: ignore[arg-type]
        out[name] = figures
        say(
            f"       {name:32} {figures['seconds']:7.1f} s  {figures['cpu_seconds']:7.1f} s CPU  "
            f"{ctx.articles / figures['seconds']:6.0f} articles/s  "
            f"{figures['index_bytes'] / 1e6:5.0f} MB  peak {figures['peak_rss_mb']:.0f}+"
            f"{figures['peak_rss_children_mb']:.0f} MB  (load {figures['load_average']:.1f})"
        )
    shutil.rmtree(index, ignore_errors=True)
    ctx.record("profile_index", out)
    return out


RUNNERS: dict[str, Callable[[Context], object]] = {
    "index": bench_index,
    "incremental": bench_incremental,
    "query": bench_query,
    "http": bench_http,
    "memory": bench_memory,
    "scale": bench_scale,
    "profile": bench_profile,
    "profile-index": bench_profile_index,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=BENCHMARKS, action="append")
    parser.add_argument("--work", type=Path, default=Path("/tmp/archivio-bench"))
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query mix")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: Archivio's)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument(
        "--reuse-stock", action="store_true", help="index: keep the earlier stock build"
    )
    parser.add_argument(
        "--index-variant",
        default="as-is",
        choices=sorted(VARIANTS),
        help="build Archivio's index with this change (query/http/memory measure it)",
    )
    parser.add_argument(
        "--variants",
        help="profile-index: a comma-separated subset of "
        + ", ".join(n for n, _ in INDEX_VARIANTS),
    )
    args = parser.parse_args(argv)
    ctx = Context(args.articles, args.seed, args.work, args.rounds, args.workers, args.clients)
    ctx.index_variant = args.index_variant
    ctx.reuse_stock = args.reuse_stock
    ctx.variants = tuple(v.strip() for v in (args.variants or "").split(",") if v.strip())
    ctx.load()
    say(f"Archivio benchmarks: {args.articles} articles, seed {args.seed}, {machine()}")
    for name in args.only or DEFAULT:
        started = time.perf_counter()
        RUNNERS[name](ctx)
        say(f"       ({name}: {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
