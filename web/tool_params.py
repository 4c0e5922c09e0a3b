"""Parameters of the trends and concordance pages and of their API, checked here (the
same rules as `web.params`, whose readers check the query and the filters).

Pages: `q` (repeated for trends), `dal`, `al`, `autore`, `fonte`, `luogo`, `senza_data`;
trends `per=anno|mese`, `vista=numero|quota`; concordance `ordina=data|prima|dopo`,
`ampiezza` (characters of context), `pagina`. The API takes the English names of
`/api/search` (`q, from, to, author, source, place, undated`), with `by=year|month` for
trends and `sort=date|left|right`, `width`, `page`, `limit` for the concordance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from werkzeug.datastructures import MultiDict

from search.concordance import DEFAULT_WIDTH, MAX_LIMIT, MAX_WIDTH, MIN_WIDTH
from search.results import MAX_QUERY_CHARS, SearchRequest
from search.trends import MAX_QUERIES
from web.params import ParamError, SearchForm, echo_search_form, read_api_request, read_search_form

UNIT_WORDS = {"anno": "year", "mese": "month"}
VIEWS = ("numero", "quota")
CONCORDANCE_SORTS = {"data": "date", "prima": "left", "dopo": "right"}
CONCORDANCE_LABELS = {"data": "Data", "prima": "Parola prima", "dopo": "Parola dopo"}
WIDTH_CHOICES = (40, 60, 80, 120)
FILTER_NAMES = ("dal", "al", "autore", "fonte", "luogo", "senza_data")
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class TrendsForm:
    """The state of the trends page, as in its URL."""

    queries: tuple[str, ...] = ()
    filters: SearchForm = field(default_factory=SearchForm)
    per: str = "anno"
    vista: str = "numero"

    @property
    def unit(self) -> str:
        return UNIT_WORDS[self.per]

    def url_args(self, **changes: Any) -> dict[str, Any]:
        state = replace(self, **changes)
        args: dict[str, Any] = {"q": list(state.queries)}
        args.update(_filter_args(state.filters))
        if state.per != "anno":
            args["per"] = state.per
        if state.vista != "numero":
            args["vista"] = state.vista
        return args

    def api_args(self) -> dict[str, Any]:
        return {"q": list(self.queries), "by": self.unit, **api_filter_args(self.filters)}


@dataclass(frozen=True)
class ConcordanceForm:
    """The state of the concordance page, as in its URL."""

    search: SearchForm = field(default_factory=SearchForm)
    ordina: str = "data"
    ampiezza: int = DEFAULT_WIDTH
    pagina: int = 1

    @property
    def sort(self) -> str:
        return CONCORDANCE_SORTS[self.ordina]

    def url_args(self, **changes: Any) -> dict[str, Any]:
        """Any change but the page goes back to page 1."""
        changes.setdefault("pagina", 1)
        state = replace(self, **changes)
        args: dict[str, Any] = {"q": state.search.q, **_filter_args(state.search)}
        if state.ordina != "data":
            args["ordina"] = state.ordina
        if state.ampiezza != DEFAULT_WIDTH:
            args["ampiezza"] = state.ampiezza
        if state.pagina != 1:
            args["pagina"] = state.pagina
        return args

    def results_args(self) -> dict[str, Any]:
        """The results page of the same query and filters."""
        return {"q": self.search.q, **_filter_args(self.search)}

    def api_args(self) -> dict[str, Any]:
        return {
            "q": self.search.q,
            "sort": self.sort,
            "width": self.ampiezza,
            **api_filter_args(self.search),
        }


def _filter_args(form: SearchForm) -> dict[str, str]:
    return {name: getattr(form, name) for name in FILTER_NAMES if getattr(form, name)}


def api_filter_args(form: SearchForm) -> dict[str, str]:
    """The filters of a page under the API's names."""
    names = {"dal": "from", "al": "to", "autore": "author", "fonte": "source", "luogo": "place"}
    found = {api: getattr(form, page) for page, api in names.items() if getattr(form, page)}
    if form.senza_data:
        found["undated"] = "true"
    return found


