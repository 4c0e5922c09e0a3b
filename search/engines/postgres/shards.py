"""Per-year partitions of the articles on shard servers, through `postgres_fdw`.

The address of the index (the coordinator) names its shards with Archivio's parameter
`shard=YEARS:ADDRESS`, once per shard: `?schema=giornale&shard=2019-2021:postgresql://…`.
YEARS is one year or a range (`2019`, `2019-2021`); articles of those years live on that
server, every other article (other years, no date) on the coordinator. A full reindex
places the partitions; the layout then lives in the coordinator's catalog (foreign
servers, user mappings, foreign tables), so searches and incremental reindexes need only
the coordinator's address.

On a shard, Archivio uses the schema of the same name: it creates it, marks it as a
partition (`archivio_schema` = `SHARD_SCHEMA`, `owner` = the coordinator's `index_id`),
and never touches a schema holding anything else, or another index's partitions. Each
placement makes new tables there (`articles_<years>_<n>`) and drops the old ones only after the
coordinator has committed: a placement that fails leaves the previous one whole.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from search.engines.postgres.connection import connect, public_address
from search.engines.postgres.schema import foreign_schema, schema_version
from search.errors import ArchivioError, BackendUnavailableError

SHARD_SCHEMA = "postgresql-3-shard"  # what a shard's schema records: a partition, not an index
YEARS = re.compile(r"(\d{4})(?:-(\d{4}))?")
CONNECT_TIMEOUT = "5"  # seconds for the coordinator to reach a shard
FETCH_SIZE = "10000"  # rows per round trip (postgres_fdw's default is 100)
BATCH_SIZE = "500"  # rows per INSERT sent to a shard (postgres_fdw's default is 1)
LOCAL_TABLE = "articles_local"


class ShardError(ArchivioError):
    pass


@dataclass(frozen=True)
class Shard:
    """Articles of years `first`..`last` (both included) on the server at `conninfo`."""

    first: int
    last: int
    conninfo: str

    @property
    def address(self) -> str:
        return public_address(self.conninfo)

    @property
    def years(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def shards_in(address: str) -> list[Shard]:
    """The shards the address names (`shard=YEARS:ADDRESS`), by year; checked."""
    found = []
    for key, value in parse_qsl(urlsplit(address).query, keep_blank_values=True):
        if key != "shard":
            continue
        years, _, server = value.partition(":")
        match = YEARS.fullmatch(years)
        if not match or not server.startswith(("postgresql://", "postgres://")):
            raise ShardError(
                f"shard non valido: {value!r}. Scrivi shard=ANNI:INDIRIZZO, per esempio "
                "shard=2019-2021:postgresql://utente@server2/archivio"
            )
        first = int(match[1])
        last = int(match[2] or first)
        if last < first:
            raise ShardError(f"shard {years}: il primo anno viene dopo l'ultimo")
        if urlsplit(server).query:
            raise ShardError(
                f"shard {years}: l'indirizzo dello shard non può avere parametri suoi (?…)"
            )
        try:
            urlsplit(server).port  # noqa: B018 (raises on several hosts or a bad port)
        except ValueError:
            raise ShardError(
                f"shard {years}: un server solo per shard, con host e porta "
                "(postgresql://utente@server:5432/archivio)"
            ) from None
        found.append(Shard(first, last, server))
    found.sort(key=lambda shard: shard.first)
    for before, after in pairwise(found):
        if after.first <= before.last:
            raise ShardError(f"gli shard {before.years} e {after.years} hanno anni in comune")
    return found


def describe(shards: list[Shard] | list[dict[str, object]]) -> str:
    names = [
        f"{s.years} su {s.address}" if isinstance(s, Shard) else f"{s['years']} su {s['address']}"
        for s in shards
    ]
    return ", ".join(names) or "nessuno shard"


def layout_key(shards: list[Shard]) -> list[tuple[int, int, str]]:
    """What tells two layouts apart: years and servers (a new password is the same)."""
    return [(shard.first, shard.last, _no_password(shard.address)) for shard in shards]


def _no_password(address: str) -> str:
    parts = urlsplit(address)
    if parts.password is None:
        return address
    netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def recorded_layout(conn: psycopg.Connection, schema: str) -> list[dict[str, object]]:
    """The shards of the live index, as its coordinator records them (no passwords)."""
    row = conn.execute(f'SELECT value FROM "{schema}".meta WHERE key = %s', ("shards",)).fetchone()
    return list(json.loads(row[0])) if row else []


def recorded_key(layout: list[dict[str, object]]) -> list[tuple[int, int, str]]:
    return [(int(s["first"]), int(s["last"]), _no_password(str(s["address"]))) for s in layout]  # type: ignore[call-overload]


def index_id(conn: psycopg.Connection, schema: str) -> str | None:
    """The coordinator's name for this index, which its shards record (None: none yet)."""
    found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}".meta',)).fetchone()
    if not found or not found[0]:
        return None
    row = conn.execute(
        f'SELECT value FROM "{schema}".meta WHERE key = %s', ("index_id",)
    ).fetchone()
    return str(row[0]) if row else None


