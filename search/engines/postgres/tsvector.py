"""Archivio's tokens as PostgreSQL `tsvector` literals: nothing is analysed twice.

The core analysed the text already; a token's position is its index in the list. The
literal lists every lexeme with its positions (1-based) and the field's weight (title A,
body B), so PostgreSQL stores exactly these terms. PostgreSQL's limits apply: positions
above 16383 are stored as 16383, at most 256 positions per lexeme are kept, and a lexeme
is at most 2046 bytes (longer "words" are left out).
"""

from __future__ import annotations

MAX_POSITION = 16383
MAX_POSITIONS = 256
MAX_LEXEME_BYTES = 2046


def quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def positions(tokens: list[str]) -> dict[str, list[int]]:
    """Each lexeme's positions as PostgreSQL keeps them (1-based, clamped, at most 256)."""
    found: dict[str, list[int]] = {}
    for index, token in enumerate(tokens, 1):
        kept = found.get(token)
        if kept is None:
            if indexable(token):
                found[token] = [min(index, MAX_POSITION)]
        elif len(kept) < MAX_POSITIONS:
            position = min(index, MAX_POSITION)
            if kept[-1] != position:  # positions past the last one are one
                kept.append(position)
    return found


def tsvector_literal(found: dict[str, list[int]], weight: str = "") -> str:
    """The literal of `positions(tokens)`."""
    separator = weight + ","
    return " ".join(
        f"{quote(token)}:{separator.join(map(str, kept))}{weight}" for token, kept in found.items()
    )


def indexable(token: str) -> bool:
    # A character is at most 4 bytes: only a long word needs encoding to know.
    return bool(token) and (
        len(token) * 4 <= MAX_LEXEME_BYTES or len(token.encode("utf-8")) <= MAX_LEXEME_BYTES
    )
