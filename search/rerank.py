"""Second-stage re-ranking (`riordino`): the best matches reordered by where the words are.

The first ranking (BM25F, the proximity bonus, the expansions) scores each word on its
own. This stage reads the best `DEPTH` matches again (their stored title and the opening
of their text, with the query's own stems) and multiplies each score by `1 + Σ weight ×
feature`, every feature a share between 0 and 1 of the query's clauses (a clause counts
as found through its words or its expansions):

* `vicinanza`: the pairs of clauses found within `WINDOW` words of each other, in title
  or text, in any order (the first stage's proximity bonus asks for all the words, in
  the order typed);
* `attacco`: the clauses found in the opening words of the text (the lead).

A third, the clauses found in the title, made the hard set worse at every weight tried
(the title already weighs ×1.5 in BM25F): measured and left out (README).

Engine-neutral: it reads articles through `Snapshot.stored` only. The matches holding
the query as written and the partial ones are reordered apart, each within its own
block (issue 12); what is listed never changes, only the order of the first `DEPTH`.
The issue asked for the first 100: on both relevance sets 30 give the same nDCG@10 at a
third of the cost (bench/RESULTS.md), and the bonus (at most ×1.3) seldom lifts an
article from further down.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import combinations

import numpy as np

from search.analysis import fold, load_protected_words, stem
from search.budget import Deadline
from search.engines.base import Snapshot
from search.query import tree as t
from search.query.plan import QueryPlan

TECHNIQUE = "riordino"
DEPTH = 30  # matches reordered: the first of each block, `DEPTH` in all
BODY_CHARS = 2000  # the opening of each text that is read
LEAD_WORDS = 30  # the lead: the first words of the text, stopwords counted
WINDOW = 4  # words apart (stopwords counted) for two clauses to count as close
# Each feature's weight (its bonus is at most this share of the score): chosen on the
# hard set, one feature at a time (bench.relevance VARIANTS, README).
WEIGHTS = {"vicinanza": 0.2, "attacco": 0.1}
# How `--explain` names each feature's bonus: (what, field).
DESCRIPTIONS = {
    "vicinanza": ("vicine in qualunque ordine", "titolo e testo"),
    "attacco": ("parole all'inizio", "inizio del testo"),
}


@dataclass(frozen=True)
class Bonus:
    """What one feature added to an article's score."""

    feature: str
    words: tuple[str, ...]  # the clauses (as typed) that earned it
    score: float


@dataclass(frozen=True)
class Reranked:
    rows: np.ndarray
    scores: np.ndarray
    strict: np.ndarray
    bonuses: dict[int, tuple[Bonus, ...]]  # row -> what each feature added


@dataclass(frozen=True)
class _Clause:
    label: str
    tokens: frozenset[str]  # its words and its expansions' words, as index tokens


def rerank(
    snapshot: Snapshot,
    plan: QueryPlan,
    rows: np.ndarray,
    scores: np.ndarray,
    strict: np.ndarray,
    deadline: Deadline,
) -> Reranked:
    """`rows` (best first within each block) with the first `DEPTH` reordered."""
    clauses = query_clauses(plan)
    weights = {name: w for name, w in WEIGHTS.items() if w}
    unchanged = Reranked(rows, scores, strict, {})
    if not clauses or not weights or deadline.expired():
        return unchanged
    strict_at = np.flatnonzero(strict)[:DEPTH]
    partial_at = np.flatnonzero(~strict)[: max(0, DEPTH - int(np.count_nonzero(strict)))]
    chosen = np.concatenate([strict_at, partial_at])
    if not len(chosen):
        return unchanged
    stored = snapshot.stored(rows[chosen].tolist())
    new_scores = scores.astype(np.float64).copy()
    bonuses: dict[int, tuple[Bonus, ...]] = {}
    matcher = _Matcher(clauses)
    for at, item in zip(chosen.tolist(), stored, strict=True):
        found = features(matcher, item.article.title, item.article.body[:BODY_CHARS])
        base = float(scores[at])
        added = tuple(
            Bonus(name, words, base * weights[name] * share)
            for name, (share, words) in found.items()
            if name in weights and share > 0
        )
        if added:
            bonuses[item.row] = added
            new_scores[at] = base + sum(b.score for b in added)
    order = np.arange(len(rows))
    for block in (strict_at, partial_at):
        # The same places, filled in the new order: blocks never mix.
        ranked = block[np.lexsort((rows[block], -new_scores[block]))]
        order[block] = ranked
    return Reranked(rows[order], new_scores[order], strict[order], bonuses)