def new_index_id(conn: psycopg.Connection, schema: str) -> str:
    """The name a coordinator gives an index it builds for the first time: the same for
    every run on this server, database and schema (and on its replicas), so that a first
    build killed after the shards made their tables (they commit before the coordinator)
    leaves tables the next run recognises as its own, and drops, instead of refusing them
    as another index's. Another server has another `system_identifier` (set by initdb)."""
    found = conn.execute(
        "SELECT s.system_identifier, d.oid FROM pg_control_system() s, pg_database d "
        "WHERE d.datname = current_database()"
    ).fetchone()
    identity = f"{found[0]}:{found[1]}:{schema}" if found else schema
    return hashlib.sha1(identity.encode()).hexdigest()[:32]


def server_name(schema: str, shard: Shard) -> str:
    digest = hashlib.sha1(f"{schema}:{shard.first}:{shard.last}".encode()).hexdigest()[:16]
    return f"archivio_shard_{digest}"


def place(
    conn: psycopg.Connection,
    schema: str,
    shards: list[Shard],
    generation: int,
    create_table: object,
    owner: str,
) -> list[dict[str, object]]:
    """Make the partitions of `schema`.articles: a new table on each shard (committed there
    at once, empty), a foreign table on the coordinator for each, the local partition for
    the rest. The coordinator's part is in `conn`'s transaction. Returns the layout."""
    layout: list[dict[str, object]] = []
    if shards:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
        except psycopg.errors.InsufficientPrivilege:
            raise ShardError(
                "per gli shard serve l'estensione postgres_fdw sul server principale: "
                "chiedi a un amministratore `CREATE EXTENSION postgres_fdw;` e "
                "`GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO <utente>;`"
            ) from None
    for shard in shards:
        table = f"articles_{shard.first}_{shard.last}_{generation}"  # two ranges, one server
        _make_shard_table(shard, schema, table, create_table, owner)
        server = server_name(schema, shard)
        parts = urlsplit(shard.conninfo)
        options = {
            "host": parts.hostname or "localhost",
            "port": str(parts.port or 5432),
            "dbname": unquote(parts.path.lstrip("/")) or unquote(parts.username or ""),
            "connect_timeout": CONNECT_TIMEOUT,
            "fetch_size": FETCH_SIZE,
            "batch_size": BATCH_SIZE,
            # No two-phase commit in postgres_fdw: commit the shards together, not one by one.
            "parallel_commit": "true",
        }
        conn.execute(
            sql.SQL("CREATE SERVER {} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({})").format(
                sql.Identifier(server), _options(options)
            )
        )
        conn.execute(
            sql.SQL("COMMENT ON SERVER {} IS {}").format(
                sql.Identifier(server), sql.Literal(f"Archivio: anni {shard.years} di {schema}")
            )
        )
        _map_user(conn, server, shard)
        conn.execute(
            sql.SQL(
                "CREATE FOREIGN TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({}) "
                "SERVER {} OPTIONS ({})"
            ).format(
                sql.Identifier(schema, f"articles_{shard.first}_{shard.last}"),
                sql.Identifier(schema, "articles"),
                sql.Literal(shard.first),
                sql.Literal(shard.last + 1),
                sql.Identifier(server),
                _options({"schema_name": schema, "table_name": table}),
            )
        )
        layout.append(
            {
                "first": shard.first,
                "last": shard.last,
                "years": shard.years,
                "address": shard.address,
                "server": server,
                "table": table,
            }
        )
    conn.execute(f'CREATE TABLE "{schema}".{LOCAL_TABLE} PARTITION OF "{schema}".articles DEFAULT')
    create_table(conn, schema, LOCAL_TABLE, False)  # type: ignore[operator]
    conn.execute(
        f'INSERT INTO "{schema}".meta (key, value) VALUES (%s, %s) '
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ("shards", json.dumps(layout)),
    )
    conn.execute(
        f'INSERT INTO "{schema}".meta (key, value) VALUES (%s, %s) '
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ("index_id", owner),
    )
    return layout


def _map_user(conn: psycopg.Connection, server: str, shard: Shard) -> None:
    """The coordinator's role logs in to the shard as the shard's address says."""
    parts = urlsplit(shard.conninfo)
    mapping = {"user": unquote(parts.username or "")}
    if parts.password is not None:
        mapping["password"] = unquote(parts.password)
    name = sql.Identifier(server)
    conn.execute(sql.SQL("DROP USER MAPPING IF EXISTS FOR CURRENT_USER SERVER {}").format(name))
    conn.execute(
        sql.SQL("CREATE USER MAPPING FOR CURRENT_USER SERVER {} OPTIONS ({})").format(
            name, _options(mapping)
        )
    )


