"""Archivio's query tree as one Tantivy query, with exactly the tree's boolean meaning.

Tantivy's boolean query matches what the tree says and adds up the scores of the clauses
that match, as the tree does: `And` is all-must, `Or` all-should, `AtLeast` should with a
minimum, `Not` must-not (beside "everything" when alone), `Filter` and the date leaves
score nothing (constant 0), `Boost` is a must with a boosted should. A `Term` is a should
over its fields, each boosted by the field's weight; scores are Tantivy's BM25.

Phrases: Tantivy's sloppy phrases mean something else (order may swap, the slop is one
budget for the whole phrase), so a phrase within `distance` is asked as the exact phrases
of every allowed spacing (`"a b"~3`: b 1, 2 or 3 positions after a), their best score
counting. Past `MAX_SPACINGS` spacings, the documents holding all the tokens are checked
on the stored tokens (`search.engines.phrases`) and the phrase scores as its tokens do.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import tantivy

from search.engines.phrases import phrase_count, token_positions
from search.engines.tantivy.schema import STORED_TOKENS
from search.query import tree as t

MAX_SPACINGS = 512
NO_DATE_END = 99_991_231

Q = tantivy.Query
Must, Should, MustNot = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


class Timeout(Exception):
    """The search's deadline passed while the query was being prepared."""


class Translator:
    def __init__(
        self, schema: tantivy.Schema, searcher: tantivy.Searcher, expired: Callable[[], bool]
    ) -> None:
        self.schema = schema
        self.searcher = searcher
        self.expired = expired

    def query(self, node: t.Node) -> tantivy.Query:
        if self.expired():
            raise Timeout
        match node:
            case t.Term(token, fields):
                return _sum([_weighted(Q.term_query(self.schema, f, token), w) for f, w in fields])
            case t.Phrase(tokens, fields, distance):
                return _sum([_weighted(self._phrase(tokens, f, distance), w) for f, w in fields])
            case t.And(children):
                return self._and(children)
            case t.Or(children):
                return _sum([self.query(c) for c in children])
            case t.AtLeast(children, need):
                if need > len(children):
                    return Q.empty_query()
                if not children:
                    return Q.empty_query()
                clauses = [(Should, self.query(c)) for c in children]
                return Q.boolean_query(clauses, max(1, need))
            case t.Not(child):
                return Q.boolean_query([(Must, _everything()), (MustNot, self.query(child))])
            case t.Filter(child):
                return Q.const_score_query(self.query(child), 0.0)
            case t.Boost(main, bonus, weight):
                return Q.boolean_query(
                    [(Must, self.query(main)), (Should, _weighted(self.query(bonus), weight))]
                )
            case t.DateRange(start, end):
                if max(start, 1) > end:
                    return Q.empty_query()
                return _days(self.schema, max(start, 1), end)
            case t.Undated():
                return _days(self.schema, 0, 0)
            case t.All():
                return _everything()
            case t.Nothing():
                return Q.empty_query()
        raise TypeError(node)  # pragma: no cover

    def _and(self, children: tuple[t.Node, ...]) -> tantivy.Query:
        clauses = [
            (MustNot, self.query(c.child)) if isinstance(c, t.Not) else (Must, self.query(c))
            for c in children
        ]
        if not any(occur == Must for occur, _ in clauses):
            clauses.insert(0, (Must, _everything()))
        return Q.boolean_query(clauses)

    def _phrase(self, tokens: tuple[str, ...], field: str, distance: int) -> tantivy.Query:
        if not tokens:
            return Q.empty_query()
        if len(tokens) == 1:
            return Q.term_query(self.schema, field, tokens[0])
        distance = max(1, distance)
        if distance == 1:
            return Q.phrase_query(self.schema, field, list(tokens))
        if distance ** (len(tokens) - 1) <= MAX_SPACINGS:
            spacings = []
            for gaps in itertools.product(range(1, distance + 1), repeat=len(tokens) - 1):
                offsets = itertools.accumulate(gaps, initial=0)
                words: list[str | tuple[int, str]] = list(zip(offsets, tokens, strict=True))
                spacings.append(Q.phrase_query(self.schema, field, words))
            return Q.disjunction_max_query(spacings)
        return self._checked_phrase(tokens, field, distance)

    def _checked_phrase(self, tokens: tuple[str, ...], field: str, distance: int) -> tantivy.Query:
        """A long proximity phrase: its rows checked on the stored tokens, scored as terms."""
        terms = [Q.term_query(self.schema, field, token) for token in dict.fromkeys(tokens)]
        every = Q.boolean_query([(Must, q) for q in terms])
        if field not in STORED_TOKENS:
            return every  # names keep no stored tokens: never asked with a distance
        count = match_count(self.searcher, every)
        if not count:
            return Q.empty_query()
        hits = self.searcher.search(every, limit=count, count=False).hits
        found_at = []
        for n, (_, address) in enumerate(hits):
            if n % 256 == 0 and self.expired():
                raise Timeout
            stored = self.searcher.doc(address).get_first(field)
            if phrase_count(tokens, token_positions(_stored_tokens(stored)), distance):
                found_at.append(address)
        if not found_at:
            return Q.empty_query()
        rows = [int(row) for row in self.searcher.fast_field_values("row", found_at)]  # type: ignore[arg-type]
        found = Q.const_score_query(Q.term_set_query(self.schema, "row", rows), 0.0)
        return Q.boolean_query([(Must, found), *((Should, q) for q in terms)])


def match_count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    """How many documents match (Tantivy counts without collecting them)."""
    return int(getattr(searcher.search(query, limit=1, count=True), "count", 0) or 0)


def stored_json(document: tantivy.Document) -> dict[str, object]:
    """The stored article of a Tantivy document (`doc`: JSON bytes)."""
    value = document.get_first("doc")
    return dict(json.loads(bytes(value))) if value else {}


def _stored_tokens(value: object) -> list[str]:
    text = value if isinstance(value, str) else getattr(value, "text", "")
    return str(text).split(" ") if text else []


def _sum(queries: list[tantivy.Query]) -> tantivy.Query:
    """Matches any of the queries, scoring the sum of those that match."""
    if not queries:
        return Q.empty_query()
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(Should, q) for q in queries])


def _weighted(query: tantivy.Query, weight: float) -> tantivy.Query:
    return query if weight == 1.0 else Q.boost_query(query, weight)


def _everything() -> tantivy.Query:
    return Q.const_score_query(Q.all_query(), 0.0)


def _days(schema: tantivy.Schema, start: int, end: int) -> tantivy.Query:
    days = Q.range_query(schema, "day", tantivy.FieldType.Integer, start, end)
    return Q.const_score_query(days, 0.0)
