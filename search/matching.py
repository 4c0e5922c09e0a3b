"""Minimum-should-match as one Whoosh query: each word's postings are read once.

The expression it replaces, `AndMaybe(Or([And(c) for c in combinations(words, need)]),
And(words, boost=coordination))`, reads every word once per combination that holds it,
plus once more for the coordination clause. Its score for a document holding m >= need
of the n words, with per-word scores s_w, is

    C(m - 1, need - 1) * sum(s_w)  +  (coordination * sum(s_w) if m == n else 0)

(Whoosh adds the scores of Or, And and AndMaybe clauses; each word sits in
C(m - 1, need - 1) of the combinations the document holds). `MinimumShouldMatch` finds
the same documents from a single pass over each word, and replays Whoosh's additions in
Whoosh's order (`ScoreReplay`), so the scores are equal to the last bit.

The matcher reads the postings up front, per segment: the app always asks for every match
(`limit=None`: totals and facets need them all), so a lazy union would visit the same
postings, only with more Python calls per posting.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import combinations
from math import comb
from typing import Any

from whoosh import query as wq
from whoosh.matching import Matcher, NullMatcher
from whoosh.query.compound import CompoundQuery

# Beyond this many combinations of words, scores follow the formula (module docstring),
# equal to the expression's within float rounding rather than to the last bit.
MAX_REPLAYED_COMBINATIONS = 256


class MinimumShouldMatch(CompoundQuery):  # type: ignore[misc]
    """Documents holding at least `need` of the words (`subqueries`), scored as above."""

    JOINT = " MSM "

    def __init__(
        self,
        subqueries: Sequence[wq.Query],
        need: int = 1,
        coordination: float = 0.0,
        boost: float = 1.0,
    ) -> None:
        super().__init__(list(subqueries), boost=boost)
        self.need = max(1, need)
        self.coordination = coordination

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.subqueries!r}, need={self.need}, "
            f"coordination={self.coordination}, boost={self.boost})"
        )

    def __unicode__(self) -> str:
        return f"({self.JOINT.join(str(s) for s in self.subqueries)})>{self.need}"

    __str__ = __unicode__

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MinimumShouldMatch)
            and type(self) is type(other)
            and self.subqueries == other.subqueries
            and self.need == other.need
            and self.coordination == other.coordination
            and self.boost == other.boost
        )

    def __hash__(self) -> int:
        return super().__hash__() ^ hash((self.need, self.coordination))  # type: ignore[no-any-return]

    def apply(self, fn: Any) -> MinimumShouldMatch:
        return type(self)(
            [fn(q) for q in self.subqueries], self.need, self.coordination, self.boost
        )

    def normalize(self) -> wq.Query:
        # Words are neither merged nor dropped: n and `need` must keep their meaning (a word
        # that can never match still counts as one of the n).
        return self.apply(lambda q: q.normalize())

    def simplify(self, ixreader: Any) -> wq.Query:
        return self.apply(lambda q: q.simplify(ixreader))

    def requires(self) -> set[wq.Query]:
        return set()

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        scored = context is None or context.weighting is not None
        clauses = [_clauses(word) for word in self.subqueries]
        count = sum(len(c) for c in clauses)
        words: dict[int, int] = {}  # docnum -> bit i set when word i is in the document
        found: dict[int, int] = {}  # docnum -> bit k set when clause k matched
        clause_scores: dict[int, list[float]] = {}
        k = 0
        for i, word_clauses in enumerate(clauses):
            bit = 1 << i
            for clause in word_clauses:
                for docnum, score in _postings(clause, searcher, context, scored):
                    if docnum in words:
                        words[docnum] |= bit
                        found[docnum] |= 1 << k
                    else:
                        words[docnum] = bit
                        found[docnum] = 1 << k
                        clause_scores[docnum] = [0.0] * count
                    clause_scores[docnum][k] = score
                k += 1
        need = self.need
        ids = sorted(docnum for docnum, mask in words.items() if mask.bit_count() >= need)
        if not ids:
            return NullMatcher()
        if not scored:
            return PrescoredMatcher(ids, [1.0] * len(ids))
        if comb(len(clauses), need) > MAX_REPLAYED_COMBINATIONS:
            # The expression itself would be too big to build: the formula, in another order.
            scores = [self._formula(words[d], clause_scores[d]) for d in ids]
        else:
            replay = ScoreReplay(self, clauses, searcher, context)
            scores = [replay.score(found[docnum], clause_scores[docnum]) for docnum in ids]
        return PrescoredMatcher(ids, scores)

    def _formula(self, mask: int, clause_scores: list[float]) -> float:
        total, m = math.fsum(clause_scores), mask.bit_count()
        score = comb(m - 1, self.need - 1) * total
        if m == len(self.subqueries) and self.coordination > 0:
            score += self.coordination * total
        return score * self.boost


def _clauses(word: wq.Query) -> list[wq.Query]:
    """A word's parts read separately: the clauses of an unboosted Or (its fields)."""
    plain_or = type(word) is wq.Or and word.boost == 1.0 and not word.scale and not word.minmatch
    return list(word.subqueries) if plain_or and len(word.subqueries) > 1 else [word]


