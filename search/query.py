"""Turn what a user types into one query, the same for the CLI, the web pages and the API.

Whoosh's parser does the grammar, configured through plugins: Italian and English field
names (`FieldAliasPlugin`), `AND/OR/NOT` and `E/O/NON` (`OperatorsPlugin`), `+`/`-`,
phrases and `"…"~N`, `negozi*`, `trump~2`. Three things are read before Whoosh sees the
text, because its grammar cannot express them:

* `data:…` / `date:…` clauses become an exact date filter (Italian dates, `search.dates`);
* `=parola` becomes a search for that surface form only (the unstemmed `exact` field);
* an unknown `campo:` is an error that lists the valid fields.

Wildcards and fuzzy words are matched against surface words (`exact`), not stems, so that
`negozi*` finds `negozianti` and `trump~` finds `Trup`. Unbalanced quotes or parentheses
never fail: the text is read as plain words, with a notice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import combinations

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import (
    FieldAliasPlugin,
    FuzzyTermPlugin,
    MultifieldParser,
    OperatorsPlugin,
    PlusMinusPlugin,
)
from whoosh.qparser.syntax import AndGroup, OrGroup

from search.analysis import fold
from search.dates import DateRange, parse_date_range
from search.errors import QueryError
from search.matching import MinimumShouldMatch
from search.schema import build_schema

FIELD_NAMES = {
    "titolo": "title",
    "title": "title",
    "testo": "body",
    "body": "body",
    "autore": "author",
    "author": "author",
    "fonte": "source",
    "source": "source",
    "data": "date",
    "date": "date",
    "sezione": "section",
    "section": "section",
}
VALID_FIELDS = "titolo/title, testo/body, autore/author, fonte/source, data/date, sezione/section"

# Field weights of BM25F and the default operator: chosen on the relevance set (README).
FIELD_BOOSTS = {"title": 1.5, "body": 1.0}
DEFAULT_GROUP = "mm-half"
# Minimum-should-match rules tried on the relevance set: words required out of n.
MM_RULES: dict[str, Callable[[int], int]] = {
    "mm-n-1": lambda n: n - 1 if n >= 3 else n,
    "mm-half": lambda n: max(1, math.ceil(n / 2)),
    "mm-2": lambda n: min(n, 2),
}
PHRASE_BOOST = 2.0
COORDINATION = 1.0
PHRASE_SLOP = 3

_DATE_CLAUSE = re.compile(r'(?<![\w:])(-?)(?:data|date):("[^"]*"?|\S+)', re.IGNORECASE)
_EXACT = re.compile(r"(?<![\w:=])=(?=[\w\"])")
_EMPTY_FIELD = re.compile(r"(?<![\w:/])([^\W\d_]\w*):(?=\s|$)")
_FIELD = re.compile(r"(?<![\w:/])([^\W\d_]\w*):(?=\S)")
_SYNTAX = re.compile(r'["()*~+]|(?<!\w)-|\b(?:AND|OR|NOT|E|O|NON)\b|:')
_STRAY = re.compile(r'["()]')
_TYPED_WORD = re.compile(r"[\w*?]+")


@dataclass
class ParsedQuery:
    """A user's query, read: the Whoosh query stays inside the library."""

    text: str
    query: wq.Query
    dates: list[tuple[DateRange, bool]] = field(default_factory=list)  # (range, negated)
    notices: list[str] = field(default_factory=list)
    plain_words: bool = True  # no operators or fields: phrase proximity boosts apply

    @property
    def is_empty(self) -> bool:
        return self.query is wq.NullQuery


