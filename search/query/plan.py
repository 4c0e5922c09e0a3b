"""From what the user typed to the query tree engines evaluate (`search.query.tree`).

Words are analysed here, once, with `search.analysis`; patterns (`negozi*`) and fuzzy words
(`trump~2`) are expanded against the words of the archive through the snapshot, within the
query budget (`search.budget`). The clauses written side by side are what the query
*means*: an article matches it as written when it holds every one of them (or, when some
are marked `+`, every marked one: the others then only rank). Beside those, when there
are several unmarked clauses, articles holding at least half of them are *partial
matches*: ranked after the others and counted apart ("e altri N con solo alcune parole").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from fnmatch import translate

from search.analysis import fold, index_tokens, name_tokens, stem, surface_tokens
from search.budget import QueryBudget
from search.columns import day_number
from search.dates import parse_date_bound, parse_date_range
from search.engines.base import Snapshot
from search.errors import QueryError
from search.highlight import MatchTerms
from search.query import syntax as s
from search.query import tree as t
from search.query.expansion import Alternative, clause_alternatives, shown
from search.query.parser import parse
from search.sanitize import clean_text

PHRASE_BOOST = 2.0  # words found close together (plain words only): chosen on the relevance set
PHRASE_DISTANCE = 3
MAX_PHRASE_DISTANCE = 9999  # `"a b"~N`: larger N is read as this
ONLY_COMMON_WORDS = (
    "La ricerca contiene solo parole troppo comuni per essere cercate da sole "
    "(articoli, preposizioni…): aggiungi una parola che caratterizzi gli articoli."
)
UNDATED_WORDS = {"senza data", "senza", "nessuna", "nessuna data"}


FIELD_PREFIXES = {  # a field as the user types it
    "title": "titolo:",
    "body": "testo:",
    "author": "autore:",
    "source": "fonte:",
    "place": "luogo:",
    "section": "sezione:",
}


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides the query: typed in fields, not in the query."""

    date_from: str | None = None
    date_to: str | None = None
    author: str | None = None
    source: str | None = None
    place: str | None = None
    undated: bool = False


@dataclass(frozen=True)
class Clause:
    label: str  # as typed: what a partial match is said to lack
    node: t.Node


@dataclass(frozen=True)
class QueryPlan:
    match: t.Node  # every article to list: strict matches, and partial ones when possible
    clauses: tuple[Clause, ...]  # required as written: a match lacking one is partial
    partial: bool  # whether `match` may hold articles lacking a clause
    scored: bool  # False: no words to rank by (filters only)
    terms: MatchTerms
    notices: tuple[str, ...] = ()
    expansions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    empty: bool = False  # nothing searchable was typed (only common words)
    # Query expansion (`search.query.expansion`): the techniques on, the alternatives
    # added to the clauses, and (technique, words) as shown in "cercato anche".
    techniques: frozenset[str] = frozenset()
    alternatives: tuple[Alternative, ...] = ()
    also: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Pseudo-relevance feedback, once the first ranking gave it: (token, word) and the
    # bonus node added to `match` (`search.expansion_feedback`).
    feedback: tuple[tuple[str, str], ...] = ()
    feedback_node: t.Node | None = None


@dataclass
class _Context:
    snapshot: Snapshot | None
    budget: QueryBudget
    today: date | None
    notices: list[str] = field(default_factory=list)
    expansions: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    expanded: int = 0


