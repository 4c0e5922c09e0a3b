"""Where an index lives on disk, and how a new version of it becomes the live one.

    index/
      CURRENT          name of the live generation (replaced atomically)
      gen-<n>/         a complete Whoosh index + archivio.json (version, file manifest)
      writer.lock      held (flock) by the one running reindex

Every reindex writes a new generation: hard links of the live one's files (Whoosh never
rewrites a segment file, so sharing them is safe), then the changes, then `CURRENT` is
replaced in one rename. A crash at any moment leaves `CURRENT` naming a complete index;
readers keep the generation they opened. The previous generation is kept one round so that
a reader that has just read `CURRENT` can still open it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from search.errors import IndexLockedError, IndexMissingError, StaleIndexError
from search.schema import SCHEMA_VERSION, build_schema

CURRENT = "CURRENT"
META = "archivio.json"
LOCK = "writer.lock"


@dataclass
class FileRecord:
    """What the index knows of one corpus file, to tell whether it changed."""

    size: int
    mtime_ns: int
    sha1: str
    ids: list[str] = field(default_factory=list)
    duplicates_of: list[str] = field(default_factory=list)
    skipped: list[list[str]] = field(default_factory=list)


@dataclass
class Manifest:
    version: str = SCHEMA_VERSION
    files: dict[str, FileRecord] = field(default_factory=dict)
    built_at: float = 0.0


def live_generation(index_dir: Path) -> Path | None:
    """The directory of the live index, or None when there is none."""
    try:
        name = (index_dir / CURRENT).read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    generation = index_dir / name
    return generation if name and generation.is_dir() else None


def generation_token(index_dir: Path) -> str | None:
    """A cheap value that changes whenever a new generation goes live."""
    try:
        return (index_dir / CURRENT).read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None


def read_manifest(generation: Path) -> Manifest:
    data = json.loads((generation / META).read_text("utf-8"))
    files = {path: FileRecord(**record) for path, record in data.get("files", {}).items()}
    return Manifest(data.get("version", "?"), files, data.get("built_at", 0.0))


def write_manifest(generation: Path, manifest: Manifest) -> None:
    data = {
        "version": manifest.version,
        "built_at": manifest.built_at,
        "files": {path: vars(record) for path, record in sorted(manifest.files.items())},
    }
    _write_atomically(generation / META, json.dumps(data, ensure_ascii=False))


def open_live_index(index_dir: Path) -> tuple[whoosh_index.Index, Path]:
    """The live Whoosh index; refuses a missing index or one of another version."""
    generation = live_generation(index_dir)
    if generation is None:
        raise IndexMissingError(str(index_dir))
    try:
        version = json.loads((generation / META).read_text("utf-8")).get("version", "?")
    except (OSError, ValueError):
        version = "?"
    if version != SCHEMA_VERSION:
        raise StaleIndexError(str(index_dir), version, SCHEMA_VERSION)
    return whoosh_index.open_dir(str(generation)), generation


def new_generation(index_dir: Path, base: Path | None) -> Path:
    """A fresh generation directory: empty, or sharing `base`'s files by hard link."""
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = index_dir / f"gen-{time.time_ns()}"
    if base is None:
        generation.mkdir()
        whoosh_index.create_in(str(generation), build_schema())
        return generation
    generation.mkdir()
    for item in base.iterdir():
        if item.is_file() and not item.name.endswith("LOCK"):
            os.link(item, generation / item.name)
    return generation


def publish(index_dir: Path, generation: Path) -> None:
    """Make `generation` the live index (one atomic rename), then prune old ones."""
    _fsync_dir(generation)
    _write_atomically(index_dir / CURRENT, generation.name + "\n")
    prune(index_dir)


def prune(index_dir: Path) -> None:
    """Remove generations that are neither live nor the one just before it."""
    live = live_generation(index_dir)
    generations = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
    keep = {live}
    if live is not None:
        older = [p for p in generations if p.name < live.name]
        if older:
            keep.add(older[-1])
    for generation in generations:
        if generation not in keep:
            shutil.rmtree(generation, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the one writer's lock. The kernel drops it when a writer dies: never stale."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise IndexLockedError(
                f"un altro `archivio reindex` sta scrivendo l'indice {index_dir} "
                f"(processo {holder}, lock {path}): attendi che finisca e riprova"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
