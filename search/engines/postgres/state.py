"""The core's state directory kept in the database (`state_files`), copied out locally."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import weakref
from pathlib import Path

import psycopg

from search.store import META


def materialise(conn: psycopg.Connection, schema: str, target: Path) -> None:
    """Write every state file of the transaction's view of `schema` under `target`."""
    with conn.cursor() as cursor:
        cursor.execute(f'SELECT name, data FROM "{schema}".state_files')
        for name, data in cursor:
            path = target / name
            if target.resolve() not in path.resolve().parents:
                raise ValueError(f"state file outside its folder: {name}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(data))


def upload(conn: psycopg.Connection, schema: str, source: Path) -> None:
    """Replace the stored state with the files under `source` (inside the transaction)."""
    conn.execute(f'DELETE FROM "{schema}".state_files')
    with conn.cursor() as cursor:
        copy_sql = f'COPY "{schema}".state_files (name, data, digest) FROM STDIN (FORMAT BINARY)'
        with cursor.copy(copy_sql) as copy:
            copy.set_types(["text", "bytea", "text"])
            for path in sorted(source.rglob("*")):
                if path.is_file() and not path.name.endswith(".tmp"):
                    data = path.read_bytes()
                    name = path.relative_to(source).as_posix()
                    copy.write_row((name, data, digest(data)))


def digest(data: bytes) -> str:
    return hashlib.blake2b(data).hexdigest()


def damaged_files(conn: psycopg.Connection, schema: str) -> list[str]:
    """State files whose content differs from the checksum recorded at their commit."""
    problems = []
    with conn.cursor() as cursor:
        cursor.execute(f'SELECT name, data, digest FROM "{schema}".state_files ORDER BY name')
        for name, data, recorded in cursor:
            if name != META and digest(bytes(data)) != recorded:
                problems.append(f"{name}: contenuto alterato (checksum diverso)")
    return problems


def copy_state(source: Path, target: Path) -> None:
    """The previous state's files, the manifest left out: what a new run starts from."""
    for path in source.rglob("*"):
        if path.is_file() and path.name != META:
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


class LocalFolder:
    """A temporary folder removed when closed, or when its owner is collected."""

    def __init__(self, prefix: str, parent: Path | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def close(self) -> None:
        self._finalizer()
