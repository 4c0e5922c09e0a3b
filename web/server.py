"""`archivio serve`: gunicorn, run from Python, on the application factory.

Each worker builds its own app (the index is opened on its first request, never in the
master), so a reindex shows up in every worker without a restart. SIGTERM stops
gracefully: the workers finish the requests they are answering (gunicorn's default).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from web import create_app
from web.state import close_archive

MAX_DEFAULT_WORKERS = 8


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
    """Serve the archive in `index_dir` until SIGTERM or Ctrl-C."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers or default_workers(),
        "worker_class": "sync",
        # Exports stream every match of a search: give them time on a large archive.
        "timeout": 120,
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
