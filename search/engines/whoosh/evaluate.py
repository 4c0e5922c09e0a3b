"""Postings read from a Whoosh index, for the engine-neutral evaluation of the query tree.

`search.engines.evaluate.Evaluator` combines them with numpy (set operations and BM25);
this module only reads Whoosh's segments: a term's documents and frequencies, its
positions in given documents, and the mapping between Whoosh's document numbers and the
core's rows (deleted documents map to -1 and are left out).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from search.engines.whoosh.postings import read_positions, read_postings

EMPTY = np.zeros(0, dtype=np.int64)


class WhooshPostings:
    """The `Postings` of one opened Whoosh reader (callers hold the snapshot's lock)."""

    def __init__(self, reader: object, doc_rows: np.ndarray, rows: int) -> None:
        self.segments = [(leaf, offset) for leaf, offset in reader.leaf_readers()]  # type: ignore[attr-defined]
        self.doc_rows = doc_rows  # global docnum -> row (-1: deleted)
        self.row_docs = np.full(rows, -1, dtype=np.int64)  # row -> global docnum
        live_docs = np.flatnonzero(doc_rows >= 0)
        self.row_docs[doc_rows[live_docs]] = live_docs

    def term_rows(
        self, field: str, token: str, expired: Callable[[], bool]
    ) -> tuple[np.ndarray, np.ndarray]:
        encoded = token.encode("utf-8")
        row_parts, tf_parts = [], []
        for segment, offset in self.segments:
            docnums, tfs = read_postings(segment, field, encoded, expired)
            if len(docnums):
                rows = self.doc_rows[docnums + offset]
                live = rows >= 0
                row_parts.append(rows[live])
                tf_parts.append(tfs[live])
        if not row_parts:
            return EMPTY, np.zeros(0, dtype=np.float32)
        rows = np.concatenate(row_parts)
        tfs = np.concatenate(tf_parts)
        order = np.argsort(rows, kind="stable")
        return rows[order], tfs[order]

    def term_positions(
        self, field: str, token: str, rows: np.ndarray, expired: Callable[[], bool]
    ) -> tuple[np.ndarray, np.ndarray]:
        row_parts, position_parts = [], []
        docs = np.sort(self.row_docs[rows])
        encoded = token.encode("utf-8")
        for segment, offset in self.segments:
            low, high = np.searchsorted(docs, [offset, offset + segment.doc_count_all()])
            docnums = docs[low:high] - offset
            if not len(docnums):
                continue
            for docnum, spots in read_positions(segment, field, encoded, docnums, expired).items():
                row = int(self.doc_rows[offset + docnum])
                if row >= 0 and spots:
                    row_parts.append(np.full(len(spots), row, dtype=np.int64))
                    position_parts.append(np.asarray(spots, dtype=np.int64))
        if not row_parts:
            return EMPTY, EMPTY
        found_rows, positions = np.concatenate(row_parts), np.concatenate(position_parts)
        order = np.lexsort((positions, found_rows))
        return found_rows[order], positions[order]
