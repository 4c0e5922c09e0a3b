"""What each stage of indexing costs, per article, serially in one process.

    python -m bench.stages CORPUS [--limit 2000] [--engines whoosh,tantivy]

Reads the first `--limit` articles of CORPUS and times, one stage at a time over all of them,
the steps `archivio reindex` takes for every article (`search/indexer.py`): reading (file ->
Article), the duplicate keys (`text_key`, `url_key`), the near-duplicate MinHash and its LSH
assignment, the Italian analysis (`analysed`: title and body tokens, exact forms, names), and
then, per engine, the writer: `add` for every analysed article and the `commit` that makes
them live (a throwaway index in a temporary folder, one writer process). The split says which
side bounds a build: Archivio's Python (the same for every engine) or the engine's writer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def read_sample(corpus: Path, limit: int) -> tuple[list, float]:
    from search.errors import SkipInput
    from search.ingest import discover, read_articles
    from search.model import Article

    started = time.perf_counter()
    articles: list[Article] = []
    for path in discover(corpus):
        if not isinstance(path, Path):
            continue  # refused by discovery (a link out of the corpus, a FIFO)
        try:
            for item in read_articles(path, path.relative_to(corpus).as_posix()):
                if isinstance(item, Article):
                    articles.append(item)
                if len(articles) >= limit:
                    return articles, time.perf_counter() - started
        except SkipInput:
            continue  # a file reindex skips with its reason (not an article, too big…)
    return articles, time.perf_counter() - started


def measure_stages(
    corpus: Path, limit: int = 2000, engine_names: tuple[str, ...] = ("whoosh", "tantivy")
) -> dict[str, dict[str, float]]:
    from search.analysis import index_tokens, name_tokens, surface_tokens
    from search.columns import ColumnsBuilder
    from search.engines import engine_class
    from search.identity import text_key, url_key
    from search.near_duplicates import NearDuplicates, minhash
    from search.preparation import analysed
    from search.store import Manifest

    articles, reading = read_sample(corpus, limit)
    if not articles:
        raise SystemExit(f"nessun articolo in {corpus}")
    timings: dict[str, float] = {"read file -> Article": reading}

    def timed(name: str, work: Callable[[object], object]) -> list[object]:
        begin = time.perf_counter()
        out = [work(article) for article in articles]
        timings[name] = time.perf_counter() - begin
        return out

    timed("text_key (fold + sha1)", text_key)
    timed("url_key", lambda a: url_key(a.url) if a.url else None)
    timed("MinHash signature", lambda a: minhash(a.body))
    near = NearDuplicates()
    groups = timed("MinHash + LSH assign", lambda a: near.assign(a.id, a.body))
    timed("analysis: index tokens (body)", lambda a: list(index_tokens(a.body)))
    timed("analysis: exact forms (body)", lambda a: list(surface_tokens(a.body)))
    timed("analysis: names", lambda a: [name_tokens(a.author or ""), name_tokens(a.source or "")])
    rows = iter(range(len(articles)))
    by_id = dict(zip((a.id for a in articles), groups, strict=True))
    documents = timed("analysis: whole document", lambda a: analysed(a, by_id[a.id], next(rows)))
    engines_measured = 0
    for name in engine_names:
        try:
            engine_type = engine_class(name)
        except Exception as problem:  # an engine whose package is not installed
            print(f"{name}: non misurato ({problem})", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as folder:
            writer = engine_type(Path(folder) / "index").writer(full=True, procs=1, limit_mb=256)
            columns = ColumnsBuilder(None)
            begin = time.perf_counter()
            for document in documents:
                writer.add(document)
            timings[f"{name}: writer add"] = time.perf_counter() - begin
            for document in documents:
                columns.add(
                    document.article, document.group, len(document.title), len(document.body)
                )
            begin = time.perf_counter()
            columns.build().save(writer.state_dir)
            near.save(writer.state_dir)
            writer.commit(Manifest(articles=len(documents)))
            timings[f"{name}: commit"] = time.perf_counter() - begin
            engines_measured += 1
    n = len(articles)
    return {
        "ms_per_article": {k: 1000 * v / n for k, v in timings.items()},
        "articles": {"n": n, "engines": engines_measured},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--engines", default="whoosh,tantivy")
    args = parser.parse_args(argv)
    names = tuple(n.strip() for n in args.engines.split(",") if n.strip())
    figures = measure_stages(args.corpus, args.limit, names)
    print(f"{figures['articles']['n']} articles")
    for name, value in figures["ms_per_article"].items():
        print(f"{name:40} {value:8.3f} ms/article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
