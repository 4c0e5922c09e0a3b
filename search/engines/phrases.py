"""When the tokens of a phrase occur in order: the meaning of `Phrase` on one field's positions.

Engine-neutral (numpy only): the Whoosh engine counts phrases with it on the positions it
reads, the Tantivy engine checks long proximity phrases with it on the stored tokens.
"""

from __future__ import annotations

import numpy as np


def phrase_count(tokens: tuple[str, ...], positions: dict[str, np.ndarray], distance: int) -> int:
    """Occurrences of the tokens in order, each within `distance` positions of the last."""
    if any(token not in positions for token in tokens):
        return 0
    ends = positions[tokens[0]]
    for token in tokens[1:]:
        following = positions[token]
        # For each later position q: is there an end p with q - distance <= p < q?
        at = np.searchsorted(ends, following - distance, side="left")
        inside = at < len(ends)
        inside[inside] = ends[at[inside]] < following[inside]
        ends = following[inside]
        if not len(ends):
            return 0
    return len(ends)


def token_positions(tokens: list[str]) -> dict[str, np.ndarray]:
    """token -> its positions (increasing) in a field's token list."""
    found: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        found.setdefault(token, []).append(position)
    return {token: np.asarray(at, dtype=np.int64) for token, at in found.items()}
