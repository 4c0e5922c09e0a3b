"""The Whoosh engine (the default): pure Python, an index in a folder, nothing to start.

Whoosh stores the postings, the vocabulary and the articles; Archivio reads the postings
as arrays and evaluates its own query tree on them (`evaluate.py`). Nothing outside this
package imports Whoosh.
"""

from __future__ import annotations

from pathlib import Path

from whoosh.index import IndexError as WhooshIndexError

from search.engines.directory import check_folder_index, live_state, state_at
from search.engines.whoosh.snapshot import WhooshSnapshot
from search.engines.whoosh.writer import WhooshWriter
from search.store import generation_token


class WhooshEngine:
    name = "whoosh"
    prepares_in_helpers = False  # a large rebuild writes in two processes instead

    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        self.location = str(self.index_dir)

    def token(self) -> str | None:
        return generation_token(self.index_dir)

    def snapshot(self) -> WhooshSnapshot:
        return WhooshSnapshot(live_state(self.index_dir, self.name))

    def snapshot_at(self, generation: str) -> WhooshSnapshot | None:
        """The committed state `generation` while it is kept (`state_at`), else None."""
        state = state_at(self.index_dir, generation, self.name)
        if state is None:
            return None
        try:
            return WhooshSnapshot(state)
        except (OSError, ValueError, WhooshIndexError):
            return None  # pruned by a reindex while it was being opened

    def writer(self, *, full: bool, procs: int | None, limit_mb: int) -> WhooshWriter:
        return WhooshWriter(self.index_dir, full=full, procs=procs, limit_mb=limit_mb)

    def check(self) -> list[str]:
        return check_folder_index(
            self.index_dir, self.snapshot, lambda snapshot: snapshot._reader.doc_count(), "Whoosh"
        )
