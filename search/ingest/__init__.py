"""Turn the files of a corpus directory into `Article` records, whatever their format.

Formats by file name: archive export (`.txt`, `.md`), saved pages (`.html`, `.htm`),
JSON Lines (`.jsonl`, `.jsonl.gz`), web archives (`.warc`, `.warc.gz`). Other files and
hidden folders are not read. Whole-file problems raise `SkipInput`; problems inside a
multi-article file come back as `Skipped` records next to the good articles.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from search.errors import SkipInput
from search.ingest.export import parse_export
from search.ingest.jsonl import read_jsonl
from search.model import Article, Skipped

FORMATS = {
    ".txt": "export",
    ".md": "export",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".warc": "warc",
    ".warc.gz": "warc",
}


def input_format(path: Path) -> str | None:
    """The format of a corpus file by its name, or None when Archivio does not read it."""
    name = path.name.lower()
    for suffix, kind in FORMATS.items():
        if name.endswith(suffix):
            return kind
    return None


# A folder's own notes are not articles: README.md, LICENSE.txt and the like.
NOT_ARTICLES = ("readme", "license", "licence", "licenses", "copying", "changelog")


def discover(root: Path) -> Iterator[Path]:
    """Every readable corpus file under `root`, in a stable order.

    Hidden files and folders are skipped, and so are README/LICENSE-style notes.
    """
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.name.lower().split(".")[0] in NOT_ARTICLES:
            continue
        if path.is_file() and input_format(path):
            yield path


def read_articles(path: Path, label: str) -> Iterator[Article | Skipped]:
    """The articles of one file with their ids assigned; raises SkipInput for a bad file.

    An id is the record's own, else its URL, else the file's corpus path (`file#N` for
    the N-th article of a file that holds several): stable across reindexes.
    """
    kind = input_format(path)
    readers: dict[str, Callable[[Path, str], Iterator[Article | Skipped]]] = {
        "export": _read_export,
        "html": _read_html,
        "jsonl": read_jsonl,
        "warc": _read_warc,
    }
    if kind is None:
        raise SkipInput("formato non supportato")
    position = 0
    for item in readers[kind](path, label):
        if isinstance(item, Skipped):
            yield item
            continue
        position += 1
        fallback = label if kind in ("export", "html") else f"{label}#{position}"
        yield dataclasses.replace(item, id=item.id or item.url or fallback, path=label)


def _read_export(path: Path, label: str) -> Iterator[Article]:
    yield parse_export(decode_text(path.read_bytes()))


def _read_html(path: Path, label: str) -> Iterator[Article]:
    # Imported on first use: trafilatura and lxml take a second to load, and a corpus
    # without pages (JSONL, exports) should neither wait for them nor need them.
    from search.ingest.html import extract_html

    data = path.read_bytes()
    _refuse_empty(data)
    yield extract_html(data)


def _read_warc(path: Path, label: str) -> Iterator[Article | Skipped]:
    from search.ingest.warc import read_warc  # pulls in trafilatura: see _read_html

    for item in read_warc(path):
        if isinstance(item, Skipped):
            # The reader names records by the path it was given; report corpus-relative.
            yield Skipped(item.path.replace(str(path), label, 1), item.reason)
        else:
            yield item


def _refuse_empty(data: bytes) -> None:
    if not data.strip():
        raise SkipInput("file vuoto")
    if b"\x00" in data[:8192]:
        raise SkipInput("file binario, non testo")


def decode_text(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), else a confidently detected charset."""
    _refuse_empty(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        best = from_bytes(data).best()
        if best is None or best.chaos > 0.2:
            raise SkipInput(
                f"testo non decodificabile: non è UTF-8 (byte {error.start}) "
                "e la codifica non si riconosce"
            ) from None
        return str(best)
