"""Writing a PostgreSQL index: one transaction per run, one writer at a time.

The writer takes a session advisory lock on the index's schema (a second writer fails at
once, clearly; the lock goes with the connection if the process dies), then does all of
its work in one transaction: deletions, the new articles (COPY, a batch at a time), the
vocabulary counts, the core's state files, the new generation. Until `commit` readers
see the previous state whole; a killed run leaves it live and untouched.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from search.engines.base import IndexDocument
from search.engines.postgres.connection import connect, write_conninfo
from search.engines.postgres.postings import BATCH_ARTICLES, PostingsBatch
from search.engines.postgres.schema import (
    SCHEMA,
    TOKEN_COLUMNS,
    create_article_table,
    create_tables,
    drop_tables,
    foreign_schema,
    generation_number,
    schema_version,
)
from search.engines.postgres.shardkeys import ShardKeys
from search.engines.postgres.shards import (
    LOCAL_TABLE,
    SHARD_SCHEMA,
    Shard,
    ShardError,
    describe,
    drop_old_tables,
    drop_servers,
    index_id,
    layout_key,
    new_index_id,
    place,
    recorded_key,
    recorded_layout,
    refresh_users,
    shard_unavailable,
)
from search.engines.postgres.state import (
    LocalFolder,
    copy_state,
    materialise,
    upload,
)
from search.engines.postgres.tsvector import positions, tsvector_literal
from search.engines.stored import stored_document
from search.errors import ArchivioError, IndexCorruptError, IndexLockedError, StaleIndexError
from search.store import SCHEMA_VERSION, Manifest, read_version, write_manifest

BATCH = 500
WEIGHTS = {"title": "A", "body": "B"}
KEYS = ("id", "url_key", "text_key")
LOCK_NAMESPACE = "archivio-writer:"
STAGING_PREFIX = "archivio-pg-"  # the writer's folders of state files, in the index folder


def writer_name() -> str:
    """What the writer's connection is called (pg_stat_activity): who holds the lock."""
    return f"archivio reindex, processo {os.getpid()} su {socket.gethostname()}"


