"""Run a search and return one page of results as plain dataclasses.

Ranking is Whoosh's BM25F over title and body (title weighted higher, `FIELD_BOOSTS`),
plus an optional boost when the words stand close together. Near-duplicates share a
`group` and are collapsed to their best hit, which counts the others (`similar`).
Facets count the whole result set, not the page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from search.analysis import name_analyzer
from search.archive import Archive
from search.columns import NO_VALUE, Column
from search.dates import OPEN_END, OPEN_START, DateRange, parse_date_range
from search.errors import QueryError
from search.facets import count_facets
from search.highlight import MatchTerms, find_matches, mark, snippet
from search.model import Article, Facet, Hit, ResultPage
from search.query import parse_query, proximity
from search.suggest import suggest

SORTS = ("relevance", "newest", "oldest")
MAX_LIMIT = 100
MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class SearchRequest:
    """Everything a search takes, as typed by a user (dates as text)."""

    query: str = ""
    date_from: str | None = None
    date_to: str | None = None
    author: str | None = None
    source: str | None = None
    sort: str = "relevance"
    page: int = 1
    limit: int = 10
    collapse: bool = True
    today: date | None = None

    def validated(self) -> SearchRequest:
        if len(self.query) > MAX_QUERY_CHARS:
            raise QueryError(f"ricerca troppo lunga: al massimo {MAX_QUERY_CHARS} caratteri")
        if self.sort not in SORTS:
            raise QueryError(
                f"ordinamento sconosciuto: {self.sort}. Valori validi: {', '.join(SORTS)}"
            )
        if self.page < 1:
            raise QueryError("la pagina deve essere un numero da 1 in su")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise QueryError(f"i risultati per pagina vanno da 1 a {MAX_LIMIT}")
        return self


@dataclass(frozen=True)
class _Ranking:
    """Everything a search computes before cutting a page: cached, so paging is cheap."""

    scores: np.ndarray  # of the leaders, in result order (0.0 when sorted by date)
    docnums: np.ndarray  # the leaders: the best hit of each near-duplicate group
    similar: np.ndarray  # how many other hits each leader stands for
    facets: dict[str, Facet]
    total: int
    terms: MatchTerms
    suggestion: str | None
    notices: tuple[str, ...]


def search(archive: Archive, request: SearchRequest) -> ResultPage:
    """One page of results for `request`; raises QueryError for a bad query or filter."""
    started = time.perf_counter()
    request = request.validated()
    with archive.searcher() as searcher:
        # Relative dates ("ultimi 7 giorni") move with the calendar: today is part of the key.
        key = (archive.version, date.today(), replace(request, page=1, limit=1))
        ranking = archive.cache.get(key)
        if ranking is None:
            ranking = _ranking(archive, searcher, request)
            archive.cache.put(key, ranking, cost=len(ranking.docnums))
        page = slice((request.page - 1) * request.limit, request.page * request.limit)
        hits = tuple(
            build_hit(searcher, int(docnum), float(score), ranking.terms, int(similar))
            for score, docnum, similar in zip(
                ranking.scores[page], ranking.docnums[page], ranking.similar[page], strict=True
            )
        )
    return ResultPage(
        query=request.query,
        total=ranking.total,
        page=request.page,
        pages=math.ceil(len(ranking.docnums) / request.limit),
        limit=request.limit,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        hits=hits,
        facets=ranking.facets,
        suggestion=ranking.suggestion,
        notices=ranking.notices,
    )


def _ranking(archive: Archive, searcher: Searcher, request: SearchRequest) -> _Ranking:
    query, near, filters, notices = _compile(request)
    terms = match_terms(query, searcher)
    scores, docnums = _rank(archive, searcher, query, near, filters, request)
    facets = count_facets(lambda name: archive.column(searcher, name), docnums)
    leaders, similar = _collapse(archive.column(searcher, "group"), docnums, request.collapse)
    # Any word the index has never seen gets a suggestion, whatever the total: with
    # minimum-should-match the other words may still find something.
    suggestion = suggest(searcher, request.query)
    return _Ranking(
        scores[leaders],
        docnums[leaders],
        similar,
        facets,
        len(docnums),
        terms,
        suggestion,
        tuple(notices),
    )


def iter_hits(archive: Archive, request: SearchRequest) -> Iterator[Hit]:
    """Every hit of a search in order, no page limit (exports, feeds, `--all`)."""
    request = request.validated()
    query, near, filters, _ = _compile(request)
    with archive.searcher() as searcher:
        terms = match_terms(query, searcher)
        scores, docnums = _rank(archive, searcher, query, near, filters, request)
        leaders, similar = _collapse(archive.column(searcher, "group"), docnums, request.collapse)
        for score, docnum, others in zip(scores[leaders], docnums[leaders], similar, strict=True):
            yield build_hit(searcher, int(docnum), float(score), terms, int(others))


def _compile(request: SearchRequest) -> tuple[wq.Query, wq.Query | None, _Filters, list[str]]:
    """The query, its proximity bonus (relevance only), filters and notices for the user."""
    text = request.query.strip()
    parsed = parse_query(text, today=request.today) if text else None
    ranges = list(parsed.dates) if parsed else []
    if request.date_from:
        start = parse_date_range(request.date_from, today=request.today).start
        ranges.append((_span(start, None), False))
    if request.date_to:
        end = parse_date_range(request.date_to, today=request.today).end
        ranges.append((_span(None, end), False))
    filters: list[wq.Query] = []
    for fieldname, value in (("author", request.author), ("source", request.source)):
        if value and value.strip():
            filters.append(_name_filter(fieldname, value))
    notices = list(parsed.notices) if parsed else []
    if parsed is None or (parsed.is_empty and parsed.dates):
        query: wq.Query = wq.Every()  # filters only: everything in them, newest first
    elif parsed.is_empty:
        query = wq.NullQuery
        notices.append(
            "La ricerca contiene solo parole troppo comuni per essere cercate da sole "
            "(articoli, preposizioni…): aggiungi una parola che caratterizzi gli articoli."
        )
    else:
        query = parsed.query
    # Sorted by date, the proximity bonus would change no match, only the cost.
    near = proximity(parsed) if parsed and request.sort == "relevance" else None
    combined = None if not filters else filters[0] if len(filters) == 1 else wq.And(filters)
    return query, near, _Filters(combined, tuple(ranges)), notices


def _span(start: date | None, end: date | None) -> DateRange:
    return DateRange(start or OPEN_START, end or OPEN_END)


def _name_filter(fieldname: str, value: str) -> wq.Query:
    words = [t.text for t in name_analyzer()(value)]
    if not words:
        raise QueryError(f"filtro vuoto: {value!r}")
    return wq.And([wq.Term(fieldname, w) for w in words])


@dataclass(frozen=True)
class _Filters:
    """Author/source as Whoosh term filters; dates checked on the `day` column afterwards.

    A Whoosh DATETIME range expands into many terms and costs seconds on a large index;
    reading one integer column per match costs microseconds.
    """

    terms: wq.Query | None
    dates: tuple[tuple[DateRange, bool], ...]

    def keep(self, days: np.ndarray) -> np.ndarray:
        """Which of these days (yyyymmdd, 0 when undated) pass every date clause."""
        kept = np.ones(days.shape, dtype=bool)
        for span, negated in self.dates:
            kept &= _in_range(days, span) != negated
        return kept


def _in_range(days: np.ndarray, span: DateRange) -> np.ndarray:
    low = 0 if span.start == OPEN_START else _day_number(span.start)
    high = 99_999_999 if span.end == OPEN_END else _day_number(span.end)
    return (days != NO_VALUE) & (days >= low) & (days <= high)  # undated never match


def _day_number(when: date) -> int:
    return when.year * 10000 + when.month * 100 + when.day


def _rank(
    archive: Archive,
    searcher: Searcher,
    query: wq.Query,
    near: wq.Query | None,
    filters: _Filters,
    request: SearchRequest,
) -> tuple[np.ndarray, np.ndarray]:
    """Every match as (scores, docnums), best first, or newest/oldest first (undated last).

    Relevance scores are those of `phrase_boost(query)`, `AndMaybe(query, near)`, to the
    last bit: Whoosh adds the bonus's score to the query's where both match, and orders by
    score, then docnum. Computed as two searches, the bonus's matcher walks only its own
    (few) matches instead of being advanced to every match of the query.
    """
    sort = request.sort
    if sort == "relevance" and isinstance(query, wq.Every):
        sort = "newest"  # no words to rank by
    options: dict[str, object] = {"limit": None, "filter": filters.terms, "terms": False}
    scores, docnums = _matches(searcher, query, scored=sort == "relevance", **options)
    if sort == "relevance" and near is not None and len(docnums):
        bonus_scores, bonus_docnums = _matches(searcher, near, scored=True, **options)
        by_docnum = np.argsort(docnums, kind="stable")
        at = np.searchsorted(docnums, bonus_docnums, sorter=by_docnum)
        found = at < len(docnums)
        found[found] = docnums[by_docnum[at[found]]] == bonus_docnums[found]
        where = by_docnum[at[found]]
        scores[where] = scores[where] + bonus_scores[found]
        order = np.lexsort((docnums, -scores))
        scores, docnums = scores[order], docnums[order]
    days = archive.column(searcher, "day").values[docnums]
    if filters.dates:
        kept = filters.keep(days)
        scores, docnums, days = scores[kept], docnums[kept], days[kept]
    if sort != "relevance":
        # Sorting by a preloaded column beats Whoosh's sorting facets tenfold.
        keys = -days if sort == "newest" else np.where(days == NO_VALUE, 99_999_999, days)
        order = np.argsort(keys, kind="stable")  # undated last either way
        scores, docnums = np.zeros(len(order)), docnums[order]
    return scores, docnums


def _matches(
    searcher: Searcher, query: wq.Query, **options: object
) -> tuple[np.ndarray, np.ndarray]:
    top = searcher.search(query, **options).top_n
    scores = np.fromiter((score for score, _ in top), dtype=np.float64, count=len(top))
    docnums = np.fromiter((docnum for _, docnum in top), dtype=np.int64, count=len(top))
    return scores, docnums


def _collapse(groups: Column, docnums: np.ndarray, collapse: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the best hit of each near-duplicate group, and how many others each has."""
    if not collapse:
        return np.arange(len(docnums)), np.zeros(len(docnums), dtype=np.int64)
    keys = groups.values[docnums].astype(np.int64)
    keys = np.where(keys == NO_VALUE, -1 - np.arange(len(keys)), keys)  # no group: alone
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first)
    return first[order], counts[order] - 1


