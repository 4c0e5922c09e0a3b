"""Fuzz targets: each takes bytes, feeds one parser, and lets only its documented errors out.

Used by the hypothesis tests (tests/test_fuzz.py, a short run) and by the coverage-guided
atheris driver (fuzz/run.py, the long run). A finding is any other exception.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from pathlib import Path

from search.dates import parse_article_date, parse_date_range
from search.errors import QueryError, SkipInput
from search.ingest import read_articles
from search.ingest.export import parse_export
from search.ingest.html import extract_html
from search.ingest.jsonl import parse_record
from search.model import Article, Skipped
from search.query.plan import Filters, build_plan

TODAY = date(2026, 11, 25)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def fuzz_query(data: bytes) -> None:
    with suppress(QueryError):
        build_plan(_text(data), Filters(), None, today=TODAY)


def fuzz_dates(data: bytes) -> None:
    text = _text(data)
    try:
        span = parse_date_range(text, today=TODAY)
        if span.start > span.end:
            raise AssertionError(f"reversed range from {text!r}")
    except QueryError:
        pass
    parse_article_date(text)  # never raises


def fuzz_export(data: bytes) -> None:
    try:
        article = parse_export(_text(data))
        if not isinstance(article, Article):
            raise AssertionError("not an Article")
    except SkipInput:
        pass


def fuzz_html(data: bytes) -> None:
    with suppress(SkipInput):
        extract_html(data, url="https://example.org/a")


def fuzz_jsonl(data: bytes) -> None:
    for line in data.splitlines() or [data]:
        with suppress(SkipInput):
            parse_record(line)


def fuzz_warc(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name in ("a.warc", "a.warc.gz", "a.jsonl.gz"):
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                for item in read_articles(path, name):
                    if not isinstance(item, (Article, Skipped)):
                        raise AssertionError(f"unexpected item {item!r}")
            except SkipInput:
                pass


TARGETS: dict[str, Callable[[bytes], None]] = {
    "query": fuzz_query,
    "dates": fuzz_dates,
    "export": fuzz_export,
    "html": fuzz_html,
    "jsonl": fuzz_jsonl,
    "warc": fuzz_warc,
}
