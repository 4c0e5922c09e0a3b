"""Trends compared: for up to six queries, how many articles matched in each year or month,
out of how many published then.

A raw count per period misleads when the archive holds ten times more articles in one
year than in another: each point also gives the articles of that period (with the same
filters as the queries) and the share. Only articles matching a query as written count
(partial matches are said apart); undated ones are counted apart, never spread over
periods. Every count is the count a search for that query in that period gives.

Periods run from the first to the last with a match, gaps included, within
`facets.MAX_PERIODS`: by month over a longer span the counts come by year (with a notice on
every series), and a span of years still longer lists only the years with articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from search.archive import Archive
from search.columns import NO_VALUE
from search.errors import QueryError
from search.facets import MAX_PERIODS, span_length, timeline_periods
from search.ingest.limits import thousands
from search.receipts import Receipt, receipt_for
from search.results import SearchRequest, result_rows, search

MAX_QUERIES = 6
UNITS = ("year", "month")


@dataclass(frozen=True)
class TrendPoint:
    period: str  # "2021" or "2021-03": also what the dal/al filters take
    matches: int
    articles: int  # every article of the period (with the filters)

    @property
    def share(self) -> float | None:
        """matches / articles; None for a period without articles."""
        return self.matches / self.articles if self.articles else None


@dataclass(frozen=True)
class TrendSeries:
    query: str
    points: tuple[TrendPoint, ...]
    total: int  # articles matching as written: the points, plus the undated
    undated: int
    partial: int  # articles holding only some of the words: not in the points
    notices: tuple[str, ...]
    receipt: Receipt


@dataclass(frozen=True)
class Trends:
    unit: str
    periods: tuple[str, ...]
    articles: tuple[int, ...]  # every article of each period (with the filters)
    undated_articles: int
    total_articles: int
    series: tuple[TrendSeries, ...]
    request: SearchRequest  # the filters, shared by every query
    generation: str
    engine: str


def trends(
    archive: Archive,
    queries: Sequence[str],
    filters: SearchRequest | None = None,
    *,
    unit: str = "year",
) -> Trends:
    """The series of `queries` by `unit` ("year" or "month"); raises QueryError."""
    if unit not in UNITS:
        raise QueryError(f"periodo sconosciuto: {unit}. Valori validi: {', '.join(UNITS)}")
    texts = [q.strip() for q in queries]
    if not texts:
        raise QueryError("serve almeno una ricerca da mettere nel grafico")
    if len(texts) > MAX_QUERIES:
        raise QueryError(f"troppe ricerche: al massimo {MAX_QUERIES} in un grafico")
    for number, text in enumerate(texts, start=1):
        if not text:
            raise QueryError(f"la ricerca n. {number} è vuota: scrivi cosa cercare")
    base = replace(filters or SearchRequest(), query="", sort="oldest", page=1, limit=1)
    with archive.current() as view:
        snapshot = view.held
        days = np.asarray(snapshot.columns["day"])
        published = days[result_rows(view, snapshot, base).rows]
        matched = []
        for text in texts:
            request = replace(base, query=text)
            page = search(view, request)  # the notices, and the total as the page says it
            rows = result_rows(view, snapshot, request).as_written
            receipt = receipt_for(view, snapshot, request, kind="tendenze")
            matched.append((text, page.partial, page.notices, days[rows], receipt))
        unit, periods, coarser = _periods(unit, [d for *_, d, _ in matched], published, base)
        series = tuple(
            _series(text, partial, notices + coarser, found, receipt, unit, periods, published)
            for text, partial, notices, found, receipt in matched
        )
        generation, engine = snapshot.generation, snapshot.engine
    return Trends(
        unit=unit,
        periods=tuple(periods),
        articles=tuple(_per_period(published, unit, periods)),
        undated_articles=int(np.count_nonzero(published == NO_VALUE)),
        total_articles=len(published),
        series=series,
        request=base,
        generation=generation,
        engine=engine,
    )


def _series(
    text: str,
    partial: int,
    notices: tuple[str, ...],
    found: np.ndarray,
    receipt: Receipt,
    unit: str,
    periods: list[str],
    published: np.ndarray,
) -> TrendSeries:
    matches = _per_period(found, unit, periods)
    articles = _per_period(published, unit, periods)
    points = tuple(
        TrendPoint(period, m, a) for period, m, a in zip(periods, matches, articles, strict=True)
    )
    return TrendSeries(
        query=text,
        points=points,
        total=len(found),
        undated=int(np.count_nonzero(found == NO_VALUE)),
        partial=partial,
        notices=notices,
        receipt=receipt,
    )


def period_of(days: np.ndarray, unit: str) -> np.ndarray:
    """yyyymmdd -> yyyy (years) or yyyymm (months)."""
    return days // 10000 if unit == "year" else days // 100


def _periods(
    unit: str, found: list[np.ndarray], published: np.ndarray, base: SearchRequest
) -> tuple[str, list[str], tuple[str, ...]]:
    """The unit, every period from the first to the last with a match (a gap is
    information; with a date filter, the whole span of the filtered articles) and the
    notice of a change of unit: months past `MAX_PERIODS` become years."""
    spans = [d[d != NO_VALUE] for d in found]
    if base.date_from or base.date_to:
        spans.append(published[published != NO_VALUE])
    days = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
    if not days.size:
        return unit, [], ()
    notices: tuple[str, ...] = ()
    months = span_length(int(days.min()) // 100, int(days.max()) // 100, "month")
    if unit == "month" and months > MAX_PERIODS:
        unit = "year"
        notices = (
            f"per mese sarebbero {thousands(months)} periodi, più di {MAX_PERIODS}: "
            "i conteggi sono per anno",
        )
    keys = timeline_periods(np.unique(period_of(days, unit)).tolist(), unit)
    if unit == "year":
        return unit, [str(key) for key in keys], notices
    return unit, [f"{key // 100:04d}-{key % 100:02d}" for key in keys], notices


def _per_period(days: np.ndarray, unit: str, periods: list[str]) -> list[int]:
    keys = period_of(days[days != NO_VALUE], unit)
    found, counts = np.unique(keys, return_counts=True)
    by_key = dict(zip(found.tolist(), counts.tolist(), strict=True))
    return [int(by_key.get(int(p.replace("-", "")), 0)) for p in periods]
