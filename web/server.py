"""`archivio serve`: gunicorn, run from Python, on the application factory.

Each worker builds its own app (the index is opened on its first request, never in the
master), so a reindex shows up in every worker without a restart. SIGTERM stops
gracefully: the workers finish the requests they are answering (gunicorn's default).

gunicorn answers some requests itself, with an English HTML page: a request line longer
than it reads, malformed requests, a worker killed at its timeout. `ArchivioWorker`
renders those through the application's `error_response` instead (JSON under /api/).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.http import errors as http_errors
from gunicorn.util import write_nonblock
from gunicorn.workers.sync import SyncWorker

from web import create_app
from web.security import MESSAGES, TIMEOUT, error_response
from web.state import close_archive

MAX_DEFAULT_WORKERS = 8
# gunicorn's largest bounded request line (0 would read any length into memory): lines up
# to here reach the application, which refuses those over `web.security.MAX_REQUEST_LINE`.
LIMIT_REQUEST_LINE = 8190
# Above the search deadline: gunicorn's kill is the last resort, never the usual way a
# request ends. Exports stream every match of a search: they need the time on a large archive.
WORKER_TIMEOUT = 120
PEEK_BYTES = 256


class PortUnavailableError(OSError):
    """The address `archivio serve` was asked to listen on cannot be used."""


def default_workers() -> int:
    """2 × cores + 1, gunicorn's advice, but at most 8: search is CPU- and memory-bound."""
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


class ArchivioServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with its configuration from arguments, not from a command line or file."""

    def __init__(self, index_dir: Path, options: dict[str, Any]) -> None:
        self.index_dir = index_dir
        self.options = options
        self.application: Flask | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        self.application = create_app({"INDEX_DIR": str(self.index_dir)})
        return self.application


def serve(
    index_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
) -> None:
    """Serve the archive in `index_dir` until SIGTERM or Ctrl-C.

    Raises PortUnavailableError (before gunicorn starts) when the address is taken.
    """
    check_address(host, port)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers or default_workers(),
        "worker_class": ArchivioWorker,
        "timeout": WORKER_TIMEOUT,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "graceful_timeout": 20,
        "keepalive": 5,
        "proc_name": "archivio",
        "accesslog": "-",
        "errorlog": "-",
        "control_socket_disable": True,  # gunicorn >= 24 would open a socket per server
        "when_ready": _announce,
        "worker_exit": _close_worker,
    }
    ArchivioServer(Path(index_dir), options).run()


def _announce(server: Any) -> None:
    for listener in server.LISTENERS:
        print(f"Archivio in ascolto su {listener}/ (Ctrl-C per fermare)", flush=True)


def _close_worker(server: Any, worker: Any) -> None:
    app = getattr(worker.app, "application", None)
    if app is not None:
        close_archive(app)
        sys.stdout.flush()


def check_address(host: str, port: int) -> None:
    """Bind `host:port` as gunicorn will (SO_REUSEADDR), and let it go: a clear error now
    instead of gunicorn's five English retries."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise PortUnavailableError(errno.EADDRNOTAVAIL, error.strerror) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise PortUnavailableError(error.errno, error.strerror) from None


class ArchivioWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker, whose own error answers are the application's error pages."""

    peeked = b""

    def handle(self, listener: Any, client: socket.socket, addr: Any) -> None:
        # When the request line is too long gunicorn never parses the path: keep its start
        # (MSG_PEEK leaves it for the parser) to answer JSON under /api/.
        self.peeked = b""
        if not self.cfg.is_ssl:
            with contextlib.suppress(OSError):
                self.peeked = client.recv(PEEK_BYTES, socket.MSG_PEEK)
        super().handle(listener, client, addr)

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        status, message, title = _error_status(exc)
        path = getattr(req, "path", None) or _peeked_path(self.peeked)
        if status >= 500:
            self.log.error("richiesta interrotta (%s) su %s: %r", status, path, exc)
        else:
            self.log.warning("richiesta rifiutata (%s) su %s: %s", status, path, exc)
        try:
            write_nonblock(client, self._render(status, message, title, path))
        except Exception:
            self.log.debug("impossibile inviare la risposta di errore")

    def _render(self, status: int, message: str, title: str | None, path: str) -> bytes:
        app: Flask = self.wsgi
        try:
            with app.test_request_context(path):
                response = app.process_response(error_response(status, message, title))
        except Exception:
            response = None
        if response is None:
            body = message.encode("utf-8")
            headers = [("Content-Type", "text/plain; charset=utf-8")]
        else:
            body = response.get_data()
            headers = [(k, v) for k, v in response.headers.items() if k != "Content-Length"]
        reason = _REASONS.get(status, "Error")
        head = [f"HTTP/1.1 {status} {reason}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in headers] + [f"Content-Length: {len(body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace") + body


_REASONS = {
    400: "Bad Request",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _error_status(exc: BaseException) -> tuple[int, str, str | None]:
    """Status, message and page title of an error gunicorn would have answered itself."""
    if isinstance(exc, SystemExit):  # gunicorn's SIGABRT at the worker timeout
        return 503, TIMEOUT, "Richiesta interrotta"
    if isinstance(exc, http_errors.LimitRequestLine):
        return 414, MESSAGES[414], None
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return 431, MESSAGES[431], None
    if isinstance(exc, http_errors.InvalidResponseHeader | http_errors.InvalidResponseHeaderName):
        return 500, MESSAGES[500], None  # the application's fault, not the client's
    if isinstance(exc, http_errors.ParseException):
        return 400, MESSAGES[400], None
    return 500, MESSAGES[500], None


def _peeked_path(peeked: bytes) -> str:
    """The path of a request line's first bytes (`GET /api/search?q=… HTTP/1.1`), or `/`."""
    parts = peeked.split(b" ", 2)
    if len(parts) < 2 or not parts[1].startswith(b"/"):
        return "/"
    path = parts[1].split(b"?", 1)[0][:PEEK_BYTES]
    return path.decode("latin-1")
