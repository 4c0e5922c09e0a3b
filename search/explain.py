"""Why an article ranks where it does: what each word, expansion and field added to its score.

A score is the sum, over the words and phrases of the query tree that the article holds,
of each one's BM25 score in each field, times the weights of the bonuses it sits under
(`search.query.tree`). Each leaf is evaluated on its own through the snapshot, one field
at a time, so the parts add up to the score the ranking gave, on any engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from search.archive import Archive
from search.budget import Deadline
from search.engines.base import Snapshot
from search.query import tree as t
from search.query.expansion import LABELS
from search.query.plan import QueryPlan
from search.rerank import DESCRIPTIONS, TECHNIQUE, Bonus
from search.results import SearchRequest, ranking_of

FIELD_LABELS = {
    "title": "titolo",
    "body": "testo",
    "exact": "forma esatta",
    "author": "autore",
    "source": "fonte",
    "place": "luogo",
    "section": "sezione",
    "tags": "argomenti",
}
TYPED = "parola cercata"
NEAR = "parole vicine"


@dataclass(frozen=True)
class Contribution:
    words: str  # what matched, as the user reads it
    role: str  # TYPED, NEAR, or an expansion technique's label
    field: str  # FIELD_LABELS value
    score: float


@dataclass(frozen=True)
class Explanation:
    id: str
    score: float
    contributions: tuple[Contribution, ...]  # largest first
    missing: tuple[str, ...]  # clauses as typed that the article lacks (partial match)


def explain(archive: Archive, request: SearchRequest) -> list[Explanation]:
    """The explanation of every hit on the page `request` asks for."""
    request = request.validated()
    deadline = Deadline(archive.budget.deadline_seconds)
    with archive.snapshot() as snapshot:
        ranking = ranking_of(archive, snapshot, request, deadline)
        page = slice((request.page - 1) * request.limit, request.page * request.limit)
        rows = [int(r) for r in ranking.leaders[page]]
        scores = [float(s) for s in ranking.scores[page]]
        scoring = ranking.plan if request.sort == "relevance" else None
        parts = _contributions(snapshot, scoring, rows, deadline)
        stored = snapshot.stored(rows)
    bonuses = ranking.bonuses or {}
    return [
        Explanation(
            item.article.id,
            score,
            _with_bonuses(parts[item.row], bonuses.get(item.row, ())),
            ranking.missing.get(item.row, ()),
        )
        for item, score in zip(stored, scores, strict=True)
    ]


def explain_article(archive: Archive, request: SearchRequest, article_id: str) -> Explanation:
    """Why one article matches `request` (the article page's «Perché questo risultato»);
    an article the query does not match gets no contributions."""
    request = replace(request.validated(), sort="relevance", page=1, collapse=False)
    deadline = Deadline(archive.budget.deadline_seconds)
    with archive.snapshot() as snapshot:
        row = snapshot.row_of("id", article_id)
        if row is None:  # not in this state of the index (any more): nothing matched
            return Explanation(article_id, 0.0, (), ())
        ranking = ranking_of(archive, snapshot, request, deadline)
        listed = np.flatnonzero(ranking.leaders == row)
        if not len(listed):
            return Explanation(article_id, 0.0, (), ())
        parts = _contributions(snapshot, ranking.plan, [row], deadline)
        missing = ranking.missing.get(row, ())
        added = (ranking.bonuses or {}).get(row, ())
        score = float(ranking.scores[listed[0]])
        return Explanation(article_id, score, _with_bonuses(parts[row], added), missing)


def _with_bonuses(
    parts: tuple[Contribution, ...], bonuses: tuple[Bonus, ...]
) -> tuple[Contribution, ...]:
    """The words' contributions and what the re-ranking added (`search.rerank`), largest
    first: together they make the score."""
    if not bonuses:
        return parts
    label = LABELS[TECHNIQUE]
    added = [
        Contribution(
            f"{DESCRIPTIONS[b.feature][0]}: {', '.join(b.words)}",
            label,
            DESCRIPTIONS[b.feature][1],
            b.score,
        )
        for b in bonuses
    ]
    return tuple(sorted((*parts, *added), key=lambda c: -c.score))


def _contributions(
    snapshot: Snapshot, plan: QueryPlan | None, rows: list[int], deadline: Deadline
) -> dict[int, tuple[Contribution, ...]]:
    """Each scoring word and phrase of `plan`, one field at a time, for each of `rows`."""
    parts: dict[int, list[Contribution]] = {row: [] for row in rows}
    if plan is None or not plan.scored:
        return {row: () for row in rows}
    wanted = set(rows)
    for leaf, weight, guards, role, words in _labelled_leaves(plan):
        for name, field_weight in leaf.fields:
            single: t.Node = replace(leaf, fields=((name, field_weight * weight),))
            if guards:  # it scores only where the rest of its `And` matches too
                single = t.And((single, *(t.Filter(g) for g in guards)))
            found = snapshot.evaluate(single, scored=True, deadline=deadline)
            for row, score in zip(found.rows.tolist(), found.scores.tolist(), strict=True):
                if row in wanted and score:
                    label = FIELD_LABELS.get(name, name)
                    parts[row].append(Contribution(words, role, label, score))
    return {row: tuple(_merged(found)) for row, found in parts.items()}


def _merged(parts: list[Contribution]) -> list[Contribution]:
    """The same words in the same field from several leaves (a repeated word) summed."""
    summed: dict[tuple[str, str, str], float] = {}
    for part in parts:
        key = (part.words, part.role, part.field)
        summed[key] = summed.get(key, 0.0) + part.score
    merged = [Contribution(w, r, f, s) for (w, r, f), s in summed.items()]
    return sorted(merged, key=lambda c: -c.score)


def _labelled_leaves(
    plan: QueryPlan,
) -> Iterator[tuple[t.Term | t.Phrase, float, tuple[t.Node, ...], str, str]]:
    """Every scoring word and phrase of the plan: (leaf, bonus weight, the other children
    of the `And`s it sits in, role, words shown)."""
    names: dict[t.Node, tuple[str, str]] = {}
    for alternative in plan.alternatives:
        for leaf in t.leaves(alternative.node()):
            names[leaf] = (LABELS[alternative.technique], alternative.text)
    for token, word in plan.feedback:
        for leaf in t.leaves(plan.feedback_node) if plan.feedback_node else ():
            if isinstance(leaf, t.Term) and leaf.token == token:
                names[leaf] = (LABELS["retroazione"], word)
    labels: dict[t.Node, str] = {}
    typed_words: dict[str, str] = {}
    for clause in plan.clauses:
        for leaf in t.positive_leaves(clause.node):
            labels.setdefault(leaf, clause.label.lstrip("+"))
            if isinstance(leaf, t.Term):
                typed_words.setdefault(leaf.token, clause.label.lstrip("+"))
    for leaf, weight, guards, bonus in _scoring(plan.match, 1.0, (), False):
        if leaf in names:
            role, words = names[leaf]
        elif leaf in labels:
            role, words = TYPED, labels[leaf]
        elif bonus and isinstance(leaf, t.Phrase):
            role, words = NEAR, " ".join(typed_words.get(w, w) for w in leaf.tokens)
        else:
            role = TYPED
            words = leaf.token if isinstance(leaf, t.Term) else " ".join(leaf.tokens)
        yield leaf, weight, guards, role, words


def _scoring(
    node: t.Node, weight: float, guards: tuple[t.Node, ...], bonus: bool, inner: bool = False
) -> Iterator[tuple[t.Term | t.Phrase, float, tuple[t.Node, ...], bool]]:
    """Scoring leaves with their weight; `inner`: below an `Or` or `AtLeast`, where an
    `And` (a multi-word alternative) may hold only in part and then scores nothing."""
    match node:
        case t.Term() | t.Phrase():
            yield node, weight, guards, bonus
        case t.And(children):
            for i, child in enumerate(children):
                others = (
                    tuple(c for j, c in enumerate(children) if j != i and not isinstance(c, t.Not))
                    if inner
                    else ()
                )
                yield from _scoring(child, weight, guards + others, bonus, inner)
        case t.Or(children) | t.AtLeast(children, _):
            for child in children:
                yield from _scoring(child, weight, guards, bonus, True)
        case t.Boost(main, extra, boost):
            yield from _scoring(main, weight, guards, bonus, inner)
            yield from _scoring(extra, weight * boost, guards, True, inner)
        case _:  # Not, Filter, dates: they score nothing
            return


def also_searched(also: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    """«sinonimi: pompieri, caschi rossi» for each technique that added words."""
    return [f"{LABELS.get(technique, technique)}: {', '.join(words)}" for technique, words in also]


def number(value: float) -> str:
    """A score as Italians write it: 12,34."""
    return f"{value:.2f}".replace(".", ",")


def explanation_json(explanation: Explanation) -> dict[str, object]:
    return {
        "id": explanation.id,
        "score": round(explanation.score, 4),
        "missing": list(explanation.missing),
        "contributions": [
            {"words": c.words, "role": c.role, "field": c.field, "score": round(c.score, 4)}
            for c in explanation.contributions
        ],
    }