def build_plan(
    text: str,
    filters: Filters,
    snapshot: Snapshot | None,
    *,
    budget: QueryBudget | None = None,
    proximity: bool = True,
    today: date | None = None,
    techniques: frozenset[str] = frozenset(),
) -> QueryPlan:
    """The plan of a search; raises QueryError for what cannot be searched as typed.

    `techniques` are the expansions to apply (`search.query.expansion.TECHNIQUES`).
    """
    context = _Context(snapshot, budget or QueryBudget(), today)
    parsed = parse(clean_text(text).strip())  # no NUL, control or lone surrogate in a query
    context.notices.extend(parsed.notices)
    typed = _count_leaves(parsed.tree)
    if typed > context.budget.max_clauses:
        raise QueryError(
            f"ricerca troppo lunga: {typed} parole o frasi, al massimo "
            f"{context.budget.max_clauses}. Tieni le più caratterizzanti"
        )
    plains: list[Clause] = []
    musts: list[Clause] = []
    nots: list[t.Node] = []
    narrowing = _filter_nodes(filters, context)
    for item in parsed.tree.items:
        if isinstance(item, s.DateClause):
            narrowing.append(_date(item, context))
        elif isinstance(item, s.NotOp) and isinstance(item.item, s.DateClause):
            narrowing.append(t.Not(_date(item.item, context)))
        elif isinstance(item, s.NotOp):
            node = _node(item.item, context)
            if node is not None:
                nots.append(t.Not(node))
        elif isinstance(item, s.Must):
            node = _node(item.item, context)
            if node is not None:
                musts.append(Clause(_label(item.item), node))
        else:
            node = _node(item, context)
            if node is not None:
                plains.append(Clause(_label(item), node))
    if not musts and not plains:
        if text.strip() and not narrowing and not nots:
            return QueryPlan(
                t.Nothing(),
                (),
                False,
                False,
                MatchTerms(),
                (*context.notices, ONLY_COMMON_WORDS),
                empty=True,
            )
        match = _and([t.Filter(n) for n in narrowing] + nots) if narrowing or nots else t.All()
        return QueryPlan(
            match, (), False, False, MatchTerms(), tuple(context.notices), tuple(context.expansions)
        )
    # With `+`, the marked clauses are what the query requires, the others only rank;
    # without, every clause is required, and half of them make a partial match.
    clauses = tuple(musts) if musts else tuple(plains)
    # Expansions widen the plain clauses (never the `+` ones): an article holding an
    # alternative holds that clause loosely, which makes it a partial match at most.
    alternatives = [] if musts else _alternatives(plains, techniques, context)
    widened = _widen(plains, alternatives)
    if musts and plains:
        loose: t.Node = t.Boost(_and([c.node for c in musts]), _or([c.node for c in plains]))
    elif len(plains) >= 2:
        loose = t.AtLeast(tuple(widened), max(1, math.ceil(len(plains) / 2)))
    else:
        loose = _and(widened if alternatives else [c.node for c in clauses])
    near = _proximity(plains) if proximity and not musts else None
    if near is not None:
        loose = t.Boost(loose, near, PHRASE_BOOST)
    match = _and([t.Filter(n) for n in narrowing] + [loose] + nots)
    partial = (len(plains) >= 2 or bool(alternatives)) and not musts
    return QueryPlan(
        match,
        clauses,
        partial,
        True,
        _match_terms(match),
        tuple(context.notices),
        tuple(context.expansions),
        techniques=techniques,
        alternatives=tuple(alternatives),
        also=shown(alternatives),
    )


def _alternatives(
    plains: list[Clause], techniques: frozenset[str], context: _Context
) -> list[Alternative]:
    """Expansions of the plain words typed without a field (`search.query.expansion`)."""
    if not techniques or not plains:
        return []
    tokens = [
        c.node.token if isinstance(c.node, t.Term) and c.node.fields == t.TEXT_FIELDS else None
        for c in plains
    ]
    budget = context.budget
    found = clause_alternatives(
        tokens,
        techniques,
        context.snapshot,
        per_key=budget.max_expansions,
        total=max(0, budget.max_expanded_terms - context.expanded),
    )
    context.expanded += len(found)
    return found


def _widen(plains: list[Clause], alternatives: list[Alternative]) -> list[t.Node]:
    """Each plain clause, or it and its alternatives."""
    widened = []
    for i, clause in enumerate(plains):
        extra = [a.node() for a in alternatives if i in a.clauses]
        widened.append(t.Or((clause.node, *extra)) if extra else clause.node)
    return widened


