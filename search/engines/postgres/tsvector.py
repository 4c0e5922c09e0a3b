"""Archivio's tokens as PostgreSQL `tsvector` literals: nothing is analysed twice.

The core analysed the text already; a token's position is its index in the list. The
literal lists every lexeme with its positions (1-based) and the field's weight (title A,
body B), so PostgreSQL stores exactly these terms. PostgreSQL's limits apply: positions
above 16383 are stored as 16383, at most 256 positions per lexeme are kept, and a lexeme
is at most 2046 bytes (longer "words" are left out).
"""

from __future__ import annotations

from collections import defaultdict

MAX_POSITION = 16383
MAX_POSITIONS = 256
MAX_LEXEME_BYTES = 2046


def quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: list[str], weight: str = "") -> str:
    positions: dict[str, list[int]] = defaultdict(list)
    for index, token in enumerate(tokens):
        if not token or len(token.encode("utf-8")) > MAX_LEXEME_BYTES:
            continue
        kept = positions[token]
        if len(kept) < MAX_POSITIONS:
            kept.append(min(index + 1, MAX_POSITION))
    return " ".join(
        f"{quote(token)}:{','.join(f'{p}{weight}' for p in dict.fromkeys(found))}"
        for token, found in positions.items()
    )


def tsquery_term(token: str) -> str:
    """A tsquery matching one lexeme exactly."""
    return quote(token)


def indexable(token: str) -> bool:
    return bool(token) and len(token.encode("utf-8")) <= MAX_LEXEME_BYTES
