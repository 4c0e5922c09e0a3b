"""Where a PostgreSQL index lives: a server address plus a schema, and pooled connections.

An index is one schema of a database. Its address is the server's `postgresql://` URL
with Archivio's own parameter `schema=` (taken out before connecting). An index folder
(`--index`) with no schema named gets one derived from the folder's absolute path, and
keeps the full address in a small file (`search.engines.POINTER`), so the folder keeps
finding its database.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool

from search.errors import ArchivioError, BackendUnavailableError

SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Schemas PostgreSQL or everybody else uses: never an index (a full reindex empties its schema).
RESERVED_SCHEMAS = re.compile(r"pg_.*|information_schema|public")
CONNECT_TIMEOUT = 5  # seconds to reach a server before saying it does not answer
POOL_TIMEOUT = 5  # seconds to wait for a pooled connection (a search has 5 s in all)
# The pool logs every failed attempt in English; Archivio says it once, in Italian.
logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
DEFAULT_SCHEMA = "archivio"
# Archivio's own parameters of an address, taken out before connecting (shard: shards.py).
ARCHIVIO_PARAMETERS = ("schema", "shard")
PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@?&]*:)[^@/?&]*@")


class AddressError(ArchivioError):
    pass


def split_address(address: str) -> tuple[str, str | None]:
    """(the URL to connect to, the schema it names or None)."""
    parts = urlsplit(address)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((value for key, value in query if key == "schema"), None)
    kept = urlencode([(key, value) for key, value in query if key not in ARCHIVIO_PARAMETERS])
    if schema is not None and not SCHEMA_NAME.fullmatch(schema):
        raise AddressError(
            f"nome di schema non valido: {schema!r} (lettere minuscole, cifre e _, "
            "al più 63, non all'inizio una cifra)"
        )
    if schema is not None and RESERVED_SCHEMAS.fullmatch(schema):
        raise AddressError(
            f"lo schema {schema} è di PostgreSQL o di tutti: scegli un nome solo per "
            "l'indice (per esempio ?schema=archivio)"
        )
    return urlunsplit(parts._replace(query=kept)), schema


def with_schema(address: str, schema: str) -> str:
    parts = urlsplit(address)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "schema"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("schema", schema)])))


def folder_schema(folder: Path) -> str:
    """A schema name of its own for an index folder: its name and a hash of its path."""
    path = str(folder.resolve())
    slug = re.sub(r"[^a-z0-9]+", "_", folder.resolve().name.lower()).strip("_")[:20]
    return f"archivio_{slug}_{hashlib.sha1(path.encode('utf-8')).hexdigest()[:12]}"


def _with_target(conninfo: str, target: str) -> str:
    """Several hosts in the address: let libpq pick by role (primary, standby)."""
    parts = urlsplit(conninfo)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if "," not in parts.netloc or any(key == "target_session_attrs" for key, _ in query):
        return conninfo
    return urlunsplit(parts._replace(query=urlencode([*query, ("target_session_attrs", target)])))


def read_conninfo(conninfo: str) -> str:
    """Searches go to a standby (a streaming replica) when the address names one that
    answers, else to the primary."""
    return _with_target(conninfo, "prefer-standby")


def write_conninfo(conninfo: str) -> str:
    """Writes go to the primary only."""
    return _with_target(conninfo, "read-write")


def connect(conninfo: str, **options: object) -> psycopg.Connection:
    """A connection of its own, or a clear error when the server does not answer."""
    try:
        return psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT, **options)  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        raise unavailable(conninfo, error) from None


def unavailable(conninfo: str, error: Exception) -> BackendUnavailableError:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return BackendUnavailableError(public_address(conninfo), reason)


def public_address(address: str) -> str:
    """The address without its passwords (its own and its shards'): what messages show."""
    return PASSWORD.sub(r"\1***@", address)


def without_shards(address: str) -> str:
    """The address of the index on its coordinator (the shards are recorded there)."""
    parts = urlsplit(address)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "shard"]
    return urlunsplit(parts._replace(query=urlencode(query)))


_pools: dict[tuple[int, str], ConnectionPool] = {}
_pools_lock = threading.Lock()


def pool(conninfo: str) -> ConnectionPool:
    """One small pool per server and process (a forked web worker makes its own)."""
    key = (os.getpid(), conninfo)
    with _pools_lock:
        found = _pools.get(key)
        if found is None:
            found = ConnectionPool(
                read_conninfo(conninfo),
                check=ConnectionPool.check_connection,
                min_size=0,
                max_size=4,
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
                open=True,
                timeout=POOL_TIMEOUT,
                name="archivio",
            )
            _pools[key] = found
        return found
