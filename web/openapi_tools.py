"""The OpenAPI description of the research tools' routes (trends, concordance, receipts,
citations), merged into `web.openapi`'s document."""

from __future__ import annotations

from typing import Any

from search.concordance import DEFAULT_WIDTH, MAX_LIMIT, MAX_WIDTH, MIN_WIDTH
from search.trends import MAX_QUERIES
from web.tool_params import CONCORDANCE_SORTS, UNIT_WORDS, VIEWS

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_INT = {"type": "integer"}


def _param(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


_QUERIES = _param(
    "q",
    f"Una ricerca per linea del grafico, fino a {MAX_QUERIES} (ripetere q).",
    {"type": "array", "items": _TEXT, "maxItems": MAX_QUERIES},
    style="form",
    explode=True,
)
_Q = _param("q", "La ricerca (sintassi: /aiuto).", _TEXT)
API_FILTERS = [
    _param("from", "Dal giorno (date in italiano).", _TEXT),
    _param("to", "Fino al giorno incluso.", _TEXT),
    _param("author", "Solo articoli di questo autore.", _TEXT),
    _param("source", "Solo articoli di questa fonte.", _TEXT),
    _param("place", "Solo articoli con questo luogo.", _TEXT),
    _param("undated", "Solo gli articoli senza data.", {"type": "boolean"}),
]
PAGE_FILTERS = [
    _param("dal", "Dal giorno (date in italiano).", _TEXT),
    _param("al", "Fino al giorno incluso.", _TEXT),
    _param("autore", "Solo articoli di questo autore.", _TEXT),
    _param("fonte", "Solo articoli di questa fonte.", _TEXT),
    _param("luogo", "Solo articoli con questo luogo.", _TEXT),
    _param("senza_data", "1: solo gli articoli senza data.", {"type": "string", "enum": ["1"]}),
]
_WIDTH = {"type": "integer", "minimum": MIN_WIDTH, "maximum": MAX_WIDTH, "default": DEFAULT_WIDTH}
GENERATION = _param(
    "generazione",
    "Lo stato dell'indice di un collegamento permanente (gen-…): letto finché l'indice lo "
    "conserva, altrimenti l'indice attuale (la pagina lo dice).",
    _TEXT,
)

RECEIPT = {
    "type": "object",
    "description": "Ricevuta di un insieme di articoli: `archivio verify` la controlla.",
    "properties": {
        "query": _TEXT,
        "filters": {"type": "object"},
        "sort": _TEXT,
        "limit": {"type": ["integer", "null"]},
        "kind": {"type": "string", "enum": ["ricerca", "feed", "tendenze", "concordanza"]},
        "partial": {"type": "boolean"},
        "generation": _TEXT,
        "built_at": _NULLABLE_TEXT,
        "engine": _TEXT,
        "articles": _INT,
        "sha256": {"type": "string", "description": "SHA-256 degli id in ordine, uno per riga."},
        "sha256_set": {"type": "string", "description": "Lo stesso, con gli id ordinati."},
        "issued": {"type": "string", "format": "date"},
        "version": _INT,
    },
}
_REF = {"$ref": "#/components/schemas/Receipt"}
SCHEMAS: dict[str, Any] = {
    "Receipt": RECEIPT,
    "Trends": {
        "type": "object",
        "properties": {
            "by": {"type": "string", "enum": list(UNIT_WORDS.values())},
            "periods": {"type": "array", "items": _TEXT},
            "articles": {"type": "array", "items": _INT},
            "undated_articles": _INT,
            "total_articles": _INT,
            "generation": _TEXT,
            "engine": _TEXT,
            "series": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "query": _TEXT,
                        "total": _INT,
                        "undated": _INT,
                        "partial": _INT,
                        "points": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "period": _TEXT,
                                    "matches": _INT,
                                    "articles": _INT,
                                    "share": {"type": ["number", "null"]},
                                },
                            },
                        },
                        "receipt": _REF,
                    },
                },
            },
        },
    },
    "Concordance": {
        "type": "object",
        "properties": {
            "query": _TEXT,
            "sort": _TEXT,
            "width": _INT,
            "occurrences": _INT,
            "articles": _INT,
            "articles_with_occurrences": _INT,
            "page": _INT,
            "pages": _INT,
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": _TEXT,
                        "date": _NULLABLE_TEXT,
                        "source": _NULLABLE_TEXT,
                        "title": _TEXT,
                        "url": _NULLABLE_TEXT,
                        "field": {"type": "string", "enum": ["title", "body"]},
                        "left": _TEXT,
                        "match": _TEXT,
                        "right": _TEXT,
                    },
                },
            },
            "receipt": _REF,
        },
    },
}