def query_clauses(plan: QueryPlan) -> list[_Clause]:
    """The query's clauses with the text tokens they stand for, expansions included."""
    found: list[_Clause] = []
    extra: dict[int, set[str]] = {}
    for alternative in plan.alternatives:
        for index in alternative.clauses:
            extra.setdefault(index, set()).update(alternative.tokens)
    for index, clause in enumerate(plan.clauses):
        tokens = set(_text_tokens(t.positive_leaves(clause.node)))
        if not tokens:
            continue  # a name, a date, an exact form: nothing to look for in the text
        tokens |= extra.get(index, set())
        found.append(_Clause(clause.label.lstrip("+"), frozenset(tokens)))
    return found


def _text_tokens(leaves: Iterable[t.Node]) -> Iterable[str]:
    for leaf in leaves:
        if isinstance(leaf, t.Term | t.Phrase):
            if not {name for name, _ in leaf.fields} & {"title", "body"}:
                continue
            yield from (leaf.tokens if isinstance(leaf, t.Phrase) else (leaf.token,))


def features(matcher: _Matcher, title: str, body: str) -> dict[str, tuple[float, tuple[str, ...]]]:
    """feature -> (share of the clauses or pairs found, the clauses that earned it)."""
    clauses = matcher.clauses
    in_title = matcher.positions(title)
    in_body = matcher.positions(body)
    n = len(clauses)
    lead = [c.label for c, at in zip(clauses, in_body, strict=True) if at and at[0] < LEAD_WORDS]
    close: list[str] = []
    pairs = 0
    for a, b in combinations(range(n), 2):
        if any(
            first[a] and first[b] and _within(first[a], first[b], WINDOW)
            for first in (in_title, in_body)
        ):
            pairs += 1
            close.extend(c for c in (clauses[a].label, clauses[b].label) if c not in close)
    all_pairs = n * (n - 1) // 2
    return {
        "vicinanza": (pairs / all_pairs if all_pairs else 0.0, tuple(close)),
        "attacco": (len(lead) / n, tuple(lead)),
    }


def _fold_chars() -> dict[str, str]:
    """`fold` of each accented Latin letter (`à` -> `a`)."""
    found = {}
    for char in map(chr, range(0xC0, 0x250)):
        base = fold(char)
        if len(base) == 1 and base != char:
            found[char] = base
    return found


_FOLDED = _fold_chars()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_END = re.compile(r"[^\W_]*")


def _fold_text(text: str) -> str:
    """`fold` for a whole text, letter by letter: only the few accented letters are
    replaced (normalising the whole text costs more than the rest of the stage)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _NON_ASCII.sub(lambda m: _FOLDED.get(m.group(), m.group()), lowered)


@cache
def _protected() -> dict[str, str]:
    return load_protected_words()


class _Matcher:
    """Where the clauses are in a text, for one query's articles.

    A stem is a prefix of its word (Snowball only removes endings): only the words that
    start with a clause token (or are a protected form of one) are looked for, with
    `str.find`, and each word found is stemmed once per query.
    """

    def __init__(self, clauses: list[_Clause]) -> None:
        self.clauses = clauses
        tokens = {token for clause in clauses for token in clause.tokens}
        forms = [form for form, token in _protected().items() if token in tokens]
        # A start that begins another («aut», «automobil») finds its words already: the
        # starts kept begin no other, so each word is found once.
        self.starts: list[str] = []
        for word in sorted({*tokens, *forms}):
            if not (self.starts and word.startswith(self.starts[-1])):
                self.starts.append(word)
        self.known: dict[str, tuple[int, ...]] = {}

    def holders(self, word: str) -> tuple[int, ...]:
        found = self.known.get(word)
        if found is None:
            token = stem(word)
            found = tuple(i for i, c in enumerate(self.clauses) if token in c.tokens)
            self.known[word] = found
        return found

    def positions(self, text: str) -> list[list[int]]:
        """Each clause's word positions in `text`: the words before it, stopwords too
        (counted by the spaces and line breaks before it)."""
        folded = _fold_text(text)
        found: list[list[int]] = [[] for _ in self.clauses]
        for start in self.starts:
            at = folded.find(start)
            while at >= 0:
                if at == 0 or not folded[at - 1].isalnum():
                    end = _WORD_END.match(folded, at + len(start))
                    word = folded[at : end.end() if end else at + len(start)]
                    holders = self.holders(word)
                    if holders:
                        position = folded.count(" ", 0, at) + folded.count("\n", 0, at)
                        for index in holders:
                            found[index].append(position)
                at = folded.find(start, at + 1)
        for positions in found:
            positions.sort()
        return found


def _within(first: list[int], second: list[int], window: int) -> bool:
    """Whether a position of `first` and one of `second` are at most `window` apart
    (both increasing: one pass over the two)."""
    i = j = 0
    while i < len(first) and j < len(second):
        if abs(first[i] - second[j]) <= window:
            return True
        if first[i] < second[j]:
            i += 1
        else:
            j += 1
    return False
