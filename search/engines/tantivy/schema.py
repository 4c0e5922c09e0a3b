"""The Tantivy schema: fields hold the tokens the core analysed, joined by spaces.

Tantivy never analyses Archivio's text: every indexed field receives the core's tokens
(`search.analysis`) joined by single spaces and split again by a whitespace tokenizer with
no filters, so a token's position is its index in the core's list (what phrases use). A
token that holds whitespace, or an empty one, would shift the positions: such a field is
given as pre-tokenized text instead, positions spelled out. The article is one stored
JSON field, read back whole; `row` is a fast field, how Tantivy's answers map to rows.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import tantivy

from search.query.tree import NAME_FIELDS

SCHEMA = "tantivy-1"
TOKENIZER = "archivio_tokens"  # whitespace only: the core's tokens come already analysed
KEY_FIELDS = ("id", "path", "url_key", "text_key")
TOKEN_FIELDS = ("title", "body", "exact", *NAME_FIELDS)
STORED_TOKENS = ("title", "body")  # kept to check long proximity phrases (`phrases.py`)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("row", indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)  # yyyymmdd, 0: undated
    for name in KEY_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in TOKEN_FIELDS:
        builder.add_text_field(
            name, stored=name in STORED_TOKENS, tokenizer_name=TOKENIZER, index_option="position"
        )
    builder.add_bytes_field("doc", stored=True)
    return builder.build()


def _register(index: tantivy.Index) -> tantivy.Index:
    index.register_tokenizer(
        TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )
    return index


def create_index(folder: Path) -> tantivy.Index:
    return _register(tantivy.Index(build_schema(), path=str(folder), reuse=False))


def open_index(folder: Path) -> tantivy.Index:
    """The index in `folder`, read as committed (no reload, no watcher thread).

    Tantivy takes a lock file in the index folder even to read: on a read-only folder the
    index is opened through a private folder of links to its files instead.
    """
    try:
        index = _register(tantivy.Index.open(str(folder)))
    except ValueError as error:
        if not _read_only(error):
            raise
        return _open_through_links(folder)
    index.config_reader(reload_policy="manual")
    return index


def has_deletions(folder: Path) -> bool:
    """Whether a segment of the index in `folder` still holds deleted documents.

    Tantivy keeps their words in the term dictionary, and counts them in its document
    frequencies, until a merge rewrites the segment; `meta.json` lists each segment's
    deletions. An unreadable list counts as deletions (the careful answer).
    """
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        return any(segment.get("deletes") for segment in meta["segments"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True


def _read_only(error: ValueError) -> bool:
    return "Read-only file system" in str(error) or "Permission denied" in str(error)


def _open_through_links(folder: Path) -> tantivy.Index:
    # The reader maps every file of the segments as it opens them: once it is made, the
    # links can go (it never reloads, so it never looks in the folder again).
    shadow = Path(tempfile.mkdtemp(prefix="archivio-tantivy-"))
    try:
        for item in folder.iterdir():
            if item.is_file() and not item.name.endswith(".lock"):
                (shadow / item.name).symlink_to(item.resolve())
        index = _register(tantivy.Index.open(str(shadow)))
        index.config_reader(reload_policy="manual")
        return index
    finally:
        shutil.rmtree(shadow, ignore_errors=True)


OS_ERROR = re.compile(r"os error (\d+)")


def as_os_error(error: ValueError, folder: Path) -> OSError:
    """A Tantivy write failure as the `OSError` the core reports (full disk, read-only…).

    Tantivy's message names the system error when it has one; a writer thread that died
    says only that it died: then the folder itself is asked what went wrong.
    """
    found = OS_ERROR.search(str(error))
    if found:
        code = int(found.group(1))
    elif _read_only(error) or not os.access(folder, os.W_OK):
        code = errno.EROFS
    else:
        try:
            stats = os.statvfs(folder)
            full = stats.f_bavail * stats.f_frsize < 1_000_000
        except OSError:
            full = False
        code = errno.ENOSPC if full else errno.EIO
    return OSError(code, f"{os.strerror(code)} (Tantivy: {error})")
