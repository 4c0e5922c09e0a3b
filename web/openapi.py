"""The OpenAPI 3.1 description of every route, written by hand (it is short and stable)."""

from __future__ import annotations

from typing import Any

from search.results import MAX_LIMIT, MAX_QUERY_CHARS, SORTS
from web.openapi_tools import ARTICLE_FORMAT, EXPORT_JSON, GENERATION, tool_paths
from web.openapi_tools import SCHEMAS as TOOL_SCHEMAS
from web.params import MAX_PAGE, SORT_WORDS

_DATE_HELP = "Data in italiano: 2025-04-12, 12/04/2025, aprile 2025, 2024..2025, ultimi 30 giorni."


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query") -> dict:
    param: dict[str, Any] = {"name": name, "in": where, "description": description}
    param["schema"] = schema
    if where == "path":
        param["required"] = True
    return param


_TEXT = {"type": "string"}
_Q = _param("q", "La ricerca (sintassi: /aiuto).", {"type": "string", "maxLength": MAX_QUERY_CHARS})
_ID = _param("id", "Id dell'articolo (anche un URL, con le sue barre).", _TEXT, "path")
_ID_QUERY = _param(
    "id",
    "Id dell'articolo, per gli id che un percorso non può portare (`..`, `/assoluto`).",
    _TEXT,
)

API_SEARCH_PARAMS = [
    _Q,
    _param("from", f"Dal giorno. {_DATE_HELP}", _TEXT),
    _param("to", f"Fino al giorno incluso. {_DATE_HELP}", _TEXT),
    _param("author", "Solo articoli di questo autore.", _TEXT),
    _param("source", "Solo articoli di questa fonte.", _TEXT),
    _param("sort", "Ordine.", {"type": "string", "enum": list(SORTS), "default": "relevance"}),
    _param("page", "Pagina.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    _param(
        "limit",
        "Risultati per pagina.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10},
    ),
    _param(
        "expand",
        "Espansione della ricerca (sinonimi, luoghi compresi, parole degli articoli più "
        "pertinenti): false per cercare solo le parole scritte.",
        {"type": "boolean", "default": True},
    ),
]
PAGE_SEARCH_PARAMS = [
    _Q,
    _param("dal", f"Dal giorno. {_DATE_HELP}", _TEXT),
    _param("al", f"Fino al giorno incluso. {_DATE_HELP}", _TEXT),
    _param("autore", "Solo articoli di questo autore.", _TEXT),
    _param("fonte", "Solo articoli di questa fonte.", _TEXT),
    _param(
        "senza_espansioni",
        "1: solo le parole scritte, senza sinonimi né luoghi compresi.",
        {"type": "string", "enum": ["", "1"]},
    ),
    _param("ordina", "Ordine.", {"type": "string", "enum": list(SORT_WORDS)}),
]
_PAGINA = _param("pagina", "Pagina.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE})

_HIT = {
    "type": "object",
    "properties": {
        "id": _TEXT,
        "title": _TEXT,
        "date": {"type": ["string", "null"], "format": "date"},
        "author": {"type": ["string", "null"]},
        "source": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"]},
        "score": {"type": "number"},
        "snippet": {"type": "string", "description": "HTML con <mark> intorno alle parole."},
        "similar": {"type": "integer"},
    },
}
_FACET_VALUES = {
    "type": "array",
    "items": {"type": "object", "properties": {"value": _TEXT, "count": {"type": "integer"}}},
}
SCHEMAS = {
    "Hit": _HIT,
    "ResultPage": {
        "type": "object",
        "properties": {
            "query": _TEXT,
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "elapsed_ms": {"type": "number"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {"type": "object", "additionalProperties": _FACET_VALUES},
            "suggestion": {"type": ["string", "null"]},
            "notices": {"type": "array", "items": _TEXT},
            "also_searched": {
                "type": "object",
                "description": "Parole cercate anche, per tecnica di espansione.",
                "additionalProperties": {"type": "array", "items": _TEXT},
            },
        },
    },
    "Article": {
        "type": "object",
        "properties": {
            "id": _TEXT,
            "title": _TEXT,
            "body": _TEXT,
            "url": {"type": ["string", "null"]},
            "author": {"type": ["string", "null"]},
            "source": {"type": ["string", "null"]},
            "date": {"type": ["string", "null"], "format": "date"},
            "section": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": _TEXT},
            "path": {"type": ["string", "null"]},
            "similar": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        },
    },
    "Error": {"type": "object", "properties": {"error": _TEXT}, "required": ["error"]},
    "Health": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["ok", "error"]},
            "articles": {"type": "integer"},
            "generation": _TEXT,
            "error": _TEXT,
        },
    },
}


