"""Evaluate Archivio's query tree with numpy, on the postings an engine reads for it.

Engine-neutral: the Whoosh and PostgreSQL engines hand it a `Postings` source. Every leaf
is read as arrays (rows in increasing order, term frequencies, positions for phrases) and
combined with set operations: And intersects, Or and AtLeast unite and count, Not
subtracts. What matches is therefore exactly the boolean meaning of the tree on every
index shape (the tests compare it with a brute-force evaluation over the stored text).
Scores are BM25 per field (k1 1.2, b 0.75, Lucene's idf) with the core's exact field
lengths, times the field weights of the tree: the same numbers on every engine that uses
it (PostgreSQL's `ts_rank` has no idf and would rank differently).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import numpy as np

from search.budget import Deadline
from search.columns import Columns
from search.engines.base import Matches
from search.engines.phrases import phrase_counts
from search.query import tree as t

K1 = 1.2
B = 0.75
EMPTY = np.zeros(0, dtype=np.int64)
CACHE_BYTES = 64 * 1024 * 1024


class Timeout(Exception):
    """The search's deadline passed while postings were being read."""


class Postings(Protocol):
    """Where the evaluator reads a term's rows, frequencies and positions. A source may
    raise `Timeout` when `expired()` turns true while it reads a long list."""

    def term_rows(
        self, field: str, token: str, expired: Callable[[], bool]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows increasing, term frequencies) of a term in a field, live articles only."""
        ...

    def term_positions(
        self, field: str, token: str, rows: np.ndarray, expired: Callable[[], bool]
    ) -> tuple[np.ndarray, np.ndarray]:
        """A term's positions in the `rows` (increasing) holding it: (the row of each
        position, the position), ordered by row, then position."""
        ...


Result = tuple[np.ndarray, np.ndarray]  # (rows increasing, scores)


class Evaluator:
    """Evaluates trees on one snapshot's postings; safe to share between threads."""

    def __init__(self, source: Postings, columns: Columns) -> None:
        self.source = source
        self.columns = columns
        live = columns["live"]
        self.live_count = max(1, int(np.count_nonzero(live)))
        title = np.asarray(columns["len_title"], dtype=np.float64)
        body = np.asarray(columns["len_body"], dtype=np.float64)
        self.lengths = {"title": title, "body": body, "exact": title + body}
        self.average = {
            name: max(1.0, float(values[live].mean())) if self.live_count > 1 else 1.0
            for name, values in self.lengths.items()
        }
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_bytes = 0
        self._lock = threading.Lock()

    # --- the tree ---------------------------------------------------------------------

    def evaluate(self, node: t.Node, *, scored: bool, deadline: Deadline) -> Matches:
        try:
            rows, scores = self._eval(node, deadline.expired)
        except Timeout:
            return Matches(EMPTY, np.zeros(0), timed_out=True)
        if not scored:
            return Matches(rows, np.zeros(len(rows)))
        order = np.lexsort((rows, -scores))
        return Matches(rows[order], scores[order])

    def _eval(
        self, node: t.Node, expired: Callable[[], bool], within: np.ndarray | None = None
    ) -> Result:
        if expired():
            raise Timeout
        match node:
            case t.Term(token, fields):
                return _union([self._term(token, f, w, expired) for f, w in fields])
            case t.Phrase(tokens, fields, distance):
                return _union(
                    [self._phrase(tokens, f, w, distance, expired, within) for f, w in fields]
                )
            case t.And(children):
                return self._and(children, expired, within)
            case t.Or(children):
                return _union([self._eval(c, expired, within) for c in children])
            case t.AtLeast(children, need):
                return _at_least([self._eval(c, expired, within) for c in children], need)
            case t.Not(child):
                everything = self._live()
                rows, _ = self._eval(child, expired)
                kept = np.setdiff1d(everything, rows, assume_unique=True)
                return kept, np.zeros(len(kept))
            case t.Filter(child):
                rows, _ = self._eval(child, expired, within)
                return rows, np.zeros(len(rows))
            case t.Boost(main, bonus, weight):
                rows, scores = self._eval(main, expired, within)
                extra_rows, extra = self._eval(bonus, expired, rows)
                at = np.searchsorted(rows, extra_rows)
                found = at < len(rows)
                found[found] = rows[at[found]] == extra_rows[found]
                scores = scores.copy()
                scores[at[found]] += weight * extra[found]
                return rows, scores
            case t.DateRange(start, end):
                days = self.columns["day"]
                rows = np.flatnonzero(
                    self.columns["live"] & (days >= max(start, 1)) & (days <= end)
                )
                return rows.astype(np.int64), np.zeros(len(rows))
            case t.Undated():
                rows = np.flatnonzero(self.columns["live"] & (self.columns["day"] == 0))
                return rows.astype(np.int64), np.zeros(len(rows))
            case t.All():
                rows = self._live()
                return rows, np.zeros(len(rows))
            case t.Nothing():
                return EMPTY, np.zeros(0)
        raise TypeError(node)  # pragma: no cover

    def _and(
        self, children: tuple[t.Node, ...], expired: Callable[[], bool], within: np.ndarray | None
    ) -> Result:
        positive: list[t.Node] = [c for c in children if not isinstance(c, t.Not)]
        negative: list[t.Node] = [c.child for c in children if isinstance(c, t.Not)]
        if not positive:
            rows: np.ndarray = self._live()
            scores = np.zeros(len(rows))
        else:
            rows, scores = self._eval(positive[0], expired, within)
            for child in positive[1:]:
                if not len(rows):
                    break
                other_rows, other_scores = self._eval(child, expired, rows)
                rows, mine, theirs = np.intersect1d(
                    rows, other_rows, assume_unique=True, return_indices=True
                )
                scores = scores[mine] + other_scores[theirs]
        for child in negative:
            if not len(rows):
                break
            excluded, _ = self._eval(child, expired, rows)
            keep = ~np.isin(rows, excluded, assume_unique=True)
            rows, scores = rows[keep], scores[keep]
        return rows, scores

    def _live(self) -> np.ndarray:
        return np.flatnonzero(self.columns["live"]).astype(np.int64)

    # --- leaves -----------------------------------------------------------------------

    def _term(self, token: str, field: str, weight: float, expired: Callable[[], bool]) -> Result:
        rows, tfs = self.postings(field, token, expired)
        if not len(rows):
            return EMPTY, np.zeros(0)
        return rows, weight * self._bm25(field, rows, tfs.astype(np.float64), self._idf(len(rows)))

    def _phrase(
        self,
        tokens: tuple[str, ...],
        field: str,
        weight: float,
        distance: int,
        expired: Callable[[], bool],
        within: np.ndarray | None,
    ) -> Result:
        postings = [self.postings(field, token, expired) for token in dict.fromkeys(tokens)]
        candidates = within if within is not None else None
        idf = 0.0
        for rows, _ in postings:
            candidates = (
                rows if candidates is None else np.intersect1d(candidates, rows, assume_unique=True)
            )
            idf += self._idf(len(rows))
        if candidates is None or not len(candidates):
            return EMPTY, np.zeros(0)
        frequencies = self._phrase_frequencies(tokens, field, candidates, distance, expired)
        keep = frequencies > 0
        rows = candidates[keep]
        return rows, weight * self._bm25(field, rows, frequencies[keep], idf)

    def _phrase_frequencies(
        self,
        tokens: tuple[str, ...],
        field: str,
        rows: np.ndarray,
        distance: int,
        expired: Callable[[], bool],
    ) -> np.ndarray:
        """How many times the phrase occurs in each candidate row (0: not in order)."""
        found = {}
        for token in dict.fromkeys(tokens):
            if expired():
                raise Timeout
            found[token] = self.source.term_positions(field, token, rows, expired)
        holding, occurrences = phrase_counts(tokens, found, distance)
        counts = np.zeros(len(rows))
        counts[np.searchsorted(rows, holding)] = occurrences
        return counts

    def _idf(self, df: int) -> float:
        n = self.live_count
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def _bm25(self, field: str, rows: np.ndarray, tfs: np.ndarray, idf: float) -> np.ndarray:
        lengths = self.lengths.get(field)
        if lengths is None:  # names: no length normalisation
            return idf * tfs * (K1 + 1) / (tfs + K1)
        norm = K1 * (1 - B + B * lengths[rows] / self.average[field])
        return idf * tfs * (K1 + 1) / (tfs + norm)

    def postings(
        self, field: str, token: str, expired: Callable[[], bool]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows increasing, term frequencies) of a live term: every segment, deletions out."""
        key = (field, token)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        if expired():
            raise Timeout
        result = self.source.term_rows(field, token, expired)
        size = result[0].nbytes + result[1].nbytes
        if size < CACHE_BYTES // 8:
            with self._lock:
                if key not in self._cache:
                    self._cache[key] = result
                    self._cache_bytes += size
                    while self._cache_bytes > CACHE_BYTES:
                        _, (old_rows, old_tfs) = self._cache.popitem(last=False)
                        self._cache_bytes -= old_rows.nbytes + old_tfs.nbytes
        return result


def _union(results: list[Result]) -> Result:
    results = [r for r in results if len(r[0])]
    if not results:
        return EMPTY, np.zeros(0)
    if len(results) == 1:
        return results[0]
    rows = np.concatenate([r for r, _ in results])
    scores = np.concatenate([s for _, s in results])
    unique, inverse = np.unique(rows, return_inverse=True)
    return unique, np.bincount(inverse, weights=scores, minlength=len(unique))


def _at_least(results: list[Result], need: int) -> Result:
    present = [r for r in results if len(r[0])]
    if not present:
        return EMPTY, np.zeros(0)
    rows = np.concatenate([r for r, _ in present])
    scores = np.concatenate([s for _, s in present])
    unique, inverse, counts = np.unique(rows, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=scores, minlength=len(unique))
    keep = counts >= need
    return unique[keep], sums[keep]
