"""Index builds for the benchmarks, each in a fresh child process.

A child process gives every build the same clean start (no stem cache or page cache of the
other engine's build in the same interpreter) and its own peak RSS, which a long-lived
process cannot report per build (`ru_maxrss` only grows):

    python -m bench.builds stock CORPUS INDEX
    python -m bench.builds archivio CORPUS INDEX [--engine whoosh|tantivy] [--variant NAME]
    python -m bench.builds bare-tantivy CORPUS INDEX

prints one JSON line: seconds, articles, peak RSS of the process and of its children (the
writer's subprocesses), index size. Variants switch off one part of Archivio's indexing by
monkeypatching it (see `VARIANTS`), to measure what that part costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def stock_schema():
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    analyzer = LanguageAnalyzer("it")
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer, stored=True),
        body=TEXT(analyzer, stored=True),
    )


def build_stock(corpus: Path, index: Path) -> int:
    """Stock Whoosh: one writer, default settings, every JSONL file of `corpus`."""
    from whoosh import index as whoosh_index

    index.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(index), stock_schema())
    writer = ix.writer()
    count = 0
    for path in sorted(corpus.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                writer.add_document(
                    id=record["id"], title=record.get("title") or "", body=record.get("body") or ""
                )
                count += 1
    writer.commit()
    return count


# --- variants: each switches off one part of Archivio's indexing --------------------------


def _no_near_duplicates() -> None:
    from search.near_duplicates import NearDuplicates

    NearDuplicates.assign = lambda self, article_id, text: article_id  # type: ignore[method-assign]


def _no_exact_field() -> None:
    import search.indexer as indexer

    original = indexer.to_document

    def without_exact(article, group=None):
        document = original(article, group)
        del document["exact"]
        return document

    indexer.to_document = without_exact


def _no_duplicate_keys() -> None:
    import search.indexer as indexer

    indexer._SeenKeys.original_of = lambda self, article: None  # type: ignore[method-assign]


def _body_not_stored() -> None:
    from whoosh.fields import TEXT

    import search.store as store
    from search.analysis import italian_analyzer

    original = store.build_schema

    def schema():
        built = original()
        built.remove("body")
        built.add("body", TEXT(analyzer=italian_analyzer()))
        return built

    store.build_schema = schema


def _fast_minhash() -> None:
    """MinHash on fewer, cheaper shingles: a preview of a possible change."""
    import numpy as np
    from datasketch import MinHash

    import search.near_duplicates as near

    def minhash(text):
        words = near._WORDS.findall(near.fold(text[:5000]))
        if len(words) < near.MIN_WORDS:
            return None
        shingles = {" ".join(words[i : i + near.SHINGLE]) for i in range(len(words) - 2)}
        signature = MinHash(num_perm=near.NUM_PERM)
        signature.update_batch([s.encode("utf-8") for s in shingles])
        return signature.hashvalues.astype(np.uint32)  # the band index takes the values

    near.minhash = minhash


def _not_compound() -> None:
    """Segments left as separate files: Whoosh then reads them through the page cache,
    where a compound segment's sub-files are copied into private memory (BytesIO)."""
    from whoosh.writing import SegmentWriter

    defaults = list(SegmentWriter.__init__.__defaults__)
    code = SegmentWriter.__init__.__code__
    names = code.co_varnames[: code.co_argcount]
    defaults[names[-len(defaults) :].index("compound")] = False
    SegmentWriter.__init__.__defaults__ = tuple(defaults)


VARIANTS: dict[str, Callable[[], None]] = {
    "as-is": lambda: None,
    "no-near-duplicates": _no_near_duplicates,
    "no-exact-field": _no_exact_field,
    "no-duplicate-keys": _no_duplicate_keys,
    "body-not-stored": _body_not_stored,
    "not-compound": _not_compound,
}


