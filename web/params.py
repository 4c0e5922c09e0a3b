"""Every request parameter is read and checked here, so views only see valid values.

The pages take Italian names (`q, dal, al, autore, fonte, ordina, pagina`), the API English
ones (`q, from, to, author, source, sort, page, limit`); both become one `SearchRequest`.
A bad value raises `ParamError` with a message that says what is accepted: the pages
answer 400 with the search form and the message, the API 400 with `{"error": …}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from search.dates import parse_date_bound
from search.errors import DateError, QueryError
from search.results import MAX_LIMIT, MAX_QUERY_CHARS, SORTS, SearchRequest

MAX_PAGE = 10_000
MAX_FILTER_CHARS = 200
MAX_ID_CHARS = 2000
# What the pages call each order, in the order the form offers them.
SORT_WORDS = {"rilevanza": "relevance", "recenti": "newest", "vecchi": "oldest"}
SORT_LABELS = {"rilevanza": "Rilevanza", "recenti": "Più recenti", "vecchi": "Meno recenti"}
_DIGITS = re.compile(r"[0-9]{1,9}")
_GENERATION = re.compile(r"[A-Za-z0-9._-]{1,100}")


class ParamError(QueryError):
    """A request parameter with a value the application cannot use.

    `field` names the form field at fault (`dal`, `al`…), for the page to mark it;
    None when the error is in the query or not tied to one field.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SearchForm:
    """The state of a results page, exactly as it appears in its URL."""

    q: str = ""
    dal: str = ""
    al: str = ""
    autore: str = ""
    fonte: str = ""
    luogo: str = ""
    senza_data: str = ""  # "1": only the undated articles
    senza_espansioni: str = ""  # "1": the words as typed, no query expansion
    ordina: str = "rilevanza"
    pagina: int = 1
    generazione: str = ""  # a permalink's state of the index (`web.pinning`)

    def search_request(self, limit: int) -> SearchRequest:
        return SearchRequest(
            query=self.q,
            date_from=self.dal or None,
            date_to=self.al or None,
            author=self.autore or None,
            source=self.fonte or None,
            place=self.luogo or None,
            undated=self.senza_data == "1",
            sort=SORT_WORDS.get(self.ordina, "relevance"),
            page=self.pagina,
            limit=limit,
            expand=self.senza_espansioni != "1",
        )

    def url_args(self, **changes: str | int) -> dict[str, Any]:
        """Query-string arguments of this state with `changes`, defaults left out.

        Any change other than the page goes back to page 1: the old page number
        would point into a different list.
        """
        if "pagina" not in changes:
            changes["pagina"] = 1
        state = replace(self, **changes)  # type: ignore[arg-type]
        defaults = SearchForm()
        return {
            f.name: getattr(state, f.name)
            for f in fields(self)
            if getattr(state, f.name) != getattr(defaults, f.name)
        }

    @property
    def filtered(self) -> bool:
        return bool(
            self.dal or self.al or self.autore or self.fonte or self.luogo or self.senza_data
        )


def read_search_form(args: Mapping[str, str]) -> SearchForm:
    """The results page's parameters, checked; raises ParamError or DateError."""
    form = echo_search_form(args)
    if form.ordina not in SORT_WORDS:
        raise ParamError(
            f"ordinamento sconosciuto: «{form.ordina}». Valori validi: {', '.join(SORT_WORDS)}"
        )
    form = replace(form, pagina=_page(args.get("pagina"), "pagina"))
    if form.senza_data not in ("", "1"):
        raise ParamError("senza_data vuole 1 (solo gli articoli senza data) o niente")
    if form.senza_espansioni not in ("", "1"):
        raise ParamError("senza_espansioni vuole 1 (solo le parole scritte) o niente")
    if form.generazione and not _GENERATION.fullmatch(form.generazione):
        raise ParamError(
            "generazione non valida: è il nome che un collegamento permanente porta "
            "(gen-…); toglila per cercare nell'indice attuale"
        )
    _check_text(form.q, form.dal, form.al, form.autore, form.fonte, form.luogo)
    _check_dates(dal=form.dal, al=form.al)
    return form


