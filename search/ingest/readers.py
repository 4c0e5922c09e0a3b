"""The reader of each input format, as `read_articles` calls it: (path, label, limits)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from search.errors import SkipInput
from search.ingest.export import parse_export
from search.ingest.files import read_whole
from search.ingest.html import extract_html
from search.ingest.jsonl import read_jsonl
from search.ingest.limits import IngestLimits, thousands
from search.ingest.text import decode_bytes
from search.ingest.warc import read_warc
from search.model import Article, Skipped

Reader = Callable[[Path, str, IngestLimits], Iterator[Article | Skipped]]


def _read_export(path: Path, label: str, limits: IngestLimits) -> Iterator[Article]:
    text = decode_text(read_whole(path, limits))
    # Markdown costs up to 70 µs a character on hostile input: refuse what cannot fit anyway.
    if len(text) > 2 * limits.max_article_chars:
        raise SkipInput(
            f"file di {thousands(len(text))} caratteri: troppo lungo per un articolo "
            f"(limite max_article_chars, {thousands(limits.max_article_chars)})"
        )
    yield parse_export(text)


def _read_html(path: Path, label: str, limits: IngestLimits) -> Iterator[Article]:
    data = read_whole(path, limits)
    _refuse_empty(data)
    yield extract_html(data, limits=limits)


def _read_warc(path: Path, label: str, limits: IngestLimits) -> Iterator[Article | Skipped]:
    for item in read_warc(path, limits):
        if isinstance(item, Skipped):
            # The reader names records by the path it was given; report corpus-relative.
            yield Skipped(item.path.replace(str(path), label, 1), item.reason)
        else:
            yield item


def _refuse_empty(data: bytes) -> None:
    if not data.strip():
        raise SkipInput("file vuoto")


def decode_text(data: bytes) -> str:
    """Text of a `.txt`/`.md` file by the one decoding policy (`text.decode_bytes`)."""
    _refuse_empty(data)
    return decode_bytes(data)


READERS: dict[str, Reader] = {
    "export": _read_export,
    "html": _read_html,
    "jsonl": read_jsonl,
    "warc": _read_warc,
}
