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
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace
from multiprocessing.pool import AsyncResult, Pool

import numpy as np

from search.analysis import index_tokens, name_tokens, surface_tokens
from search.engines.base import IndexDocument
from search.helper_processes import die_with_parent
from search.identity import text_key, url_key
from search.model import Article, Skipped
from search.near_duplicates import minhash

NAME_FIELDS = ("author", "source", "place", "section")
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


class Preparers:
    """`procs` helper processes that prepare articles; with fewer than 2, the main one does."""

    def __init__(self, procs: int) -> None:
        self._pool: Pool | None = None
        if procs > 1:
            context = multiprocessing.get_context("fork")
            self._pool = context.Pool(procs, initializer=die_with_parent, initargs=(os.getpid(),))

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
        pending: deque[tuple[list[Article | Skipped], AsyncResult[list[Prepared]]]] = deque()
        limit = AHEAD * (pool._processes or 1)  # type: ignore[attr-defined]
        batch: list[Article | Skipped] = []

        def send() -> None:
            articles = [item for item in batch if not isinstance(item, Skipped)]
            pending.append((list(batch), pool.apply_async(_prepare_batch, (articles,))))
            batch.clear()

        def received() -> Iterator[tuple[Article, Prepared] | Skipped]:
            read, result = pending.popleft()
            done = iter(result.get())
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
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Preparers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
