"""Every article analysed once, here: the tokens engines index and its near-duplicate MinHash.

This is most of an article's indexing cost on Archivio's Python side (`python -m bench.stages`:
the analysis and the MinHash take about two thirds of it on the real corpus), and it needs
nothing but the article. So a large rebuild spreads it over helper processes (`Preparers`)
while the main process reads the files, keeps the duplicate keys, numbers the articles and
feeds the engine's writer, in the order the files were read: an index built with helpers is
the same, row for row, as one built without.

The helpers are forked before the engine's writer opens (no lock, no engine thread to
inherit), close any lock they inherited all the same, and die with their parent
(`die_with_parent`): a killed reindex leaves nothing running.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TypeVar

import numpy as np

from search.analysis import index_tokens, name_tokens, surface_tokens
from search.engines.base import IndexDocument
from search.errors import ArchivioError
from search.helper_processes import die_with_parent
from search.identity import text_key, url_key
from search.model import Article, Skipped
from search.near_duplicates import minhash

NAME_FIELDS = ("author", "source", "place", "section")
T = TypeVar("T")
BATCH = 32  # articles sent to a helper at once
AHEAD = 4  # batches in flight per helper while the main process reads on

# An analysed article still to be numbered and grouped, with its MinHash (None: too short).
Prepared = tuple[IndexDocument, np.ndarray | None]


def analysed(article: Article, group: str, row: int) -> IndexDocument:
    """An article with everything engines index, analysed once, here."""
    title = [token for token, _, _, _ in index_tokens(article.title)]
    body = [token for token, _, _, _ in index_tokens(article.body)]
    exact = [w for w, _, _, _ in surface_tokens(article.title)]
    exact += [w for w, _, _, _ in surface_tokens(article.body)]
    names = {name: name_tokens(getattr(article, name) or "") for name in NAME_FIELDS}
    names["tags"] = [w for tag in article.tags for w in name_tokens(tag)]
    return IndexDocument(
        row=row,
        article=article,
        group=group,
        url_key=url_key(article.url) if article.url else None,
        text_key=text_key(article),
        title=title,
        body=body,
        exact=exact,
        names=names,
    )


def prepare(article: Article) -> Prepared:
    """The article analysed (row and group still to be given) and its MinHash."""
    return analysed(article, "", 0), minhash(article.body)


def numbered(prepared: IndexDocument, group: str, row: int) -> IndexDocument:
    return replace(prepared, group=group, row=row)


def _prepare_batch(articles: list[Article]) -> list[Prepared]:
    return [prepare(article) for article in articles]


def _helper_start(parent: int) -> None:
    """A helper dies with the reindex and leaves Ctrl-C to it (the terminal sends SIGINT
    to the whole group: the reindex stops its helpers itself, without their tracebacks)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


class HelperDiedError(ArchivioError):
    """A helper process ended without its work (killed, out of memory)."""


def _result(future: Future[T]) -> T:
    try:
        return future.result()
    except BrokenProcessPool as error:
        raise _died() from error


def _died() -> HelperDiedError:
    return HelperDiedError(
        "un processo ausiliario dell'indicizzazione è terminato senza finire il suo "
        "lavoro (ucciso, o memoria esaurita): nulla è stato scritto, l'indice precedente "
        "resta in uso; riesegui `archivio reindex`"
    )


class Preparers:
    """`procs` helper processes that prepare articles; with fewer than 2, the main one does."""

    def __init__(self, procs: int) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._procs = procs
        if procs > 1:
            self._pool = ProcessPoolExecutor(
                procs,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_helper_start,
                initargs=(os.getpid(),),
            )
            # Every helper is forked now, before the engine's writer opens (its lock, its
            # threads), not when the first articles are sent.
            for started in [self._pool.submit(os.getpid) for _ in range(procs)]:
                _result(started)

    def in_order(
        self, items: Iterable[Article | Skipped]
    ) -> Iterator[tuple[Article, Prepared] | Skipped]:
        """Each item as read, an article with its preparation. An error raised while
        reading comes after every article read before it, as it would without helpers."""
        if self._pool is None:
            for item in items:
                yield item if isinstance(item, Skipped) else (item, prepare(item))
            return
        pool = self._pool
        pending: deque[tuple[list[Article | Skipped], Future[list[Prepared]]]] = deque()
        limit = AHEAD * self._procs
        batch: list[Article | Skipped] = []

        def send() -> None:
            articles = [item for item in batch if not isinstance(item, Skipped)]
            try:
                future = pool.submit(_prepare_batch, articles)
            except BrokenProcessPool as error:
                raise _died() from error
            pending.append((list(batch), future))
            batch.clear()

        def received() -> Iterator[tuple[Article, Prepared] | Skipped]:
            read, result = pending.popleft()
            prepared: list[Prepared] = _result(result)
            done = iter(prepared)
            for item in read:
                yield item if isinstance(item, Skipped) else (item, next(done))

        error: Exception | None = None
        try:
            for item in items:
                batch.append(item)
                if len(batch) >= BATCH:
                    send()
                    while len(pending) > limit:
                        yield from received()
        except Exception as problem:  # reading failed: what was read before still counts
            error = problem
        if batch:
            send()
        while pending:
            yield from received()
        if error is not None:
            raise error

    def close(self) -> None:
        """Stop the helpers: work not yet started is dropped, a batch under way ends."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Preparers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
