"""/cerca: the results page. Parse the URL, run one search, render."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Blueprint, Response, current_app, render_template, request, url_for

from search.facets import UNDATED
from search.model import ResultPage
from search.printable import printable
from search.query.expansion import LABELS
from search.receipts import Receipt, receipt_for
from search.results import SearchRequest, search
from web.params import SORT_LABELS, SearchForm, echo_search_form, read_search_form
from web.pinning import Pin, pinned
from web.syntax import DATE_EXAMPLES, HOME_EXAMPLES
from web.timeline import build_timeline, undated_count

bp = Blueprint("results", __name__)

FACET_LABELS = {"year": "Anno", "source": "Fonte", "author": "Autore", "place": "Luogo"}
FACET_FIELDS = {"author": "autore", "source": "fonte", "place": "luogo"}
FORM_FIELDS = ("q", "dal", "al", "autore", "fonte", "luogo")
WINDOW = 2  # page numbers shown on each side of the current one
RECEIPT_ON_PAGE = 20_000  # articles whose ids a page reads for its receipt (~1 s)


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    href: str
    active: bool


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    links: tuple[FacetLink, ...]


@bp.get("/cerca")
def search_page() -> str:
    form = read_search_form(request.args)
    with pinned(form.generazione) as pin:
        search_request = form.search_request(current_app.config["PAGE_SIZE"])
        page = search(pin.view, search_request)
        receipt = page_receipt(pin, search_request, page)
        state = pin.state()
    if state.gone:  # said once on this page; its links go to the live index
        form = replace(form, generazione="")
    return render_template(
        "results.html",
        form=form,
        page=page,
        timeline=build_timeline(page.facets),
        undated=undated_count(page.facets),
        facets=facet_groups(form, page),
        pagination=page_window(page.page, page.pages),
        first_number=(page.page - 1) * page.limit + 1,
        receipt=receipt,
        pin=state,
        **_form_context(form),
    )


def page_receipt(pin: Pin, search_request: SearchRequest, page: ResultPage) -> Receipt | None:
    """The receipt of the whole set the page lists (what the exports give); None above
    `RECEIPT_ON_PAGE` articles, whose ids take a while to read: the downloads carry it."""
    if (page.total or page.partial) > RECEIPT_ON_PAGE:
        return None
    return receipt_for(pin.view, pin.view.held, search_request)


def render_form_error(message: str, field: str | None = None) -> Response:
    """The search form again, as typed, with what is wrong (the field at fault marked,
    the query box when it is the query): HTTP 400."""
    form = echo_search_form(request.args)
    body = render_template(
        "results.html",
        form=form,
        page=None,
        error=message,
        error_field=field if field in FORM_FIELDS else "q",
        **_form_context(form),
    )
    return Response(body, 400, mimetype="text/html")


def _form_context(form: SearchForm) -> dict[str, object]:
    return {
        "sort_labels": SORT_LABELS,
        "date_examples": DATE_EXAMPLES,
        "examples": HOME_EXAMPLES,
        "export_args": {k: v for k, v in form.url_args().items() if k != "pagina"},
        "also_labels": LABELS,
        "tool_args": _tool_args(form),
        "receipt_args": _receipt_args(form),
    }


def _receipt_args(form: SearchForm) -> dict[str, str]:
    """The page's search under the API's names (`/api/receipt`)."""
    request_ = form.search_request(1)
    names = {"date_from": "from", "date_to": "to", "author": "author", "source": "source"}
    args = {"q": form.q, "sort": request_.sort, "generation": form.generazione}
    args.update({api: getattr(request_, name) for name, api in names.items()})
    args.update(place=request_.place or "", undated="true" if request_.undated else "")
    if not request_.expand:
        args["expand"] = "false"
    return {k: v for k, v in args.items() if v}


def _tool_args(form: SearchForm) -> dict[str, str]:
    """The query and filters, for the trends and concordance pages."""
    names = ("q", "dal", "al", "autore", "fonte", "luogo", "senza_data")
    return {name: getattr(form, name) for name in names if getattr(form, name)}


@bp.app_template_global()
def search_url(form: SearchForm, **changes: str | int) -> str:
    """The results page for `form` with `changes` (pagina=1 unless given).

    Changes come from the index too (facet values, suggestions): `printable`, or a lone
    surrogate would make the URL fail to encode.
    """
    clean = {k: printable(v) if isinstance(v, str) else v for k, v in changes.items()}
    return url_for("results.search_page", **form.url_args(**clean))


def facet_groups(form: SearchForm, page: ResultPage) -> tuple[FacetGroup, ...]:
    """Facet values as links that add their filter (or remove it when already on)."""
    groups = []
    for name in ("year", "source", "author", "place"):
        facet = page.facets.get(name)
        if facet is None or not facet.values:
            continue
        values = facet.values
        if name == "year":  # newest year first, «senza data» still last
            dated = [v for v in facet.values if v.value != UNDATED]
            values = (*reversed(dated), *(v for v in facet.values if v.value == UNDATED))
        links = []
        for value in values:
            if name == "year" and value.value == UNDATED:
                active = form.senza_data == "1"
                change = {"senza_data": "" if active else "1", "dal": "", "al": ""}
            elif name == "year":
                active = form.dal == form.al == value.value
                change = (
                    {"dal": "", "al": ""}
                    if active
                    else {"dal": value.value, "al": value.value, "senza_data": ""}
                )
            else:
                field = FACET_FIELDS[name]
                active = getattr(form, field).casefold() == value.value.casefold()
                change = {field: "" if active else value.value}
            links.append(FacetLink(value.value, value.count, search_url(form, **change), active))
        groups.append(FacetGroup(name, FACET_LABELS[name], tuple(links)))
    return tuple(groups)


def page_window(current: int, last: int) -> list[int | None]:
    """Page numbers around `current`, with the first and last; None marks a gap."""
    if last <= 1:
        return []
    shown = {1, last, *range(max(1, current - WINDOW), min(last, current + WINDOW) + 1)}
    window: list[int | None] = []
    for number in sorted(shown):
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window
