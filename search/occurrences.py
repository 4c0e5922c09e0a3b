"""Where a query's words and phrases occur in a text: what a concordance lists.

The text is read with the index's own analysis (`search.analysis`), so, as highlights do,
`vaccino` finds `vaccini` and a protected word only its own forms; unlike highlights, a
phrase is one occurrence (`"green pass"` marks the two words together, never `pass`
alone). The patterns come from the query tree (`search.query.tree`), its positive side
only: words under `-`, filters and dates find nothing.

Most words of a matching article are not the query's: `find_occurrences` looks for each
pattern's first word as a substring of the folded text first (in C), and reads only the
few words around those places. Every surface word whose index token is `t` starts with
`t` less its last letter, or is a protected form of `t` (checked on the real archive's
81,000 words); `scan_occurrences`, the plain reading of every word, is the reference the
tests compare it with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# `fold` removes these marks: a text without any keeps its length folded only if every
# character folds to one character, so that places in the folded text are places in it.
from search.analysis import _COMBINING, fold, load_protected_words, stem, surface_tokens
from search.query import tree as t

TEXT_FIELDS = ("title", "body")
Span = tuple[int, int]
# Characters a token can hold besides letters and digits (`l'Unione`, `2,5`): a place
# right after any other character starts a token in the index's own reading.
_IN_TOKEN_MARKS = "_'’`´.,"


@dataclass(frozen=True)
class WordTest:
    """One word of a pattern: its index token, and/or the surface words it must be."""

    token: str | None = None
    surfaces: frozenset[str] | None = None

    def matches(self, surface: str) -> bool:
        if self.surfaces is not None and surface not in self.surfaces:
            return False
        return self.token is None or stem(surface) == self.token

    def needles(self) -> set[str]:
        """Substrings every folded word passing this test holds."""
        if self.surfaces is not None:
            return set(self.surfaces)
        token = self.token or ""
        found = {token[:-1] if len(token) > 1 else token}
        found.update(form for form, to in _protected().items() if to == token)
        return found


@dataclass(frozen=True)
class Pattern:
    words: tuple[WordTest, ...]
    fields: frozenset[str]
    distance: int = 1  # each word within this many words of the one before


def patterns_of(node: t.Node) -> tuple[Pattern, ...]:
    """The word and phrase patterns a match of `node` can hold, each once."""
    return tuple(dict.fromkeys(_patterns(node)))


def _patterns(node: t.Node) -> list[Pattern]:
    match node:
        case t.Term(token, fields):
            return _term(token, fields)
        case t.Phrase(tokens, fields, distance):
            text = _text_fields(fields)
            words = tuple(WordTest(token) for token in tokens)
            return [Pattern(words, text, distance)] if text else []
        case t.And(children):
            return _and(children)
        case t.Or(children) | t.AtLeast(children, _):
            return [p for child in children for p in _patterns(child)]
        case t.Boost(main, bonus, _):
            return _patterns(main) + _patterns(bonus)
    return []  # Not, Filter, dates, All, Nothing: no words to find


def _term(token: str, fields: t.Fields) -> list[Pattern]:
    names = {name for name, _ in fields}
    if "exact" in names:
        return [Pattern((WordTest(surfaces=frozenset({token})),), frozenset(TEXT_FIELDS))]
    text = _text_fields(fields)
    return [Pattern((WordTest(token),), text)] if text else []


def _and(children: tuple[t.Node, ...]) -> list[Pattern]:
    """Inside an And the query language pairs a surface word with its stem in a field
    (`titolo:negozi*`, `titolo:=Rossi`), and a phrase with its words as written
    (`="green pass"`): those are one pattern, not several."""
    exact = {
        c.token: c
        for c in children
        if isinstance(c, t.Term) and {name for name, _ in c.fields} == {"exact"}
    }
    used: set[t.Node] = set()
    found: list[Pattern] = []
    for child in children:
        if isinstance(child, t.Term) and child not in exact.values():
            pair = next((w for w in exact if stem(w) == child.token), None)
            text = _text_fields(child.fields)
            if pair is not None and text:
                found.append(Pattern((WordTest(child.token, frozenset({pair})),), text))
                used.update((child, exact[pair]))
    for child in children:
        if isinstance(child, t.Phrase) and _text_fields(child.fields):
            words = []
            for token in child.tokens:
                forms = frozenset(w for w in exact if stem(w) == token)
                words.append(WordTest(token, forms or None))
                used.update(exact[w] for w in forms)
            found.append(Pattern(tuple(words), _text_fields(child.fields), child.distance))
            used.add(child)
    for child in children:
        if child not in used:
            found.extend(_patterns(child))
    return found


def _text_fields(fields: t.Fields) -> frozenset[str]:
    return frozenset(name for name, _ in fields if name in TEXT_FIELDS)


@lru_cache(maxsize=1)
def _protected() -> dict[str, str]:
    return load_protected_words()


# -- Finding them --------------------------------------------------------------------------


def scan_occurrences(text: str, patterns: tuple[Pattern, ...], field: str) -> list[Span]:
    """Spans of every occurrence in `text` (a title or a body): every word read."""
    patterns = tuple(p for p in patterns if field in p.fields)
    if not patterns or not text:
        return []
    words = [(word, start, end) for word, _, start, end in surface_tokens(text)]
    spans = [span for i in range(len(words)) for span in _at(words, i, patterns)]
    return _without_overlaps(spans)


def find_occurrences(text: str, patterns: tuple[Pattern, ...], field: str) -> list[Span]:
    """The same spans as `scan_occurrences`, reading only the words around the places
    where a pattern's first word can be."""
    patterns = tuple(p for p in patterns if field in p.fields)
    if not patterns or not text:
        return []
    folded = _folded_in_place(text)
    if folded is None:
        return scan_occurrences(text, patterns, field)  # a ligature, a lone combining mark…
    finder = _finder(tuple(sorted({n for p in patterns for n in p.words[0].needles() if n})))
    longest = max(len(p.words) * p.distance for p in patterns)
    # A phrase reads on past the stopwords between its words (they take no position).
    chunks = _chunks(1 if longest == 1 else min(longest + 8, 64))
    spans: list[Span] = []
    done: set[int] = set()
    for hit in finder.finditer(folded):
        at = hit.start()
        start = _token_start(text, at)
        if start is None:
            return scan_occurrences(text, patterns, field)  # a "word" of 200 letters
        after = chunks.match(text, hit.end())
        window = text[start : after.end() if after else len(text)]
        words = [(w, start + a, start + b) for w, _, a, b in surface_tokens(window)]
        for i, (_, a, b) in enumerate(words):
            if a <= at < b and a not in done:
                done.add(a)
                spans.extend(_at(words, i, patterns))
    return _without_overlaps(spans)