def _json(description: str, schema: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _body(description: str, media_type: str) -> dict[str, Any]:
    return {"description": description, "content": {media_type: {"schema": _TEXT}}}


def _get(summary: str, parameters: list, responses: dict[str, Any]) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


_BAD = {"400": _json("Parametro non valido (messaggio in italiano).", "Error")}
_HTML_BAD = {"400": _body("Il modulo con il messaggio d'errore.", "text/html")}
_HTML = {"200": _body("Pagina HTML.", "text/html"), **_HTML_BAD}
_CSV = {"200": _body("CSV, UTF-8, poi le ricevute.", "text/csv"), **_HTML_BAD}
_TREND_PAGE = [
    _QUERIES,
    _param("per", "Periodo.", {"type": "string", "enum": list(UNIT_WORDS)}),
    *PAGE_FILTERS,
]
_CONCORDANCE_PAGE = [
    _Q,
    _param("ordina", "Ordine delle righe.", {"type": "string", "enum": list(CONCORDANCE_SORTS)}),
    _param("ampiezza", "Caratteri di contesto per lato.", _WIDTH),
    *PAGE_FILTERS,
]


def tool_paths() -> dict[str, Any]:
    return {
        "/tendenze": _get(
            "Tendenze di più ricerche nel tempo: grafico, tabella.",
            [*_TREND_PAGE, _param("vista", "Vista del grafico.", {"enum": list(VIEWS)})],
            _HTML,
        ),
        "/tendenze.csv": _get(
            "Le serie in CSV (period,query,matches,articles,share), poi le ricevute.",
            _TREND_PAGE,
            _CSV,
        ),
        "/concordanza": _get(
            "Ogni occorrenza nel contesto, a pagine.",
            [*_CONCORDANCE_PAGE, _param("pagina", "Pagina.", {"type": "integer", "minimum": 1})],
            _HTML,
        ),
        "/concordanza.csv": _get(
            "Tutte le occorrenze in CSV, una riga ciascuna, poi la ricevuta.",
            _CONCORDANCE_PAGE,
            _CSV,
        ),
        "/api/trends": _get(
            "Tendenze (come `archivio trends --json`).",
            [
                _QUERIES,
                _param("by", "Periodo.", {"type": "string", "enum": list(UNIT_WORDS.values())}),
                *API_FILTERS,
            ],
            {"200": _json("Le serie.", "Trends"), **_BAD},
        ),
        "/api/concordance": _get(
            "Una pagina della concordanza (come `archivio kwic --json`).",
            [
                _Q,
                _param("sort", "Ordine.", {"enum": list(CONCORDANCE_SORTS.values())}),
                _param("width", "Caratteri di contesto per lato.", _WIDTH),
                _param("page", "Pagina.", {"type": "integer", "minimum": 1}),
                _param("limit", "Righe.", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
                *API_FILTERS,
            ],
            {"200": _json("Le righe.", "Concordance"), **_BAD},
        ),
        "/api/receipt": _get(
            "La ricevuta di tutti i risultati di una ricerca (quelli delle esportazioni).",
            [
                _Q,
                *API_FILTERS,
                _param("sort", "Ordine.", _TEXT),
                _param("generation", "Stato dell'indice da leggere, finché c'è.", _TEXT),
            ],
            {"200": _json("La ricevuta.", "Receipt"), **_BAD},
        ),
    }


ARTICLE_FORMAT = _param(
    "format",
    "json (l'articolo), testo (citazione in stile italiano), bibtex, csl-json.",
    {"type": "string", "enum": ["json", "testo", "bibtex", "csl-json"], "default": "json"},
)
EXPORT_JSON = {
    "type": "object",
    "properties": {
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "receipt": {"oneOf": [_REF, {"type": "null"}]},
    },
}
