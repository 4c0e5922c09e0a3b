"""Articles like a given one ("more like this") and the members of its near-duplicate group."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from search.analysis import index_tokens
from search.archive import Archive
from search.budget import Deadline
from search.columns import group_key
from search.highlight import MatchTerms
from search.model import Hit
from search.query import tree as t
from search.results import build_hit

KEY_TERMS = 12
TITLE_TERMS = 4


def related(archive: Archive, article_id: str, limit: int = 5) -> list[Hit]:
    """Articles on the same subject, by the article's most distinctive words (tf-idf).

    Copies of the same story (its near-duplicate group) are left out: they are listed by
    `similar_articles`, not offered as further reading.
    """
    item = archive.stored(article_id)  # also accepts the original URL
    with archive.snapshot() as snapshot:
        total = max(1, snapshot.doc_count())

        def distinctive(text: str, field: str, count: int) -> list[str]:
            frequencies = Counter(token for token, _, _, _ in index_tokens(text))
            weighted = []
            for token, tf in frequencies.items():
                df = snapshot.doc_frequency(field, token)
                if df:
                    weighted.append((tf * math.log(total / df), token))
            weighted.sort(reverse=True)
            return [token for _, token in weighted[:count]]

        words = distinctive(item.article.body, "body", KEY_TERMS)
        words += [
            w for w in distinctive(item.article.title, "title", TITLE_TERMS) if w not in words
        ]
        if not words:
            return []
        deadline = Deadline(archive.budget.deadline_seconds)
        matches = snapshot.evaluate(
            t.Or(tuple(t.Term(w) for w in words)), scored=True, deadline=deadline
        )
        groups = np.asarray(snapshot.columns["group"])
        own = group_key(item.group)
        picked: list[int] = []
        seen = {own}
        scores: dict[int, float] = {}
        for row, score in zip(matches.rows.tolist(), matches.scores.tolist(), strict=True):
            key = int(groups[row])
            if key in seen:
                continue
            seen.add(key)
            picked.append(row)
            scores[row] = score
            if len(picked) == limit:
                break
        terms = MatchTerms(stems=frozenset(words))
        return [build_hit(s, scores[s.row], terms) for s in snapshot.stored(picked)]


def similar_articles(archive: Archive, article_id: str) -> list[Hit]:
    """The other copies of the article's story (its near-duplicate group), oldest first."""
    item = archive.stored(article_id)
    with archive.snapshot() as snapshot:
        columns = snapshot.columns
        groups = np.asarray(columns["group"])
        rows = np.flatnonzero((groups == group_key(item.group)) & np.asarray(columns["live"]))
        rows = rows[rows != item.row]
        days = np.asarray(columns["day"])[rows]
        rows = rows[np.argsort(np.where(days == 0, 99_999_999, days), kind="stable")]
        return [build_hit(s, 0.0, MatchTerms()) for s in snapshot.stored(rows.tolist())]
