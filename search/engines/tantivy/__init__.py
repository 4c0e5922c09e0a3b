"""The Tantivy engine: a compiled index in a folder (`pip install 'archivio[tantivy]'`).

Tantivy stores the postings, the vocabulary and the articles; Archivio hands it its own
analysed tokens and translates its query tree into one Tantivy query (`translate.py`).
Generations, the writer lock and crash safety are the folder engines' own
(`search.engines.directory`). Nothing outside this package imports Tantivy.
"""

from __future__ import annotations

from pathlib import Path

from search.engines.directory import check_files, check_folder_index, live_state, state_at
from search.engines.tantivy.snapshot import TantivySnapshot
from search.engines.tantivy.writer import TantivyWriter
from search.errors import IndexCorruptError
from search.store import generation_token


class TantivyEngine:
    name = "tantivy"
    prepares_in_helpers = True  # its writer is a few % of a build (bench.stages)

    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        self.location = str(self.index_dir)

    def token(self) -> str | None:
        return generation_token(self.index_dir)

    def snapshot(self) -> TantivySnapshot:
        state = live_state(self.index_dir, self.name)
        try:
            return TantivySnapshot(state)
        except ValueError:
            # Tantivy refuses damaged files at open: say which ones, as `check` does.
            problems = check_files(self.index_dir)
            if problems:
                raise IndexCorruptError(str(self.index_dir), problems) from None
            raise

    def snapshot_at(self, generation: str) -> TantivySnapshot | None:
        """The committed state `generation` while it is kept (`state_at`), else None."""
        state = state_at(self.index_dir, generation, self.name)
        if state is None:
            return None
        try:
            return TantivySnapshot(state)
        except (OSError, ValueError):
            return None  # pruned by a reindex while it was being opened

    def writer(self, *, full: bool, procs: int | None, limit_mb: int) -> TantivyWriter:
        return TantivyWriter(self.index_dir, full=full, procs=procs, limit_mb=limit_mb)

    def check(self) -> list[str]:
        return check_folder_index(
            self.index_dir, self.snapshot, lambda snapshot: snapshot.engine_doc_count(), "Tantivy"
        )
