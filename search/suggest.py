""" "Forse cercavi": close spellings among the words of the archive, as they are written.

Each word the archive has never seen is replaced by a word within one edit (else two)
that the archive uses often, preferring the one that appears together with the query's
other words: `vacini covid` becomes `vaccini covid` (not `vicini`), because articles say
"vaccini" beside "covid". The work stays within the query budget and the deadline.
"""

from __future__ import annotations

import re

from search.analysis import STOPWORDS, fold, stem
from search.budget import Deadline, QueryBudget
from search.engines.base import MAX_FUZZY_LENGTH, Snapshot
from search.query import tree as t

_WORD = re.compile(r"(?<![\w:=~*])([^\W\d_][\w]{2,})(?![\w:*~])")
# Field clauses (`data:"aprile 2025"`, `autore:Rossi`) are values, not words to correct.
_FIELD_CLAUSE = re.compile(r'\w+:(?:"[^"]*"?|\S+)')
OPERATORS = {"AND", "OR", "NOT", "E", "O", "NON"}
CANDIDATES = 4  # spellings tried per unknown word, the most frequent first


def suggest(snapshot: Snapshot, text: str, budget: QueryBudget, deadline: Deadline) -> str | None:
    """The query with unknown words replaced by the best close word, or None."""
    pieces: list[tuple[str, bool]] = []  # (text, is a word to check)
    last = 0
    for clause in _FIELD_CLAUSE.finditer(text):
        pieces.extend(_split(text[last : clause.start()]))
        pieces.append((clause.group(0), False))
        last = clause.end()
    pieces.extend(_split(text[last:]))
    words = [p for p, is_word in pieces if is_word]
    known = {w: _known(snapshot, w) for w in words}
    unknown = [w for w in words if not known[w] and len(w) <= MAX_FUZZY_LENGTH]
    unknown = unknown[: budget.max_suggested_words]
    if not unknown:
        return None
    context: list[t.Node] = [
        t.Term(stem(fold(w))) for w in words if known[w] and fold(w) not in STOPWORDS
    ]
    replacements: dict[str, str] = {}
    for word in unknown:
        if deadline.expired():
            break
        best = _best_spelling(snapshot, fold(word), context, budget, deadline)
        if best is not None:
            replacements[word] = best
    if not replacements:
        return None
    return "".join(replacements.get(p, p) if is_word else p for p, is_word in pieces)


def _split(text: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    last = 0
    for match in _WORD.finditer(text):
        out.append((text[last : match.start()], False))
        out.append((match.group(1), True))
        last = match.end()
    out.append((text[last:], False))
    return out


def _known(snapshot: Snapshot, word: str) -> bool:
    folded = fold(word)
    return word in OPERATORS or folded in STOPWORDS or snapshot.doc_frequency("exact", folded) > 0


def _best_spelling(
    snapshot: Snapshot,
    word: str,
    context: list[t.Node],
    budget: QueryBudget,
    deadline: Deadline,
) -> str | None:
    for distance in (1, 2):
        expansion = snapshot.vocabulary(
            "exact",
            prefix=word[:1],
            fuzzy=(word, distance),
            limit=CANDIDATES,
            scan_limit=budget.max_scanned_terms,
        )
        candidates = [(w, df) for w, df in expansion.words if w != word]
        if not candidates:
            continue
        if len(candidates) == 1 or not context:
            return candidates[0][0]
        # The spelling found beside the other words wins; then the most frequent.
        best, best_key = None, (-1, -1)
        for candidate, frequency in candidates:
            node = t.And((t.Term(stem(candidate)), *context))
            together = len(snapshot.evaluate(node, scored=False, deadline=deadline).rows)
            if (together, frequency) > best_key:
                best, best_key = candidate, (together, frequency)
        return best
    return None
