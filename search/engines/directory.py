"""What every engine that keeps its index in a folder shares: generations and the lock.

A `DirectoryWriter` takes the writer lock, opens a new generation next to the live one
(sharing its files by hard link, `search.store`), lets the engine write its files into
`<generation>/engine/` and the core its state into `<generation>/`, and on `commit`
records the checksums of every file and makes the generation live in one rename. On
`cancel`, or a crash, the live generation is untouched and the new one is thrown away.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from search.errors import IndexCorruptError, IndexMissingError, StaleIndexError
from search.store import (
    ENGINE_DIR,
    META,
    SCHEMA_VERSION,
    Manifest,
    checksums,
    live_generation,
    new_generation,
    publish,
    read_manifest,
    read_version,
    verify_files,
    write_manifest,
    writer_lock,
)


def live_state(index_dir: Path, engine: str) -> Path:
    """The live generation, checked to be of this version and engine."""
    generation = live_generation(index_dir)
    if generation is None:
        raise IndexMissingError(str(index_dir))
    version, written_by = read_version(generation)
    if version != SCHEMA_VERSION:
        raise StaleIndexError(str(index_dir), version, SCHEMA_VERSION)
    if written_by != engine:
        raise StaleIndexError(
            str(index_dir), f"{version} ({written_by})", f"{SCHEMA_VERSION} ({engine})"
        )
    return generation


GENERATION_NAME = re.compile(r"gen-([0-9]{1,30})")


def state_at(index_dir: Path, generation: str, engine: str) -> Path | None:
    """A committed generation by name while it is on disk, for `Engine.snapshot_at`.

    That is the live one and the one before it (`search.store.prune` keeps both); None for
    any other name: gone, never committed (a run writing or crashed: newer than the live
    one), of another version or engine, or not a generation name at all.
    """
    wanted = GENERATION_NAME.fullmatch(generation)
    live = live_generation(index_dir)
    current = GENERATION_NAME.fullmatch(live.name) if live is not None else None
    if wanted is None or current is None or int(wanted[1]) > int(current[1]):
        return None
    state = index_dir / generation
    if not (state / META).is_file() or read_version(state) != (SCHEMA_VERSION, engine):
        return None
    return state


def check_files(index_dir: Path) -> list[str]:
    """Problems with the live generation's files against the checksums of its commit."""
    generation = live_generation(index_dir)
    if generation is None:
        return [f"nessun indice in {index_dir}"]
    try:
        manifest = read_manifest(generation)
    except (OSError, ValueError) as error:
        return [f"il manifesto {generation.name}/archivio.json è illeggibile: {error}"]
    if not manifest.checksums:
        return [
            f"{generation.name}: nessun checksum registrato (indice di una versione precedente)"
        ]
    return verify_files(generation, manifest.checksums)


def check_folder_index(
    index_dir: Path,
    open_snapshot: Callable[[], Any],
    engine_count: Callable[[Any], int],
    engine_name: str,
) -> list[str]:
    """`archivio check` for a folder engine: the files against their checksums, then the
    snapshot opens and the columns count as many articles as the engine holds."""
    problems = check_files(index_dir)
    if problems:
        return problems
    try:
        snapshot = open_snapshot()
    except Exception as error:
        return [f"l'indice non si apre: {error}"]
    try:
        live, stored = snapshot.doc_count(), engine_count(snapshot)
        if live != stored:
            return [f"le colonne contano {live} articoli, {engine_name} {stored}"]
    finally:
        snapshot.close()
    return []


class DirectoryWriter:
    """Lock + new generation + commit/cancel; subclasses write the engine's files."""

    engine = "?"

    def __init__(self, index_dir: Path, *, full: bool) -> None:
        self.index_dir = index_dir
        self._stack = ExitStack()
        self._stack.enter_context(writer_lock(index_dir))
        try:
            live = live_generation(index_dir)
            base: Path | None = None
            if live is not None and not full:
                base = live_state(index_dir, self.engine)
                problems = check_files(index_dir)
                if problems:
                    raise IndexCorruptError(str(index_dir), problems)
            self.previous_state = base
            self.previous_checksums = read_manifest(base).checksums if base else {}
            self.generation = new_generation(index_dir, base)
            self.state_dir = self.generation
            self.engine_dir = self.generation / ENGINE_DIR
            self.engine_dir.mkdir(exist_ok=True)
        except BaseException:
            self._stack.close()
            raise

    def _finish_engine(self) -> None:
        """Write the engine's files (subclasses)."""

    def _cancel_engine(self) -> None:
        """Drop what the engine started (subclasses)."""

    def commit(self, manifest: Manifest) -> None:
        try:
            self._finish_engine()
            manifest.version = SCHEMA_VERSION
            manifest.engine = self.engine
            manifest.checksums = checksums(self.generation, self.previous_checksums)
            write_manifest(self.generation, manifest)
            publish(self.index_dir, self.generation)
            # A folder that held a PostgreSQL index's address now holds this engine's index.
            (self.index_dir / "postgresql.url").unlink(missing_ok=True)
        except BaseException:
            self._drop()
            raise
        finally:
            self._stack.close()

    def cancel(self) -> None:
        try:
            self._cancel_engine()
        finally:
            self._drop()
            self._stack.close()

    def _drop(self) -> None:
        shutil.rmtree(self.generation, ignore_errors=True)
