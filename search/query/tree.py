"""The query tree every engine evaluates: Archivio's own, built from what the user typed.

Leaves hold index tokens (already analysed by `search.analysis`), never raw text, so an
engine only looks terms up. Matching is defined here once; scores are each engine's BM25
flavour, but they follow the same shape:

* `Term`: a token in any of its fields; scores BM25 per field, times the field's weight,
  summed over the fields it occurs in (BM25F-like).
* `Phrase`: the tokens in this order, each within `distance` positions of the one before
  (1 = adjacent), all in one field; scores like its tokens' terms in the fields it matched.
* `And`, `Or`, `AtLeast(need)`: the children's matches intersected, united, or counted;
  scores add up over the children that match. `Not` excludes (only meaningful inside
  `And`; alone it means everything but). `Filter` matches like its child, scoring nothing.
* `Boost(main, bonus, weight)`: the matches of `main`; where `bonus` matches too its score
  is added, times `weight` (the proximity bonus).
* `DateRange`: articles dated within [start, end] (yyyymmdd); undated ones never match.
  `Undated` matches exactly the undated ones. `All` matches everything, `Nothing` nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

Fields = tuple[tuple[str, float], ...]  # (field, weight)

# Words without a field: title weighted above body (chosen on the relevance set, README).
TEXT_FIELDS: Fields = (("title", 1.5), ("body", 1.0))
TITLE: Fields = (("title", 1.5),)
BODY: Fields = (("body", 1.0),)
EXACT: Fields = (("exact", 1.0),)
# Fields holding name tokens (`search.analysis.name_tokens`): filters and `autore:` & co.
NAME_FIELDS = ("author", "source", "place", "section", "tags")


@dataclass(frozen=True)
class Term:
    token: str
    fields: Fields = TEXT_FIELDS


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]
    fields: Fields = TEXT_FIELDS
    distance: int = 1


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AtLeast:
    children: tuple[Node, ...]
    need: int


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Filter:
    child: Node


@dataclass(frozen=True)
class Boost:
    main: Node
    bonus: Node
    weight: float = 1.0


@dataclass(frozen=True)
class DateRange:
    start: int  # yyyymmdd, inclusive
    end: int


@dataclass(frozen=True)
class Undated:
    pass


@dataclass(frozen=True)
class All:
    pass


@dataclass(frozen=True)
class Nothing:
    pass


Node = (
    Term | Phrase | And | Or | AtLeast | Not | Filter | Boost | DateRange | Undated | All | Nothing
)


def leaves(node: Node) -> list[Node]:
    """Every leaf under `node` (terms, phrases, dates…), in order."""
    match node:
        case And(children) | Or(children) | AtLeast(children, _):
            return [leaf for child in children for leaf in leaves(child)]
        case Not(child) | Filter(child):
            return leaves(child)
        case Boost(main, bonus, _):
            return leaves(main) + leaves(bonus)
        case _:
            return [node]


def positive_leaves(node: Node) -> list[Node]:
    """The leaves a match can contain: those under `Not` left out (what highlights mark)."""
    match node:
        case And(children) | Or(children) | AtLeast(children, _):
            return [leaf for child in children for leaf in positive_leaves(child)]
        case Not(_):
            return []
        case Filter(child):
            return positive_leaves(child)
        case Boost(main, bonus, _):
            return positive_leaves(main) + positive_leaves(bonus)
        case _:
            return [node]


def size(node: Node) -> int:
    """How many leaves the tree has: what the clause budget counts."""
    return len(leaves(node))
