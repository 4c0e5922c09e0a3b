"""The Tantivy schema: fields hold the tokens the core analysed, joined by spaces.

Tantivy never analyses Archivio's text: every indexed field receives the core's tokens
(`search.analysis`) joined by single spaces and split again by a whitespace tokenizer with
no filters, so a token's position is its index in the core's list (what phrases use). A
token that holds whitespace, or an empty one, would shift the positions: such a field is
given as pre-tokenized text instead, positions spelled out. The article is one stored
JSON field, read back whole; `row` is a fast field, how Tantivy's answers map to rows.
"""

from __future__ import annotations

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
    index = _register(tantivy.Index.open(str(folder)))
    # No watcher thread: a snapshot is one committed state, never reloaded.
    index.config_reader(reload_policy="manual")
    return index
