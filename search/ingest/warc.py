"""Web archives (`.warc`, `.warc.gz`) as wget --warc-file, Browsertrix and Heritrix write them.

Every `response` record with HTTP status 200 and an HTML type (text/html,
application/xhtml+xml) is a saved page for `extract_html`: url = WARC-Target-URI, fallback
date = WARC-Date (the capture day), charset from the HTTP Content-Type. Other records
(warcinfo, requests, revisits, redirects, images, scripts) are passed over in silence: a
crawl holds thousands and none is an article. A page that is not an article comes back as
`Skipped(f"{path}#{uri}", reason)`, so a user can see why a crawled URL is missing.

Damage: warcio takes the EOFError that `gzip` raises at a cut for the end of the archive,
returns a cut record of a `.warc` as if whole, and may drop a cut header in silence. So the
archive is decompressed here with the cut raised as such, each record is checked against its
Content-Length, and the file must end with the blank lines closing its last whole record.
The articles before the damage are yielded, then one `Skipped(str(path), reason)`. A file
that does not start with a WARC header raises `SkipInput` (warcio would read plain text as
ARC records).

Within `IngestLimits`: a `.warc.gz` stops like a damaged one, with its own reason, once it
expands past `max_decompressed_bytes` or `max_compression_ratio` times its size; so does
any archive at a run of `max_line_bytes` without a newline, since warcio reads a header line
whole, however long; a response over `max_file_bytes` is skipped, the next ones are read.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from datetime import date
from email.message import Message
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from search.errors import SkipInput
from search.ingest.files import TooMuchData, check_expansion, open_regular
from search.ingest.html import extract_html
from search.ingest.limits import DEFAULT_LIMITS, IngestLimits, size_text
from search.model import Article, Skipped

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# warcio reports a damaged record header as AttributeError or ValueError from its parser.
_DAMAGE = (ArchiveLoadFailed, EOFError, zlib.error, gzip.BadGzipFile, AttributeError, ValueError)


class _Truncated(Exception):
    """The archive ends inside a record."""


def read_warc(path: Path, limits: IngestLimits = DEFAULT_LIMITS) -> Iterator[Article | Skipped]:
    """The articles of a web archive, and a `Skipped` for each page that could not be one."""
    with open_regular(path) as raw:
        stream = _Uncompressed(raw, limits)  # type: ignore[arg-type]
        archive = ArchiveIterator(stream)
        record = None
        while True:
            oversize = False
            try:
                previous, record = record, next(archive, None)
                if previous is not None:
                    _check_complete(previous)  # warcio has now read it to its end
                if record is None:
                    _check_nothing_left(archive, stream, previous is not None)
                    return
                if not _is_html_page(record):
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                data = record.content_stream().read(limits.max_file_bytes + 1)
                if len(data) > limits.max_file_bytes:
                    oversize = True  # warcio reads the rest past, in blocks, at the next record
                else:
                    _check_complete(record)
            except (*_DAMAGE, _Truncated) as damage:
                yield Skipped(
                    str(path), f"archivio WARC troncato o danneggiato: {_explain(damage)}"
                )
                return
            except TooMuchData as excess:
                yield Skipped(str(path), str(excess))
                return
            if oversize:
                yield Skipped(
                    f"{path}#{uri}",
                    f"pagina troppo grande: oltre {size_text(limits.max_file_bytes)} "
                    "(limite max_file_bytes)",
                )
                continue
            encoding = (record.http_headers.get_header("Content-Encoding") or "identity").lower()
            if encoding not in ("identity", *BufferedReader.get_supported_decompressors()):
                yield Skipped(
                    f"{path}#{uri}", f"pagina compressa con {encoding}: non decomprimibile"
                )
                continue
            try:
                yield extract_html(
                    data,
                    url=uri,
                    fallback_date=_day(record),
                    charset=_charset(record),
                    limits=limits,
                )
            except SkipInput as problem:
                yield Skipped(f"{path}#{uri}", str(problem))


class _Uncompressed:
    """The archive's bytes for warcio, read so that a cut cannot pass for the end.

    warcio takes EOFError for the last record, which is what `gzip` raises at a cut; and
    `read()` would lose the records decompressed before it, where `read1()` hands them over.
    """

    def __init__(self, raw: io.BufferedReader, limits: IngestLimits) -> None:
        self.raw = raw
        self.limits = limits
        self.total = 0
        self.run = 0  # bytes since the last newline
        self.tail = b""  # the last bytes read
        self.compressed = raw.peek(2)[:2] == b"\x1f\x8b"
        self.stream = gzip.GzipFile(fileobj=raw) if self.compressed else raw
        try:
            head = self.stream.peek(5)[:5]
        except (EOFError, OSError, zlib.error) as error:
            raise SkipInput(f"archivio WARC troncato o danneggiato: {_explain(error)}") from None
        if head != b"WARC/":
            raise SkipInput("non è un archivio WARC: manca l'intestazione WARC/1.x")

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.stream.read1(size if size > 0 else io.DEFAULT_BUFFER_SIZE)
        except EOFError as error:
            raise _Truncated(_explain(error)) from None
        self.total += len(data)
        self.tail = (self.tail + data)[-64:]
        newline = data.rfind(b"\n")
        self.run = self.run + len(data) if newline < 0 else len(data) - newline - 1
        if self.run > self.limits.max_line_bytes:
            raise TooMuchData(
                f"oltre {size_text(self.limits.max_line_bytes)} senza un a capo "
                "(limite max_line_bytes): letto fino a lì"
            )
        if self.compressed:
            check_expansion(self.total, self.raw.tell(), self.limits)
        return data


def _check_nothing_left(archive: ArchiveIterator, stream: _Uncompressed, any_record: bool) -> None:
    """The archive ends with the blank lines that close its last whole record, and no more."""
    end = archive.get_record_offset() + archive.get_record_length() if any_record else 0
    left = stream.total - end
    closed = stream.tail.endswith((b"\r\n\r\n", b"\n\n"))
    if not closed or left > len(stream.tail) or stream.tail[len(stream.tail) - left :].strip():
        raise _Truncated("il file finisce a metà di un record")


def _check_complete(record: ArcWarcRecord) -> None:
    if getattr(record.raw_stream, "limit", 0) > 0:
        uri = record.rec_headers.get_header("WARC-Target-URI")
        raise _Truncated(f"il record di {uri} è incompleto")


def _is_html_page(record: ArcWarcRecord) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    return (
        record.http_headers.get_statuscode() == "200"
        and _content_type(record).get_content_type() in HTML_TYPES
    )


def _content_type(record: ArcWarcRecord) -> Message:
    header = Message()  # the stdlib's parser for "text/html; charset=ISO-8859-1"
    header["content-type"] = record.http_headers.get_header("Content-Type") or ""
    return header


def _charset(record: ArcWarcRecord) -> str | None:
    return _content_type(record).get_content_charset()


def _day(record: ArcWarcRecord) -> date | None:
    try:
        return date.fromisoformat(record.rec_headers.get_header("WARC-Date")[:10])
    except (TypeError, ValueError):
        return None


def _explain(damage: Exception) -> str:
    if isinstance(damage, EOFError):
        return "il file finisce a metà di un record"
    if isinstance(damage, (AttributeError, ValueError)):
        return "intestazione di un record illeggibile"
    return str(damage) or type(damage).__name__