class PostgresWriter:
    engine = "postgresql"

    def __init__(
        self,
        conninfo: str,
        schema: str,
        location: str,
        *,
        full: bool,
        staging: Path | None = None,
        shards: list[Shard] | None = None,
    ) -> None:
        self.schema = schema
        self._shards = shards  # None: the address names none, the index keeps its layout
        self._layout: list[dict[str, object]] = []
        self._placed: list[Shard] | None = None  # the shards placed by this run
        self._staged = False  # the temporary table for rows bound to shards is made
        self._shard_keys: ShardKeys | None = None  # the shards' article keys (sharded only)
        self._staging = staging  # where the state is prepared (the index folder, if any)
        self.location = location
        self._pending: list[tuple[object, ...]] = []
        self._df: dict[str, Counter[str]] = {name: Counter() for name in TOKEN_COLUMNS}
        self._postings = PostingsBatch()
        self._folders: list[LocalFolder] = []
        self._conn = connect(
            write_conninfo(conninfo), autocommit=True, application_name=writer_name()
        )
        self._locked = False
        try:
            self._lock()
            with self._remote():
                self._prepare(full)
        except BaseException:
            self.cancel()
            raise

    def _lock(self) -> None:
        key = LOCK_NAMESPACE + self.schema
        got = self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()
        if not got or not got[0]:
            holder = self._conn.execute(
                "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_stat_activity a "
                "JOIN pg_locks l ON l.pid = a.pid WHERE l.locktype = 'advisory' "
                "AND l.objid = hashtext(%s)::oid AND l.granted LIMIT 1",
                (key,),
            ).fetchone()
            who = f"{holder[0] or '?'}, dalle {holder[2]:%H:%M:%S}" if holder else "?"
            raise IndexLockedError(
                f"un altro `archivio reindex` sta scrivendo l'indice {self.location} ({who}): "
                "attendi che finisca e riprova"
            )
        self._locked = True

    def _prepare(self, full: bool) -> None:
        conn, schema = self._conn, self.schema
        if self._staging is not None:  # what killed runs left behind (we hold the lock)
            for leftover in self._staging.glob(f"{STAGING_PREFIX}*"):
                shutil.rmtree(leftover, ignore_errors=True)
        version = schema_version(conn, schema)
        if version == SHARD_SCHEMA:
            raise ShardError(
                f"lo schema {schema} di questo server tiene le partizioni di un indice che sta "
                "su un altro server: Archivio non lo tocca. Scegli un altro ?schema="
            )
        if version is not None and version != SCHEMA and not full:
            raise StaleIndexError(self.location, version, SCHEMA)
        conn.autocommit = False
        # The tables grow inside this one transaction, unknown to the planner's statistics:
        # without this, key lookups become scans of everything added so far (quadratic).
        conn.execute("SET LOCAL enable_seqscan = off")
        if version is None and foreign_schema(conn, schema):
            raise ArchivioError(
                f"lo schema {schema} del database esiste già e non è un indice di Archivio: "
                "Archivio non lo tocca. Scegli un altro nome con ?schema= nell'indirizzo"
            )
        self._generation = time.time_ns()  # raised below above the live one, if any
        if version != SCHEMA:
            self._place(self._shards or [])
        else:
            self._layout = recorded_layout(conn, schema)
            if self._shards is not None and layout_key(self._shards) != recorded_key(self._layout):
                if not full:
                    raise ShardError(
                        f"l'indirizzo chiede gli shard {describe(self._shards)}, l'indice ha "
                        f"{describe(self._layout)}: per spostare le partizioni serve una "
                        "ricostruzione completa (archivio reindex --full)"
                    )
                self._place(self._shards)
            elif self._shards is not None:
                refresh_users(conn, self._shards, self._layout)
        live = conn.execute(
            f'SELECT value FROM "{schema}".meta WHERE key = %s', ("generation",)
        ).fetchone()
        self._live = generation_number(str(live[0])) if live else None
        self._generation = max(self._generation, (self._live or 0) + 1)
        if self._live is not None and self._layout:
            self._forget_unfinished(self._live)
        self.previous_state: Path | None = None
        self.state_dir = self._folder(f"{STAGING_PREFIX}next-")
        if self._live is not None and not full:
            previous = self._folder(f"{STAGING_PREFIX}live-")
            problems = materialise(conn, schema, self._live, previous, verify=True)
            if problems:
                raise IndexCorruptError(self.location, problems)
            found, _ = read_version(previous)
            if found != SCHEMA_VERSION:
                raise StaleIndexError(self.location, found, SCHEMA_VERSION)
            copy_state(previous, self.state_dir)
            self.previous_state = previous
        elif self._live is not None:  # a full rebuild: the new state replaces all of the old
            conn.execute(f'DELETE FROM "{schema}".articles')
            conn.execute(f'DELETE FROM "{schema}".terms')
            conn.execute(f'DELETE FROM "{schema}".postings')
            self._live = None
        if self._layout:
            self._shard_keys = ShardKeys(self._layout)
            if self._live is not None:
                self._shard_keys.load(conn, schema)

    def _place(self, shards: list[Shard]) -> None:
        """New tables for the index, its articles partitioned as `shards` say."""
        conn, schema = self._conn, self.schema
        # Readers hold the old tables while they search: wait for them a while, not forever.
        conn.execute("SET LOCAL lock_timeout = '30s'")
        self._owner = index_id(conn, schema) or new_index_id(conn, schema)  # its shards know it
        try:
            drop_servers(conn, schema)
            drop_tables(conn, schema)
        except psycopg.errors.LockNotAvailable:
            raise ShardError(
                f"l'indice {self.location} è in uso (archivio serve?): per rifarne le tabelle "
                "(partizioni nuove o un nuovo formato) fermalo e riprova"
            ) from None
        conn.execute("SET LOCAL lock_timeout = 0")
        create_tables(conn, schema)
        self._layout = place(
            conn, schema, shards, self._generation, create_article_table, self._owner
        )
        self._placed = shards

    def _forget_unfinished(self, live: int) -> None:
        """Undo what a run that never committed left on shards that had committed their
        part (no two-phase commit): its new rows, and its deletions. Committed at once
        (this run may find nothing to index and cancel); the lock keeps `live` live."""
        articles = f'"{self.schema}".articles'
        self._conn.execute(f"DELETE FROM {articles} WHERE born > %s", (live,))
        self._conn.execute(f"UPDATE {articles} SET died = NULL WHERE died > %s", (live,))
        self._conn.commit()
        self._conn.execute("SET LOCAL enable_seqscan = off")  # the new transaction's

    @contextmanager
    def _remote(self) -> Iterator[None]:
        """A shard that does not answer, said like any server that does not answer."""
        try:
            yield
        except psycopg.OperationalError as error:
            found = shard_unavailable(error, self.location, self._layout)
            if found is None:
                raise
            raise found from None

    def _folder(self, prefix: str) -> Path:
        folder = LocalFolder(prefix, self._staging)
        self._folders.append(folder)
        return folder.path

    def original_of(self, key: str, value: str) -> tuple[str, str] | None:
        if key not in KEYS or self._live is None:
            return None  # nothing before this run (a new index or a full rebuild), as on Whoosh
        table = "articles"
        if self._shard_keys is not None:  # the shards' keys are here; ask the local partition
            on_shard = self._shard_keys.get(key, value)
            if on_shard is not None:
                return on_shard
            table = LOCAL_TABLE
        with self._remote():
            found = self._conn.execute(
                f'SELECT id, path FROM "{self.schema}".{table} WHERE {key} = %s '
                "AND died IS NULL LIMIT 1",
                (value,),
            ).fetchone()
        return (str(found[0]), str(found[1])) if found else None

    def add(self, document: IndexDocument) -> None:
        article = document.article
        year = article.date.year if article.date else None
        if self._shard_keys is not None and self._shard_keys.holds(year):
            path = article.path or ""
            self._shard_keys.remember(article.id, path, document.url_key, document.text_key)
        tokens = {"title": document.title, "body": document.body, "exact": document.exact}
        for name in TOKEN_COLUMNS[3:]:
            tokens[name] = document.names.get(name, [])
        kept = {name: positions(words) for name, words in tokens.items()}
        for name, words in tokens.items():
            self._df[name].update(set(words))
        self._postings.add(document.row, kept)
        self._pending.append(
            (
                document.row,
                article.id,
                article.path or "",
                document.url_key,
                document.text_key,
                document.group,
                Jsonb(stored_document(document)),
                self._generation,
                year,
                *(tsvector_literal(kept[name], WEIGHTS.get(name, "")) for name in TOKEN_COLUMNS),
            )
        )
        if len(self._pending) >= BATCH:
            self._flush()
        if self._postings.articles >= BATCH_ARTICLES:
            self._postings.write(self._conn, self.schema)

    def _flush(self) -> None:
        if not self._pending:
            return
        fixed = ("row", "id", "path", "url_key", "text_key", "grp", "doc", "born", "year")
        columns = ", ".join((*fixed, *TOKEN_COLUMNS))
        articles = f'"{self.schema}".articles'
        # PostgreSQL 15 routes COPY rows to a shard one INSERT at a time; an INSERT … SELECT
        # sends them in batches (the servers' batch_size): six times faster on loopback.
        target = "pending_articles" if self._layout else articles
        if self._layout and not self._staged:
            self._conn.execute(
                f"CREATE TEMP TABLE pending_articles (LIKE {articles}) ON COMMIT DROP"
            )
            self._staged = True
        with self._remote():
            copy_sql = f"COPY {target} ({columns}) FROM STDIN"
            with self._conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for values in self._pending:
                    copy.write_row(values)
            if self._layout:
                self._conn.execute(f"INSERT INTO {articles} SELECT * FROM pending_articles")
                self._conn.execute("TRUNCATE pending_articles")
        self._pending.clear()

    def delete_path(self, path: str) -> None:
        self._flush()
        if self._shard_keys is not None:
            self._shard_keys.forget_path(path)
        arrays = ", ".join(f"tsvector_to_array({name})" for name in TOKEN_COLUMNS)
        with self._remote():
            removed = self._conn.execute(
                f'UPDATE "{self.schema}".articles SET died = %s WHERE path = %s '
                f"AND died IS NULL RETURNING {arrays}",
                (self._generation, path),
            ).fetchall()
        for arrays_of_row in removed:
            for name, words in zip(TOKEN_COLUMNS, arrays_of_row, strict=True):
                self._df[name].subtract(words or ())

    def _write_terms(self) -> None:
        changes = [
            (field, word, df)
            for field, counts in self._df.items()
            for word, df in counts.items()
            if df
        ]
        if not changes:
            return
        schema = self.schema
        self._conn.execute(
            "CREATE TEMP TABLE term_changes (field text, word text, df bigint) ON COMMIT DROP"
        )
        copy_sql = "COPY term_changes (field, word, df) FROM STDIN"
        with self._conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for change in changes:
                copy.write_row(change)
        self._conn.execute(
            f'INSERT INTO "{schema}".terms (field, word, df) '
            "SELECT field, word, sum(df) FROM term_changes GROUP BY field, word "
            "ON CONFLICT (field, word) DO UPDATE SET df = terms.df + excluded.df"
        )
        self._conn.execute(f'DELETE FROM "{schema}".terms WHERE df <= 0')

    def commit(self, manifest: Manifest) -> None:
        try:
            with self._remote():
                self._commit(manifest)
        except BaseException:
            self.cancel()
            raise
        if self._placed:  # the shards' tables of the previous placement, no longer used
            drop_old_tables(self._placed, self.schema, self._layout, self._owner)
        try:  # statistics for the readers' plans; the new state is live already
            # (only the local partition: ANALYZE of a foreign table reads all of its rows)
            self._conn.autocommit = True
            self._conn.execute(f'ANALYZE "{self.schema}".{LOCAL_TABLE}, "{self.schema}".terms')
        except psycopg.Error:
            pass
        self._close()

    def _commit(self, manifest: Manifest) -> None:
        self._flush()
        self._postings.write(self._conn, self.schema)
        self._write_terms()
        manifest.version = SCHEMA_VERSION
        manifest.engine = self.engine
        manifest.checksums = {}
        write_manifest(self.state_dir, manifest)
        upload(self._conn, self.schema, self._generation, self._live, self.state_dir)
        # Articles seen by neither the new generation nor the one kept before it.
        self._conn.execute(
            f'DELETE FROM "{self.schema}".articles WHERE died <= %s', (self._live or 0,)
        )
        self._conn.execute(
            f'INSERT INTO "{self.schema}".meta (key, value) VALUES (%s, %s) '
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("generation", f"gen-{self._generation}"),
        )
        self._conn.commit()

    def cancel(self) -> None:
        try:
            if not self._conn.closed:
                self._conn.rollback()
        finally:
            self._close()

    def _close(self) -> None:
        try:
            if self._locked and not self._conn.closed:
                self._conn.autocommit = True
                self._conn.execute(
                    "SELECT pg_advisory_unlock(hashtext(%s))", (LOCK_NAMESPACE + self.schema,)
                )
        finally:
            self._locked = False
            self._conn.close()
            for folder in self._folders:
                folder.close()
            self._folders.clear()
