""" "Forse cercavi": a close spelling among the words of the index, as they are written."""

from __future__ import annotations

import re

from whoosh.searching import Searcher

from search.analysis import STOPWORDS, fold

_WORD = re.compile(r"(?<![\w:=~*])([^\W\d_][\w]{2,})(?![\w:*~])")
# Field clauses (`data:"aprile 2025"`, `autore:Rossi`) are values, not words to correct.
_FIELD_CLAUSE = re.compile(r'\w+:(?:"[^"]*"?|\S+)')
OPERATORS = {"AND", "OR", "NOT", "E", "O", "NON"}


def suggest(searcher: Searcher, text: str) -> str | None:
    """The query with unknown or rare words replaced by the most frequent close word."""
    reader = searcher.reader()
    changed = False

    def correct(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(1)
        folded = fold(word)
        if word in OPERATORS or folded in STOPWORDS or reader.doc_frequency("exact", folded):
            return word
        # The nearest spelling first, the most common of equally near ones.
        for distance in (1, 2):
            near = reader.terms_within("exact", folded, distance, prefix=1)
            near = [w for w in near if w != folded]
            if near:
                changed = True
                return max(near, key=lambda w: (reader.doc_frequency("exact", w), w))
        return word

    pieces = []
    last = 0
    for clause in _FIELD_CLAUSE.finditer(text):
        pieces.append(_WORD.sub(correct, text[last : clause.start()]))
        pieces.append(clause.group(0))
        last = clause.end()
    pieces.append(_WORD.sub(correct, text[last:]))
    return "".join(pieces) if changed else None
