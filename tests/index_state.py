"""What a test may look at or damage in an index, whatever engine keeps it.

Folder engines keep their state in generations (`search.store`); the PostgreSQL engine
keeps it in a database schema whose address the folder records. Tests about the live
state, its manifest or a damaged file go through here, so they run on every engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from search.engines import POINTER, open_engine
from search.store import META, live_generation


def live_token(index: Path) -> str | None:
    """The name of the live state (`gen-…`), None when there is no index."""
    if not index.exists():
        return None
    return open_engine(index).token()


def in_database(index: Path) -> bool:
    return (index / POINTER).is_file()


def _database(index: Path) -> tuple[object, str]:
    import psycopg

    from search.engines.postgres.connection import split_address

    conninfo, schema = split_address((index / POINTER).read_text("utf-8").strip())
    return psycopg.connect(conninfo, autocommit=True), schema or "archivio"


def rewrite_manifest(index: Path, change: Callable[[dict[str, object]], None]) -> None:
    """Edit the live state's manifest (archivio.json) in place, behind the engine's back."""
    if not in_database(index):
        meta = live_generation(index) / META  # type: ignore[operator]
        data = json.loads(meta.read_text())
        change(data)
        meta.write_text(json.dumps(data))
        return
    conn, schema = _database(index)
    with conn:  # type: ignore[attr-defined]
        table = f'"{schema}".state_files'
        (data,) = conn.execute(
            f"SELECT data FROM {table} WHERE name = %s ORDER BY generation DESC", (META,)
        ).fetchone()  # type: ignore[attr-defined]
        manifest = json.loads(bytes(data))
        change(manifest)
        conn.execute(  # type: ignore[attr-defined]
            f"UPDATE {table} SET data = %s WHERE name = %s",
            (json.dumps(manifest).encode(), META),
        )


def damage_largest_file(index: Path, damage: Callable[[bytes], bytes]) -> str:
    """Damage the engine's largest stored file; its name (what a check must report)."""
    if not in_database(index):
        generation = live_generation(index)
        assert generation is not None
        files = [p for p in (generation / "engine").rglob("*") if p.is_file()]
        victim = max(files, key=lambda p: p.stat().st_size)
        victim.write_bytes(damage(victim.read_bytes()))
        return victim.name
    conn, schema = _database(index)
    with conn:  # type: ignore[attr-defined]
        table = f'"{schema}".state_files'
        name, data = conn.execute(  # type: ignore[attr-defined]
            f"SELECT name, data FROM {table} WHERE name <> %s ORDER BY length(data) DESC LIMIT 1",
            (META,),
        ).fetchone()
        conn.execute(  # type: ignore[attr-defined]
            f"UPDATE {table} SET data = %s WHERE name = %s", (damage(bytes(data)), name)
        )
    return str(name).rsplit("/", 1)[-1]


def _database_engine(index: Path) -> object | None:
    """The PostgreSQL engine of `index`, None when a folder engine keeps it."""
    engine = open_engine(index)
    return engine if engine.name == "postgresql" else None


def live_state(index: Path) -> str | None:
    """The live state's name, cheaply enough to poll (a folder's CURRENT)."""
    if _database_engine(index) is not None:
        return live_token(index)
    current = index / "CURRENT"
    return current.read_text("utf-8").strip() if current.exists() else None


def states_in_writing(index: Path) -> set[str]:
    """The folders a writer fills before its commit: generations, or PostgreSQL's state."""
    pattern = "archivio-pg-*" if _database_engine(index) is not None else "gen-*"
    return {path.name for path in index.glob(pattern) if path.is_dir()}


def lock_holder(index: Path) -> str:
    """The pid of the process holding the writer lock ('' when free)."""
    engine = _database_engine(index)
    if engine is None:
        lock = index / "writer.lock"
        found = re.search(r"processo (\d+)", lock.read_text("utf-8")) if lock.exists() else None
        return found.group(1) if found else ""
    import psycopg

    with psycopg.connect(engine.conninfo, autocommit=True) as conn:  # type: ignore[attr-defined]
        row = conn.execute(
            "SELECT a.application_name FROM pg_stat_activity a JOIN pg_locks l "
            "ON l.pid = a.pid WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.objid = hashtext(%s)::oid",
            ("archivio-writer:" + engine.schema,),  # type: ignore[attr-defined]
        ).fetchone()
    found = re.search(r"processo (\d+)", row[0]) if row else None
    return found.group(1) if found else ""
