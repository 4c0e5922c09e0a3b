"""The core's state directory kept in the database (`state_files`), copied out locally."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import weakref
from pathlib import Path

import psycopg

from search.store import META


def materialise(
    conn: psycopg.Connection, schema: str, generation: int, target: Path, verify: bool = False
) -> list[str]:
    """Write every state file of `generation` under `target`; with `verify`, also check each
    against the checksum recorded at its commit, on the bytes read (one download, not two).
    Returns the damaged files, as `damaged_files` words them (none without `verify`)."""
    problems = []
    with conn.cursor() as cursor:
        cursor.execute(
            f'SELECT name, data, digest FROM "{schema}".state_files WHERE generation = %s '
            "ORDER BY name",
            (generation,),
        )
        for name, data, recorded in cursor:
            path = target / name
            if target.resolve() not in path.resolve().parents:
                raise ValueError(f"state file outside its folder: {name}")
            path.parent.mkdir(parents=True, exist_ok=True)
            content = bytes(data)
            path.write_bytes(content)
            if verify and name != META and digest(content) != recorded:
                problems.append(_damaged(name))
    return problems


def upload(
    conn: psycopg.Connection, schema: str, generation: int, kept: int | None, source: Path
) -> None:
    """Store the files under `source` as `generation`'s; drop those of any but `kept`."""
    conn.execute(
        f'DELETE FROM "{schema}".state_files WHERE generation <> %s', (kept if kept else -1,)
    )
    with conn.cursor() as cursor:
        copy_sql = (
            f'COPY "{schema}".state_files (generation, name, data, digest) '
            "FROM STDIN (FORMAT BINARY)"
        )
        with cursor.copy(copy_sql) as copy:
            copy.set_types(["int8", "text", "bytea", "text"])
            for path in sorted(source.rglob("*")):
                if path.is_file() and not path.name.endswith(".tmp"):
                    data = path.read_bytes()
                    name = path.relative_to(source).as_posix()
                    copy.write_row((generation, name, data, digest(data)))


def digest(data: bytes) -> str:
    return hashlib.blake2b(data).hexdigest()


def damaged_files(conn: psycopg.Connection, schema: str, generation: int) -> list[str]:
    """State files whose content differs from the checksum recorded at their commit."""
    problems = []
    with conn.cursor() as cursor:
        cursor.execute(
            f'SELECT name, data, digest FROM "{schema}".state_files WHERE generation = %s '
            "ORDER BY name",
            (generation,),
        )
        for name, data, recorded in cursor:
            if name != META and digest(bytes(data)) != recorded:
                problems.append(_damaged(name))
    return problems


def _damaged(name: str) -> str:
    return f"{name}: contenuto alterato (checksum diverso)"


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