def echo_search_form(args: Mapping[str, str]) -> SearchForm:
    """The parameters as typed, unchecked: to show the form again next to an error."""
    return SearchForm(
        q=args.get("q", ""),
        dal=args.get("dal", "").strip(),
        al=args.get("al", "").strip(),
        autore=args.get("autore", "").strip(),
        fonte=args.get("fonte", "").strip(),
        luogo=args.get("luogo", "").strip(),
        senza_data=args.get("senza_data", "").strip(),
        senza_espansioni=args.get("senza_espansioni", "").strip(),
        ordina=args.get("ordina", "").strip() or "rilevanza",
        pagina=1,
        generazione=args.get("generazione", "").strip(),
    )


def read_api_request(args: Mapping[str, str]) -> SearchRequest:
    """`/api/search` parameters (English names, as the CLI's options), checked."""
    sort = args.get("sort", "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise ParamError(f"ordinamento sconosciuto: «{sort}». Valori validi: {', '.join(SORTS)}")
    request = SearchRequest(
        query=args.get("q", ""),
        date_from=args.get("from", "").strip() or None,
        date_to=args.get("to", "").strip() or None,
        author=args.get("author", "").strip() or None,
        source=args.get("source", "").strip() or None,
        place=args.get("place", "").strip() or None,
        undated=_flag(args.get("undated"), "undated"),
        sort=sort,
        page=_page(args.get("page"), "page"),
        limit=_limit(args.get("limit")),
        expand=_flag(args.get("expand") or "true", "expand"),
    )
    _check_text(
        request.query,
        request.date_from or "",
        request.date_to or "",
        request.author or "",
        request.source or "",
        request.place or "",
    )
    _check_dates(**{"from": request.date_from or "", "to": request.date_to or ""})
    return request


def read_expand(args: Mapping[str, str]) -> bool:
    """Whether an article page explains its query with expansions (`senza_espansioni`)."""
    value = args.get("senza_espansioni", "").strip()
    if value not in ("", "1"):
        raise ParamError("senza_espansioni vuole 1 (solo le parole scritte) o niente")
    return value != "1"


def read_query(args: Mapping[str, str]) -> str:
    """The `q` an article page highlights."""
    query = args.get("q", "")
    _check_text(query)
    return query


def read_article_id(args: Mapping[str, str]) -> str:
    """The `id` of `/articolo?id=…` and `/api/articles?id=…`."""
    article_id = args.get("id", "")
    if not article_id:
        raise ParamError("manca l'id dell'articolo: /articolo?id=…")
    if len(article_id) > MAX_ID_CHARS:
        raise ParamError(f"id troppo lungo: al massimo {MAX_ID_CHARS} caratteri")
    return article_id


def _check_text(query: str, date_from: str = "", date_to: str = "", *names: str) -> None:
    if len(query) > MAX_QUERY_CHARS:
        raise ParamError(
            f"ricerca troppo lunga: {len(query)} caratteri, al massimo {MAX_QUERY_CHARS}"
        )
    values = (query, date_from, date_to, *names)
    if any("\x00" in value for value in values):
        raise ParamError("la ricerca contiene un carattere non valido (NUL)")
    if any(len(value) > MAX_FILTER_CHARS for value in (date_from, date_to, *names)):
        raise ParamError(f"filtro troppo lungo: al massimo {MAX_FILTER_CHARS} caratteri")


def _check_dates(**fields: str) -> None:
    """Each date filter parses; a DateError says what is wrong and gives examples.

    A "Dal" field takes the start of what it holds, an "Al" field its end; a range typed
    in one of the two is refused, never half applied.
    """
    for name, value in fields.items():
        if value:
            try:
                parse_date_bound(value, end=name in ("al", "to"))
            except DateError as error:
                raise ParamError(str(error), field=name) from None


def _flag(value: str | None, name: str) -> bool:
    text = (value or "").strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes", "si", "sì"):
        return True
    raise ParamError(f"{name} vuole true o false, non «{value}»")


def _page(value: str | None, name: str) -> int:
    if value is None or value.strip() == "":
        return 1
    text = value.strip()
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= MAX_PAGE:
        raise ParamError(
            f"numero di pagina non valido ({name}={text}): usa un numero da 1 a {MAX_PAGE}"
        )
    return int(text)


def _limit(value: str | None) -> int:
    if value is None or value.strip() == "":
        return 10
    text = value.strip()
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= MAX_LIMIT:
        raise ParamError(
            f"risultati per pagina non validi (limit={text}): usa un numero da 1 a {MAX_LIMIT}"
        )
    return int(text)