def _token_start(text: str, at: int, longest: int = 200) -> int | None:
    """Where the run of token characters holding `at` starts: the index's own reading
    of the text from there on is the same as from the text's start."""
    start = at
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in _IN_TOKEN_MARKS):
        start -= 1
        if at - start > longest:
            return None
    return start


def _at(words: list[tuple[str, int, int]], i: int, patterns: tuple[Pattern, ...]) -> list[Span]:
    """The occurrences of `patterns` starting at the i-th word."""
    found = []
    for pattern in patterns:
        first, *rest = pattern.words
        if not first.matches(words[i][0]):
            continue
        last = i
        for test in rest:
            reach = range(last + 1, min(len(words), last + 1 + pattern.distance))
            last = next((j for j in reach if test.matches(words[j][0])), -1)
            if last < 0:
                break
        if last >= 0:
            found.append((words[i][1], words[last][2]))
    return found


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """In text order; where two overlap (a phrase and one of its words), the longer."""
    kept: list[Span] = []
    for start, end in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _folded_in_place(text: str) -> str | None:
    """`text` folded with every character in its place (None when that cannot be)."""
    if text.isascii():
        return text.lower()
    if _COMBINING.search(text):
        return None
    folded = fold(text)
    if len(folded) == len(text):
        return folded  # no mark to remove: each character folded to exactly one
    # `…` folds to `...`: signs that fold to several characters become spaces (no
    # needle holds them); a letter that does (`ﬁ`) means reading every word.
    odd = {ch for ch in set(text) if len(fold(ch)) != 1}
    if any(ch.isalnum() for ch in odd):
        return None
    for ch in odd:
        text = text.replace(ch, " ")
    folded = fold(text)
    return folded if len(folded) == len(text) else None


@lru_cache(maxsize=64)
def _chunks(count: int) -> re.Pattern[str]:
    """The rest of the word at a place, and up to `count - 1` more words after it."""
    return re.compile(rf"\S*(?:\s+\S+){{0,{count - 1}}}")


@lru_cache(maxsize=256)
def _finder(needles: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