def _filter_nodes(filters: Filters, context: _Context) -> list[t.Node]:
    nodes: list[t.Node] = []
    if filters.date_from:
        start = parse_date_bound(filters.date_from, end=False, today=context.today)
        nodes.append(t.DateRange(day_number(start.year, start.month, start.day), 99_991_231))
    if filters.date_to:
        end = parse_date_bound(filters.date_to, end=True, today=context.today)
        nodes.append(t.DateRange(0, day_number(end.year, end.month, end.day)))
    if (
        filters.date_from
        and filters.date_to
        and isinstance(nodes[0], t.DateRange)
        and isinstance(nodes[1], t.DateRange)
        and nodes[0].start > nodes[1].end
    ):
        raise QueryError(
            f"l'intervallo di date è vuoto: «{filters.date_from}» viene dopo «{filters.date_to}»"
        )
    for name in ("author", "source", "place"):
        value = getattr(filters, name)
        if value and value.strip():
            words = name_tokens(value)
            if not words:
                raise QueryError(f"filtro vuoto: {value!r}")
            nodes.append(_and([t.Term(w, ((name, 1.0),)) for w in words]))
    if filters.undated:
        nodes.append(t.Undated())
    return nodes


def _date(clause: s.DateClause, context: _Context) -> t.Node:
    if fold(clause.text).strip() in UNDATED_WORDS:
        return t.Undated()
    span = parse_date_range(clause.text, today=context.today)
    start = 0 if span.open_start else day_number(span.start.year, span.start.month, span.start.day)
    end = 99_991_231 if span.open_end else day_number(span.end.year, span.end.month, span.end.day)
    return t.DateRange(start, end)


def _node(item: s.Syntax, context: _Context) -> t.Node | None:
    match item:
        case s.Word(text, field_name, exact):
            return _word(text, field_name, exact)
        case s.Phrase(text, field_name, exact, distance):
            return _phrase(text, field_name, exact, distance, context)
        case s.Pattern(text, field_name):
            return _pattern(text, field_name, context)
        case s.Fuzzy(text, field_name, distance, prefix):
            return _fuzzy(text, field_name, distance, prefix, context)
        case s.DateClause():
            return _date(item, context)
        case s.Seq(items) | s.AndOp(items):
            children = [_node(i, context) for i in items]
            kept = [c for c in children if c is not None]
            return _and(kept) if kept else None
        case s.OrOp(items):
            kept = [c for c in (_node(i, context) for i in items) if c is not None]
            return _or(kept) if kept else None
        case s.NotOp(inner):
            node = _node(inner, context)
            return t.Not(node) if node is not None else None
        case s.Must(inner):
            return _node(inner, context)
    raise TypeError(item)  # pragma: no cover


def _fields(field_name: str | None) -> t.Fields:
    return {None: t.TEXT_FIELDS, "title": t.TITLE, "body": t.BODY}[field_name]


def _word(text: str, field_name: str | None, exact: bool) -> t.Node | None:
    if field_name in t.NAME_FIELDS:
        return _names(text, field_name)
    fields = _fields(field_name)
    if exact:
        surfaces = [w for w, _, _, _ in surface_tokens(text)]
        return _exact(surfaces, fields, field_name)
    tokens = [token for token, _, _, _ in index_tokens(text)]
    if not tokens:
        return None
    if len(tokens) == 1:
        return t.Term(tokens[0], fields)
    return t.Phrase(tuple(tokens), fields)  # `anti-Covid`, `COVID-19`: its parts in a row


def _phrase(
    text: str, field_name: str | None, exact: bool, distance: int | None, context: _Context
) -> t.Node | None:
    if field_name in t.NAME_FIELDS:
        return _names(text, field_name)
    if distance is not None and distance > MAX_PHRASE_DISTANCE:
        context.notices.append(
            f'«"{text}"~{distance}»: la distanza massima è {MAX_PHRASE_DISTANCE}, la frase è '
            f'stata cercata come "{text}"~{MAX_PHRASE_DISTANCE}.'
        )
        distance = MAX_PHRASE_DISTANCE
    fields = _fields(field_name)
    tokens = tuple(token for token, _, _, _ in index_tokens(text))
    if not tokens:
        return None
    node: t.Node = (
        t.Term(tokens[0], fields)
        if len(tokens) == 1
        else t.Phrase(tokens, fields, max(1, distance or 1))
    )
    if exact:
        surfaces = [w for w, _, _, _ in surface_tokens(text)]
        node = _and([node, *(t.Term(w, t.EXACT) for w in dict.fromkeys(surfaces))])
    return node


