"""Each word's rows and counts, as compact arrays: what a search reads for a word.

PostgreSQL finds the articles holding a word through the GIN index on its `tsvector`, but
BM25 also needs how often the word occurs in each, and that is only in the `tsvector`s
themselves: reading them for a frequent word meant fetching (and decompressing) most of
the archive's vectors, 33 ms a word on average at 100,000 articles (profile of the
query mix, bench/RESULTS.md). So the writer also keeps,
for every word of each batch of articles it writes, one `postings` record: the rows as
little-endian int64 bytes, the number of positions in each (as the `tsvector` keeps them,
see `tsvector.positions`) as int16 bytes, and those positions one row after the other as
int16 bytes. A search reads a word's records in one index lookup and keeps the rows its
generation's `live` column says are live: rows removed or replaced later stay in their
records until a full rebuild, never seen. Phrases read the positions the same way, so
that checking the order of the words is one pass of numpy over every candidate
(`search.engines.phrases`) instead of unnesting each candidate's `tsvector`.
"""

from __future__ import annotations

from array import array

import numpy as np
import psycopg

BATCH_ARTICLES = 10_000  # articles per record of a word: bounds the writer's memory
EMPTY = np.zeros(0, dtype=np.int64)


class PostingsBatch:
    """The postings of the articles added since the last `write`."""

    def __init__(self) -> None:
        self._words: dict[str, dict[str, tuple[array, array, array]]] = {}
        self.articles = 0

    def add(self, row: int, fields: dict[str, dict[str, list[int]]]) -> None:
        """An article's words, field by field, with their positions (`tsvector.positions`)."""
        for field, kept in fields.items():
            words = self._words.setdefault(field, {})
            for word, at in kept.items():
                found = words.get(word)
                if found is None:
                    found = words[word] = (array("q"), array("h"), array("h"))
                found[0].append(row)
                found[1].append(len(at))
                found[2].extend(at)
        self.articles += 1

    def write(self, conn: psycopg.Connection, schema: str) -> None:
        """One record per word into `schema`.postings (COPY), then start afresh."""
        if self._words:
            copy_sql = f'COPY "{schema}".postings (field, word, rows, counts, positions) FROM STDIN'
            with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for field, words in self._words.items():
                    for word, arrays in words.items():
                        copy.write_row((field, word, *(_little(values) for values in arrays)))
        self._words.clear()
        self.articles = 0


def _little(values: array) -> bytes:
    return np.frombuffer(values, dtype=values.typecode).astype(f"<{values.typecode}").tobytes()


def read(records: list[tuple[bytes, bytes]], live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(live rows increasing, counts) from a word's records."""
    if not records:
        return EMPTY, np.zeros(0)
    rows = np.concatenate([np.frombuffer(r, dtype="<i8") for r, _ in records]).astype(np.int64)
    counts = np.concatenate([np.frombuffer(c, dtype="<i2") for _, c in records])
    inside = rows < len(live)  # rows of a later generation than the reader's
    rows, counts = rows[inside], counts[inside]
    kept = live[rows].astype(bool)
    rows, counts = rows[kept], counts[kept]
    order = np.argsort(rows, kind="stable")
    return rows[order], counts[order].astype(np.float64)


def read_positions(
    records: list[tuple[bytes, bytes, bytes]], wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A word's positions in the `wanted` rows: (the row of each position, the position),
    ordered by row, then position."""
    if not records or not len(wanted):
        return EMPTY, EMPTY
    rows = np.concatenate([np.frombuffer(r, dtype="<i8") for r, _, _ in records])
    counts = np.concatenate([np.frombuffer(c, dtype="<i2") for _, c, _ in records])
    positions = np.concatenate([np.frombuffer(p, dtype="<i2") for _, _, p in records])
    row_of_position = np.repeat(rows.astype(np.int64), counts.astype(np.int64))
    kept = np.isin(row_of_position, wanted)
    row_of_position, positions = row_of_position[kept], positions[kept].astype(np.int64)
    order = np.lexsort((positions, row_of_position))
    return row_of_position[order], positions[order]