def _json(description: str, schema: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _body(description: str, media_type: str) -> dict[str, Any]:
    return {"description": description, "content": {media_type: {"schema": _TEXT}}}


_BAD = {"400": _json("Parametro non valido (messaggio in italiano).", "Error")}
_HTML_BAD = {"400": _body("Il modulo di ricerca con il messaggio d'errore.", "text/html")}


def _get(summary: str, parameters: list, responses: dict[str, Any]) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def openapi_document(server_url: str) -> dict[str, Any]:
    """The description, with the server it is served from."""
    html = {"200": _body("Pagina HTML.", "text/html")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Archivio",
            "version": "1.0",
            "description": "Ricerca a testo pieno nell'archivio delle notizie.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/search": _get(
                "Una pagina di risultati (come `archivio search --json`).",
                API_SEARCH_PARAMS,
                {"200": _json("Risultati.", "ResultPage"), **_BAD},
            ),
            "/api/articles/{id}": _get(
                "Un articolo e le sue copie in altre fonti, o come citarlo.",
                [_ID, ARTICLE_FORMAT],
                {"200": _json("L'articolo.", "Article"), "404": _json("Non trovato.", "Error")},
            ),
            "/api/articles": _get(
                "Come /api/articles/{id}, con l'id nei parametri.",
                [{**_ID_QUERY, "required": True}, ARTICLE_FORMAT],
                {"200": _json("L'articolo.", "Article"), "404": _json("Non trovato.", "Error")},
            ),
            "/api/openapi.json": _get(
                "Questa descrizione.", [], {"200": {"description": "OpenAPI 3.1."}}
            ),
            "/healthz": _get(
                "Stato dell'indice.",
                [],
                {"200": _json("Pronto.", "Health"), "503": _json("Indice assente.", "Health")},
            ),
            "/export.csv": _get(
                "Tutti i risultati in CSV (id,title,date,author,source,url,score,group), "
                "poi la ricevuta.",
                [*PAGE_SEARCH_PARAMS, GENERATION],
                {"200": _body("CSV, UTF-8.", "text/csv"), **_HTML_BAD},
            ),
            "/export.json": _get(
                "Tutti i risultati in JSON, e la ricevuta.",
                [*PAGE_SEARCH_PARAMS, GENERATION],
                {
                    "200": {
                        "description": "Risultati.",
                        "content": {"application/json": {"schema": EXPORT_JSON}},
                    },
                    **_BAD,
                },
            ),
            "/feed.atom": _get(
                "I 50 risultati più recenti, come feed Atom (con la ricevuta).",
                [*PAGE_SEARCH_PARAMS[:-1], GENERATION],
                {"200": _body("Feed Atom.", "application/atom+xml"), **_HTML_BAD},
            ),
            "/opensearch.xml": _get(
                "Descrizione OpenSearch.",
                [],
                {"200": _body("OpenSearch.", "application/opensearchdescription+xml")},
            ),
            "/": _get("Pagina iniziale.", [], html),
            "/cerca": _get(
                "Pagina dei risultati.",
                [*PAGE_SEARCH_PARAMS, _PAGINA, GENERATION],
                {**html, **_HTML_BAD},
            ),
            "/articolo/{id}": _get(
                "Un articolo con le parole cercate evidenziate.",
                [_ID, _Q],
                {**html, "404": _body("Articolo non trovato.", "text/html")},
            ),
            "/articolo": _get(
                "Come /articolo/{id}, con l'id nei parametri.",
                [{**_ID_QUERY, "required": True}, _Q],
                {**html, "404": _body("Articolo non trovato.", "text/html")},
            ),
            "/aiuto": _get("La sintassi di ricerca.", [], html),
            **tool_paths(),
        },
        "components": {"schemas": {**SCHEMAS, **TOOL_SCHEMAS}},
    }
