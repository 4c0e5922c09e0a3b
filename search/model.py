"""Plain records that cross the library boundary: no engine object ever leaves `search/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One news article, as read from any input format."""

    id: str
    title: str
    body: str
    url: str | None = None
    author: str | None = None
    source: str | None = None
    date: date | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    path: str | None = None  # corpus-relative file the article came from
    place: str | None = None  # the dateline's place («Modena»), when the article opens with one


@dataclass(frozen=True)
class Skipped:
    """A file (or part of one) that could not be read, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Notice(Skipped):
    """An article indexed without something it said (a date that cannot be right), and why:
    reported apart from what was skipped, so that the counts add up."""


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    date: date | None
    author: str | None
    source: str | None
    url: str | None
    score: float
    snippet: str  # HTML-escaped text with <mark>…</mark> around matches
    similar: int = 0  # near-duplicates collapsed under this hit
    group: str | None = None
    place: str | None = None
    missing: tuple[str, ...] = ()  # clauses a partial match lacks (empty: matches as written)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class Facet:
    name: str  # "year", "month", "author", "source"
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class ResultPage:
    query: str
    total: int
    page: int
    pages: int
    limit: int
    elapsed_ms: float
    hits: tuple[Hit, ...]
    facets: dict[str, Facet] = field(default_factory=dict)
    suggestion: str | None = None
    notices: tuple[str, ...] = ()
    partial: int = 0  # articles holding only some of the clauses, listed after the others
    expansions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # pattern -> words searched
    # Query expansion (`search.query.expansion`): (technique, words) also searched.
    also: tuple[tuple[str, tuple[str, ...]], ...] = ()
