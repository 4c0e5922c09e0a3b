"""What each stage of indexing costs, per article, serially in one process (no writer).

    python -m bench.stages CORPUS [--limit 2000]

Reads the first `--limit` articles of CORPUS and times, one stage at a time over all of them:
reading (JSONL -> Article), the duplicate keys (`text_key`, `url_key`), the near-duplicate
MinHash and LSH, and Whoosh's per-field indexing (`field.index(value)`: analysis and term
counting, what `add_document` does before it pools postings) for every field of Archivio's
schema and of the stock schema. It also counts postings (distinct terms per document and
field), which is what the writer's pooling, sorting and commit pay for.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path


def measure_stages(corpus: Path, limit: int = 2000) -> dict[str, dict[str, float]]:
    from search.schema import build_schema

    from bench.builds import stock_schema
    from search.indexer import to_document, url_key
    from search.ingest import discover, read_articles
    from search.model import Article
    from search.near_duplicates import NearDuplicates, minhash

    try:
        from search.identity import text_key
    except ImportError:  # before text_key moved out of the indexer
        from search.indexer import text_key  # type: ignore[attr-defined,no-redef]

    timings: dict[str, float] = {}
    started = time.perf_counter()
    articles: list[Article] = []
    for path in discover(corpus):
        if not isinstance(path, Path):
            continue  # refused by discovery (a link out of the corpus, a FIFO)
        for item in read_articles(path, path.name):
            if isinstance(item, Article):
                articles.append(item)
            if len(articles) >= limit:
                break
        if len(articles) >= limit:
            break
    timings["read JSONL -> Article"] = time.perf_counter() - started

    def timed(name: str, work) -> None:
        begin = time.perf_counter()
        for article in articles:
            work(article)
        timings[name] = time.perf_counter() - begin

    timed("text_key (fold + sha1)", text_key)
    timed("url_key", lambda a: url_key(a.url) if a.url else None)
    timed("MinHash signature", lambda a: minhash(a.body))
    near = NearDuplicates()
    timed("MinHash + LSH assign", lambda a: near.assign(a.id, a.body))
    documents = [to_document(a, a.id) for a in articles]
    postings: dict[str, int] = defaultdict(int)

    def index_fields(schema, docs, label: str) -> None:
        for name in schema.names():
            field = schema[name]
            if not field.indexed:
                continue
            begin = time.perf_counter()
            for document in docs:
                value = document.get(name)
                if value is None or value == "":
                    continue
                if not isinstance(value, str) and hasattr(field, "to_bytes"):
                    terms = list(field.index(value))
                else:
                    terms = list(field.index(value))
                postings[f"{label} {name}"] += len(terms)
            timings[f"{label} field {name}"] = time.perf_counter() - begin

    index_fields(build_schema(), documents, "archivio")
    stock_docs = [{"id": a.id, "title": a.title, "body": a.body} for a in articles]
    index_fields(stock_schema(), stock_docs, "stock")
    n = len(articles)
    return {
        "ms_per_article": {k: 1000 * v / n for k, v in timings.items()},
        "postings_per_article": {k: v / n for k, v in postings.items()},
        "articles": {"n": n},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args(argv)
    figures = measure_stages(args.corpus, args.limit)
    print(f"{figures['articles']['n']} articles")
    for name, value in figures["ms_per_article"].items():
        print(f"{name:40} {value:8.3f} ms/article")
    for name, value in figures["postings_per_article"].items():
        print(f"{name:40} {value:8.1f} postings/article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