def refresh_users(
    conn: psycopg.Connection, shards: list[Shard], layout: list[dict[str, object]]
) -> None:
    """A reindex naming the shards the index has: their user and password as given now
    (a password changed, or another role writing)."""
    for shard, placed in zip(shards, layout, strict=True):
        _map_user(conn, str(placed["server"]), shard)


def _options(options: dict[str, str]) -> sql.Composed:
    return sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(key), sql.Literal(value))
        for key, value in options.items()
        if value
    )


def _make_shard_table(
    shard: Shard, schema: str, table: str, create_table: object, owner: str
) -> None:
    with connect(shard.conninfo, autocommit=False) as conn:
        _check_shard_schema(conn, schema, shard)
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        conn.execute(
            f'CREATE TABLE IF NOT EXISTS "{schema}".archivio_schema (version text NOT NULL)'
        )
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{schema}".owner (index_id text NOT NULL)')
        if conn.execute(f'SELECT 1 FROM "{schema}".archivio_schema').fetchone() is None:
            conn.execute(f'INSERT INTO "{schema}".archivio_schema VALUES (%s)', (SHARD_SCHEMA,))
            conn.execute(f'INSERT INTO "{schema}".owner VALUES (%s)', (owner,))
        if _owner(conn, schema) != owner:
            raise ShardError(
                f"lo schema {schema} sullo shard {shard.address} tiene le partizioni di un "
                "altro indice: Archivio non lo tocca. Usa un altro ?schema= o un altro server"
            )
        create_table(conn, schema, table, True)  # type: ignore[operator]
        conn.commit()


def _owner(conn: psycopg.Connection, schema: str) -> str | None:
    found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}".owner',)).fetchone()
    if not found or not found[0]:
        return None
    row = conn.execute(f'SELECT index_id FROM "{schema}".owner').fetchone()
    return str(row[0]) if row else None


def _check_shard_schema(conn: psycopg.Connection, schema: str, shard: Shard) -> None:
    version = schema_version(conn, schema)
    if version is None and foreign_schema(conn, schema):
        raise ShardError(
            f"lo schema {schema} sullo shard {shard.address} esiste già e non è di Archivio: "
            "Archivio non lo tocca. Scegli un altro nome con ?schema= nell'indirizzo"
        )
    if version is not None and version != SHARD_SCHEMA:
        raise ShardError(
            f"lo schema {schema} sullo shard {shard.address} è già un indice di Archivio, non "
            "una partizione: Archivio non lo tocca. Usa un altro server o un altro ?schema="
        )


def drop_servers(conn: psycopg.Connection, schema: str) -> None:
    """Drop the foreign servers of `schema`'s shards (with their mappings and foreign
    tables): only those an Archivio partition of this index uses."""
    found = conn.execute(
        "SELECT DISTINCT s.srvname FROM pg_inherits i JOIN pg_foreign_table f "
        "ON f.ftrelid = i.inhrelid JOIN pg_foreign_server s ON s.oid = f.ftserver "
        "WHERE i.inhparent = to_regclass(%s) AND s.srvname LIKE 'archivio\\_shard\\_%%'",
        (f'"{schema}".articles',),
    ).fetchall()
    for (name,) in found:
        conn.execute(f'DROP SERVER "{name}" CASCADE')


def drop_old_tables(
    shards: list[Shard], schema: str, layout: list[dict[str, object]], owner: str
) -> None:
    """After the coordinator committed: drop the shards' tables it no longer uses (best
    effort; what is left is dropped by the next placement)."""
    kept: dict[str, set[str]] = {}
    for shard, placed in zip(shards, layout, strict=True):
        kept.setdefault(shard.conninfo, set()).add(str(placed["table"]))
    for conninfo, tables in kept.items():
        try:
            with connect(conninfo, autocommit=True) as conn:
                if schema_version(conn, schema) != SHARD_SCHEMA or _owner(conn, schema) != owner:
                    continue
                found = conn.execute(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r' "
                    "AND c.relname ~ '^articles_[0-9_]+$'",
                    (schema,),
                ).fetchall()
                for (name,) in found:
                    if name not in tables:
                        conn.execute(f'DROP TABLE "{schema}"."{name}"')
        except (psycopg.Error, BackendUnavailableError):
            continue


def shard_unavailable(
    error: psycopg.Error, location: str, layout: list[dict[str, object]]
) -> BackendUnavailableError | None:
    """A shard that does not answer, as the coordinator reports it (SQLSTATE class 08 on
    a connection that still works), said like any server that does not answer."""
    if not (error.sqlstate or "").startswith("08"):
        return None
    message = str(error.diag.message_primary or error)
    named = re.search(r'server "([^"]+)"', message)
    where = next(
        (
            f"{location}, anni {s['years']} sullo shard {s['address']}"
            for s in layout
            if named and s.get("server") == named[1]
        ),
        f"{location}, uno shard",
    )
    detail = (error.diag.message_detail or message).strip().splitlines()[0]
    return BackendUnavailableError(where, detail)
