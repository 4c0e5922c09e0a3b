"""When the tokens of a phrase occur in order: the meaning of `Phrase` on one field's positions.

Engine-neutral (numpy only): the evaluator counts phrases with it over every candidate
article at once, on the positions the Whoosh and PostgreSQL engines read; the Tantivy
engine checks long proximity phrases with it on the stored tokens.
"""

from __future__ import annotations

import numpy as np

EMPTY = np.zeros(0, dtype=np.int64)

# token -> (the row of each position, the position), ordered by row, then position
Positions = dict[str, tuple[np.ndarray, np.ndarray]]


def phrase_counts(
    tokens: tuple[str, ...], positions: Positions, distance: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rows increasing, occurrences) of the tokens in order, each within `distance`
    positions of the one before, in every row where they occur at least once.

    Rows and positions become one key each (row × stride + position) with a stride wider
    than any position plus `distance`: a key looks back at most `distance`, so it never
    reaches another row's keys, and all rows are matched in one pass of searchsorted."""
    used = {token: positions.get(token, (EMPTY, EMPTY)) for token in tokens}
    if any(not len(spots) for _, spots in used.values()):
        return EMPTY, EMPTY
    stride = max(int(spots.max()) for _, spots in used.values()) + distance + 1
    keys = {
        token: rows.astype(np.int64) * stride + spots.astype(np.int64)
        for token, (rows, spots) in used.items()
    }
    ends = keys[tokens[0]]
    for token in tokens[1:]:
        following = keys[token]
        # For each later key q: is there an end p with q - distance <= p < q?
        at = np.searchsorted(ends, following - distance, side="left")
        inside = at < len(ends)
        inside[inside] = ends[at[inside]] < following[inside]
        ends = following[inside]
        if not len(ends):
            return EMPTY, EMPTY
    rows, counts = np.unique(ends // stride, return_counts=True)
    return rows, counts.astype(np.int64)


def phrase_count(tokens: tuple[str, ...], positions: dict[str, np.ndarray], distance: int) -> int:
    """Occurrences of the phrase in one field's positions (token -> positions increasing)."""
    one_row = {token: (np.zeros(len(at), dtype=np.int64), at) for token, at in positions.items()}
    _, counts = phrase_counts(tokens, one_row, distance)
    return int(counts.sum())


def token_positions(tokens: list[str]) -> dict[str, np.ndarray]:
    """token -> its positions (increasing) in a field's token list."""
    found: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        found.setdefault(token, []).append(position)
    return {token: np.asarray(at, dtype=np.int64) for token, at in found.items()}
