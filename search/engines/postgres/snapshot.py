"""Reading one committed state of a PostgreSQL index.

A snapshot is one connection holding a REPEATABLE READ, READ ONLY transaction: every
query it answers sees the state that was live when it opened, whatever a reindex commits
meanwhile, until it is closed. The core's state files are copied out to a local folder
at opening (the columns are memory-mapped from there).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import psycopg
from psycopg import IsolationLevel

from search.budget import Deadline
from search.columns import Columns
from search.engines.base import Expansion, Matches, StoredArticle, within_edits
from search.engines.evaluate import Evaluator
from search.engines.postgres import postings
from search.engines.postgres.connection import connect, read_conninfo
from search.engines.postgres.schema import (
    SCHEMA,
    TOKEN_COLUMNS,
    generation_number,
    schema_version,
    visible,
)
from search.engines.postgres.shards import recorded_layout, shard_unavailable
from search.engines.postgres.state import LocalFolder, materialise
from search.engines.postgres.tsvector import indexable
from search.engines.stored import stored_article
from search.errors import IndexMissingError, StaleIndexError
from search.query.tree import Node
from search.store import SCHEMA_VERSION, read_version

EMPTY = np.zeros(0, dtype=np.int64)
KEYS = ("id", "url_key", "text_key", "path")


class PostgresSnapshot:
    engine = "postgresql"

    def __init__(self, conninfo: str, schema: str, location: str, at: int | None = None) -> None:
        self.schema = schema
        self._lock = threading.Lock()
        self._conninfo = read_conninfo(conninfo)
        self._opened = False
        self._location = location
        self._layout: list[dict[str, object]] = []
        self._conn = self._connect()
        self._folder: LocalFolder | None = None
        try:
            version = schema_version(self._conn, schema)
            generation = None
            if version == SCHEMA:
                generation = self._one(
                    f'SELECT value FROM "{schema}".meta WHERE key = %s', ("generation",)
                )
            if version is None or (version == SCHEMA and generation is None):
                raise IndexMissingError(location)
            if version != SCHEMA:
                raise StaleIndexError(location, version, SCHEMA)
            number = generation_number(str(generation)) if at is None else at
            if number is None:
                raise IndexMissingError(location)
            self.number = number
            self._layout = recorded_layout(self._conn, schema)
            self.generation = f"gen-{number}"
            self._visible = visible(number, "a")
            self._folder = LocalFolder("archivio-pg-state-")
            self.state_dir = self._folder.path
            materialise(self._conn, schema, number, self.state_dir)
            found, _ = read_version(self.state_dir)
            if found != SCHEMA_VERSION:
                raise StaleIndexError(location, found, SCHEMA_VERSION)
            self.columns = Columns.load(self.state_dir)
            self._evaluator = Evaluator(self, self.columns)
            self._opened = True
        except BaseException:
            self.close()
            raise

    def _one(self, query: str, params: Sequence[object] = ()) -> Any:
        rows = self._rows(query, params)
        return rows[0][0] if rows else None

    def _rows(self, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a query; when the server went away (a replica that stopped), open the same
        generation again on the next server the address names, once. A shard that does not
        answer is said plainly; the snapshot then starts a new transaction, so that it
        answers again once the shard is back."""
        try:
            return self._conn.execute(query, params).fetchall()  # type: ignore[arg-type]
        except psycopg.OperationalError as error:
            lost = self._conn.closed or self._conn.broken
            shard = None if lost else shard_unavailable(error, self._location, self._layout)
            if shard is not None:
                self._conn.rollback()
                raise shard from None
            if not self._opened or not lost:
                raise
        self._conn.close()
        self._conn = self._connect()
        return self._conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def _connect(self) -> psycopg.Connection:
        conn = connect(self._conninfo)
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        return conn

    def doc_count(self) -> int:
        return int(np.count_nonzero(self.columns["live"]))

    def evaluate(self, node: Node, *, scored: bool, deadline: Deadline) -> Matches:
        return self._evaluator.evaluate(node, scored=scored, deadline=deadline)

    # --- postings, for the evaluator ----------------------------------------------------

    def term_rows(
        self, field: str, token: str, expired: Callable[[], bool]
    ) -> tuple[np.ndarray, np.ndarray]:
        if field not in TOKEN_COLUMNS or not indexable(token):
            return EMPTY, np.zeros(0)
        query = f'SELECT rows, counts FROM "{self.schema}".postings WHERE field = %s AND word = %s'
        with self._lock:
            records = self._rows(query, (field, token))
        return postings.read(records, self.columns["live"])

    def term_positions(
        self, field: str, token: str, rows: np.ndarray, expired: Callable[[], bool]
    ) -> tuple[np.ndarray, np.ndarray]:
        if field not in TOKEN_COLUMNS or not indexable(token) or not len(rows):
            return EMPTY, EMPTY
        query = (
            f'SELECT rows, counts, positions FROM "{self.schema}".postings '
            "WHERE field = %s AND word = %s"
        )
        with self._lock:
            records = self._rows(query, (field, token))
        return postings.read_positions(records, rows)

    # --- stored articles and keys -------------------------------------------------------

    def stored(self, rows: Sequence[int]) -> list[StoredArticle]:
        wanted = [int(row) for row in rows]
        with self._lock:
            found = self._rows(
                f'SELECT row, doc, grp FROM "{self.schema}".articles WHERE row = ANY(%s)',
                (wanted,),
            )
        by_row = {int(row): (doc, group) for row, doc, group in found}
        result = []
        for row in wanted:
            if row not in by_row:
                raise KeyError(row)
            doc, group = by_row[row]
            result.append(stored_article(row, {**doc, "group": group}))  # grp: its own column
        return result

    def row_of(self, key: str, value: str) -> int | None:
        if key not in KEYS:
            return None
        with self._lock:
            found = self._one(
                f'SELECT min(row) FROM "{self.schema}".articles a WHERE {key} = %s '
                f"AND {self._visible}",
                (value,),
            )
        return None if found is None else int(found)  # type: ignore[call-overload]

    # --- the vocabulary -----------------------------------------------------------------

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
        regex = re.compile(pattern) if pattern else None
        query = (
            f'SELECT word, df FROM "{self.schema}".terms WHERE field = %s AND word >= %s '
            "ORDER BY word LIMIT %s"
        )
        with self._lock:
            scanned = self._rows(query, (field, prefix, scan_limit + 1))
        counts: dict[str, int] = {}
        complete = True
        for n, (word, df) in enumerate(scanned):
            if not word.startswith(prefix):
                break
            if n >= scan_limit:
                complete = False
                break
            if regex is None or regex.match(word):
                counts[word] = int(df)
        words = list(counts)
        if fuzzy is not None:
            words = within_edits(words, *fuzzy)
        counted = [(w, counts[w]) for w in words if counts[w] > 0]
        counted.sort(key=lambda item: (-item[1], item[0]))
        return Expansion(tuple(counted[:limit]), len(counted), complete)

    def doc_frequency(self, field: str, token: str) -> int:
        with self._lock:
            found = self._one(
                f'SELECT df FROM "{self.schema}".terms WHERE field = %s AND word = %s',
                (field, token),
            )
        return int(found) if found is not None else 0  # type: ignore[call-overload]

    def article_count(self) -> int:
        with self._lock:
            query = f'SELECT count(*) FROM "{self.schema}".articles a WHERE {self._visible}'
            return int(self._one(query))  # type: ignore[call-overload]

    def close(self) -> None:
        try:
            self._conn.close()
        finally:
            if self._folder is not None:
                self._folder.close()
