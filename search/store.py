"""Where a file engine's index lives on disk, and how a new state of it becomes the live one.

    index/
      CURRENT          name of the live generation (replaced atomically)
      gen-<n>/         one committed state:
        archivio.json  the manifest: versions, engine, corpus files, checksums
        columns/       the core's columns (`search.columns`)
        near_dup*      the near-duplicate bands (`search.near_duplicates`)
        engine/        the engine's own files (Whoosh segments, a Tantivy index…)
      writer.lock      held (flock) by the one running reindex; says who holds it

Every reindex writes a new generation: hard links of the live one's files (engines never
rewrite a file they wrote, and the core replaces rather than edits its own), then the
changes, then `CURRENT` is replaced in one rename. A crash at any moment leaves `CURRENT`
naming a complete generation; readers keep the one they opened. The previous generation
is kept one round so that a reader that has just read `CURRENT` can still open it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from search.analysis import ANALYSIS_VERSION
from search.errors import IndexLockedError

CURRENT = "CURRENT"
META = "archivio.json"
LOCK = "writer.lock"
ENGINE_DIR = "engine"
# Bump on any change to the core's state or analysis: an index of another version asks
# for `archivio reindex --full`.
SCHEMA_VERSION = f"archivio-7/{ANALYSIS_VERSION}"


@dataclass
class FileRecord:
    """What the index knows of one corpus file, to tell whether it changed."""

    size: int
    mtime_ns: int
    sha1: str
    ids: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    duplicates_of: list[str] = field(default_factory=list)
    skipped: list[list[str]] = field(default_factory=list)
    more_skipped: int = 0  # reasons beyond those kept in `skipped`
    notices: list[list[str]] = field(default_factory=list)  # articles indexed less something


@dataclass
class Manifest:
    version: str = SCHEMA_VERSION
    engine: str = "whoosh"
    files: dict[str, FileRecord] = field(default_factory=dict)
    built_at: float = 0.0
    articles: int = 0
    checksums: dict[str, list[object]] = field(default_factory=dict)  # path -> [size, digest]


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
        return (index_dir / CURRENT).read_text("utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def read_manifest(state_dir: Path) -> Manifest:
    data = json.loads((state_dir / META).read_text("utf-8"))
    files = {path: FileRecord(**record) for path, record in data.get("files", {}).items()}
    return Manifest(
        version=data.get("version", "?"),
        engine=data.get("engine", "whoosh"),
        files=files,
        built_at=data.get("built_at", 0.0),
        articles=data.get("articles", 0),
        checksums=data.get("checksums", {}),
    )


def read_version(state_dir: Path) -> tuple[str, str]:
    """(schema version, engine) of a state, without reading its file list."""
    try:
        data = json.loads((state_dir / META).read_text("utf-8"))
    except (OSError, ValueError):
        return "?", "?"
    return str(data.get("version", "?")), str(data.get("engine", "whoosh"))


def write_manifest(state_dir: Path, manifest: Manifest) -> None:
    data = {
        "version": manifest.version,
        "engine": manifest.engine,
        "built_at": manifest.built_at,
        "articles": manifest.articles,
        "checksums": manifest.checksums,
        "files": {path: vars(record) for path, record in sorted(manifest.files.items())},
    }
    target = state_dir / META
    target.unlink(missing_ok=True)
    _write_atomically(target, json.dumps(data, ensure_ascii=False))


def checksums(
    state_dir: Path, previous: dict[str, list[object]] | None = None
) -> dict[str, list[object]]:
    """[size, blake2b] of every file of a state but the manifest.

    Files shared by hard link with the previous state keep its digest when their size and
    inode say they are the same file: an incremental run hashes only what it wrote.
    """
    previous = previous or {}
    found: dict[str, list[object]] = {}
    for path in sorted(state_dir.rglob("*")):
        if not path.is_file() or path.name == META or path.name.endswith(".tmp"):
            continue
        name = path.relative_to(state_dir).as_posix()
        stat = path.stat()
        old = previous.get(name)
        if old is not None and len(old) == 3 and old[0] == stat.st_size and old[2] == stat.st_ino:
            found[name] = old
            continue
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "blake2b").hexdigest()
        found[name] = [stat.st_size, digest, stat.st_ino]
    return found


def verify_files(state_dir: Path, recorded: dict[str, list[object]]) -> list[str]:
    """What differs between a state's files and the checksums recorded at its commit."""
    problems: list[str] = []
    for name, (size, digest, *_) in sorted(recorded.items()):
        path = state_dir / name
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            problems.append(f"manca il file {name}")
            continue
        if actual != size:
            problems.append(f"{name}: {actual} byte invece di {size}")
            continue
        with open(path, "rb") as handle:
            if hashlib.file_digest(handle, "blake2b").hexdigest() != digest:
                problems.append(f"{name}: contenuto alterato (checksum diverso)")
    return problems


def new_generation(index_dir: Path, base: Path | None) -> Path:
    """A fresh generation directory: empty, or sharing `base`'s files by hard link."""
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = index_dir / f"gen-{time.time_ns()}"
    generation.mkdir()
    if base is not None:
        for item in base.rglob("*"):
            target = generation / item.relative_to(base)
            if item.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            elif item.is_file() and not item.name.endswith("LOCK") and item.name != META:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(item, target)
    return generation


def publish(index_dir: Path, generation: Path) -> None:
    """Make `generation` the live index (one atomic rename), then prune old ones."""
    for folder in [generation, *(p for p in generation.rglob("*") if p.is_dir())]:
        _fsync_dir(folder)
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
    """Hold the one writer's lock. The kernel drops it when the writer dies: never stale.

    The lock file says who holds it (process, host, start time). Processes a writer starts
    must not inherit it: the descriptor is close-on-exec and engines' helper processes
    close it (see `search.engines.whoosh.writer`).
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    os.set_inheritable(handle.fileno(), False)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise IndexLockedError(
                f"un altro `archivio reindex` sta scrivendo l'indice {index_dir} "
                f"({holder}; lock {path}): attendi che finisca e riprova"
            ) from None
        handle.seek(0)
        handle.truncate()
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        handle.write(f"processo {os.getpid()} su {socket.gethostname()}, dalle {started}")
        handle.flush()
        _held.add(handle.fileno())
        try:
            yield
        finally:
            _held.discard(handle.fileno())
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


_held: set[int] = set()


def held_lock_descriptors() -> set[int]:
    """Descriptors of writer locks this process holds: what a forked helper must close."""
    return set(_held)


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
