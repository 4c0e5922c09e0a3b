"""The tables of one index, in its own schema, and their version.

archivio_schema  the version of these tables (one row): a change means a full reindex
meta             key -> value: the live generation
articles         one row per live article: its row number, keys, the stored article
                 (jsonb) and one tsvector per field, built from Archivio's tokens
terms            (field, word) -> number of live articles holding it: the vocabulary
state_files      the core's state directory (columns, near-duplicates, manifest)
"""

from __future__ import annotations

import psycopg

from search.query.tree import NAME_FIELDS

SCHEMA = "postgresql-1"
TEXT_COLUMNS = ("title", "body", "exact")
TOKEN_COLUMNS = (*TEXT_COLUMNS, *NAME_FIELDS)


def create_tables(conn: psycopg.Connection, schema: str) -> None:
    names = ", ".join(f"{name} tsvector NOT NULL" for name in TOKEN_COLUMNS)
    conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    conn.execute(f'CREATE TABLE "{schema}".archivio_schema (version text NOT NULL)')
    conn.execute(f'INSERT INTO "{schema}".archivio_schema VALUES (%s)', (SCHEMA,))
    conn.execute(f'CREATE TABLE "{schema}".meta (key text PRIMARY KEY, value text NOT NULL)')
    conn.execute(
        f'CREATE TABLE "{schema}".articles (row bigint PRIMARY KEY, id text NOT NULL, '
        f"path text NOT NULL, url_key text, text_key text NOT NULL, grp text NOT NULL, "
        f"doc jsonb NOT NULL, {names})"
    )
    for column in ("id", "path", "url_key", "text_key"):
        conn.execute(f'CREATE INDEX ON "{schema}".articles ({column})')
    for column in TOKEN_COLUMNS:
        conn.execute(f'CREATE INDEX ON "{schema}".articles USING gin ({column})')
    conn.execute(
        f'CREATE TABLE "{schema}".terms (field text NOT NULL, word text COLLATE "C" NOT NULL, '
        "df bigint NOT NULL, PRIMARY KEY (field, word))"
    )
    conn.execute(
        f'CREATE TABLE "{schema}".state_files (name text PRIMARY KEY, data bytea NOT NULL, '
        "digest text NOT NULL)"
    )


def schema_version(conn: psycopg.Connection, schema: str) -> str | None:
    """The version of the tables in `schema`, None when there are none."""
    found = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}".archivio_schema',)
    ).fetchone()
    if not found or not found[0]:
        return None
    row = conn.execute(f'SELECT version FROM "{schema}".archivio_schema').fetchone()
    return str(row[0]) if row else "?"


def drop_schema(conn: psycopg.Connection, schema: str) -> None:
    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
