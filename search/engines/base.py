"""The boundary between Archivio's core and an engine: a small protocol, plain dataclasses.

The core (ingest, analysis, the query language, paging, facets, collapsing, highlights,
suggestions) talks to an engine only through these types; no engine object crosses the
boundary. Articles are numbered by the core: a *row* is an article's number in the
columns (`search.columns`), stable for the life of the article in the index. Engines store
it with each document and answer in rows.

Reading goes through a `Snapshot`: an immutable view of one committed state, valid until
closed. Writing goes through a `Writer`: it holds the one-writer lock, takes documents
already analysed by the core, and makes them live all at once on `commit`.

Besides its own files, every committed state carries a *state directory* where the core
keeps what it computes at index time (the columns, the near-duplicate bands, the manifest
of corpus files). File engines keep it inside each generation; a database engine stores
its files with the data and materialises them locally.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

from search.budget import Deadline
from search.columns import Columns
from search.model import Article
from search.query.tree import Node


@dataclass(frozen=True)
class Matches:
    """Rows matching a query: best first when scored (ties by row), else in row order."""

    rows: np.ndarray  # int64
    scores: np.ndarray  # float64, aligned with rows; zeros when not scored
    timed_out: bool = False

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Expansion:
    """Words of the archive matching a pattern or fuzzy word, the most frequent first."""

    words: tuple[tuple[str, int], ...]  # (word, number of articles holding it)
    found: int  # words that matched, kept or not
    complete: bool = True  # False when the scan stopped at its cap


@dataclass(frozen=True)
class StoredArticle:
    row: int
    article: Article
    group: str  # near-duplicate group: the id of its first member


@dataclass(frozen=True)
class IndexDocument:
    """An article as the core hands it to an engine: numbered, grouped, analysed."""

    row: int
    article: Article
    group: str
    url_key: str | None
    text_key: str
    # Tokens in text order; a token's position is its index (the analysis numbers the
    # words it keeps consecutively), so phrases match across removed stopwords.
    title: list[str]  # stems
    body: list[str]
    exact: list[str]  # surface words of title and body (`=forma`, patterns, suggestions)
    names: dict[str, list[str]] = field(default_factory=dict)  # author, source, place…


MAX_FUZZY_LENGTH = 40  # longer "words" are not words: no fuzzy matching, no suggestions


def within_edits(words: Sequence[str], word: str, distance: int) -> list[str]:
    """The `words` within `distance` edits of `word` (a swap of two letters is one edit).

    For engines that list a vocabulary range and filter it (C++ rapidfuzz: a million
    comparisons in well under a second).
    """
    if len(word) > MAX_FUZZY_LENGTH or not words:
        return []
    found = extract(
        word,
        words,
        scorer=DamerauLevenshtein.distance,
        score_cutoff=distance,
        limit=None,
    )
    return [match for match, _, _ in found]


RECOUNT_LIMIT = 20_000  # words a vocabulary listing counts again over live articles


def live_words(
    listed: Sequence[tuple[str, int]],
    live_frequency: Callable[[str], int],
    *,
    limit: int,
    complete: bool,
) -> Expansion:
    """An `Expansion` of `listed` words counted over live articles only.

    For engines whose vocabulary still holds the words of deleted articles, with their
    documents in the frequencies, until a merge rewrites them (`listed`: those counts, an
    upper bound). Words are counted again, the most frequent first; past `RECOUNT_LIMIT`
    words, once the `limit` best are certain, the rest are not counted and enter `found`
    with their listed counts.
    """
    ordered = sorted(
        ((word, df) for word, df in listed if df > 0), key=lambda item: (-item[1], item[0])
    )
    counted: list[tuple[str, int]] = []
    best: list[int] = []  # the `limit` highest live counts so far (a min-heap)
    found = 0
    for n, (word, listed_df) in enumerate(ordered):
        if n >= RECOUNT_LIMIT and len(best) >= limit and listed_df < best[0]:
            found += len(ordered) - n
            break
        df = live_frequency(word)
        if df <= 0:
            continue
        found += 1
        counted.append((word, df))
        if len(best) < limit:
            heapq.heappush(best, df)
        elif limit > 0 and df > best[0]:
            heapq.heapreplace(best, df)
    counted.sort(key=lambda item: (-item[1], item[0]))
    return Expansion(tuple(counted[:limit]), found, complete)


class Snapshot(Protocol):
    engine: str
    generation: str  # changes whenever a new state goes live
    columns: Columns
    state_dir: Path

    def doc_count(self) -> int: ...

    def evaluate(self, node: Node, *, scored: bool, deadline: Deadline) -> Matches: ...

    def stored(self, rows: Sequence[int]) -> list[StoredArticle]: ...

    def row_of(self, key: str, value: str) -> int | None:
        """The row of the article whose `key` ("id" or "url_key") is `value`."""
        ...

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
        """Words of `field` starting with `prefix`; matching the glob `pattern` too, or
        within `fuzzy = (word, distance)` edits of a word."""
        ...

    def doc_frequency(self, field: str, token: str) -> int: ...

    def close(self) -> None: ...


class Writer(Protocol):
    previous_state: Path | None  # the live state the run builds on (None: from nothing)
    state_dir: Path  # where the core writes the new state's files before `commit`

    def original_of(self, key: str, value: str) -> tuple[str, str] | None:
        """(id, path) of a live article whose `key` (id, url_key, text_key) is `value`."""
        ...

    def add(self, document: IndexDocument) -> None: ...

    def delete_path(self, path: str) -> None:
        """Remove every article read from the corpus file `path`."""
        ...

    def commit(self) -> None:
        """Make the new state live, all of it at once."""
        ...

    def cancel(self) -> None:
        """Throw the run away; the live state is untouched."""
        ...


class Engine(Protocol):
    name: str
    # A large rebuild prepares articles in helper processes (`search.preparation`) unless
    # the engine's writer spreads its own work over processes (Whoosh's MpWriter).
    prepares_in_helpers: bool
    location: str

    def token(self) -> str | None:
        """A cheap value that changes whenever a new state goes live (None: no index)."""
        ...

    def snapshot(self) -> Snapshot: ...

    def writer(self, *, full: bool, procs: int | None, limit_mb: int) -> Writer: ...

    def check(self) -> list[str]:
        """Problems found in the live state (empty when sound): `archivio check`."""
        ...


class PinnableEngine(Engine, Protocol):
    """An engine that can also open a past committed state by name (optional).

    Permalinks and receipts pin a result set to the generation that gave it; through
    `Archive.pinned` the core asks for it with `snapshot_at` when the engine has that
    method, and treats an engine without it as keeping no past state. Folder engines keep
    the live generation and the one before it (`search.engines.directory.state_at`).
    """

    def snapshot_at(self, generation: str) -> Snapshot | None:
        """A snapshot of the committed state `generation`, or None when it is not kept."""
        ...
