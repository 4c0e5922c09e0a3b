"""/concordanza: every occurrence of a query in context, a page at a time, and all of
them as CSV (streamed, with the receipt of the articles after the rows)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request, stream_with_context

from search.concordance import ConcordancePage, concordance, iter_lines
from search.errors import QueryError
from search.serialize_tools import LINE_COLUMNS, line_row, receipt_rows
from search.spreadsheet import csv_lines
from web.pinning import open_pin
from web.results import page_window
from web.state import get_archive
from web.syntax import DATE_EXAMPLES
from web.tool_params import (
    CONCORDANCE_LABELS,
    WIDTH_CHOICES,
    ConcordanceForm,
    echo_concordance_form,
    read_concordance_form,
)

bp = Blueprint("concordance", __name__)

PAGE_SIZE = 50
EXAMPLES = ('"cessate il fuoco"', "alluvione", "negozi*")


@bp.get("/concordanza")
def concordance_page() -> Response | str:
    try:
        form = read_concordance_form(request.args)
        page = _page(form) if form.search.q.strip() else None
    except QueryError as error:
        return _form_error(str(error), getattr(error, "field", None))
    return render_template(
        "concordance.html",
        form=form,
        page=page,
        pagination=page_window(page.page, page.pages) if page else [],
        **_context(),
    )


@bp.get("/concordanza.csv")
def concordance_csv() -> Response:
    """One row per occurrence, in the page's order, then the receipt of the articles."""
    form = read_concordance_form(request.args)
    pin = open_pin()
    try:
        search_request = form.search.search_request(1)
        lines = iter_lines(pin.view, search_request, sort=form.sort, width=form.ampiezza)
    except BaseException:
        pin.close()
        raise

    def rows() -> Iterator[list[str]]:
        yield list(LINE_COLUMNS)
        yield from (line_row(line) for line in lines)
        yield from receipt_rows([lines.receipt()])

    response = Response(
        stream_with_context(csv_lines(rows())),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="archivio-concordanza.csv"'},
    )
    response.call_on_close(pin.close)
    return response


def _page(form: ConcordanceForm) -> ConcordancePage:
    return concordance(
        get_archive(),
        form.search.search_request(1),
        sort=form.sort,
        width=form.ampiezza,
        page=form.pagina,
        limit=PAGE_SIZE,
        marks=True,
    )


def _form_error(message: str, field: str | None) -> Response:
    form = echo_concordance_form(request.args)
    body = render_template(
        "concordance.html",
        form=form,
        page=None,
        pagination=[],
        error=message,
        error_field=field,
        **_context(),
    )
    return Response(body, 400, mimetype="text/html")


def _context() -> dict[str, object]:
    return {
        "sort_labels": CONCORDANCE_LABELS,
        "widths": WIDTH_CHOICES,
        "examples": EXAMPLES,
        "date_examples": DATE_EXAMPLES,
    }
