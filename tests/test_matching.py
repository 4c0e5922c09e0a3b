"""MinimumShouldMatch finds and scores exactly what the And/Or expression it replaced did."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import query as wq

from bench.queries import query_mix
from search import query as query_module
from search import results as results_module
from search.archive import Archive
from search.indexer import reindex
from search.matching import MAX_REPLAYED_COMBINATIONS, MinimumShouldMatch
from search.model import ResultPage
from search.query import COORDINATION, MM_RULES, parse_query, phrase_boost
from search.results import SearchRequest, search
from search.settings import Settings
from tests.corpus_facts import REPO

TOPICS = REPO / "tests" / "relevance" / "topics.jsonl"
NEW = query_module._minimum_should_match
OLD = query_module._minimum_should_match_expression


@pytest.fixture(scope="session")
def news_archive(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Archive:
    """Two of the real news files (about 2,000 articles): many documents per query word."""
    corpus = tmp_path_factory.mktemp("news-corpus")
    for name in ("facta.jsonl", "wikinews-it.jsonl"):
        shutil.copy(shared_corpus / name, corpus / name)
    index_dir = tmp_path_factory.mktemp("news-index")
    reindex(Settings(corpus_dir=corpus, index_dir=index_dir))
    return Archive(index_dir)


@pytest.fixture(scope="session")
def sample_archive(built_index: Path) -> Archive:
    return Archive(built_index)


def _scored(
    archive: Archive, text: str, rule: Callable[..., wq.Query], monkeypatch: pytest.MonkeyPatch
) -> list[tuple[float, int]]:
    """Every match of the ranking query (proximity boost included) as Whoosh scores it."""
    monkeypatch.setattr(query_module, "_minimum_should_match", rule)
    ranked = phrase_boost(parse_query(text))
    with archive.searcher() as searcher:
        results = searcher.search(ranked, limit=None, terms=False)
        return [(float(score), docnum) for score, docnum in results.top_n]


def _page(
    archive: Archive,
    request: SearchRequest,
    rule: Callable[..., wq.Query],
    monkeypatch: pytest.MonkeyPatch,
) -> ResultPage:
    monkeypatch.setattr(query_module, "_minimum_should_match", rule)
    archive.cache.clear()
    try:
        return search(archive, replace(request, limit=100))
    finally:
        archive.cache.clear()


def assert_same_results(
    archive: Archive, request: SearchRequest, monkeypatch: pytest.MonkeyPatch
) -> int:
    """Same hits, scores and order; through `search()` (filters, sorting, facets) too."""
    old = _scored(archive, request.query, OLD, monkeypatch)
    new = _scored(archive, request.query, NEW, monkeypatch)
    assert [docnum for _, docnum in new] == [docnum for _, docnum in old], request
    for (new_score, _), (old_score, _) in zip(new, old, strict=True):
        assert math.isclose(new_score, old_score, rel_tol=1e-9), request
    # Stronger still: the same float additions in the same order (search.matching.ScoreReplay),
    # so documents of equal score keep their order too.
    assert new == old, request
    old_page = _page(archive, request, OLD, monkeypatch)
    new_page = _page(archive, request, NEW, monkeypatch)
    assert new_page.total == old_page.total, request
    assert new_page.hits == old_page.hits, request
    assert new_page.facets == old_page.facets, request
    return new_page.total


def _topics() -> list[str]:
    return [json.loads(line)["query"] for line in TOPICS.read_text("utf-8").splitlines() if line]


@pytest.mark.parametrize("text", _topics())
@pytest.mark.parametrize("matcher_type", ["auto", "tree"])
@pytest.mark.medium
def test_relevance_topics(
    news_archive: Archive, text: str, matcher_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if matcher_type == "tree":
        # Whoosh preloads Or scores in segments under 5,000 documents, as here, and adds
        # them in another order in larger ones: check that order too.
        monkeypatch.setattr(wq.Or, "matcher_type", wq.Or.DEFAULT_MATCHER)
    assert_same_results(news_archive, SearchRequest(query=text, collapse=False), monkeypatch)


@pytest.mark.medium
def test_benchmark_mix(news_archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    found = 0
    for q in query_mix():
        request = SearchRequest(q.text, date_from=q.date_from, date_to=q.date_to, sort=q.sort)
        found += assert_same_results(news_archive, request, monkeypatch) > 0
    assert found > 30  # the comparison is about real result lists, not empty ones


WORD_COUNTS = [
    "governo sanità",
    "vaccino covid dosi",
    "elezioni presidente voto candidato",
    "governo ministro sanità ospedale regione",
    "governo ministro sanità ospedale regione vaccino covid",
    # stopwords among the words, and a word the index has never seen
    "il governo e la sanità della regione",
    "vaccino zqxwvuty covid dosi",
    "zqxwvuty covid",
    "zqxwvuty kwyjibo vaccino",
]


@pytest.mark.parametrize("text", WORD_COUNTS)
@pytest.mark.parametrize("sort", ["relevance", "newest"])
@pytest.mark.medium
def test_word_counts(
    news_archive: Archive, text: str, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = assert_same_results(news_archive, SearchRequest(text, sort=sort), monkeypatch)
    if "zqxwvuty kwyjibo" not in text:
        assert total > 0


FILTERED = [
    SearchRequest("vaccino covid dosi", date_from="2021", date_to="2021"),
    SearchRequest("vaccino covid dosi", date_from="marzo 2020", sort="newest"),
    SearchRequest("governo ministro sanità ospedale", date_to="2020", sort="oldest"),
    SearchRequest("vaccino covid dosi data:2021"),
    SearchRequest("governo ministro sanità -data:2020"),
    SearchRequest("notizie false vaccino", source="facta"),
    SearchRequest("governo presidente elezioni", source="Wikinotizie", sort="newest"),
    SearchRequest("governo presidente elezioni", author="Wikinotizie contributors"),
]


@pytest.mark.parametrize("request_", FILTERED, ids=lambda r: f"{r.query}|{r.source}|{r.sort}")
@pytest.mark.medium
def test_filters(
    news_archive: Archive, request_: SearchRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert assert_same_results(news_archive, request_, monkeypatch) > 0


@pytest.mark.parametrize(
    "text", ["trump putin guerra", "governo riforma pensioni meloni", "il sindaco della città"]
)
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_sample_archive(
    sample_archive: Archive, text: str, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same_results(sample_archive, SearchRequest(text, sort=sort), monkeypatch)


def test_query_keeps_words_and_need() -> None:
    query = parse_query("vaccino covid dosi").query
    assert isinstance(query, MinimumShouldMatch)
    assert query.need == MM_RULES["mm-half"](3) and query.coordination == COORDINATION
    terms = set(query.iter_all_terms())
    assert {f for f, _ in terms} == {"title", "body"} and len({t for _, t in terms}) == 3
    assert query.normalize() == query
    assert hash(query.normalize()) == hash(query)
    assert query != MinimumShouldMatch(query.subqueries, query.need + 1, query.coordination)
    assert query.apply(lambda q: q).need == query.need
    assert query.with_boost(2.0).need == query.need


@pytest.mark.medium
def test_many_words_follow_the_formula(
    news_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past MAX_REPLAYED_COMBINATIONS the scores are summed in another order: equal within
    rounding, the same documents."""
    text = "governo ministro sanità ospedale regione vaccino covid dosi medici virus contagi"
    assert math.comb(11, MM_RULES["mm-half"](11)) > MAX_REPLAYED_COMBINATIONS
    old = dict((d, s) for s, d in _scored(news_archive, text, OLD, monkeypatch))
    new = dict((d, s) for s, d in _scored(news_archive, text, NEW, monkeypatch))
    assert new.keys() == old.keys() and len(new) > 10
    for docnum, score in new.items():
        assert math.isclose(score, old[docnum], rel_tol=1e-9)


