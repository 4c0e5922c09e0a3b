"""The tables of one index, in its own schema, and their version.

archivio_schema  the version of these tables (one row): a change means a full reindex
meta             key -> value: the live generation (`gen-<n>`)
articles         one row per article: its row number, keys, the stored article (jsonb),
                 one tsvector per field built from Archivio's tokens, and the
                 generations it lives in: born <= n < died (kept while the previous
                 generation is, so that permalinks can reopen it). Partitioned by the
                 article's year: `articles_local` here, other years on shard servers
                 (`shards.py`)
terms            (field, word) -> number of live articles holding it: the vocabulary
postings         (field, word) -> the rows holding it, how often, and where (int64,
                 int16 and int16 arrays), one record per word for each batch of
                 articles a run wrote: a search reads a word's rows (and a phrase its
                 positions) in one go instead of every matching tsvector; rows no
                 longer live are left to the reader's columns
state_files      the core's state directory of the live and the previous generation
"""

from __future__ import annotations

import psycopg

from search.query.tree import NAME_FIELDS

SCHEMA = "postgresql-5"  # 3: articles partitioned by year; 4: postings; 5: their positions
TEXT_COLUMNS = ("title", "body", "exact")
TOKEN_COLUMNS = (*TEXT_COLUMNS, *NAME_FIELDS)
# year: the partition key (the article's year, NULL when it has no date).
ARTICLE_COLUMNS = (
    "row bigint NOT NULL, id text NOT NULL, path text NOT NULL, url_key text, "
    "text_key text NOT NULL, grp text NOT NULL, doc jsonb NOT NULL, born bigint NOT NULL, "
    "died bigint, year int, " + ", ".join(f"{name} tsvector NOT NULL" for name in TOKEN_COLUMNS)
)


def create_tables(conn: psycopg.Connection, schema: str) -> None:
    """The index's tables on the coordinator; `articles` is partitioned by year, its
    partitions are made by `shards.place` (the local one and any on shard servers)."""
    conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    conn.execute(f'CREATE TABLE "{schema}".archivio_schema (version text NOT NULL)')
    conn.execute(f'INSERT INTO "{schema}".archivio_schema VALUES (%s)', (SCHEMA,))
    conn.execute(f'CREATE TABLE "{schema}".meta (key text PRIMARY KEY, value text NOT NULL)')
    conn.execute(f'CREATE TABLE "{schema}".articles ({ARTICLE_COLUMNS}) PARTITION BY RANGE (year)')
    conn.execute(
        f'CREATE TABLE "{schema}".terms (field text NOT NULL, word text COLLATE "C" NOT NULL, '
        "df bigint NOT NULL, PRIMARY KEY (field, word))"
    )
    conn.execute(
        f'CREATE TABLE "{schema}".postings (field text NOT NULL, word text COLLATE "C" NOT NULL, '
        "rows bytea NOT NULL, counts bytea NOT NULL, positions bytea NOT NULL)"
    )
    conn.execute(f'CREATE INDEX ON "{schema}".postings (field, word)')
    conn.execute(
        f'CREATE TABLE "{schema}".state_files (generation bigint NOT NULL, name text NOT NULL, '
        "data bytea NOT NULL, digest text NOT NULL, PRIMARY KEY (generation, name))"
    )


def create_article_table(
    conn: psycopg.Connection, schema: str, table: str, standalone: bool
) -> None:
    """A partition's indexes (and, `standalone`, the table itself: on a shard)."""
    if standalone:
        conn.execute(f'CREATE TABLE "{schema}".{table} ({ARTICLE_COLUMNS})')
    conn.execute(f'ALTER TABLE "{schema}".{table} ADD PRIMARY KEY (row)')
    for column in ("id", "path", "url_key", "text_key"):
        conn.execute(f'CREATE INDEX ON "{schema}".{table} ({column})')
    for column in TOKEN_COLUMNS:
        conn.execute(f'CREATE INDEX ON "{schema}".{table} USING gin ({column})')


def schema_version(conn: psycopg.Connection, schema: str) -> str | None:
    """The version of the tables in `schema`, None when there are none."""
    found = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}".archivio_schema',)
    ).fetchone()
    if not found or not found[0]:
        return None
    row = conn.execute(f'SELECT version FROM "{schema}".archivio_schema').fetchone()
    return str(row[0]) if row else "?"


TABLES = ("archivio_schema", "meta", "articles", "terms", "postings", "state_files")


def foreign_schema(conn: psycopg.Connection, schema: str) -> bool:
    """Whether `schema` exists and holds something that is not an Archivio index."""
    row = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s",
        (schema,),
    ).fetchone()
    return bool(row and row[0]) and schema_version(conn, schema) is None


def drop_tables(conn: psycopg.Connection, schema: str) -> None:
    """Remove Archivio's own tables (never the schema: it may hold the user's too)."""
    for table in TABLES:
        conn.execute(f'DROP TABLE IF EXISTS "{schema}".{table} CASCADE')


def visible(generation: int, alias: str = "") -> str:
    """SQL: the article rows of generation `generation` (an int, safe to inline)."""
    prefix = f"{alias}." if alias else ""
    n = int(generation)
    return f"({prefix}born <= {n} AND ({prefix}died IS NULL OR {prefix}died > {n}))"


def generation_number(name: str | None) -> int | None:
    if not name or not name.startswith("gen-") or not name[4:].isdigit() or len(name) > 34:
        return None
    return int(name[4:])
