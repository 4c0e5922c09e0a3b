"""Collapsing copies: the first hit of each story, strict and partial matches apart."""

from __future__ import annotations

import numpy as np

from search.results import _collapse


def reference(groups: np.ndarray, rows: np.ndarray, strict: np.ndarray) -> tuple[list, list]:
    """Walk the hits in order: a story's first hit leads, later ones count as its copies."""
    leaders: dict[tuple[int, bool], int] = {}
    copies: dict[int, int] = {}
    for at, (row, is_strict) in enumerate(zip(rows.tolist(), strict.tolist(), strict=True)):
        key = (int(groups[row]), bool(is_strict))
        if key in leaders:
            copies[leaders[key]] += 1
        else:
            leaders[key] = at
            copies[at] = 0
    return list(copies), list(copies.values())


def test_collapse_keeps_each_storys_first_hit_and_counts_its_copies() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        articles = int(rng.integers(1, 60))
        # Group ids are 64-bit hashes: extreme values must not meet each other.
        ids = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, -1, 0, 1, 2**62])
        groups = rng.choice(ids, size=articles)
        rows = rng.permutation(articles)[: int(rng.integers(0, articles + 1))]
        strict = rng.random(len(rows)) < 0.6
        leaders, copies = _collapse(groups, rows, strict, collapse=True)
        assert (leaders.tolist(), copies.tolist()) == reference(groups, rows, strict)


def test_collapse_off_lists_every_hit() -> None:
    groups = np.zeros(3, dtype=np.int64)
    leaders, copies = _collapse(groups, np.array([2, 0, 1]), np.ones(3, dtype=bool), False)
    assert leaders.tolist() == [0, 1, 2] and copies.tolist() == [0, 0, 0]
