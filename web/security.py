"""Security headers on every response, and errors that never show a traceback.

Pages get an HTML error page in Italian, `/api/*` (and the JSON export) `{"error": "…"}`,
for every status: the application's own, Werkzeug's (404, 405, 413, 414…), and those
gunicorn would answer itself (request line too long, worker timeout), which
`web.server.ArchivioWorker` renders through `error_response` too.
"""

from __future__ import annotations

from flask import Flask, Response, abort, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from search.errors import (
    ArticleNotFoundError,
    BackendUnavailableError,
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
# The longest request line (method, address, protocol) the application answers; gunicorn
# reads up to 8190 bytes (`web.server`), so a longer address still gets this message.
MAX_REQUEST_LINE = 8000
TITLES = {
    400: "Richiesta non valida",
    404: "Pagina non trovata",
    405: "Metodo non consentito",
    413: "Richiesta troppo grande",
    414: "Indirizzo troppo lungo",
    431: "Intestazioni troppo grandi",
    500: "Errore del server",
    503: "Archivio non disponibile",
}
MESSAGES = {
    400: "La richiesta non è valida: controlla l'indirizzo.",
    404: "L'indirizzo non corrisponde a nessuna pagina dell'archivio.",
    405: "Questa pagina si può solo leggere.",
    413: "La richiesta è troppo grande: l'archivio accetta solo ricerche (GET).",
    414: (
        f"L'indirizzo è troppo lungo (al massimo {MAX_REQUEST_LINE:,} byte)".replace(",", ".")
        + ": accorcia la ricerca o i filtri."
    ),
    431: "Le intestazioni della richiesta sono troppo grandi.",
    500: "Qualcosa è andato storto da parte nostra. L'errore è stato registrato.",
    503: UNAVAILABLE,
}
TIMEOUT = (
    "La richiesta ha superato il tempo massimo ed è stata interrotta: "
    "semplifica la ricerca o riprova tra poco."
)


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith(
        ("/api/", "/export.json", "/healthz")
    )


def install_request_limits(app: Flask) -> None:
    @app.before_request
    def refuse_long_addresses() -> None:
        if request_line_bytes() > MAX_REQUEST_LINE:
            abort(414)


def request_line_bytes() -> int:
    """The length of the request line as the client sent it (gunicorn's RAW_URI)."""
    environ = request.environ
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if uri is None:  # the test client: rebuild the address from the decoded parts
        uri = request.full_path if environ.get("QUERY_STRING") else request.path
    method, protocol = environ.get("REQUEST_METHOD", "GET"), environ.get("SERVER_PROTOCOL", "")
    return len(f"{method} {uri} {protocol}".encode("utf-8", "surrogateescape"))


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

        return render_form_error(str(error), field=getattr(error, "field", None))

    @app.errorhandler(ArticleNotFoundError)
    def article_missing(error: ArticleNotFoundError) -> Response:
        return error_response(
            404,
            f"Nessun articolo dell'archivio ha l'id «{error.article_id}».",
            title="Articolo non trovato",
        )

    @app.errorhandler(IndexMissingError)
    @app.errorhandler(StaleIndexError)
    @app.errorhandler(BackendUnavailableError)
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
