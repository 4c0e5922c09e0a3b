"""Writing a Tantivy index: one generation per run, Tantivy's own threads for the postings.

The new generation starts as hard links of the live one's files (`search.store`). Tantivy
never rewrites a file it wrote: segments, deletion bitsets and `meta.json` are new files
or replaced by rename, so the live generation stays as it was. Merges are waited for
before the commit records its checksums: nothing changes in a generation once it is live.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import tantivy

from search.columns import day_number
from search.engines.base import IndexDocument
from search.engines.directory import DirectoryWriter
from search.engines.stored import stored_document
from search.engines.tantivy.schema import TOKEN_FIELDS, as_os_error, create_index, open_index
from search.engines.tantivy.translate import stored_json

MIN_HEAP_MB = 16  # Tantivy refuses less than 15 MB per indexing thread
MAX_THREADS = 4


class TantivyWriter(DirectoryWriter):
    engine = "tantivy"

    def __init__(self, index_dir: Path, *, full: bool, procs: int | None, limit_mb: int) -> None:
        super().__init__(index_dir, full=full)
        try:
            if self.previous_state is None:
                self._index = create_index(self.engine_dir)
                self._base: tantivy.Searcher | None = None
            else:
                self._index = open_index(self.engine_dir)
                self._base = self._index.searcher()
            self._schema = self._index.schema
            threads = max(1, min(procs or 1, MAX_THREADS))
            heap_mb = max(limit_mb, MIN_HEAP_MB * threads)
            self._writer: tantivy.IndexWriter | None = self._index.writer(
                heap_size=heap_mb * 1_000_000, num_threads=threads
            )
        except BaseException:
            self.cancel()
            raise

    def original_of(self, key: str, value: str) -> tuple[str, str] | None:
        if self._base is None:
            return None
        query = tantivy.Query.term_query(self._schema, key, value)
        hits = self._base.search(query, limit=1, count=False).hits
        if not hits:
            return None
        doc = stored_json(self._base.doc(hits[0][1]))
        return str(doc["id"]), str(doc.get("path") or "")

    def add(self, document: IndexDocument) -> None:
        try:
            self._live_writer().add_document(to_document(document))
        except ValueError as error:
            raise as_os_error(error, self.engine_dir) from error

    def delete_path(self, path: str) -> None:
        try:
            self._live_writer().delete_documents_by_term("path", path)
        except ValueError as error:
            raise as_os_error(error, self.engine_dir) from error

    def _live_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise RuntimeError("the Tantivy writer is closed")
        return self._writer

    def _finish_engine(self) -> None:
        writer, self._writer = self._writer, None
        self._base = None
        if writer is None:
            return
        try:
            writer.commit()
            # Merges run in Tantivy's threads: wait for them, so that the files whose
            # checksums the commit records are the generation's last ones.
            writer.wait_merging_threads()
        except ValueError as error:
            raise as_os_error(error, self.engine_dir) from error

    def _cancel_engine(self) -> None:
        writer, self._writer = getattr(self, "_writer", None), None
        self._base = None
        if writer is not None:
            with contextlib.suppress(ValueError):  # a writer that died has nothing to undo
                writer.rollback()


def to_document(document: IndexDocument) -> tantivy.Document:
    article = document.article
    doc = tantivy.Document()
    doc.add_integer("row", document.row)
    when = article.date
    doc.add_integer("day", day_number(when.year, when.month, when.day) if when else 0)
    doc.add_text("id", article.id)
    doc.add_text("path", article.path or "")
    doc.add_text("text_key", document.text_key)
    if document.url_key:
        doc.add_text("url_key", document.url_key)
    fields = {"title": document.title, "body": document.body, "exact": document.exact}
    for name in TOKEN_FIELDS:
        tokens = fields[name] if name in fields else document.names.get(name)
        if tokens:
            _add_tokens(doc, name, tokens)
    doc.add_bytes("doc", json.dumps(stored_document(document), ensure_ascii=False).encode())
    return doc


def _add_tokens(doc: tantivy.Document, name: str, tokens: list[str]) -> None:
    """The tokens at positions 0, 1, 2…: joined by spaces, or spelled out when they must be."""
    text = " ".join(tokens)
    if text.split() == tokens:  # no token empty or holding whitespace
        doc.add_text(name, text)
        return
    spelled, start = [], 0
    for position, token in enumerate(tokens):
        spelled.append(tantivy.Token(token, position, start, start + len(token)))
        start += len(token) + 1
    doc.add_pre_tokenized_text(name, tantivy.PreTokenizedString(text, spelled))
