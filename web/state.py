"""The one `Archive` of a worker process, opened on first use and kept on the app.

The Archive renews its own searcher when a reindex puts a new generation live, so a
worker never needs restarting. Statistics cost a pass over every document: they are
kept per generation and recomputed only when the generation changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from search.archive import Archive, IndexStats
from search.budget import QueryBudget

_ARCHIVE = "archivio.archive"
_STATS = "archivio.stats"
_LOCK = "archivio.lock"


def init_app(app: Flask) -> None:
    app.extensions[_LOCK] = threading.Lock()


def get_archive(app: Flask | None = None) -> Archive:
    """This process's Archive; raises IndexMissingError / StaleIndexError (never cached)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    archive = app.extensions.get(_ARCHIVE)
    if archive is not None:
        return archive
    with app.extensions[_LOCK]:
        archive = app.extensions.get(_ARCHIVE)
        if archive is None:
            deadline = float(app.config.get("SEARCH_DEADLINE", QueryBudget.deadline_seconds))
            archive = Archive(
                Path(app.config["INDEX_DIR"]), budget=QueryBudget(deadline_seconds=deadline)
            )
            app.extensions[_ARCHIVE] = archive
    return archive


def index_stats() -> IndexStats:
    """Counts, date span and generation of the live index, cached per generation."""
    archive = get_archive()
    token = archive.token()
    cached = current_app.extensions.get(_STATS)
    if cached is not None and cached[0] == token and token is not None:
        return cached[1]
    stats = archive.stats()
    current_app.extensions[_STATS] = (token, stats)
    return stats


def close_archive(app: Flask) -> None:
    """Close the process's searcher (a worker shutting down)."""
    archive = app.extensions.pop(_ARCHIVE, None)
    if archive is not None:
        archive.close()
