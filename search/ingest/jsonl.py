"""JSON Lines dumps (`.jsonl`, `.jsonl.gz`): one article a line.

Keys: `id, title, body, date, author, source, url` (others are ignored). HTML inside fields
is stripped and entities decoded. A bad line is reported and skipped; the other lines of the
file are still read. A truncated `.gz` gives the lines before the damage, then a report.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from search.dates import parse_article_date
from search.errors import SkipInput
from search.ingest.text import strip_html
from search.model import Article, Skipped


def read_jsonl(path: Path, label: str) -> Iterator[Article | Skipped]:
    """Articles of a JSONL file; `label` names the file in reports (`file#line`)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            for number, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                try:
                    yield parse_record(raw)
                except SkipInput as problem:
                    yield Skipped(f"{label}#{number}", str(problem))
    except (EOFError, zlib.error, gzip.BadGzipFile) as damage:
        yield Skipped(label, f"file compresso troncato o danneggiato: {damage}")


def parse_record(raw: bytes | str) -> Article:
    """One JSONL line as an Article (id kept from the record when present)."""
    try:
        record = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise SkipInput(f"riga JSON non valida: {error}") from None
    if not isinstance(record, dict):
        raise SkipInput("riga JSON non valida: non è un oggetto")
    title = _text(record.get("title"))
    body = _text(record.get("body") or record.get("text"))
    if not body and not title:
        raise SkipInput("articolo senza titolo né testo")
    return Article(
        id=_plain(record.get("id")) or "",
        title=title,
        body=body,
        url=_plain(record.get("url")),
        author=_plain(record.get("author")),
        source=_plain(record.get("source")),
        date=_date(record.get("date")),
        section=_plain(record.get("section")),
        tags=_tags(record.get("tags")),
    )


def _tags(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return ()
    return tuple(t.strip() for t in value if isinstance(t, str) and t.strip())


def _text(value: object) -> str:
    return strip_html(value) if isinstance(value, str) else ""


def _plain(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return strip_html(value).strip() or None


def _date(value: object) -> date | None:
    return parse_article_date(value) if isinstance(value, str) and value else None
