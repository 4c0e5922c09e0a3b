"""The JSON of the research tools: `/api/trends`, `/api/concordance`, `/api/receipt`.

Same shapes as `archivio trends --json` and `archivio kwic --json` (`search.serialize_tools`);
errors are `{"error": …}` with 400, as for every `/api/` address.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request

from search.concordance import concordance
from search.receipts import filters_label, receipt_for
from search.serialize_tools import concordance_json, trends_json
from search.trends import trends
from web.formatting import long_date
from web.params import ParamError, read_api_request
from web.pinning import pinned
from web.state import get_archive
from web.tool_params import read_api_concordance, read_api_trends

bp = Blueprint("tools_api", __name__)

SORT_NAMES = {
    "relevance": "per pertinenza",
    "newest": "dai più recenti",
    "oldest": "dai meno recenti",
}


@bp.app_template_filter("typed_filters")
def typed_filters(filters: dict[str, str | bool]) -> str:
    return filters_label(filters) or "nessuno"


@bp.app_template_filter("sort_name")
def sort_name(sort: str) -> str:
    return SORT_NAMES.get(sort, sort)


@bp.app_template_filter("moment")
def moment(iso: str | None) -> str:
    """ "2026-12-04T18:47:33+00:00" -> "4 dicembre 2026, 18:47 UTC"."""
    if not iso:
        return "data sconosciuta"
    try:
        when = datetime.fromisoformat(iso).astimezone(UTC)
    except ValueError:
        return iso
    return f"{long_date(when.date())}, {when:%H:%M} UTC"


@bp.get("/api/trends")
def api_trends() -> Response:
    queries, filters, unit = read_api_trends(request.args)
    if not queries:
        raise ParamError("serve almeno una ricerca: /api/trends?q=…&q=…")
    return jsonify(trends_json(trends(get_archive(), queries, filters, unit=unit)))


@bp.get("/api/concordance")
def api_concordance() -> Response:
    search_request, sort, width, page, limit = read_api_concordance(request.args)
    if not search_request.query.strip():
        raise ParamError("manca la ricerca: /api/concordance?q=…")
    found = concordance(
        get_archive(), search_request, sort=sort, width=width, page=page, limit=limit
    )
    return jsonify(concordance_json(found))


@bp.get("/api/receipt")
def api_receipt() -> Response:
    """The receipt of a search's whole set (what `/export.csv` lists), `generation=` to
    read a kept generation (the live one when it is gone: the receipt says which)."""
    search_request = read_api_request(request.args)
    generation = request.args.get("generation", "").strip()
    with pinned(generation) as pin:
        receipt = receipt_for(pin.view, pin.view.held, search_request)
    return jsonify(receipt.to_json())
