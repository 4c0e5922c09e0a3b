"""The read side of an index: one `Archive` per process, a searcher that stays current.

Web workers and the CLI go through this object only; it hands back plain dataclasses.
The searcher is renewed when a new generation went live or the index changed
(`up_to_date()`), never with `Searcher.refresh()`.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search.columns import NO_VALUE, Column, read_column
from search.errors import ArticleNotFoundError
from search.identity import url_key
from search.model import Article
from search.scoring import ArchivioBM25F
from search.store import generation_token, open_live_index


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


class Archive:
    """Read access to the index in `index_dir`, safe to share between threads."""

    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._token: str | None = None
        self._generation: Path | None = None
        self.version = 0  # goes up whenever the searcher is renewed: keys of `cache`
        self.cache = ResultCache()
        self._columns: dict[str, Column] = {}
        self._renew()

    def _renew(self) -> None:
        token = generation_token(self.index_dir)
        ix, generation = open_live_index(self.index_dir)
        old = self._searcher
        self._searcher = ix.searcher(weighting=ArchivioBM25F())
        self._token, self._generation = token, generation
        self.version += 1
        self.cache.clear()
        self._columns = {}
        if old is not None:
            old.close()

    def _current(self) -> Searcher:
        with self._lock:
            searcher = self._searcher
            if (
                searcher is None
                or generation_token(self.index_dir) != self._token
                or not searcher.up_to_date()
            ):
                self._renew()
            assert self._searcher is not None
            return self._searcher

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """The current searcher (for the library's own modules: Whoosh stays inside)."""
        yield self._current()

    def column(self, searcher: Searcher, name: str) -> Column:
        """A sortable column as a numpy array indexed by docnum, read once per generation."""
        values = self._columns.get(name)
        if values is None:
            values = read_column(searcher.reader(), name)
            self._columns[name] = values
        return values

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def get(self, article_id: str) -> Article:
        """One article by id (or by its URL); raises ArticleNotFoundError."""
        with self.searcher() as searcher:
            docnum = searcher.document_number(id=article_id)
            if docnum is None and "://" in article_id:
                docnum = searcher.document_number(url_key=url_key(article_id))
            if docnum is None:
                raise ArticleNotFoundError(article_id)
            return article_from_stored(searcher.stored_fields(docnum))

    def stats(self) -> IndexStats:
        with self.searcher() as searcher:
            live = np.fromiter(searcher.reader().all_doc_ids(), dtype=np.int64)
            days = self.column(searcher, "day").values[live]
            dated = days[days != NO_VALUE]
            first = int(dated.min()) if dated.size else None
            last = int(dated.max()) if dated.size else None
            undated = int(days.size - dated.size)
            source_column = self.column(searcher, "source_key")
            sources: Counter[str] = Counter()
            for code, count in zip(
                *np.unique(source_column.values[live], return_counts=True), strict=True
            ):
                sources[source_column.label(code) or "(senza fonte)"] += int(count)
            authors = np.unique(self.column(searcher, "author_key").values[live])
            generation = self._generation
            assert generation is not None
            size = sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
            return IndexStats(
                articles=searcher.doc_count(),
                first_date=_day(first),
                last_date=_day(last),
                undated=undated,
                sources=dict(sources.most_common()),
                authors=int(np.count_nonzero(authors != NO_VALUE)),
                size_bytes=size,
                generation=generation.name,
                index_dir=str(self.index_dir),
            )


class ResultCache:
    """A small LRU of computed rankings, bounded by the number of hits they hold."""

    def __init__(self, max_cost: int = 200_000) -> None:
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


def _day(value: int | None) -> date | None:
    return date(value // 10000, value // 100 % 100, value % 100) if value else None


def article_from_stored(stored: dict[str, object]) -> Article:
    when = stored.get("date")
    tags = stored.get("tags")
    return Article(
        id=str(stored["id"]),
        title=str(stored.get("title") or ""),
        body=str(stored.get("body") or ""),
        url=_optional(stored.get("url")),
        author=_optional(stored.get("author")),
        source=_optional(stored.get("source")),
        date=when.date() if isinstance(when, datetime) else None,
        section=_optional(stored.get("section")),
        tags=tuple(t for t in str(tags).split(",") if t) if tags else (),
        path=_optional(stored.get("path")),
    )


def _optional(value: object) -> str | None:
    return str(value) if value else None
