"""Phrases are counted over every candidate article at once (`phrase_counts`): each
article must get exactly the count of reading it alone, whatever the rows and positions."""

from __future__ import annotations

import random

import numpy as np

from search.engines.phrases import phrase_count, phrase_counts, token_positions
from search.engines.postgres.postings import read, read_positions


def reference_count(tokens: tuple[str, ...], at: dict[str, list[int]], distance: int) -> int:
    """One article: the positions of the last word reached by a chain of the words in
    order, each at most `distance` after the one before."""
    reached = set(at.get(tokens[0], []))
    for token in tokens[1:]:
        reached = {q for q in at.get(token, []) if any(q - distance <= p < q for p in reached)}
    return len(reached)


def flat(articles: dict[int, dict[str, list[int]]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    found: dict[str, tuple[list[int], list[int]]] = {}
    for row in sorted(articles):
        for token, spots in articles[row].items():
            rows, positions = found.setdefault(token, ([], []))
            rows.extend([row] * len(spots))
            positions.extend(sorted(spots))
    return {token: (np.asarray(r), np.asarray(p)) for token, (r, p) in found.items()}


def test_many_articles_at_once_count_what_each_counts_alone() -> None:
    rng = random.Random(7)
    for _ in range(300):
        words = ["a", "b", "c"]
        articles: dict[int, dict[str, list[int]]] = {}
        for row in sorted(rng.sample(range(50), rng.randint(1, 12))):
            length = rng.choice([5, 30, 20_000])  # long articles: positions far apart
            articles[row] = {
                w: sorted(rng.sample(range(length), rng.randint(0, min(6, length)))) for w in words
            }
            articles[row] = {w: s for w, s in articles[row].items() if s}
        tokens = tuple(rng.choice(words) for _ in range(rng.randint(2, 3)))
        distance = rng.choice([1, 2, 5, 40])
        rows, counts = phrase_counts(tokens, flat(articles), distance)
        expected = {
            row: n for row, at in articles.items() if (n := reference_count(tokens, at, distance))
        }
        assert dict(zip(rows.tolist(), counts.tolist(), strict=True)) == expected


def test_the_end_of_one_article_never_joins_the_start_of_the_next() -> None:
    # "porto" ends article 1 and "franco" opens article 2: no phrase, at any distance.
    found = flat({1: {"porto": [9]}, 2: {"franco": [0], "porto": [3]}})
    for distance in (1, 10, 100):
        rows, _ = phrase_counts(("porto", "franco"), found, distance)
        assert rows.tolist() == []


def test_one_article_alone() -> None:
    at = token_positions(["il", "porto", "franco", "e", "il", "porto", "franco", "di", "trieste"])
    assert phrase_count(("porto", "franco"), at, 1) == 2
    assert phrase_count(("franco", "porto"), at, 1) == 0
    assert phrase_count(("porto", "trieste"), at, 3) == 1
    assert phrase_count(("porto", "assente"), at, 1) == 0


def _record(rows: list[int], spots: list[list[int]]) -> tuple[bytes, bytes, bytes]:
    """A `postings` record as the PostgreSQL writer stores it (little-endian arrays)."""
    counts = [len(s) for s in spots]
    positions = [p for s in spots for p in s]
    return (
        np.asarray(rows, dtype="<i8").tobytes(),
        np.asarray(counts, dtype="<i2").tobytes(),
        np.asarray(positions, dtype="<i2").tobytes(),
    )


def test_postings_records_give_each_row_its_own_positions() -> None:
    records = [_record([0, 4], [[1, 7], [3]]), _record([2, 9], [[5], [2, 16383]])]
    rows, positions = read_positions(records, np.asarray([2, 4, 9]))
    assert rows.tolist() == [2, 4, 9, 9]
    assert positions.tolist() == [5, 3, 2, 16383]


def test_rows_written_after_the_reader_opened_or_no_longer_live_are_not_read() -> None:
    """A reader of an older generation has fewer rows than a newer run wrote postings
    for: those rows (and rows its `live` column says are gone) are left out."""
    records = [_record([0, 1, 2], [[1], [1, 2], [4]]), _record([3, 5], [[2], [6]])]
    live = np.asarray([1, 0, 1, 1], dtype=bool)  # rows 0-3 exist for this reader; 1 is gone
    rows, counts = read([(r, c) for r, c, _ in records], live)
    assert rows.tolist() == [0, 2, 3]
    assert counts.tolist() == [1, 1, 1]
