"""/cerca: the results page. Parse the URL, run one search, render."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request, url_for

from search.facets import UNDATED
from search.model import ResultPage
from search.printable import printable
from search.query.expansion import LABELS
from search.results import search
from web.params import SORT_LABELS, SearchForm, echo_search_form, read_search_form
from web.state import get_archive
from web.syntax import DATE_EXAMPLES, HOME_EXAMPLES
from web.timeline import build_timeline, undated_count

bp = Blueprint("results", __name__)

FACET_LABELS = {"year": "Anno", "source": "Fonte", "author": "Autore", "place": "Luogo"}
FACET_FIELDS = {"author": "autore", "source": "fonte", "place": "luogo"}
FORM_FIELDS = ("q", "dal", "al", "autore", "fonte", "luogo")
WINDOW = 2  # page numbers shown on each side of the current one


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
    page = search(get_archive(), form.search_request(current_app.config["PAGE_SIZE"]))
    return render_template(
        "results.html",
        form=form,
        page=page,
        timeline=build_timeline(page.facets),
        undated=undated_count(page.facets),
        facets=facet_groups(form, page),
        pagination=page_window(page.page, page.pages),
        first_number=(page.page - 1) * page.limit + 1,
        **_form_context(form),
    )


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
    }


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