def assert_same_as_the_proximity_expression(archive: Archive, request: SearchRequest) -> int:
    """`_rank` adds the proximity bonus in a second search: the scores and order of
    `AndMaybe(query, bonus)` in one Whoosh search, to the last bit."""
    query, near, filters, _ = results_module._compile(request.validated())
    with archive.searcher() as searcher:
        scores, docnums = results_module._rank(archive, searcher, query, near, filters, request)
        combined = query if near is None else wq.AndMaybe(query, near)
        expected = searcher.search(combined, limit=None, filter=filters.terms, terms=False)
        want = [(float(score), docnum) for score, docnum in expected.top_n]
    assert list(zip(scores.tolist(), docnums.tolist(), strict=True)) == want, request
    return sum(near is not None and s > 0 for s in scores.tolist())


@pytest.mark.parametrize("text", _topics() + WORD_COUNTS)
@pytest.mark.medium
def test_the_proximity_bonus_in_a_second_search_scores_the_same(
    news_archive: Archive, text: str
) -> None:
    assert_same_as_the_proximity_expression(news_archive, SearchRequest(query=text))


# Date clauses are filtered after the search (`_Filters.keep`): source and author only here.
@pytest.mark.parametrize(
    "request_",
    [r for r in FILTERED if not (r.date_from or r.date_to or "data:" in r.query)],
    ids=lambda r: f"{r.query}|{r.source}|{r.author}",
)
@pytest.mark.medium
def test_the_proximity_bonus_with_filters_scores_the_same(
    news_archive: Archive, request_: SearchRequest
) -> None:
    assert_same_as_the_proximity_expression(news_archive, replace(request_, sort="relevance"))


@pytest.mark.medium
def test_cached_field_lengths_give_whooshs_own_scores(news_archive: Archive) -> None:
    # search.scoring reads each segment's field lengths once: BM25F's numbers, unchanged.
    from whoosh.scoring import BM25F

    from search.scoring import ArchivioBM25F
    from search.store import open_live_index

    ix, _ = open_live_index(news_archive.index_dir)
    texts = _topics() + WORD_COUNTS + ['"ministro della salute"', "covid~ vaccin*"]
    with ix.searcher(weighting=BM25F()) as plain, ix.searcher(weighting=ArchivioBM25F()) as ours:
        compared = 0
        for text in texts:
            query = phrase_boost(parse_query(text))
            want = plain.search(query, limit=None, terms=False).top_n
            assert ours.search(query, limit=None, terms=False).top_n == want, text
            compared += len(want)
    assert compared > 1000
