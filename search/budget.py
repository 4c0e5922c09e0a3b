"""What one search may cost: caps on what a query expands to, and a deadline.

The same budget holds in the CLI, the web pages and the API. Caps are checked while the
query is built (`search.query.plan`): a pattern or fuzzy word expands to at most
`max_expansions` words of the archive (the most frequent), a query holds at most
`max_clauses` words and phrases. The deadline bounds the whole search: engines look at it
while they read postings and stop with what they have, and the user gets a notice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class QueryBudget:
    max_clauses: int = 64  # words, phrases and patterns in one query
    max_fuzzy_distance: int = 2  # `parola~N`: larger N is read as this
    min_pattern_prefix: int = 2  # letters before the first `*` or `?`
    max_expansions: int = 64  # archive words one pattern or fuzzy word stands for
    max_expanded_terms: int = 512  # the same, over the whole query
    max_scanned_terms: int = 200_000  # vocabulary entries one pattern may look at
    max_suggested_words: int = 8  # unknown words "Forse cercavi" tries to correct
    deadline_seconds: float = 5.0  # the whole search, ranking, facets and snippets


class Deadline:
    """A point in time after which work stops and returns what it has."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self.end

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())


NO_DEADLINE = Deadline(float("inf"))