def _postings(
    clause: wq.Query, searcher: Any, context: Any, scored: bool
) -> Iterator[tuple[int, float]]:
    matcher = clause.matcher(searcher, context)
    if not scored:
        for docnum in matcher.all_ids():
            yield docnum, 1.0
        return
    is_active, current, score, advance = matcher.is_active, matcher.id, matcher.score, matcher.next
    while is_active():
        yield current(), score()
        advance()


class PrescoredMatcher(Matcher):  # type: ignore[misc]
    """Document numbers in order with their final scores, already computed."""

    def __init__(self, ids: list[int], scores: list[float], position: int = 0) -> None:
        self._ids = ids
        self._scores = scores
        self._i = position

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self._ids)} documents, at {self._i})"

    def is_active(self) -> bool:
        return self._i < len(self._ids)

    def reset(self) -> None:
        self._i = 0

    def copy(self) -> PrescoredMatcher:
        return PrescoredMatcher(self._ids, self._scores, self._i)

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def id(self) -> int:
        return self._ids[self._i]

    def all_ids(self) -> Iterator[int]:
        return iter(self._ids[self._i :])

    def next(self) -> None:
        self._i += 1

    def skip_to(self, id: int) -> None:
        if self._i < len(self._ids) and self._ids[self._i] < id:
            self._i = bisect_left(self._ids, id, self._i)

    def supports(self, astype: str) -> bool:
        return False

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return max(self._scores[self._i :], default=0.0)

    def block_quality(self) -> float:
        return self.max_quality()

    def weight(self) -> float:
        return self._scores[self._i]

    def score(self) -> float:
        return self._scores[self._i]

    def term_matchers(self) -> Iterator[Matcher]:
        # The words' postings are read already: matched terms are not tracked (the app
        # searches with terms=False and highlights from the query's terms).
        return iter(())


class ScoreReplay:
    """Scores bit for bit equal to those of the And/Or/AndMaybe expression (module docstring).

    Whoosh adds the clause scores of that expression in the order of its matcher trees
    (shaped by term frequencies), and float addition is not associative: a different order
    can move a score by one unit in the last place and swap two documents of equal score.
    So the expression's matchers are built once per segment over stand-ins for the clauses,
    and each set of clauses a document can match is replayed into the sum Whoosh would
    compute, compiled to a small function of the word scores.
    """

    def __init__(
        self,
        query: MinimumShouldMatch,
        clauses: list[list[wq.Query]],
        searcher: Any,
        context: Any,
    ) -> None:
        self._state = _SlotState()
        words: list[wq.Query] = []
        k = 0
        for word_clauses in clauses:
            slots = []
            for clause in word_clauses:
                slots.append(_SlotQuery(k, clause, self._state, searcher, context))
                k += 1
            words.append(wq.Or(slots) if len(slots) > 1 else slots[0])
        self._boost = query.boost
        # As `search.query` builds and normalizes it (normalize() merges nested Ors).
        need, coordination = query.need, query.coordination
        loose: wq.Query = (
            wq.Or(words)
            if need <= 1
            else wq.Or([wq.And(list(c)) for c in combinations(words, need)])
        )
        expression = (
            wq.AndMaybe(loose, wq.And(words, boost=coordination)) if coordination > 0 else loose
        ).normalize()
        loose, every = (
            (expression.a, expression.b)
            if isinstance(expression, wq.AndMaybe)
            else (expression, None)
        )
        self._clauses = []
        if isinstance(loose, wq.Or) and _preloaded(loose, searcher, context):
            # Or's own choice (whoosh.query.compound.Or._matcher): in small segments it
            # preloads the clause scores into an array, summed clause after clause.
            self._clauses = [c.matcher(searcher, context) for c in loose.subqueries]
        else:
            self._loose = loose.matcher(searcher, context)
        self._every = every.matcher(searcher, context) if every is not None else None
        self._plans: dict[int, Any] = {}

    def score(self, mask: int, clause_scores: list[float]) -> float:
        plan = self._plans.get(mask)
        if plan is None:
            plan = self._plans[mask] = self._compile(mask)
        return plan(clause_scores)  # type: ignore[no-any-return]

    def _compile(self, mask: int) -> Any:
        self._state.mask = mask
        if self._clauses:
            total: Any = _Sym("0.0")
            for clause in self._clauses:
                if clause.is_active():
                    total = total + clause.score() * 1.0
        else:
            total = self._loose.score()
        if self._every is not None and self._every.is_active():
            total = total + self._every.score()
        if self._boost != 1.0:
            total = total * self._boost
        return eval(f"lambda s: {total}")  # an expression of s[i] and float literals only


