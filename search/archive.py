"""The read side of an index: one `Archive` per process, handing out current snapshots.

Web workers and the CLI go through this object only; it hands back plain dataclasses.
`snapshot()` lends the current engine snapshot for one request: when a reindex puts a new
state live, the next request gets a new snapshot, and the old one is closed when the last
request using it lets go (never under a request's feet).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from search.budget import QueryBudget
from search.columns import NO_VALUE
from search.engines import open_engine
from search.engines.base import Engine, Snapshot, StoredArticle
from search.errors import ArticleNotFoundError
from search.identity import url_key
from search.model import Article


@dataclass(frozen=True)
class IndexStats:
    articles: int
    first_date: date | None
    last_date: date | None
    undated: int
    sources: dict[str, int]
    authors: int
    size_bytes: int
    generation: str
    index_dir: str
    engine: str = "whoosh"


class _Lease:
    def __init__(self, snapshot: Snapshot, token: str | None) -> None:
        self.snapshot = snapshot
        self.token = token
        self.users = 0
        self.retired = False


class Archive:
    """Read access to the index at `location` (a folder, or a postgresql:// address)."""

    def __init__(self, location: Path | str, *, budget: QueryBudget | None = None) -> None:
        self.location = (
            location if isinstance(location, str) and "://" in location else Path(location)
        )
        self.index_dir = self.location  # the name the web app and older callers use
        self.budget = budget or QueryBudget()
        self.cache = ResultCache()
        self._lock = threading.Lock()
        self._engine: Engine = open_engine(self.location)
        self._lease: _Lease | None = None
        self._verified: str | None = None  # the state whose files were last verified
        with self.snapshot():  # fail now (missing or stale index), not at the first search
            pass

    @property
    def engine(self) -> str:
        return self._engine.name

    def token(self) -> str | None:
        """A cheap value that changes whenever a new state of the index goes live."""
        return self._engine.token()

    def health(self) -> list[str]:
        """Problems of the live index (empty when it answers): `/healthz`.

        The files are verified against their checksums once per state (they never change
        after their commit); a few real searches run every time.
        """
        from search.integrity import search_problems

        token = self._engine.token()
        if token is None or token != self._verified:
            problems = self._engine.check()
            if problems:
                return problems
            self._verified = token
        with self.snapshot() as snapshot:
            return search_problems(snapshot, sample=3)

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """The current snapshot, valid until the block ends."""
        lease = self._acquire()
        try:
            yield lease.snapshot
        finally:
            self._release(lease)

    @contextmanager
    def current(self) -> Iterator[PinnedArchive]:
        """The live state, fixed until the block ends (`pinned` for the live generation)."""
        with self.snapshot() as live:
            yield PinnedArchive(self, live)

    @contextmanager
    def pinned(self, generation: str | None = None) -> Iterator[PinnedArchive | None]:
        """This archive fixed on one committed state, until the block ends.

        Every search made through the Archive it yields reads that one snapshot, so
        several calls (a page and its receipt, an export and its count) see the same
        articles even if a reindex goes live meanwhile. `generation` None: the live one.
        A past generation is opened when the engine still keeps it (`snapshot_at`,
        optional in the protocol); None is yielded when it does not.
        """
        with self.snapshot() as live:
            if generation is None or generation == live.generation:
                yield PinnedArchive(self, live)
                return
        opener = getattr(self._engine, "snapshot_at", None)
        past: Snapshot | None = opener(generation) if opener is not None else None
        if past is None:
            yield None
            return
        try:
            yield PinnedArchive(self, past)
        finally:
            past.close()

    def _acquire(self) -> _Lease:
        token = self._engine.token()
        with self._lock:
            lease = self._lease
            if lease is None or token != lease.token:
                engine = open_engine(self.location)
                if engine.name != self._engine.name:
                    self._engine = engine
                fresh = _Lease(self._engine.snapshot(), token)
                if lease is not None:
                    lease.retired = True
                    if lease.users == 0:
                        lease.snapshot.close()
                    self.cache.clear()
                self._lease = lease = fresh
            lease.users += 1
            return lease

    def _release(self, lease: _Lease) -> None:
        with self._lock:
            lease.users -= 1
            if lease.retired and lease.users == 0:
                lease.snapshot.close()

    def close(self) -> None:
        with self._lock:
            if self._lease is not None:
                self._lease.retired = True
                if self._lease.users == 0:
                    self._lease.snapshot.close()
                self._lease = None

    def stored(self, article_id: str) -> StoredArticle:
        """One article by id (or by its URL), with its row and group."""
        with self.snapshot() as snapshot:
            row = snapshot.row_of("id", article_id)
            if row is None and "://" in article_id:
                row = snapshot.row_of("url_key", url_key(article_id))
            if row is None:
                raise ArticleNotFoundError(article_id)
            return snapshot.stored([row])[0]

    def get(self, article_id: str) -> Article:
        """One article by id (or by its URL); raises ArticleNotFoundError."""
        return self.stored(article_id).article

    def stats(self) -> IndexStats:
        with self.snapshot() as snapshot:
            columns = snapshot.columns
            live = columns.live_rows()
            days = np.asarray(columns["day"])[live]
            dated = days[days != NO_VALUE]
            sources: Counter[str] = Counter()
            codes, counts = np.unique(np.asarray(columns["source"])[live], return_counts=True)
            for code, count in zip(codes, counts, strict=True):
                sources[columns.label("source", int(code)) or "(senza fonte)"] += int(count)
            authors = np.unique(np.asarray(columns["author"])[live])
            state = snapshot.state_dir
            size = sum(p.stat().st_size for p in state.rglob("*") if p.is_file())
            return IndexStats(
                articles=len(live),
                first_date=_day(int(dated.min())) if dated.size else None,
                last_date=_day(int(dated.max())) if dated.size else None,
                undated=int(days.size - dated.size),
                sources=dict(sources.most_common()),
                authors=int(np.count_nonzero(authors != NO_VALUE)),
                size_bytes=size,
                generation=snapshot.generation,
                index_dir=str(self._engine.location),
                engine=snapshot.engine,
            )


class PinnedArchive(Archive):
    """An Archive reading one snapshot only (`Archive.pinned`); its owner closes it."""

    def __init__(self, parent: Archive, snapshot: Snapshot) -> None:
        # Nothing to open: the parent's engine, budget and cache (keyed by generation).
        self.location = parent.location
        self.index_dir = parent.index_dir
        self.budget = parent.budget
        self.cache = parent.cache
        self._lock = threading.Lock()
        self._engine = parent._engine
        self._lease = None
        self.held = snapshot

    def token(self) -> str | None:
        return self.held.generation

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        yield self.held

    @contextmanager
    def current(self) -> Iterator[PinnedArchive]:
        yield self

    @contextmanager
    def pinned(self, generation: str | None = None) -> Iterator[PinnedArchive | None]:
        yield self if generation in (None, self.held.generation) else None

    def close(self) -> None:
        """The snapshot belongs to whoever pinned it."""


class ResultCache:
    """A small LRU of computed rankings, bounded by the number of rows they hold."""

    def __init__(self, max_cost: int = 1_000_000) -> None:
        self.max_cost = max_cost
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._cost = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: object, cost: int) -> None:
        cost = max(1, cost)
        if cost > self.max_cost // 4:
            return  # one huge result set would push everything else out
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, cost)
            self._cost += cost
            while self._cost > self.max_cost:
                _, (_, old_cost) = self._items.popitem(last=False)
                self._cost -= old_cost

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._cost = 0


def _day(value: int) -> date:
    return date(value // 10000, value // 100 % 100, value % 100)