def parse_query(text: str, *, today: date | None = None, group: str | None = None) -> ParsedQuery:
    """Read a query; raises QueryError (unknown field, unreadable date)."""
    notices: list[str] = []
    dates: list[tuple[DateRange, bool]] = []

    def take_date(match: re.Match[str]) -> str:
        value = match.group(2).strip('"')
        dates.append((parse_date_range(value, today=today), match.group(1) == "-"))
        return " "

    rest = _DATE_CLAUSE.sub(take_date, text)
    _check_fields(rest)
    rest = _EXACT.sub("exact:", rest)
    if not _balanced(rest):
        rest = _STRAY.sub(" ", rest)
        notices.append("Virgolette o parentesi non chiuse: la ricerca è stata letta come parole.")
    group = group or DEFAULT_GROUP
    plain = not _SYNTAX.search(rest)
    # Minimum-should-match reads plain words as OR, then requires enough of them (README);
    # with operators or fields, unmarked clauses are all required.
    mode = ("or" if plain else "and") if group.startswith("mm") else group
    parser = _parser(mode)
    try:
        parsed = parser.parse(rest)
    except Exception:  # Whoosh's parser raises bare errors on odd input: read as words
        parsed = parser.parse(_SYNTAX.sub(" ", rest))
        notices.append("La sintassi non è stata capita: la ricerca è stata letta come parole.")
    parsed = _surface_forms(parsed, rest)
    if plain and group.startswith("mm"):
        parsed = _minimum_should_match(parsed, MM_RULES[group])
    return ParsedQuery(text, parsed.normalize(), dates, notices, plain)


def _minimum_should_match(query: wq.Query, required: Callable[[int], int]) -> wq.Query:
    """Plain words: a document must hold `required(n)` of the n words (any of them)."""
    words = _words(query)
    if words is None:
        return query.normalize()  # one clause, or nothing at all
    need = required(len(words))
    if need >= len(words):
        return wq.And(words)
    # One pass over each word's postings; scores as the expression below (search.matching).
    return MinimumShouldMatch(words, need, COORDINATION)


def _minimum_should_match_expression(query: wq.Query, required: Callable[[int], int]) -> wq.Query:
    """The same as Whoosh And/Or clauses: reads a word once per combination that holds it.

    Kept as the reference `MinimumShouldMatch` is checked against (tests/test_matching.py).
    """
    words = _words(query)
    if words is None:
        return query.normalize()
    need = required(len(words))
    if need >= len(words):
        return wq.And(words)
    loose = (
        wq.Or(words) if need <= 1 else wq.Or([wq.And(list(c)) for c in combinations(words, need)])
    )
    if COORDINATION <= 0:
        return loose
    # Documents holding every word first: their full score again, scaled.
    return wq.AndMaybe(loose, wq.And(words, boost=COORDINATION))


def _words(query: wq.Query) -> list[wq.Query] | None:
    """The words of a plain query, each an Or of its fields; None if there are not several."""
    query = query.normalize()  # may fold to one clause, or to nothing at all
    if not isinstance(query, wq.Or):
        return None
    by_word: dict[str, list[wq.Query]] = {}
    for clause in query.subqueries:
        key = clause.text if isinstance(clause, wq.Term) else repr(clause)
        by_word.setdefault(str(key), []).append(clause)
    return [wq.Or(clauses) if len(clauses) > 1 else clauses[0] for clauses in by_word.values()]


def proximity(parsed: ParsedQuery) -> wq.Query | None:
    """The bonus for words found close together (plain multi-word queries), or None."""
    words = [t for t in _terms_of(parsed.query, "body")]
    if not parsed.plain_words or len(words) < 2 or PHRASE_BOOST <= 0:
        return None
    return wq.Or(
        [
            wq.Phrase("title", words, slop=PHRASE_SLOP, boost=PHRASE_BOOST * FIELD_BOOSTS["title"]),
            wq.Phrase("body", words, slop=PHRASE_SLOP, boost=PHRASE_BOOST),
        ]
    )


def phrase_boost(parsed: ParsedQuery) -> wq.Query:
    """Rank words found close together above scattered ones: the query with `proximity`.

    `search.results` computes the same scores in two searches (the words, then the bonus
    added where it applies), which skips the bonus's matcher on every other match.
    """
    near = proximity(parsed)
    return parsed.query if near is None else wq.AndMaybe(parsed.query, near)


