"""The JSON shapes and CSV rows of trends and concordances: one definition for the CLI,
the web pages' downloads and the API. Every CSV ends with the receipts of its sets, one
quoted cell each (`search.receipts.csv_cell`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from search.concordance import ConcordancePage, Line
from search.receipts import Receipt, csv_cell
from search.spreadsheet import safe_cell
from search.trends import Trends

TRENDS_COLUMNS = ("period", "query", "matches", "articles", "share")
UNDATED_PERIOD = "senza data"
LINE_COLUMNS = ("id", "date", "source", "title", "field", "left", "match", "right", "url")


def trends_json(trends: Trends) -> dict[str, object]:
    return {
        "by": trends.unit,
        "filters": _filters(trends.series[0].receipt) if trends.series else {},
        "periods": list(trends.periods),
        "articles": list(trends.articles),
        "undated_articles": trends.undated_articles,
        "total_articles": trends.total_articles,
        "generation": trends.generation,
        "engine": trends.engine,
        "series": [
            {
                "query": series.query,
                "total": series.total,
                "undated": series.undated,
                "partial": series.partial,
                "points": [
                    {
                        "period": point.period,
                        "matches": point.matches,
                        "articles": point.articles,
                        "share": point.share,
                    }
                    for point in series.points
                ],
                "notices": list(series.notices),
                "receipt": series.receipt.to_json(),
            }
            for series in trends.series
        ],
    }


def trends_rows(trends: Trends) -> Iterator[list[str]]:
    """One row per period and query (the undated ones last), then the receipts."""
    yield list(TRENDS_COLUMNS)
    for at, period in enumerate(trends.periods):
        for series in trends.series:
            point = series.points[at]
            yield _cells(period, series.query, point.matches, point.articles, point.share)
    for series in trends.series:
        undated = trends.undated_articles
        share = series.undated / undated if undated else None
        yield _cells(UNDATED_PERIOD, series.query, series.undated, undated, share)
    yield from receipt_rows(s.receipt for s in trends.series)


def concordance_json(page: ConcordancePage) -> dict[str, object]:
    return {
        "query": page.query,
        "filters": _filters(page.receipt),
        "sort": page.sort,
        "width": page.width,
        "occurrences": page.occurrences,
        "articles": page.articles,
        "articles_with_occurrences": page.articles_with_occurrences,
        "partial": page.partial,
        "page": page.page,
        "pages": page.pages,
        "limit": page.limit,
        "lines": [line_json(line) for line in page.lines],
        "notices": list(page.notices),
        "receipt": page.receipt.to_json(),
    }


def line_json(line: Line) -> dict[str, object]:
    return {
        "id": line.article_id,
        "date": line.date.isoformat() if line.date else None,
        "source": line.source,
        "title": line.title,
        "url": line.url,
        "field": line.field,
        "start": line.start,
        "end": line.end,
        "left": line.left,
        "match": line.match,
        "right": line.right,
    }


def line_row(line: Line) -> list[str]:
    day = line.date.isoformat() if line.date else ""
    values = (line.article_id, day, line.source, line.title, line.field)
    return _cells(*values, line.left, line.match, line.right, line.url)


def receipt_rows(receipts: Iterable[Receipt]) -> Iterator[list[str]]:
    for receipt in receipts:
        yield [csv_cell(receipt)]


def _cells(*values: object) -> list[str]:
    return [safe_cell(value) for value in values]


def _filters(receipt: Receipt) -> dict[str, object]:
    return dict(receipt.filters)