def _exact(surfaces: list[str], fields: t.Fields, field_name: str | None) -> t.Node | None:
    if not surfaces:
        return None
    exact: list[t.Node] = [t.Term(w, t.EXACT) for w in dict.fromkeys(surfaces)]
    if len(surfaces) > 1:
        exact.append(t.Phrase(tuple(stem(w) for w in surfaces), fields))
    elif field_name is not None:
        exact.append(t.Term(stem(surfaces[0]), fields))
    return _and(exact)


def _names(text: str, field_name: str) -> t.Node | None:
    words = name_tokens(text)
    return _and([t.Term(w, ((field_name, 1.0),)) for w in words]) if words else None


def _pattern(text: str, field_name: str | None, context: _Context) -> t.Node | None:
    folded = fold(text)
    cut = min(i for i in (folded.find("*"), folded.find("?"), len(folded)) if i >= 0)
    prefix = folded[:cut]
    # Names are few: one letter is enough there; the words of the texts need more.
    need = 1 if field_name in t.NAME_FIELDS else context.budget.min_pattern_prefix
    if len(prefix) < need:
        letters = "una lettera" if need == 1 else f"{need} lettere"
        example = FIELD_PREFIXES.get(field_name or "", "") + "M*" if need == 1 else "negozi*"
        raise QueryError(
            f"«{text}»: il carattere jolly (* o ?) deve seguire almeno {letters}, "
            f"per esempio {example}. Per vedere tutti gli articoli lascia vuota la ricerca"
        )
    literal = folded.rstrip("*") == prefix and "?" not in folded
    glob = None if literal else folded
    target = field_name if field_name in t.NAME_FIELDS else "exact"
    words = _expand(text, target, context, prefix=prefix, pattern=glob)
    return _surface_alternatives(words, field_name)


def _fuzzy(
    text: str, field_name: str | None, distance: int, prefix: int, context: _Context
) -> t.Node | None:
    word = fold(text)
    if len(word) < 2:
        return None
    limit = context.budget.max_fuzzy_distance
    if distance > limit:
        context.notices.append(
            f"«{text}~{distance}»: la distanza massima è {limit}, la parola è stata cercata "
            f"come {text}~{limit}."
        )
        distance = limit
    prefix = min(max(1, prefix), len(word))
    target = field_name if field_name in t.NAME_FIELDS else "exact"
    words = _expand(
        f"{text}~{distance}", target, context, prefix=word[:prefix], fuzzy=(word, distance)
    )
    return _surface_alternatives(words, field_name)


def _expand(
    typed: str,
    target: str,
    context: _Context,
    *,
    prefix: str,
    pattern: str | None = None,
    fuzzy: tuple[str, int] | None = None,
) -> tuple[tuple[str, str], ...]:
    """(word, target field) pairs a pattern stands for, within the budget."""
    if context.snapshot is None:
        return ()
    budget = context.budget
    expansion = context.snapshot.vocabulary(
        target,
        prefix=prefix,
        pattern=translate(pattern) if pattern else None,
        fuzzy=fuzzy,
        limit=budget.max_expansions,
        scan_limit=budget.max_scanned_terms,
    )
    words = tuple(word for word, _ in expansion.words)
    if expansion.found > len(words) or not expansion.complete:
        found = f"{expansion.found:,}".replace(",", ".") + ("+" if not expansion.complete else "")
        context.notices.append(
            f"«{typed}» corrisponde a {found} parole dell'archivio: sono state cercate le "
            f"{len(words)} più frequenti. Allunga il prefisso per restringere."
        )
    context.expanded += len(words)
    if context.expanded > budget.max_expanded_terms:
        raise QueryError(
            f"la ricerca si espande in più di {budget.max_expanded_terms} parole: usa meno "
            "caratteri jolly o prefissi più lunghi"
        )
    context.expansions.append((typed, words))
    return tuple((w, target) for w in words)