def read_trends_form(args: MultiDict[str, str]) -> TrendsForm:
    """Raises ParamError (or DateError) with what is accepted."""
    form = echo_trends_form(args)
    filters = read_search_form({name: args.get(name, "") for name in FILTER_NAMES})
    if form.per not in UNIT_WORDS:
        raise ParamError(f"periodo sconosciuto: «{form.per}». Valori validi: anno, mese")
    if form.vista not in VIEWS:
        raise ParamError(f"vista sconosciuta: «{form.vista}». Valori validi: {', '.join(VIEWS)}")
    return replace(form, queries=check_queries(args.getlist("q")), filters=filters)


def echo_trends_form(args: MultiDict[str, str]) -> TrendsForm:
    """As typed, unchecked: to show the form again next to an error."""
    filters = echo_search_form({name: args.get(name, "") for name in FILTER_NAMES})
    queries = tuple(q for q in args.getlist("q") if q.strip())[:MAX_QUERIES]
    per = args.get("per", "").strip() or "anno"
    vista = args.get("vista", "").strip() or "numero"
    return TrendsForm(queries, filters, per, vista)


def check_queries(typed: list[str]) -> tuple[str, ...]:
    """The queries typed (empty boxes left out): at most six, each a valid query."""
    queries = tuple(q for q in typed if q.strip())
    if len(queries) > MAX_QUERIES:
        raise ParamError(f"troppe ricerche: al massimo {MAX_QUERIES} in un grafico")
    for query in queries:
        check_query(query)
    return queries


def check_query(query: str) -> None:
    if len(query) > MAX_QUERY_CHARS:
        raise ParamError(
            f"ricerca troppo lunga: {len(query)} caratteri, al massimo {MAX_QUERY_CHARS}"
        )
    if "\x00" in query:
        raise ParamError("la ricerca contiene un carattere non valido (NUL)")


def read_concordance_form(args: MultiDict[str, str]) -> ConcordanceForm:
    form = echo_concordance_form(args)
    search = read_search_form({k: args.get(k, "") for k in ("q", *FILTER_NAMES)})
    if form.ordina not in CONCORDANCE_SORTS:
        raise ParamError(
            f"ordinamento sconosciuto: «{form.ordina}». "
            f"Valori validi: {', '.join(CONCORDANCE_SORTS)}"
        )
    width = _number(args.get("ampiezza"), "ampiezza", MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH)
    page = _number(args.get("pagina"), "pagina", 1, 1_000_000, 1)
    return replace(form, search=search, ampiezza=width, pagina=page)


def echo_concordance_form(args: MultiDict[str, str]) -> ConcordanceForm:
    search = echo_search_form({k: args.get(k, "") for k in ("q", *FILTER_NAMES)})
    return ConcordanceForm(search, args.get("ordina", "").strip() or "data")


def read_api_trends(args: MultiDict[str, str]) -> tuple[tuple[str, ...], SearchRequest, str]:
    """(queries, filters, unit) of `/api/trends`."""
    unit = args.get("by", "").strip() or "year"
    if unit not in UNIT_WORDS.values():
        raise ParamError(f"periodo sconosciuto: «{unit}». Valori validi: year, month")
    filters = read_api_request(_api_filters(args))
    return check_queries(args.getlist("q")), filters, unit


def read_api_concordance(
    args: MultiDict[str, str],
) -> tuple[SearchRequest, str, int, int, int]:
    """(request, sort, width, page, limit) of `/api/concordance`."""
    request = read_api_request({**_api_filters(args), "q": args.get("q", "")})
    sort = args.get("sort", "").strip() or "date"
    if sort not in CONCORDANCE_SORTS.values():
        raise ParamError(f"ordinamento sconosciuto: «{sort}». Valori validi: date, left, right")
    width = _number(args.get("width"), "width", MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH)
    page = _number(args.get("page"), "page", 1, 1_000_000, 1)
    limit = _number(args.get("limit"), "limit", 1, MAX_LIMIT, 50)
    return request, sort, width, page, limit


def _api_filters(args: MultiDict[str, str]) -> dict[str, str]:
    return {k: args.get(k, "") for k in ("from", "to", "author", "source", "place", "undated")}


def _number(value: str | None, name: str, low: int, high: int, default: int) -> int:
    text = (value or "").strip()
    if not text:
        return default
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ParamError(f"{name} non valido ({text}): usa un numero da {low} a {high}")
    return int(text)
