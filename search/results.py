"""Run a search and return one page of results as plain dataclasses.

The engine finds and scores the matches of the query plan (`search.query.plan`); this
module splits them into articles that match the query as written (the total) and partial
matches (counted apart, listed after), sorts, collapses near-duplicate copies to their
best hit, counts facets over the whole set and cuts the page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from search import expansion_feedback
from search import rerank as reranking
from search.archive import Archive
from search.budget import Deadline
from search.columns import NO_VALUE
from search.engines.base import Snapshot, StoredArticle
from search.errors import QueryError, SearchTimeout
from search.expansion_feedback import add_scores, feedback
from search.facets import count_facets
from search.highlight import MatchTerms, find_matches, mark, snippet
from search.model import Article, Facet, Hit, ResultPage
from search.query import expansion
from search.query import tree as t
from search.query.plan import Filters, QueryPlan, build_plan
from search.rerank import Bonus
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
    place: str | None = None
    undated: bool = False
    sort: str = "relevance"
    page: int = 1
    limit: int = 10
    collapse: bool = True
    today: date | None = None
    expand: bool = True  # query expansion (`search.query.expansion`); False: words as typed

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

    @property
    def filters(self) -> Filters:
        return Filters(
            self.date_from, self.date_to, self.author, self.source, self.place, self.undated
        )


@dataclass(frozen=True)
class _Ranking:
    """Everything a search computes before cutting a page: cached, so paging is cheap."""

    leaders: np.ndarray  # rows in display order: the best hit of each group
    scores: np.ndarray
    similar: np.ndarray  # other copies each leader stands for
    strict_leaders: int  # leaders[:strict_leaders] match as written, the rest partially
    missing: dict[int, tuple[str, ...]]  # partial leader row -> clauses it lacks
    listed: np.ndarray  # every row of the set exports and feeds give, in order
    listed_scores: np.ndarray
    total: int
    partial: int
    facets: dict[str, Facet]
    terms: MatchTerms
    suggestion: str | None
    notices: tuple[str, ...]
    expansions: tuple[tuple[str, tuple[str, ...]], ...]
    also: tuple[tuple[str, tuple[str, ...]], ...] = ()  # query expansion: "cercato anche"
    plan: QueryPlan | None = None  # what was evaluated, with the feedback (for explain)
    bonuses: dict[int, tuple[Bonus, ...]] | None = None  # row -> re-ranking (`search.rerank`)


def search(archive: Archive, request: SearchRequest) -> ResultPage:
    """One page of results for `request`; raises QueryError for a bad query or filter."""
    started = time.perf_counter()
    request = request.validated()
    deadline = Deadline(archive.budget.deadline_seconds)
    with archive.snapshot() as snapshot:
        ranking = _cached_ranking(archive, snapshot, request, deadline)
        page = slice((request.page - 1) * request.limit, request.page * request.limit)
        rows = ranking.leaders[page]
        stored = snapshot.stored(rows.tolist())
        hits = tuple(
            build_hit(
                item, float(score), ranking.terms, int(similar), ranking.missing.get(item.row, ())
            )
            for item, score, similar in zip(
                stored, ranking.scores[page], ranking.similar[page], strict=True
            )
        )
    return ResultPage(
        query=request.query,
        total=ranking.total,
        page=request.page,
        pages=math.ceil(len(ranking.leaders) / request.limit),
        limit=request.limit,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        hits=hits,
        facets=ranking.facets,
        suggestion=ranking.suggestion,
        notices=ranking.notices,
        partial=ranking.partial,
        expansions=ranking.expansions,
        also=ranking.also,
    )


def iter_hits(archive: Archive, request: SearchRequest) -> Iterator[Hit]:
    """Every article of a search, copies included, in order (exports, feeds, `--all`).

    The articles that match the query as written (as many as the total), or the partial
    matches when none does.
    """
    request = request.validated()
    deadline = Deadline(archive.budget.deadline_seconds)
    with archive.snapshot() as snapshot:
        ranking = _cached_ranking(archive, snapshot, replace(request, collapse=False), deadline)
        missing = ranking.missing
        rows, scores = ranking.listed, ranking.listed_scores
        for start in range(0, len(rows), 200):
            stored = snapshot.stored(rows[start : start + 200].tolist())
            for item, score in zip(stored, scores[start : start + 200].tolist(), strict=True):
                yield build_hit(item, score, ranking.terms, 0, missing.get(item.row, ()))


def count_of(archive: Archive, request: SearchRequest) -> tuple[int, int]:
    """(total, partial) of a search, without building a page."""
    request = request.validated()
    deadline = Deadline(archive.budget.deadline_seconds)
    with archive.snapshot() as snapshot:
        ranking = _cached_ranking(archive, snapshot, request, deadline)
    return ranking.total, ranking.partial


def ranking_of(
    archive: Archive, snapshot: Snapshot, request: SearchRequest, deadline: Deadline
) -> _Ranking:
    """The ranking of a request (cached): for `search.explain`."""
    return _cached_ranking(archive, snapshot, request, deadline)


def _cached_ranking(
    archive: Archive, snapshot: Snapshot, request: SearchRequest, deadline: Deadline
) -> _Ranking:
    # Relative dates ("ultimi 7 giorni") move with the calendar: today is part of the key.
    key = (snapshot.generation, date.today(), replace(request, page=1, limit=1))
    ranking = archive.cache.get(key)
    if ranking is None:
        ranking = _ranking(archive, snapshot, request, deadline)
        archive.cache.put(key, ranking, cost=len(ranking.listed) + len(ranking.leaders))
    return ranking  # type: ignore[no-any-return]


def _ranking(
    archive: Archive, snapshot: Snapshot, request: SearchRequest, deadline: Deadline
) -> _Ranking:
    relevance = request.sort == "relevance"
    plan = plan_of(archive, snapshot, request)
    notices = list(plan.notices)
    if plan.empty:
        empty = np.zeros(0, dtype=np.int64)
        return _Ranking(
            leaders=empty,
            scores=np.zeros(0),
            similar=empty,
            strict_leaders=0,
            missing={},
            listed=empty,
            listed_scores=np.zeros(0),
            total=0,
            partial=0,
            facets=count_facets(snapshot.columns, empty),
            terms=plan.terms,
            suggestion=None,
            notices=tuple(notices),
            expansions=plan.expansions,
            also=plan.also,
            plan=plan,
        )
    scored = plan.scored and relevance
    matches = snapshot.evaluate(plan.match, scored=scored, deadline=deadline)
    if matches.timed_out:
        raise SearchTimeout(archive.budget.deadline_seconds)
    rows, scores = matches.rows, matches.scores
    strict, lacking = _strictness(snapshot, plan, rows, deadline)
    # Feedback reads the best matches to rank the others: with no more matches than it
    # reads, there is nothing to rank (a known item: `Umerov`).
    if scored and "retroazione" in plan.techniques and len(rows) > expansion_feedback.FEEDBACK_DOCS:
        rows, scores, strict, plan = _with_feedback(snapshot, plan, rows, scores, strict, deadline)
    bonuses = {}
    if scored and reranking.TECHNIQUE in plan.techniques:
        reranked = reranking.rerank(snapshot, plan, rows, scores, strict, deadline)
        rows, scores, strict, bonuses = (
            reranked.rows,
            reranked.scores,
            reranked.strict,
            reranked.bonuses,
        )
    total = int(np.count_nonzero(strict))
    partial = len(rows) - total
    columns = snapshot.columns
    days = np.asarray(columns["day"])
    if scored:
        order = np.concatenate([np.flatnonzero(strict), np.flatnonzero(~strict)])
        listed = rows[strict] if total else rows
        listed_scores = scores[strict] if total else scores
    else:
        chosen = rows[strict] if total else rows
        keys = days[chosen]
        if request.sort == "oldest":
            keys = np.where(keys == NO_VALUE, 99_999_999, keys)
        else:
            keys = -keys.astype(np.int64)
        # Undated last either way; ties in row order (stable), as the engine gave them.
        by_date = np.argsort(keys, kind="stable")
        listed = chosen[by_date]
        listed_scores = np.zeros(len(listed))
        chosen_positions = np.flatnonzero(strict) if total else np.arange(len(rows))
        order = chosen_positions[by_date]
        scores = np.zeros(len(rows))
    ordered_rows, ordered_scores, ordered_strict = rows[order], scores[order], strict[order]
    groups = np.asarray(columns["group"])
    leaders_at, similar = _collapse(groups, ordered_rows, ordered_strict, request.collapse)
    leaders = ordered_rows[leaders_at]
    strict_leaders = int(np.count_nonzero(ordered_strict[leaders_at]))
    missing = lacking.missing_in_rows(leaders[strict_leaders:][:2000])
    facets = count_facets(columns, rows[strict] if total else rows)
    if total == 0 and partial:
        notices.append(
            f"Nessun articolo contiene tutto ciò che hai cercato: "
            f"{_count(partial, 'articolo ne contiene', 'articoli ne contengono')} solo una parte."
        )
    suggestion = (
        None if deadline.expired() else suggest(snapshot, request.query, archive.budget, deadline)
    )
    return _Ranking(
        leaders=leaders,
        scores=ordered_scores[leaders_at],
        similar=similar,
        strict_leaders=strict_leaders,
        missing=missing,
        listed=listed,
        listed_scores=listed_scores,
        total=total,
        partial=partial,
        facets=facets,
        terms=plan.terms,
        suggestion=suggestion,
        notices=tuple(notices),
        expansions=plan.expansions,
        also=plan.also,
        plan=plan,
        bonuses=bonuses,
    )


def plan_of(archive: Archive, snapshot: Snapshot, request: SearchRequest) -> QueryPlan:
    """The query plan of a request, expansions included when the request asks for them."""
    return build_plan(
        request.query,
        request.filters,
        snapshot,
        budget=archive.budget,
        proximity=request.sort == "relevance",
        today=request.today,
        techniques=expansion.DEFAULT_TECHNIQUES if request.expand else frozenset(),
    )


def _with_feedback(
    snapshot: Snapshot,
    plan: QueryPlan,
    rows: np.ndarray,
    scores: np.ndarray,
    strict: np.ndarray,
    deadline: Deadline,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, QueryPlan]:
    """Rows re-scored with pseudo-relevance feedback words (the set stays the same)."""
    # The articles read are the best strict matches: partial ones (a word of the query
    # in another sense, an expansion) would teach it the wrong words. With a few strict
    # matches (a known item: `negoziato Umerov`) there is nothing to learn that they do
    # not already say, and their order stays BM25's; with fewer than MIN_DOCS the best
    # partial matches are read instead (needs in other words than the articles').
    strict_at = np.flatnonzero(strict)
    docs, least = expansion_feedback.FEEDBACK_DOCS, expansion_feedback.MIN_DOCS
    if not expansion_feedback.FROM_STRICT or len(strict_at) < least:
        shown_first = np.concatenate([strict_at, np.flatnonzero(~strict)])
    elif len(strict_at) > docs:
        shown_first = strict_at
    else:
        return rows, scores, strict, plan
    typed = {leaf.token for leaf in t.positive_leaves(plan.match) if isinstance(leaf, t.Term)}
    for leaf in t.positive_leaves(plan.match):
        if isinstance(leaf, t.Phrase):
            typed.update(leaf.tokens)
    found = feedback(snapshot, rows[shown_first], scores[shown_first], typed, deadline)
    if found is None or deadline.expired():
        return rows, scores, strict, plan
    # Only the matches' rows take the extra scores (`add_scores`). An engine that evaluates
    # a whole tree in one pass (`restricts_in_one_pass`) is asked for those rows only;
    # one that evaluates leaf by leaf would evaluate the main query once more.
    node = found.node
    if getattr(snapshot, "restricts_in_one_pass", False):
        node = t.And((t.Filter(plan.match), found.node))
    extra = snapshot.evaluate(node, scored=True, deadline=deadline)
    if extra.timed_out:
        return rows, scores, strict, plan
    scores = add_scores(rows, scores, extra.rows, extra.scores)
    order = np.lexsort((rows, -scores))
    also = (*plan.also, ("retroazione", found.words))
    plan = replace(
        plan,
        match=t.Boost(plan.match, found.node, 1.0),
        also=also,
        feedback=tuple(zip(found.tokens, found.words, strict=True)),
        feedback_node=found.node,
    )
    return rows[order], scores[order], strict[order], plan


@dataclass(frozen=True)
class _Clauses:
    labels: tuple[str, ...]
    rows: tuple[np.ndarray, ...]  # sorted rows holding each clause

    def missing_in_rows(self, rows: np.ndarray) -> dict[int, tuple[str, ...]]:
        """`missing_in` for many rows at once."""
        if not len(rows) or not self.labels:
            return {int(row): () for row in rows.tolist()}
        holds = np.stack([np.isin(rows, found) for found in self.rows], axis=1)
        labels = self.labels
        return {
            int(row): tuple(label for label, held in zip(labels, line, strict=True) if not held)
            for row, line in zip(rows.tolist(), holds.tolist(), strict=True)
        }

    def missing_in(self, row: int) -> tuple[str, ...]:
        """The clauses `row` does not hold, as typed."""
        lacking = []
        for label, found in zip(self.labels, self.rows, strict=True):
            at = np.searchsorted(found, row)
            if not (at < len(found) and found[at] == row):
                lacking.append(label)
        return tuple(lacking)


def _strictness(
    snapshot: Snapshot, plan: QueryPlan, rows: np.ndarray, deadline: Deadline
) -> tuple[np.ndarray, _Clauses]:
    """Which matches hold every clause as written, and each clause's own matches."""
    if not plan.partial or not len(rows):
        return np.ones(len(rows), dtype=bool), _Clauses((), ())
    found = []
    strict = np.ones(len(rows), dtype=bool)
    for clause in plan.clauses:
        matches = snapshot.evaluate(clause.node, scored=False, deadline=deadline)
        if matches.timed_out:
            raise SearchTimeout(deadline.seconds)
        clause_rows = np.sort(matches.rows)
        found.append(clause_rows)
        strict &= np.isin(rows, clause_rows)
    return strict, _Clauses(tuple(c.label for c in plan.clauses), tuple(found))


