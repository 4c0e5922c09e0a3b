"""A brute-force evaluation of the query language over stored articles: the reference.

Independent of the query planner and of every engine: it reads the syntax tree the parser
gives and checks each article's own words, one article at a time. The differential tests
compare what the engines find with what this finds, on every index shape.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from search.analysis import fold, index_tokens, name_tokens, stem, surface_tokens
from search.dates import parse_date_range
from search.model import Article
from search.query import syntax as s
from search.query.parser import parse
from search.query.plan import MAX_PHRASE_DISTANCE, UNDATED_WORDS


@dataclass(frozen=True)
class Doc:
    id: str
    title: tuple[str, ...]
    body: tuple[str, ...]
    surfaces: frozenset[str]
    names: dict[str, tuple[str, ...]]
    day: date | None

    @classmethod
    def of(cls, article: Article) -> Doc:
        names = {
            "author": tuple(name_tokens(article.author or "")),
            "source": tuple(name_tokens(article.source or "")),
            "place": tuple(name_tokens(article.place or "")),
            "section": tuple(name_tokens(article.section or "")),
        }
        surfaces = {w for w, _, _, _ in surface_tokens(article.title)}
        surfaces |= {w for w, _, _, _ in surface_tokens(article.body)}
        return cls(
            article.id,
            tuple(t for t, _, _, _ in index_tokens(article.title)),
            tuple(t for t, _, _, _ in index_tokens(article.body)),
            frozenset(surfaces),
            names,
            article.date,
        )


def strict_ids(query: str, docs: list[Doc], today: date | None = None) -> set[str]:
    """Ids of the articles matching the query as written (all clauses side by side)."""
    tree = parse(query).tree
    items = list(tree.items)
    musts = [i for i in items if isinstance(i, s.Must) and _searchable(i.item)]
    if musts:  # the marked clauses are required, the unmarked ones only rank
        items = [i for i in items if isinstance(i, (s.Must, s.NotOp, s.DateClause))]
    return {d.id for d in docs if all(_holds(item, d, today) for item in items)}


def partial_ids(query: str, docs: list[Doc], today: date | None = None) -> set[str]:
    """Ids of the articles listed after the strict ones: enough clauses, not all of them.

    Side by side, without `+`, at least half of the clauses (rounded up); exclusions and
    dates always hold. With `+` there are none: the unmarked clauses only rank.
    """
    tree = parse(query).tree
    musts = [i.item for i in tree.items if isinstance(i, s.Must) and _searchable(i.item)]
    plains = [
        i
        for i in tree.items
        if not isinstance(i, (s.NotOp, s.Must, s.DateClause)) and _searchable(i)
    ]
    always = [i for i in tree.items if isinstance(i, (s.NotOp, s.DateClause))]
    if musts or len(plains) < 2:
        return set()
    need = max(1, math.ceil(len(plains) / 2))
    found = set()
    for d in docs:
        if not all(_holds(i, d, today) for i in musts + always):
            continue
        held = sum(_holds(i, d, today) for i in plains)
        if need <= held < len(plains):
            found.add(d.id)
    return found


def _searchable(item: s.Syntax) -> bool:
    """False for clauses made only of stopwords (the engine drops them)."""
    match item:
        case s.Word(text, field, _):
            if field in ("author", "source", "place", "section"):
                return bool(name_tokens(text))
            return bool(list(surface_tokens(text)))
        case s.Phrase(text, field, _, _):
            if field in ("author", "source", "place", "section"):
                return bool(name_tokens(text))
            return bool(list(index_tokens(text)))
        case s.Fuzzy(text, _, _, _):
            return len(fold(text)) >= 2
        case s.Seq(items) | s.AndOp(items) | s.OrOp(items):
            return any(_searchable(i) for i in items)
        case s.NotOp(inner) | s.Must(inner):
            return _searchable(inner)
    return True


def _holds(item: s.Syntax, d: Doc, today: date | None) -> bool:
    match item:
        case s.Word(text, field, exact):
            if field in d.names:
                words = name_tokens(text)
                return all(w in d.names[field] for w in words)
            fields = _fields(d, field)
            if exact:
                surfaces = [w for w, _, _, _ in surface_tokens(text)]
                if not all(w in d.surfaces for w in surfaces):
                    return False
                if len(surfaces) > 1:
                    return any(_in_order(f, tuple(stem(w) for w in surfaces), 1) for f in fields)
                return field is None or any(stem(surfaces[0]) in f for f in fields)
            tokens = tuple(t for t, _, _, _ in index_tokens(text))
            if len(tokens) == 1:
                return any(tokens[0] in f for f in fields)
            return any(_in_order(f, tokens, 1) for f in fields)
        case s.Phrase(text, field, exact, distance):
            if field in d.names:
                return all(w in d.names[field] for w in name_tokens(text))
            tokens = tuple(t for t, _, _, _ in index_tokens(text))
            fields = _fields(d, field)
            if len(tokens) == 1:
                found = any(tokens[0] in f for f in fields)
            else:
                near = max(1, min(distance or 1, MAX_PHRASE_DISTANCE))
                found = any(_in_order(f, tokens, near) for f in fields)
            if exact:
                found = found and all(w in d.surfaces for w, _, _, _ in surface_tokens(text))
            return found
        case s.Pattern(text, field):
            glob = fold(text)
            if field in d.names:
                return any(fnmatchcase(w, glob) for w in d.names[field])
            words = [w for w in d.surfaces if fnmatchcase(w, glob)]
            if field is None:
                return bool(words)
            return any(stem(w) in f for w in words for f in _fields(d, field))
        case s.Fuzzy(text, field, distance, prefix):
            word = fold(text)
            distance = min(distance, 2)
            prefix = min(max(1, prefix), len(word))
            pool = d.names.get(field, d.surfaces) if field else d.surfaces
            words = [w for w in pool if w[:prefix] == word[:prefix] and _edits(w, word) <= distance]
            if field in d.names or field is None:
                return bool(words)
            return any(stem(w) in f for w in words for f in _fields(d, field))
        case s.DateClause(text):
            if fold(text).strip() in UNDATED_WORDS:
                return d.day is None
            span = parse_date_range(text, today=today)
            return d.day is not None and span.start <= d.day <= span.end
        case s.Seq(items) | s.AndOp(items):
            kept = [i for i in items if _searchable(i)]
            return all(_holds(i, d, today) for i in kept)
        case s.OrOp(items):
            kept = [i for i in items if _searchable(i)]
            return any(_holds(i, d, today) for i in kept)
        case s.NotOp(inner):
            return not _searchable(inner) or not _holds(inner, d, today)
        case s.Must(inner):
            return _holds(inner, d, today)
    raise TypeError(item)


def _fields(d: Doc, field: str | None) -> list[tuple[str, ...]]:
    return {None: [d.title, d.body], "title": [d.title], "body": [d.body]}[field]


def _in_order(tokens: tuple[str, ...], phrase: tuple[str, ...], distance: int) -> bool:
    ends = {i for i, t in enumerate(tokens) if t == phrase[0]}
    for word in phrase[1:]:
        ends = {
            j
            for j, t in enumerate(tokens)
            if t == word and any(0 < j - i <= distance for i in ends)
        }
        if not ends:
            return False
    return True


def _edits(a: str, b: str) -> int:
    """Levenshtein distance with transpositions counted as one edit (as Whoosh's)."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and previous2 is not None:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


WORD = re.compile(r"[^\W\d_]{3,}")