class _Sym:
    """A score as the text of the float expression that computes it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __add__(self, other: object) -> _Sym:
        return _Sym(f"({self.text} + {_text(other)})")

    def __radd__(self, other: object) -> _Sym:
        return _Sym(f"({_text(other)} + {self.text})")

    def __mul__(self, other: object) -> _Sym:
        return _Sym(f"({self.text} * {_text(other)})")

    def __rmul__(self, other: object) -> _Sym:
        return _Sym(f"({_text(other)} * {self.text})")


def _text(value: object) -> str:
    if isinstance(value, _Sym):
        return value.text
    if isinstance(value, float | int):
        return repr(float(value))  # repr round-trips a float exactly
    raise TypeError(f"not a score: {value!r}")


class _SlotState:
    mask = 0


def _preloaded(query: wq.Or, searcher: Any, context: Any) -> bool:
    """Whether Whoosh's Or would preload its clauses' scores (an ArrayUnionMatcher)."""
    if query.matcher_type != wq.Or.AUTO_MATCHER:
        return bool(query.matcher_type == wq.Or.ARRAY_MATCHER)
    subs = len(query.subqueries)
    needs_current = context.needs_current if context else True
    return not (
        subs < wq.Or.TOO_MANY_CLAUSES
        and (needs_current or query.scale or subs == 2 or searcher.doc_count_all() > 5000)
    )


class _SlotQuery(wq.Query):  # type: ignore[misc]
    """Stands for clause k in the replayed expression: same size estimate, matcher type."""

    def __init__(
        self, index: int, clause: wq.Query, state: _SlotState, searcher: Any, context: Any
    ) -> None:
        self.index = index
        self.boost = 1.0
        self.fieldname = None
        self._state = state
        self._size = clause.estimate_size(searcher.reader())
        self._class = _slot_class(type(clause.matcher(searcher, context)))

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def normalize(self) -> _SlotQuery:
        return self

    def with_boost(self, boost: float) -> _SlotQuery:
        # normalize() rewraps the clauses of nested Ors with their (unit) boost; a copy
        # would lose the shared state.
        if boost != 1.0:
            raise ValueError("a replayed clause carries no boost of its own")
        return self

    def estimate_size(self, ixreader: Any) -> int:
        return self._size

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        return self._class(self.index, self._state)


class _SlotMatcher(Matcher):  # type: ignore[misc]
    """On the document being replayed (always id 0) when word `index` is in it."""

    def __init__(self, index: int, state: _SlotState) -> None:
        self._bit = 1 << index
        self._index = index
        self._state = state

    def is_active(self) -> bool:
        return bool(self._state.mask & self._bit)

    def id(self) -> int:
        return 0

    def supports_block_quality(self) -> bool:
        return False

    def score(self) -> _Sym:
        return _Sym(f"s[{self._index}]")


_SLOT_CLASSES: dict[type, type[_SlotMatcher]] = {}


def _slot_class(real: type) -> type[_SlotMatcher]:
    # Whoosh breaks ties between clauses of equal size by comparing matcher classes
    # (Matcher.__lt__): one stand-in class per real class keeps those comparisons.
    if real not in _SLOT_CLASSES:
        _SLOT_CLASSES[real] = type(f"Slot{real.__name__}", (_SlotMatcher,), {})
    return _SLOT_CLASSES[real]
