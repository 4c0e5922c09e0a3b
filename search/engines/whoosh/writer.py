"""Writing a Whoosh index: one generation per run, optionally with helper processes.

A full rebuild of a large corpus spreads the postings over two processes (Whoosh's
`MpWriter`, one segment each). Those processes are forked while the parent holds the
writer lock: each one closes its inherited copy of the lock at once and asks the kernel
to kill it when the parent dies (`PR_SET_PDEATHSIG`), so a killed reindex never leaves a
process holding the lock or writing into a generation nobody will publish.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from search.engines.base import IndexDocument
from search.engines.directory import DirectoryWriter
from search.engines.stored import stored_document
from search.engines.whoosh.schema import build_schema
from search.helper_processes import die_with_parent

ROWS_FILE = "rows.npy"


class _Task(SubWriterTask):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parent = os.getpid()

    def run(self) -> None:
        die_with_parent(self._parent)
        super().run()


class _MpWriter(MpWriter):  # type: ignore[misc]
    def _new_task(self) -> _Task:
        task = _Task(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task


class WhooshWriter(DirectoryWriter):
    engine = "whoosh"

    def __init__(self, index_dir: Path, *, full: bool, procs: int | None, limit_mb: int) -> None:
        super().__init__(index_dir, full=full)
        try:
            if self.previous_state is None:
                ix = whoosh_index.create_in(str(self.engine_dir), build_schema())
            else:
                ix = whoosh_index.open_dir(str(self.engine_dir))
            self._ix = ix
            self._base = ix.searcher() if self.previous_state is not None else None
            if procs and procs > 1:
                self._writer: SegmentWriter = _MpWriter(
                    ix, procs=procs, multisegment=True, limitmb=limit_mb, compound=False
                )
            else:
                # Not compound: readers map the segment files through the shared page cache,
                # where a compound file is copied into every process (1.1 GB -> 120 MB at 100k).
                self._writer = ix.writer(limitmb=limit_mb, compound=False)
        except BaseException:
            self.cancel()
            raise

    def original_of(self, key: str, value: str) -> tuple[str, str] | None:
        if self._base is None:
            return None
        docnum = self._base.document_number(**{key: value})
        if docnum is None:
            return None
        stored = self._base.stored_fields(docnum)["doc"]
        return stored["id"], stored.get("path") or ""

    def add(self, document: IndexDocument) -> None:
        self._writer.add_document(**to_fields(document))

    def delete_path(self, path: str) -> None:
        self._writer.delete_by_term("path", path)

    def _finish_engine(self) -> None:
        try:
            self._writer.commit()
        finally:
            self._close_base()
        write_rows(self.engine_dir)

    def _cancel_engine(self) -> None:
        try:
            self._writer.cancel()
        finally:
            self._close_base()

    def _close_base(self) -> None:
        if self._base is not None:
            self._base.close()
            self._base = None


def to_fields(document: IndexDocument) -> dict[str, object]:
    article = document.article
    fields: dict[str, object] = {
        "row": document.row,
        "id": article.id,
        "path": article.path or "",
        "text_key": document.text_key,
        "title": document.title,
        "body": document.body,
        "exact": document.exact,
        "doc": stored_document(document),
    }
    if document.url_key:
        fields["url_key"] = document.url_key
    for name, words in document.names.items():
        if words:
            fields[name] = words
    return fields


def write_rows(engine_dir: Path) -> None:
    """Save docnum -> row (-1 for deleted documents): what searches map postings with."""
    ix = whoosh_index.open_dir(str(engine_dir))
    with ix.reader() as reader:
        if reader.doc_count_all() == 0:  # an empty index has no columns to read
            rows = np.zeros(0, dtype=np.int64)
            np.save(engine_dir / ROWS_FILE, rows)
            return
        rows = np.fromiter(
            (value for value in reader.column_reader("row")),
            dtype=np.int64,
            count=reader.doc_count_all(),
        )
        live = np.zeros(len(rows), dtype=bool)
        live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        rows[~live] = -1
    target = engine_dir / ROWS_FILE
    target.unlink(missing_ok=True)
    np.save(target, rows)
