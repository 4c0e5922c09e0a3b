"""/tendenze: trends of up to six queries compared (chart, table, CSV); the library does
the counting (`search.trends`), `web.trends_chart` the geometry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request, url_for

from search.errors import QueryError
from search.serialize_tools import trends_rows
from search.spreadsheet import csv_lines
from search.trends import MAX_QUERIES, Trends, trends
from web.formatting import month_label
from web.params import ParamError
from web.state import get_archive
from web.syntax import DATE_EXAMPLES
from web.tool_params import TrendsForm, echo_trends_form, read_trends_form
from web.trends_chart import build_chart, percent

bp = Blueprint("trends", __name__)

EXAMPLES = (("alluvione", "allerta meteo"), ("sindaco", "consiglio comunale"))


@bp.get("/tendenze")
def trends_page() -> Response | str:
    try:
        form = read_trends_form(request.args)
        found = _trends(form) if form.queries else None
    except QueryError as error:
        return _form_error(str(error), getattr(error, "field", None))
    chart = build_chart(found, form.vista, _results_link(form)) if found else None
    return render_template(
        "trends.html",
        form=form,
        trends=found,
        chart=chart,
        rows=_table(found, form) if found else (),
        max_queries=MAX_QUERIES,
        examples=EXAMPLES,
        date_examples=DATE_EXAMPLES,
        percent=percent,
        results_url=results_url,
    )


@bp.get("/tendenze.csv")
def trends_csv() -> Response:
    """The series, one row per period and query, then the receipts (one per query)."""
    form = read_trends_form(request.args)
    if not form.queries:
        raise ParamError("serve almeno una ricerca: /tendenze.csv?q=…")
    body = "".join(csv_lines(trends_rows(_trends(form))))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="archivio-tendenze.csv"'},
    )


def _trends(form: TrendsForm) -> Trends:
    return trends(get_archive(), form.queries, form.filters.search_request(1), unit=form.unit)


def _form_error(message: str, field: str | None) -> Response:
    form = echo_trends_form(request.args)
    body = render_template(
        "trends.html",
        form=form,
        trends=None,
        chart=None,
        rows=(),
        error=message,
        error_field=field,
        max_queries=MAX_QUERIES,
        examples=EXAMPLES,
        date_examples=DATE_EXAMPLES,
        percent=percent,
        results_url=results_url,
    )
    return Response(body, 400, mimetype="text/html")


def _results_link(form: TrendsForm) -> Callable[[str, str], str]:
    def href(query: str, period: str) -> str:
        return results_url(form, query, period)

    return href


def results_url(form: TrendsForm, query: str, period: str | None = None) -> str:
    """The results of `query` with the page's filters, in `period` (or undated: "")."""
    args = {k: v for k, v in form.url_args().items() if k not in ("q", "per", "vista")}
    args["q"] = query
    if period:
        args.update(dal=period, al=period)
        args.pop("senza_data", None)
    elif period == "":
        args.update(senza_data="1")
        args.pop("dal", None)
        args.pop("al", None)
    return url_for("results.search_page", **args)


@dataclass(frozen=True)
class TableRow:
    period: str
    articles: int  # published in the period (with the filters)
    cells: tuple[tuple[int, float | None, str], ...]  # per query: found, share, results
    undated: bool = False


def _table(found: Trends, form: TrendsForm) -> list[TableRow]:
    """The rows of the table under the chart: the periods, then the undated."""
    rows = []
    for at, period in enumerate(found.periods):
        cells = tuple(
            (s.points[at].matches, s.points[at].share, results_url(form, s.query, period))
            for s in found.series
        )
        name = period if found.unit == "year" else month_label(period)
        rows.append(TableRow(name, found.articles[at], cells))
    undated = found.undated_articles
    cells = tuple(
        (s.undated, s.undated / undated if undated else None, results_url(form, s.query, ""))
        for s in found.series
    )
    rows.append(TableRow("Senza data", undated, cells, undated=True))
    return rows
