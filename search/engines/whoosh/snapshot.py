"""Reading one committed Whoosh generation: evaluation, stored articles, the vocabulary."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from search.budget import Deadline
from search.columns import Columns
from search.engines.base import Expansion, Matches, StoredArticle, live_words, within_edits
from search.engines.evaluate import Evaluator
from search.engines.stored import stored_article
from search.engines.whoosh.evaluate import WhooshPostings
from search.engines.whoosh.writer import ROWS_FILE
from search.query.tree import Node
from search.store import ENGINE_DIR


class WhooshSnapshot:
    engine = "whoosh"

    def __init__(self, generation: Path) -> None:
        self.generation = generation.name
        self.state_dir = generation
        self.columns = Columns.load(generation)
        engine_dir = generation / ENGINE_DIR
        self._reader = whoosh_index.open_dir(str(engine_dir)).reader()
        # Until a merge rewrites them, segments with deleted articles keep their words,
        # counted with them: then words are counted again over live articles.
        self._deletions = bool(self._reader.has_deletions())
        doc_rows = np.load(engine_dir / ROWS_FILE, mmap_mode="r")
        self._postings = WhooshPostings(self._reader, np.asarray(doc_rows), len(self.columns))
        self._evaluator = Evaluator(self._postings, self.columns)
        # Whoosh's readers seek and read shared files: one reader at a time per snapshot.
        self._lock = threading.Lock()

    def doc_count(self) -> int:
        return int(np.count_nonzero(self.columns["live"]))

    def evaluate(self, node: Node, *, scored: bool, deadline: Deadline) -> Matches:
        with self._lock:
            return self._evaluator.evaluate(node, scored=scored, deadline=deadline)

    def stored(self, rows: Sequence[int]) -> list[StoredArticle]:
        found = []
        with self._lock:
            for row in rows:
                docnum = int(self._postings.row_docs[int(row)])
                if docnum < 0:
                    raise KeyError(row)
                found.append(stored_article(int(row), self._reader.stored_fields(docnum)["doc"]))
        return found

    def row_of(self, key: str, value: str) -> int | None:
        with self._lock:
            if (key, value) not in self._reader:
                return None
            for docnum in self._reader.postings(key, value).all_ids():
                row = int(self._postings.doc_rows[docnum])
                if row >= 0:
                    return row
        return None

    def vocabulary(
        self,
        field: str,
        *,
        prefix: str,
        pattern: str | None = None,
        fuzzy: tuple[str, int] | None = None,
        limit: int,
        scan_limit: int,
    ) -> Expansion:
        reader = self._reader
        regex = re.compile(pattern) if pattern else None
        words: list[str] = []
        complete = True
        with self._lock:
            for n, term in enumerate(reader.expand_prefix(field, prefix)):
                if n >= scan_limit:
                    complete = False
                    break
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                if regex is None or regex.match(text):
                    words.append(text)
            if fuzzy is not None:
                words = within_edits(words, *fuzzy)
            counted = [(w, reader.doc_frequency(field, w)) for w in words]
            if self._deletions:
                return live_words(
                    counted,
                    lambda word: self._live_frequency(field, word),
                    limit=limit,
                    complete=complete,
                )
        counted = [(w, df) for w, df in counted if df > 0]
        counted.sort(key=lambda item: (-item[1], item[0]))
        return Expansion(tuple(counted[:limit]), len(counted), complete)

    def doc_frequency(self, field: str, token: str) -> int:
        with self._lock:
            if self._deletions:
                return self._live_frequency(field, token)
            return int(self._reader.doc_frequency(field, token))

    def _live_frequency(self, field: str, token: str) -> int:
        """Live articles holding `token` (the snapshot's lock held)."""
        rows, _ = self._evaluator.postings(field, token, _never)
        return len(rows)

    def close(self) -> None:
        self._reader.close()


def _never() -> bool:
    return False
