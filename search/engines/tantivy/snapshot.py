"""Reading one committed Tantivy generation: evaluation, stored articles, the vocabulary.

A whole query tree is one Tantivy search (`translate.py`) that returns every match; the
`row` fast field maps Tantivy's document addresses to Archivio's rows. Tantivy's searcher
is safe to share between threads: no lock here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path

import numpy as np
import tantivy

from search.budget import Deadline
from search.columns import Columns
from search.engines.base import Expansion, Matches, StoredArticle, live_words, within_edits
from search.engines.stored import stored_article
from search.engines.tantivy.schema import has_deletions, open_index
from search.engines.tantivy.translate import Timeout, Translator, match_count, stored_json
from search.query.tree import Node
from search.store import ENGINE_DIR

EMPTY = np.zeros(0, dtype=np.int64)
FIRST, SECOND = itemgetter(0), itemgetter(1)


class TantivySnapshot:
    engine = "tantivy"
    # A tree is one Tantivy search: narrowing it with `Filter(main)` costs little, while
    # every match handed back to Python costs (`search.results._with_feedback`).
    restricts_in_one_pass = True

    def __init__(self, generation: Path) -> None:
        self.generation = generation.name
        self.state_dir = generation
        self.columns = Columns.load(generation)
        self._index = open_index(generation / ENGINE_DIR)
        self._schema = self._index.schema
        self._searcher = self._index.searcher()
        # Until a merge rewrites them, segments with deleted articles keep their words,
        # counted with them: then words are counted again over live articles.
        self._deletions = has_deletions(generation / ENGINE_DIR)

    def doc_count(self) -> int:
        return int(np.count_nonzero(self.columns["live"]))

    def engine_doc_count(self) -> int:
        return int(self._searcher.num_docs)

    def evaluate(self, node: Node, *, scored: bool, deadline: Deadline) -> Matches:
        searcher = self._searcher
        try:
            query = Translator(self._schema, searcher, deadline.expired).query(node)
        except Timeout:
            return Matches(EMPTY, np.zeros(0), timed_out=True)
        found = match_count(searcher, query)
        if not found:
            return Matches(EMPTY, np.zeros(0))
        if not scored:
            hits = searcher.search(
                query, limit=found, count=False, order_by_field="row", order=tantivy.Order.Asc
            ).hits
            rows = np.fromiter(map(FIRST, hits), dtype=np.int64, count=len(hits))
            return Matches(rows, np.zeros(len(rows)))
        hits = searcher.search(query, limit=found, count=False).hits
        # One C-level pass per column: the binding hands over one Python tuple per match.
        scores = np.fromiter(map(FIRST, hits), dtype=np.float64, count=len(hits))
        addresses = list(map(SECOND, hits))
        rows = np.fromiter(
            searcher.fast_field_values("row", addresses),  # type: ignore[arg-type]
            dtype=np.int64,
            count=len(hits),
        )
        order = np.lexsort((rows, -scores))
        return Matches(rows[order], scores[order])

    def _addresses(self, rows: Sequence[int]) -> dict[int, tantivy.DocAddress]:
        wanted = sorted({int(row) for row in rows})
        if not wanted:
            return {}
        query = tantivy.Query.term_set_query(self._schema, "row", wanted)
        hits = self._searcher.search(
            query, limit=len(wanted), count=False, order_by_field="row", order=tantivy.Order.Asc
        ).hits
        return {int(row): address for row, address in hits}  # type: ignore[arg-type]

    def stored(self, rows: Sequence[int]) -> list[StoredArticle]:
        addresses = self._addresses(rows)
        found = []
        for row in rows:
            address = addresses.get(int(row))
            if address is None:
                raise KeyError(row)
            found.append(stored_article(int(row), stored_json(self._searcher.doc(address))))
        return found

    def row_of(self, key: str, value: str) -> int | None:
        query = tantivy.Query.term_query(self._schema, key, value)
        hits = self._searcher.search(
            query, limit=1, count=False, order_by_field="row", order=tantivy.Order.Asc
        ).hits
        return int(hits[0][0]) if hits else None  # type: ignore[arg-type]

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
        # Tantivy lists the whole range with its frequencies; the scan limit is applied
        # in the order of the term dictionary, as the Whoosh engine scans it.
        listed = sorted(self._searcher.terms_with_prefix(field, prefix))
        complete = len(listed) <= scan_limit
        listed = listed[:scan_limit]
        if pattern:
            regex = re.compile(pattern)
            listed = [(word, df) for word, df in listed if regex.match(word)]
        if fuzzy is not None:
            kept = set(within_edits([word for word, _ in listed], *fuzzy))
            listed = [(word, df) for word, df in listed if word in kept]
        if self._deletions:
            return live_words(
                listed,
                lambda word: self._live_frequency(field, word),
                limit=limit,
                complete=complete,
            )
        counted = [(word, int(df)) for word, df in listed if df > 0]
        counted.sort(key=lambda item: (-item[1], item[0]))
        return Expansion(tuple(counted[:limit]), len(counted), complete)

    def doc_frequency(self, field: str, token: str) -> int:
        if self._deletions:
            return self._live_frequency(field, token)
        return int(self._searcher.doc_freq(field, token))

    def _live_frequency(self, field: str, token: str) -> int:
        """Live articles holding `token` (Tantivy's search skips deleted documents)."""
        return match_count(self._searcher, tantivy.Query.term_query(self._schema, field, token))

    def close(self) -> None:
        # Tantivy lets go of its memory maps when the objects are dropped.
        self._searcher = None  # type: ignore[assignment]
        self._index = None  # type: ignore[assignment]