def match_terms(query: wq.Query, searcher: Searcher) -> MatchTerms:
    """The tokens a hit of `query` can match, wildcards expanded against the index."""
    stems, surfaces = set(), set()
    for fieldname, text in _positive_terms(query):
        if fieldname in ("title", "body"):
            stems.add(text)
        elif fieldname == "exact":
            surfaces.add(text)
    for leaf in query.leaves():
        if isinstance(leaf, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            for n, word in enumerate(leaf._btexts(searcher.reader())):
                if n >= 500:
                    break
                surfaces.add(word.decode("utf-8") if isinstance(word, bytes) else word)
    return MatchTerms(frozenset(stems), frozenset(surfaces))


def _positive_terms(query: wq.Query) -> Iterator[tuple[str, str]]:
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.AndNot):
        yield from _positive_terms(query.a)
        return
    if query.is_leaf():
        for fieldname, text in query.iter_all_terms():
            yield fieldname, text.decode("utf-8") if isinstance(text, bytes) else text
        return
    for child in query.children():
        yield from _positive_terms(child)


def build_hit(
    searcher: Searcher,
    docnum: int,
    score: float | None,
    terms: MatchTerms,
    similar: int = 0,
) -> Hit:
    stored = searcher.stored_fields(docnum)
    when = stored.get("date")
    body = stored.get("body") or ""
    title = stored.get("title") or ""
    group = stored.get("group")
    return Hit(
        id=stored["id"],
        title=title or display_title(body),
        date=when.date() if when else None,
        author=stored.get("author"),
        source=stored.get("source"),
        url=stored.get("url"),
        score=round(float(score or 0.0), 4),
        snippet=snippet(body, terms),
        similar=similar,
        group=group,
    )