def build_archivio(
    corpus: Path,
    index: Path,
    *,
    variant: str = "as-is",
    procs: int | None = None,
    limit_mb: int | None = None,
    full: bool = True,
    progress: Path | None = None,
    engine: str | None = None,
) -> int:
    from search.indexer import reindex
    from search.settings import Settings

    VARIANTS[variant]()
    # The incremental benchmark links the generated files into its corpus folder.
    options: dict[str, object] = {
        "corpus_dir": corpus,
        "index_dir": index,
        "follow_symlinks_outside": True,
    }
    if procs is not None:
        options["procs"] = procs
    if limit_mb is not None:
        options["limit_mb"] = limit_mb
    on_file = None
    if progress is not None:
        started, done = time.perf_counter(), [0]
        log = open(progress, "a", encoding="utf-8")  # noqa: SIM115 (open for the whole build)

        def on_file(label: str, size: int, articles: int) -> None:
            done[0] += articles
            log.write(f"{time.perf_counter() - started:.1f} s {done[0]} articles ({label})\n")
            log.flush()

    report = reindex(Settings(**options), full=full, on_file=on_file, engine=engine)  # type: ignore[arg-type]
    return report.added + report.updated if not full else report.articles + report.duplicates


def _child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=("stock", "archivio", "bare-tantivy"))
    parser.add_argument("--engine", dest="archivio_engine", help="Archivio's engine")
    parser.add_argument("corpus", type=Path)
    parser.add_argument("index", type=Path)
    parser.add_argument("--variant", default="as-is", choices=sorted(VARIANTS))
    parser.add_argument("--procs", type=int)
    parser.add_argument("--limit-mb", type=int)
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--progress", type=Path, help="append a line per file read")
    parser.add_argument("--backend", help="a PostgreSQL server's address (engine postgresql)")
    args = parser.parse_args(argv)
    if args.backend:
        from search import engines

        engines.BACKEND = args.backend
    import whoosh.analysis  # noqa: F401

    import search.indexer  # noqa: F401  (imports are not indexing time)

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if args.engine == "stock":
        articles = build_stock(args.corpus, args.index)
    elif args.engine == "bare-tantivy":
        from bench.bare_tantivy import build

        articles = build(args.corpus, args.index)
    else:
        articles = build_archivio(
            args.corpus,
            args.index,
            variant=args.variant,
            procs=args.procs,
            limit_mb=args.limit_mb,
            full=not args.incremental,
            progress=args.progress,
            engine=args.archivio_engine,
        )
    seconds = time.perf_counter() - started
    own_usage = resource.getrusage(resource.RUSAGE_SELF)
    children_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own, children = own_usage.ru_maxrss, children_usage.ru_maxrss
    cpu = sum(u.ru_utime + u.ru_stime for u in (own_usage, children_usage))
    cpu -= before.ru_utime + before.ru_stime
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "load_average": os.getloadavg()[0],
        "articles": articles,
        "peak_rss_mb": own / 1024,
        "peak_rss_children_mb": children / 1024,
        "index_bytes": dir_size(args.index),
    }
    print(json.dumps(result))
    return 0


def run_build(
    engine: str,
    corpus: Path,
    index: Path,
    *,
    variant: str = "as-is",
    procs: int | None = None,
    limit_mb: int | None = None,
    incremental: bool = False,
    fresh: bool = True,
    progress: Path | None = None,
    archivio_engine: str | None = None,
    backend: str | None = None,
) -> dict[str, float]:
    """Build in a child process; its JSON figures (raises on a failed build)."""
    if fresh and index.exists():
        shutil.rmtree(index)
    command = [sys.executable, "-m", "bench.builds", engine, str(corpus), str(index)]
    command += ["--variant", variant]
    if procs is not None:
        command += ["--procs", str(procs)]
    if limit_mb is not None:
        command += ["--limit-mb", str(limit_mb)]
    if incremental:
        command.append("--incremental")
    if archivio_engine is not None:
        command += ["--engine", archivio_engine]
    if progress is not None:
        command += ["--progress", str(progress)]
    if backend is not None:
        command += ["--backend", backend]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}
    )
    if done.returncode != 0:
        raise RuntimeError(f"build failed ({' '.join(command)}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
