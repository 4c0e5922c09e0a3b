"""Pseudo-relevance feedback (RM3-style): words of the best articles help rank the rest.

The first ranking's best articles (one per near-duplicate group, strict matches first, as
the user sees them) are read with the index's own analysis; a word's weight is its share
of each article's words, weighted by the article's score (the relevance model), times its
idf so that words every article has ("anni", "stato") do not win. The best words that
were not typed are added to the score with a weight below the words typed: they change
the order, never what matches (`search.query.expansion`).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from search.analysis import ELIDED_ARTICLES, STOPWORDS, fold, stem
from search.budget import Deadline
from search.engines.base import Snapshot
from search.query import tree as t

FEEDBACK_DOCS = 10  # articles read
FEEDBACK_TERMS = 10  # words added
FEEDBACK_WEIGHT = 0.3  # the best word's weight relative to a typed word (1.0)
MIN_DOCS = 2  # a word must occur in this many of the articles read
FROM_STRICT = True  # read the strict matches only, when there are MIN_DOCS of them
BODY_CHARS = 3000  # the opening of each article: what it is about, at a bounded cost
CANDIDATES = 40  # words with the largest relevance-model weight whose idf is looked up
_WORD = re.compile(r"[^\W_]+")
_DF_CACHE: dict[tuple[str, str], int] = {}  # (generation, token) -> document frequency
_DF_CACHE_SIZE = 200_000


@dataclass(frozen=True)
class Feedback:
    node: t.Node  # an Or of weighted terms, to add to the scores of what matched
    tokens: tuple[str, ...]
    words: tuple[str, ...]  # as written in the articles, for "cercato anche"


def feedback(
    snapshot: Snapshot,
    ranked_rows: np.ndarray,
    scores: np.ndarray,
    typed: set[str],
    deadline: Deadline,
) -> Feedback | None:
    """The feedback words of a ranking (rows best first), or None when there are none."""
    groups = np.asarray(snapshot.columns["group"])
    chosen: list[int] = []
    weights: list[float] = []
    seen: set[int] = set()
    for row, score in zip(ranked_rows.tolist(), scores.tolist(), strict=True):
        group = int(groups[row])
        if group in seen:
            continue
        seen.add(group)
        chosen.append(row)
        weights.append(max(float(score), 1e-6))
        if len(chosen) == FEEDBACK_DOCS:
            break
    if len(chosen) < MIN_DOCS or deadline.expired():
        return None
    total = sum(weights)
    model: dict[str, float] = defaultdict(float)
    documents: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for item, weight in zip(snapshot.stored(chosen), weights, strict=True):
        text = item.article.title + "\n" + item.article.body[:BODY_CHARS]
        counts: Counter[str] = Counter()
        # The index's analysis without positions or offsets: a third of its cost, and the
        # same tokens for the words kept (folded, stemmed; stopwords and elisions out).
        for word in _WORD.findall(fold(text)):
            if len(word) < 3 or word.isdigit() or word in STOPWORDS or word in ELIDED_ARTICLES:
                continue
            token = stem(word)
            counts[token] += 1
            surfaces[token][word] += 1
        length = sum(counts.values()) or 1
        for token, count in counts.items():
            model[token] += (weight / total) * count / length
        documents.update(counts.keys())
    live = max(1, snapshot.doc_count())
    candidates = [token for token, n in documents.items() if n >= MIN_DOCS and token not in typed]
    candidates.sort(key=lambda token: -model[token])
    scored = []
    for token in candidates[:CANDIDATES]:
        df = _doc_frequency(snapshot, token)
        if df:
            scored.append((model[token] * math.log(live / df), token))
    scored.sort(reverse=True)
    best = scored[:FEEDBACK_TERMS]
    if not best:
        return None
    top = best[0][0]
    relative = {token: value / top for value, token in best}
    node = t.Or(
        tuple(
            t.Term(token, tuple((f, w * FEEDBACK_WEIGHT * share) for f, w in t.TEXT_FIELDS))
            for token, share in relative.items()
        )
    )
    words = tuple(surfaces[token].most_common(1)[0][0] for token in relative)
    return Feedback(node, tuple(relative), words)


def _doc_frequency(snapshot: Snapshot, token: str) -> int:
    key = (snapshot.generation, token)
    df = _DF_CACHE.get(key)
    if df is None:
        if len(_DF_CACHE) >= _DF_CACHE_SIZE:
            _DF_CACHE.clear()
        df = _DF_CACHE[key] = snapshot.doc_frequency("body", token)
    return df


def add_scores(
    rows: np.ndarray, scores: np.ndarray, extra_rows: np.ndarray, extra: np.ndarray
) -> np.ndarray:
    """`scores` (aligned with `rows`) plus `extra` where `extra_rows` holds the same row."""
    order = np.argsort(rows)
    at = np.searchsorted(rows, extra_rows, sorter=order)
    inside = at < len(rows)
    positions = order[at[inside]]
    hit = rows[positions] == extra_rows[inside]
    summed = scores.astype(np.float64).copy()
    np.add.at(summed, positions[hit], extra[inside][hit])
    return summed