def query_terms(parsed: ParsedQuery) -> set[tuple[str, str]]:
    """(field, token) pairs a hit can match: what the highlighter marks."""
    terms: set[tuple[str, str]] = set()
    for leaf in parsed.query.leaves():
        if isinstance(leaf, wq.Not):
            continue
        for fieldname, text in leaf.iter_all_terms():
            terms.add((fieldname, text if isinstance(text, str) else text.decode("utf-8")))
    return terms


@lru_cache(maxsize=4)
def _parser(group: str) -> MultifieldParser:
    groups = {"and": AndGroup, "or": OrGroup, "any": OrGroup.factory(0.9)}
    parser = MultifieldParser(
        ["title", "body"], _schema(), fieldboosts=FIELD_BOOSTS, group=groups[group]
    )
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(PlusMinusPlugin())
    aliases: dict[str, list[str]] = {}
    for alias, name in FIELD_NAMES.items():
        if alias != name:
            aliases.setdefault(name, []).append(alias)
    parser.add_plugin(FieldAliasPlugin(aliases))
    parser.replace_plugin(
        OperatorsPlugin(
            And=r"(?<=\s)(AND|E)(?=\s)",
            Or=r"(?<=\s)(OR|O)(?=\s)",
            Not=r"(^|(?<=(\s|[()])))(NOT|NON)(?=\s)",
            AndNot=None,
            AndMaybe=None,
            Require=None,
        )
    )
    return parser


@lru_cache(maxsize=1)
def _schema() -> Schema:
    return build_schema()


def _check_fields(text: str) -> None:
    for match in _EMPTY_FIELD.finditer(_without_quotes(text)):
        if match.group(1).lower() in FIELD_NAMES:
            raise QueryError(f"manca il valore dopo «{match.group(0)}»: per esempio titolo:Trump")
    for match in _FIELD.finditer(_without_quotes(text)):
        name = match.group(1)
        if name.lower() in ("http", "https", "exact"):
            continue
        if name.lower() not in FIELD_NAMES:
            raise QueryError(f"campo sconosciuto: {name}. Campi validi: {VALID_FIELDS}")


def _without_quotes(text: str) -> str:
    return re.sub(r'"[^"]*"', " ", text)


def _balanced(text: str) -> bool:
    depth = 0
    for char in _without_quotes(text) if text.count('"') % 2 == 0 else '"':
        if char == '"':
            return False
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _surface_forms(q: wq.Query, text: str) -> wq.Query:
    """Point wildcards and fuzzy words at the unstemmed words, as the user wrote them."""
    if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
        # Whoosh has already stemmed the word: take it back from the text the user typed.
        raw = fold(_typed_word(text, q.endchar) or q.text)
        stem = raw.replace("*", "").replace("?", "")
        if len(stem) < 2:  # `*`, `a*`, `’~`: would match (nearly) every word
            return wq.NullQuery
        if q.fieldname not in ("title", "body"):
            return q
        if isinstance(q, wq.FuzzyTerm):
            return wq.FuzzyTerm("exact", raw, maxdist=q.maxdist, prefixlength=q.prefixlength)
        if raw.endswith("*") and "*" not in raw[:-1] and "?" not in raw:
            return wq.Prefix("exact", raw[:-1])
        return wq.Wildcard("exact", raw)
    return q.apply(lambda child: _surface_forms(child, text))


def _typed_word(text: str, end: int | None) -> str | None:
    """The wildcard word around the character before `end` (where Whoosh says it ends)."""
    if end is None:
        return None
    for match in _TYPED_WORD.finditer(text):
        if match.start() < end <= match.end() + 4:  # + room for a "~2/3" suffix
            return match.group(0)
    return None


def _terms_of(q: wq.Query, fieldname: str) -> list[str]:
    """The stems of plain words of `fieldname` in query order (for the proximity boost)."""
    found: list[str] = []
    for leaf in q.leaves():
        if isinstance(leaf, wq.Term) and leaf.fieldname == fieldname:
            text = leaf.text if isinstance(leaf.text, str) else leaf.text.decode("utf-8")
            if text not in found:
                found.append(text)
    return found
