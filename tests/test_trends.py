"""Trends (`search.trends`) on the sample archive: every count is the count of a search.

For each query and period, the matches are what a search for that query in that period
totals, the articles what an empty search in that period totals; the points and the
undated add up to the query's total; partial matches stay out.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from search.archive import Archive
from search.errors import QueryError
from search.results import SearchRequest, count_of
from search.trends import MAX_QUERIES, trends
from tests.corpus_facts import SAMPLE_ARTICLES, SAMPLE_UNDATED

pytestmark = pytest.mark.engines

QUERIES = ("alluvione", "lavori", '"cessate il fuoco"', "negozi*", "Trump OR Putin")


def total(archive: Archive, request: SearchRequest) -> int:
    return count_of(archive, request)[0]


@pytest.mark.parametrize("unit", ["year", "month"])
def test_every_count_is_the_count_of_a_search(sample_archive: Archive, unit: str) -> None:
    found = trends(sample_archive, QUERIES, unit=unit)
    assert [s.query for s in found.series] == list(QUERIES)
    assert found.total_articles == SAMPLE_ARTICLES
    assert found.undated_articles == SAMPLE_UNDATED
    span = SearchRequest(date_from=found.periods[0], date_to=found.periods[-1])
    assert sum(found.articles) == total(sample_archive, span)
    for at, period in enumerate(found.periods):
        in_period = SearchRequest(date_from=period, date_to=period)
        assert found.articles[at] == total(sample_archive, in_period), period
    for series in found.series:
        request = SearchRequest(query=series.query)
        assert series.total == total(sample_archive, request) > 0
        assert series.undated == total(sample_archive, replace(request, undated=True))
        assert sum(p.matches for p in series.points) + series.undated == series.total
        for point in series.points:
            in_period = replace(request, date_from=point.period, date_to=point.period)
            assert point.matches == total(sample_archive, in_period), (series.query, point)
            assert point.share == (point.matches / point.articles if point.articles else None)


def test_periods_run_from_the_first_match_to_the_last_without_gaps(
    sample_archive: Archive,
) -> None:
    found = trends(sample_archive, ['"cessate il fuoco"'], unit="month")
    series = found.series[0]
    matched = [p.period for p in series.points if p.matches]
    assert found.periods[0] == matched[0] and found.periods[-1] == matched[-1]
    years_months = [(int(p[:4]), int(p[5:])) for p in found.periods]
    steps = {(b[0] - a[0]) * 12 + b[1] - a[1] for a, b in pairwise(years_months)}
    assert steps <= {1}  # every month in between, even with nothing in it


def test_a_date_filter_gives_its_whole_span(sample_archive: Archive) -> None:
    filters = SearchRequest(date_from="2019", date_to="2025")
    found = trends(sample_archive, ['"cessate il fuoco"'], filters, unit="year")
    assert found.periods == ("2019", "2020", "2021", "2022", "2023", "2024", "2025")
    assert found.undated_articles == 0  # a date filter leaves the undated out


def test_filters_narrow_the_articles_of_each_period_too(sample_archive: Archive) -> None:
    filters = SearchRequest(author="Redazione")
    found = trends(sample_archive, ["alluvione"], filters, unit="year")
    for at, period in enumerate(found.periods):
        request = replace(filters, date_from=period, date_to=period)
        assert found.articles[at] == total(sample_archive, request)
    assert found.total_articles == total(sample_archive, filters) < SAMPLE_ARTICLES


def test_partial_matches_are_counted_apart(sample_archive: Archive) -> None:
    query = "alluvione Nonantola Secchia"
    matches, partial = count_of(sample_archive, SearchRequest(query=query))
    assert partial > 0
    series = trends(sample_archive, [query]).series[0]
    assert (series.total, series.partial) == (matches, partial)
    assert sum(p.matches for p in series.points) + series.undated == matches


def test_each_series_carries_the_receipt_of_its_articles(sample_archive: Archive) -> None:
    series = trends(sample_archive, ["alluvione"]).series[0]
    assert series.receipt.articles == series.total
    assert series.receipt.kind == "tendenze" and series.receipt.sort == "oldest"


@pytest.mark.parametrize(
    ("queries", "unit", "message"),
    [
        ((), "year", "almeno una ricerca"),
        (("alluvione", "  "), "year", "la ricerca n. 2 è vuota"),
        (("a",) * (MAX_QUERIES + 1), "year", "al massimo 6"),
        (("alluvione",), "week", "periodo sconosciuto: week"),
        (("xyz:abc",), "year", "campo sconosciuto"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    sample_archive: Archive, queries: tuple[str, ...], unit: str, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        trends(sample_archive, queries, unit=unit)