def display_title(body: str, size: int = 90) -> str:
    """A title for an article that has none: its first sentence, shortened."""
    first = body.strip().split("\n", 1)[0]
    sentence = first.split(". ", 1)[0]
    if len(sentence) <= size:
        return sentence
    cut = sentence.rfind(" ", 0, size)
    return sentence[: cut if cut > 0 else size] + "…"


@dataclass(frozen=True)
class HighlightedArticle:
    """An article with every word the query matched marked (escaped HTML)."""

    article: Article
    title_html: str
    paragraphs_html: tuple[str, ...]
    matches: int


def highlight_article(
    archive: Archive, article_id: str, query_text: str = ""
) -> HighlightedArticle:
    """The article page: full text escaped, query words marked in title and body."""
    article = archive.get(article_id)
    terms = MatchTerms()
    if query_text.strip():
        try:
            query, _, _, _ = _compile(SearchRequest(query=query_text).validated())
        except QueryError:
            query = None
        if query is not None:
            with archive.searcher() as searcher:
                terms = match_terms(query, searcher)
    title = article.title or display_title(article.body)
    title_spans = find_matches(title, terms)
    paragraphs = []
    count = len(title_spans)
    for paragraph in article.body.split("\n\n"):
        spans = find_matches(paragraph, terms)
        count += len(spans)
        paragraphs.append(mark(paragraph, spans))
    return HighlightedArticle(article, mark(title, title_spans), tuple(paragraphs), count)