def _collapse(
    groups: np.ndarray, rows: np.ndarray, strict: np.ndarray, collapse: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the best hit of each group (strict and partial apart), and its copies."""
    if not collapse or not len(rows):
        return np.arange(len(rows)), np.zeros(len(rows), dtype=np.int64)
    keys = groups[rows]
    firsts, sizes = [], []
    for section in (strict, ~strict):  # a unique of plain integers each: no 2-column rows
        at = np.flatnonzero(section)
        _, first, counts = np.unique(keys[at], return_index=True, return_counts=True)
        firsts.append(at[first])
        sizes.append(counts)
    first, counts = np.concatenate(firsts), np.concatenate(sizes)
    order = np.argsort(first)
    return first[order], counts[order] - 1


def build_hit(
    item: StoredArticle,
    score: float | None,
    terms: MatchTerms,
    similar: int = 0,
    missing: tuple[str, ...] = (),
) -> Hit:
    article = item.article
    return Hit(
        id=article.id,
        title=article.title or display_title(article.body),
        date=article.date,
        author=article.author,
        source=article.source,
        url=article.url,
        score=round(float(score or 0.0), 4),
        snippet=snippet(article.body, terms),
        similar=similar,
        group=item.group,
        place=article.place,
        missing=missing,
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


def match_terms(archive: Archive, query_text: str, expand: bool = True) -> MatchTerms:
    """What a hit of `query_text` can match (for highlighting), the words of its
    expansions too unless `expand` is False; nothing for a bad query."""
    if not query_text.strip():
        return MatchTerms()
    try:
        with archive.snapshot() as snapshot:
            plan = plan_of(archive, snapshot, SearchRequest(query=query_text, expand=expand))
    except QueryError:
        return MatchTerms()
    return plan.terms


def highlight_article(
    archive: Archive, article_id: str, query_text: str = "", expand: bool = True
) -> HighlightedArticle:
    """The article page: full text escaped, query words (and their expansions, unless
    `expand` is False) marked in title and body."""
    article = archive.get(article_id)
    terms = match_terms(archive, query_text, expand)
    title = article.title or display_title(article.body)
    title_spans = find_matches(title, terms.in_field("title"))
    paragraphs = []
    count = len(title_spans)
    body_terms = terms.in_field("body")
    for paragraph in article.body.split("\n\n"):
        spans = find_matches(paragraph, body_terms)
        count += len(spans)
        paragraphs.append(mark(paragraph, spans))
    return HighlightedArticle(article, mark(title, title_spans), tuple(paragraphs), count)


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n:,}".replace(",", ".") + f" {many}"


@dataclass(frozen=True)
class ResultRows:
    """A whole result set as rows, without reading an article (receipts, trends).

    `rows` are what `iter_hits` lists, in its order: the articles matching as written, or
    the partial matches when none does.
    """

    rows: np.ndarray
    total: int
    partial: int

    @property
    def as_written(self) -> np.ndarray:
        """Only the articles matching the query as written (none when all are partial)."""
        return self.rows if self.total else self.rows[:0]


def result_rows(archive: Archive, snapshot: Snapshot, request: SearchRequest) -> ResultRows:
    """The rows of `iter_hits(archive, request)` read from `snapshot` (the same ranking,
    cached alike); raises QueryError for a bad query or filter."""
    request = request.validated()
    deadline = Deadline(archive.budget.deadline_seconds)
    ranking = _cached_ranking(archive, snapshot, replace(request, collapse=False), deadline)
    return ResultRows(ranking.listed, ranking.total, ranking.partial)
