"""Engines behind one protocol (`search.engines.base`), chosen by what the index records.

A folder index records its engine in each generation's manifest: `open_engine` opens
whatever is there. A PostgreSQL index is a `postgresql://` address. Engines are imported
only when used, so the Whoosh default needs none of the others' libraries.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from search.engines.base import Engine
from search.errors import ArchivioError
from search.store import live_generation, read_version

DEFAULT_ENGINE = "whoosh"  # for a new index when none is asked for (the tests may change it)
ENGINES = {
    "whoosh": ("search.engines.whoosh", "WhooshEngine"),
    "tantivy": ("search.engines.tantivy", "TantivyEngine"),
    "postgresql": ("search.engines.postgres", "PostgresEngine"),
}
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# The PostgreSQL server for index folders that name none yet (`--backend`, ARCHIVIO_BACKEND):
# set by the CLI from its option, never read from the environment here.
BACKEND: str | None = None
# In an index folder whose index lives in PostgreSQL: the address of its database schema.
POINTER = "postgresql.url"


class UnknownEngineError(ArchivioError):
    pass


def is_database(location: str | Path) -> bool:
    return str(location).startswith(POSTGRES_SCHEMES)


def recorded_engine(location: str | Path) -> str | None:
    """The engine that wrote the live index at `location`, or None when there is none."""
    if is_database(location) or (Path(location) / POINTER).is_file():
        return "postgresql"
    generation = live_generation(Path(location))
    if generation is None:
        return None
    return read_version(generation)[1]


def open_engine(location: str | Path, engine: str | None = None) -> Engine:
    """The engine of the index at `location`: the one it records, else `engine`."""
    if is_database(location):
        module = importlib.import_module("search.engines.postgres")
        return module.PostgresEngine(str(location))  # type: ignore[no-any-return]
    if backend_names_schema():
        name = "postgresql"
    else:
        name = recorded_engine(location) or engine or backend_engine() or DEFAULT_ENGINE
    return engine_class(name)(Path(location))


def backend_engine() -> str | None:
    """The engine a new index gets when a PostgreSQL server is configured."""
    return "postgresql" if BACKEND and is_database(BACKEND) else None


def backend_names_schema() -> bool:
    """Whether the configured PostgreSQL address names its schema: then it is the index,
    whatever the folder holds."""
    if not BACKEND or not is_database(BACKEND):
        return False
    return any(key == "schema" for key, _ in parse_qsl(urlsplit(BACKEND).query))


def index_label(location: str | Path) -> str:
    """Where the index at `location` is, as messages say it: the configured address (without
    its password) when that address names the schema, else the folder."""
    if not backend_names_schema():
        return str(location)
    parts = urlsplit(str(BACKEND))
    # Shard addresses (`shard=`, with their passwords) are the coordinator's business.
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "shard"]
    parts = parts._replace(query=urlencode(kept))
    if parts.password is None:
        return urlunsplit(parts)
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def engine_class(name: str) -> type:
    if name not in ENGINES:
        raise UnknownEngineError(
            f"motore sconosciuto: {name}. Motori disponibili: {', '.join(ENGINES)}, "
            "oppure un indirizzo postgresql://"
        )
    module_name, class_name = ENGINES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnknownEngineError(
            f"il motore {name} non è installato ({error}): pip install 'archivio[{name}]'"
        ) from None
    return getattr(module, class_name)  # type: ignore[no-any-return]
