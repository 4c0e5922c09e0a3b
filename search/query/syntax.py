"""What a user typed, as a tree of syntax: words, phrases, fields, operators.

The parser (`search.query.parser`) produces it; `search.query.plan` turns it into the
engine-neutral query tree (`search.query.tree`), analysing words and expanding patterns.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None  # canonical field name (`title`, `body`, `author`…)
    exact: bool = False  # `=parola`: this surface form only


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None
    exact: bool = False
    distance: int | None = None  # `"a b"~N`: within N positions; None: adjacent


@dataclass(frozen=True)
class Pattern:
    """A word with `*` or `?`: matched against the words of the archive as written."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    """`parola~N`: words of the archive within N edits, sharing the first `prefix` letters."""

    text: str
    field: str | None = None
    distance: int = 1
    prefix: int = 1


@dataclass(frozen=True)
class DateClause:
    text: str  # as typed after `data:`


@dataclass(frozen=True)
class Seq:
    """Clauses side by side: all required as written (partial matches listed apart)."""

    items: tuple[Syntax, ...]


@dataclass(frozen=True)
class AndOp:
    items: tuple[Syntax, ...]


@dataclass(frozen=True)
class OrOp:
    items: tuple[Syntax, ...]


@dataclass(frozen=True)
class NotOp:
    item: Syntax


@dataclass(frozen=True)
class Must:
    """`+clause`: required even among partial matches."""

    item: Syntax


Syntax = Word | Phrase | Pattern | Fuzzy | DateClause | Seq | AndOp | OrOp | NotOp | Must
