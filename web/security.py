"""Security headers on every response, and errors that never show a traceback.

Pages get an HTML error page in Italian, `/api/*` (and the JSON export) `{"error": "…"}`.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from search.errors import (
    ArticleNotFoundError,
    IndexMissingError,
    QueryError,
    StaleIndexError,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
UNAVAILABLE = "L'archivio non è disponibile in questo momento: riprova tra qualche minuto."
TITLES = {
    400: "Richiesta non valida",
    404: "Pagina non trovata",
    405: "Metodo non consentito",
    500: "Errore del server",
    503: "Archivio non disponibile",
}
MESSAGES = {
    404: "L'indirizzo non corrisponde a nessuna pagina dell'archivio.",
    405: "Questa pagina si può solo leggere.",
    500: "Qualcosa è andato storto da parte nostra. L'errore è stato registrato.",
}


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith(("/api/", "/export.json"))


def error_response(status: int, message: str, title: str | None = None) -> Response:
    """The error as JSON for machines, as an Italian page for people."""
    if wants_json():
        response = jsonify(error=message)
        response.status_code = status
        return response
    try:
        page = render_template(
            "error.html",
            status=status,
            title=title or TITLES.get(status, "Errore"),
            message=message,
        )
    except Exception:  # the error page itself must not fail with a traceback
        return Response(message, status, mimetype="text/plain")
    return Response(page, status, mimetype="text/html")


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(QueryError)
    def bad_query(error: QueryError) -> Response:
        if wants_json():
            return error_response(400, str(error))
        from web.results import render_form_error

        return render_form_error(str(error))

    @app.errorhandler(ArticleNotFoundError)
    def article_missing(error: ArticleNotFoundError) -> Response:
        return error_response(
            404,
            f"Nessun articolo dell'archivio ha l'id «{error.article_id}».",
            title="Articolo non trovato",
        )

    @app.errorhandler(IndexMissingError)
    @app.errorhandler(StaleIndexError)
    def unavailable(error: Exception) -> Response:
        app.logger.error("indice non disponibile: %s", error)
        return error_response(503, UNAVAILABLE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        response = error_response(status, MESSAGES.get(status) or TITLES.get(status, "Errore"))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Response:
        app.logger.exception("errore non gestito su %s", request.path)
        return error_response(500, MESSAGES[500])