def _surface_alternatives(words: tuple[tuple[str, str], ...], field_name: str | None) -> t.Node:
    if not words:
        return t.Nothing()
    alternatives: list[t.Node] = []
    for word, target in words:
        if target != "exact":
            alternatives.append(t.Term(word, ((target, 1.0),)))
        elif field_name is None:
            alternatives.append(t.Term(word, t.EXACT))
        else:  # the word somewhere, its stem in that field
            alternatives.append(
                t.And((t.Term(word, t.EXACT), t.Term(stem(word), _fields(field_name))))
            )
    return _or(alternatives)


def _proximity(plains: list[Clause]) -> t.Node | None:
    """The bonus for plain words found close together, in the order typed."""
    tokens: list[str] = []
    for clause in plains:
        node = clause.node
        if isinstance(node, t.Term) and node.fields == t.TEXT_FIELDS and node.token not in tokens:
            tokens.append(node.token)
    if len(tokens) < 2:
        return None
    return t.Phrase(tuple(tokens), t.TEXT_FIELDS, PHRASE_DISTANCE)


def _and(nodes: list[t.Node]) -> t.Node:
    return nodes[0] if len(nodes) == 1 else t.And(tuple(nodes))


def _or(nodes: list[t.Node]) -> t.Node:
    return nodes[0] if len(nodes) == 1 else t.Or(tuple(nodes))


def _match_terms(node: t.Node) -> MatchTerms:
    stems: dict[str, set[str]] = {"both": set(), "title": set(), "body": set()}
    surfaces: set[str] = set()
    for leaf in t.positive_leaves(node):
        if isinstance(leaf, t.Term | t.Phrase):
            names = {f for f, _ in leaf.fields}
            texts = names & {"title", "body"}
            where = "both" if len(texts) == 2 else next(iter(texts), None)
            tokens = (leaf.token,) if isinstance(leaf, t.Term) else leaf.tokens
            if where is not None:
                stems[where].update(tokens)
            if isinstance(leaf, t.Term) and "exact" in names:
                surfaces.add(leaf.token)
    both = frozenset(stems["both"])
    return MatchTerms(
        both, frozenset(surfaces), frozenset(stems["title"]), frozenset(stems["body"])
    )


def _count_leaves(item: s.Syntax) -> int:
    match item:
        case s.Seq(items) | s.AndOp(items) | s.OrOp(items):
            return sum(_count_leaves(i) for i in items)
        case s.NotOp(inner) | s.Must(inner):
            return _count_leaves(inner)
    return 1


def _label(item: s.Syntax) -> str:
    """A clause written back as the user would type it."""
    prefix = FIELD_PREFIXES
    match item:
        case s.Word(text, field_name, exact):
            return prefix.get(field_name or "", "") + ("=" if exact else "") + text
        case s.Phrase(text, field_name, exact, distance):
            tail = f"~{distance}" if distance else ""
            return prefix.get(field_name or "", "") + ("=" if exact else "") + f'"{text}"{tail}'
        case s.Pattern(text, field_name):
            return prefix.get(field_name or "", "") + text
        case s.Fuzzy(text, field_name, distance, _):
            return prefix.get(field_name or "", "") + f"{text}~{distance}"
        case s.DateClause(text):
            return f"data:{text}"
        case s.Seq(items) | s.AndOp(items):
            joint = " " if isinstance(item, s.Seq) else " AND "
            return "(" + joint.join(_label(i) for i in items) + ")"
        case s.OrOp(items):
            return "(" + " OR ".join(_label(i) for i in items) + ")"
        case s.NotOp(inner):
            return "-" + _label(inner)
        case s.Must(inner):
            return "+" + _label(inner)
    return str(item)  # pragma: no cover
