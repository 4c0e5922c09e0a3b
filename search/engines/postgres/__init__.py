"""The PostgreSQL engine: an index in one schema of a PostgreSQL database.

Archivio analyses the text itself and stores its tokens as `tsvector`s with positions and
weights (title A, body B; `tsvector.py`), so this engine and the others index the same
terms. Queries are Archivio's own tree, evaluated a leaf at a time (a GIN-indexed
`@@` per term) and combined with numpy (`evaluate.py`): the same matches and the same
BM25 as the Whoosh engine. The core's state (columns, near-duplicates, manifest) is kept
in the database with the articles and committed in the same transaction.

Its articles can be partitioned by year over shard servers (`shards.py`, `shard=` in the
address). Its location is a `postgresql://` address with `schema=`, or an index folder: a folder
that names its database in `postgresql.url`, or a new one given a schema of its own on
the server of `search.engines.BACKEND` (`--backend`, ARCHIVIO_BACKEND). Nothing outside
this package imports psycopg.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

from search import engines
from search.engines.postgres.connection import (
    AddressError,
    folder_schema,
    pool,
    public_address,
    split_address,
    unavailable,
    with_schema,
    without_shards,
)
from search.engines.postgres.schema import SCHEMA, generation_number, schema_version
from search.engines.postgres.shards import shards_in
from search.engines.postgres.snapshot import PostgresSnapshot
from search.engines.postgres.state import damaged_files
from search.engines.postgres.writer import PostgresWriter
from search.errors import ArchivioError
from search.store import Manifest

__all__ = ["PostgresEngine"]


class PostgresEngine:
    name = "postgresql"
    prepares_in_helpers = True

    def __init__(self, location: Path | str) -> None:
        self.folder: Path | None = None
        if isinstance(location, str) and engines.is_database(location):
            address = location
        elif engines.backend_names_schema():  # the address is the index, not the folder
            address = str(engines.BACKEND)
        else:
            self.folder = Path(location)
            address = self._folder_address(self.folder)
        self.address = address
        self.conninfo, schema = split_address(address)
        self.schema = schema or "archivio"
        self.shards = shards_in(address) or None  # None: keep the layout the index has
        self.location = (
            str(self.folder) if self.folder is not None else public_address(without_shards(address))
        )

    @staticmethod
    def _folder_address(folder: Path) -> str:
        pointer = folder / engines.POINTER
        if pointer.is_file():
            return pointer.read_text("utf-8").strip()
        server = engines.BACKEND
        if not server or not engines.is_database(server):
            raise AddressError(
                f"l'indice in {folder} non ha un database PostgreSQL: indica il server con "
                "--backend postgresql://… (variabile ARCHIVIO_BACKEND)"
            )
        _, schema = split_address(server)
        return server if schema else with_schema(server, folder_schema(folder))

    def token(self) -> str | None:
        try:
            with pool(self.conninfo).connection() as conn:
                if schema_version(conn, self.schema) != SCHEMA:
                    return "stale" if schema_version(conn, self.schema) else None
                row = conn.execute(
                    f'SELECT value FROM "{self.schema}".meta WHERE key = %s', ("generation",)
                ).fetchone()
        except psycopg.OperationalError as error:  # no answer: not the same as no index
            raise unavailable(self.conninfo, error) from None
        except psycopg.Error:
            return None
        return str(row[0]) if row else None

    def snapshot(self) -> PostgresSnapshot:
        return PostgresSnapshot(self.conninfo, self.schema, self.location)

    def snapshot_at(self, generation: str) -> PostgresSnapshot | None:
        """The live generation or the one before it (the writer keeps its rows), else None."""
        wanted = generation_number(generation)
        if wanted is None or generation != f"gen-{wanted}":
            return None
        try:
            with pool(self.conninfo).connection() as conn:
                live = self._live_number(conn)
                if live is None or wanted > live:
                    return None
                kept = conn.execute(
                    f'SELECT 1 FROM "{self.schema}".state_files WHERE generation = %s LIMIT 1',
                    (wanted,),
                ).fetchone()
            if kept is None:
                return None
            return PostgresSnapshot(self.conninfo, self.schema, self.location, at=wanted)
        except (psycopg.Error, OSError, ArchivioError):
            return None  # pruned by a reindex while it was being opened

    def _live_number(self, conn: psycopg.Connection) -> int | None:
        if schema_version(conn, self.schema) != SCHEMA:
            return None
        row = conn.execute(
            f'SELECT value FROM "{self.schema}".meta WHERE key = %s', ("generation",)
        ).fetchone()
        return generation_number(str(row[0])) if row else None

    def writer(self, *, full: bool, procs: int | None, limit_mb: int) -> _Writer:
        return _Writer(self, full=full)

    def check(self) -> list[str]:
        try:
            with pool(self.conninfo).connection() as conn:
                live = self._live_number(conn)
                if live is not None:
                    problems = damaged_files(conn, self.schema, live)
                    if problems:
                        return problems
        except psycopg.OperationalError as error:  # not damage: `archivio check` says so
            raise unavailable(self.conninfo, error) from None
        except psycopg.Error as error:
            return [f"il database non risponde: {error}"]
        try:
            snapshot = self.snapshot()
        except Exception as error:
            return [f"l'indice non si apre: {error}"]
        try:
            live, stored = snapshot.doc_count(), snapshot.article_count()
            if live != stored:
                return [f"le colonne contano {live} articoli, PostgreSQL {stored}"]
        finally:
            snapshot.close()
        return []


class _Writer(PostgresWriter):
    """The writer of an index folder also records, at commit, where its database is."""

    def __init__(self, engine: PostgresEngine, *, full: bool) -> None:
        self._engine = engine
        if engine.folder is not None:
            engine.folder.mkdir(parents=True, exist_ok=True)
        super().__init__(
            engine.conninfo,
            engine.schema,
            engine.location,
            full=full,
            staging=engine.folder,
            shards=engine.shards,
        )

    def commit(self, manifest: Manifest) -> None:
        super().commit(manifest)
        folder = self._engine.folder
        if folder is not None and not engines.backend_names_schema():
            folder.mkdir(parents=True, exist_ok=True)
            pointer = folder / engines.POINTER
            if not pointer.is_file():
                temporary = pointer.with_name(f".{pointer.name}.{os.getpid()}.tmp")
                fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(self._engine.address + "\n")
                os.replace(temporary, pointer)
