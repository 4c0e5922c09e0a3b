"""JSON Lines dumps (`.jsonl`, `.jsonl.gz`): one article a line.

Keys: `id, title, body, date, author, source, url` (others are ignored). HTML inside fields
is stripped and entities decoded. A bad line is reported and skipped; the other lines of the
file are still read. A truncated `.gz` gives the lines before the damage, then a report.

Within `IngestLimits`: a line over `max_line_bytes` is skipped without being held whole; a
`.gz` stops, keeping the articles before, once it expands past `max_decompressed_bytes` or
`max_compression_ratio` times its compressed size.

JSON Lines is UTF-8 by definition, but a line that is not is decoded by the policy of every
other text input (`text.decode_bytes`: Windows-1252 for Italian Latin-1) rather than skipped:
accented Latin-1 text is never valid UTF-8, so the reading is unambiguous, and a dump
exported by an old CMS keeps its articles.
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
from search.ingest.files import Decompressed, Readable, TooMuchData, bounded_lines, open_regular
from search.ingest.limits import DEFAULT_LIMITS, IngestLimits, article_too_long, size_text
from search.ingest.text import decode_bytes, strip_html
from search.model import Article, Skipped


def read_jsonl(
    path: Path, label: str, limits: IngestLimits = DEFAULT_LIMITS
) -> Iterator[Article | Skipped]:
    """Articles of a JSONL file; `label` names the file in reports (`file#line`)."""
    with open_regular(path) as raw:
        stream: Readable = Decompressed(raw, limits) if path.name.endswith(".gz") else raw
        records = 0
        try:
            for number, line in bounded_lines(stream, limits.max_line_bytes):
                records += 1
                if line is None:
                    yield Skipped(
                        f"{label}#{number}",
                        f"riga troppo lunga: oltre {size_text(limits.max_line_bytes)} "
                        "(limite max_line_bytes)",
                    )
                    continue
                try:
                    article = parse_record(line)
                except SkipInput as problem:
                    yield Skipped(f"{label}#{number}", str(problem))
                    continue
                if reason := article_too_long(article, limits):
                    yield Skipped(f"{label}#{number}", reason)  # named by its line, not its rank
                    continue
                yield article
        except (EOFError, zlib.error, gzip.BadGzipFile) as damage:
            yield Skipped(label, f"file compresso troncato o danneggiato: {damage}")
            return
        except TooMuchData as excess:
            yield Skipped(label, str(excess))
            return
    if not records:
        raise SkipInput("file vuoto: nessuna riga JSON")


def parse_record(raw: bytes | str) -> Article:
    """One JSONL line as an Article (id kept from the record when present)."""
    try:
        text = raw if isinstance(raw, str) else _decode(raw)
        record = json.loads(text)
    except RecursionError:
        raise SkipInput("riga JSON non valida: annidata troppo in profondità") from None
    except ValueError as error:  # UnicodeDecodeError included
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


def _decode(line: bytes) -> str:
    try:
        return line.decode("utf-8-sig")  # a BOM may open the first line
    except UnicodeDecodeError:
        return decode_bytes(line)


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
