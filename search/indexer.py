"""Build and update an index from a corpus directory (`archivio reindex`), on any engine.

Incremental by default: a file whose size and mtime are unchanged is not read; one whose
content hash is unchanged is not re-indexed; a changed file's articles are replaced, a
deleted file's removed. `full=True` rebuilds from nothing. The core reads, deduplicates,
groups near-duplicates, numbers and analyses every article; the engine's writer only
stores what it is given, and makes the whole run live at once on commit.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from search import engines
from search.columns import Columns, ColumnsBuilder
from search.engines import engine_class, is_database, open_engine, recorded_engine
from search.engines.base import Writer
from search.errors import ArchivioError, IndexWriteError, SkipInput
from search.identity import text_key, url_key
from search.ingest import IngestLimits, discover, read_articles
from search.ingest.files import corpus_boundary, open_regular
from search.model import Article, Notice, Skipped
from search.near_duplicates import NearDuplicates
from search.preparation import Preparers, numbered
from search.settings import Settings
from search.store import SCHEMA_VERSION, FileRecord, Manifest, read_manifest

# Below this much text to read, a second writer process costs more than it saves (measured).
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


@dataclass
class ReindexReport:
    full: bool
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # indexed, less a date that can't be
    articles: int = 0
    seconds: float = 0.0
    engine: str = "whoosh"


@dataclass
class _Plan:
    read: list[tuple[Path, str]]  # (path, corpus-relative label) to (re)read
    unchanged: dict[str, FileRecord]
    dropped: set[str]  # labels whose old articles leave the index
    stats: dict[str, os.stat_result]
    skipped: list[Skipped] = field(default_factory=list)  # refused before reading (links out…)


ProgressCallback = Callable[[str, int, int], None]  # (label, bytes, articles)


class EngineChoiceError(ArchivioError):
    pass


def reindex(
    settings: Settings,
    *,
    full: bool = False,
    engine: str | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_file: ProgressCallback | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> ReindexReport:
    """Bring the index at `settings.index_dir` up to date with `settings.corpus_dir`.

    `on_phase("commit")` is called once every file is read, before the index is written
    (which takes seconds on a large corpus).
    """
    started = time.perf_counter()
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise SkipInput(f"la cartella del corpus {corpus} non esiste")
    location = settings.index_dir
    chosen = _engine_for(location, engine, full)
    try:
        report = _reindex(settings, chosen, full, on_start, on_file, on_phase)
    except OSError as error:
        raise IndexWriteError(_write_failure(location, error)) from error
    report.seconds = time.perf_counter() - started
    return report


def _engine_for(location: Path | str, engine: str | None, full: bool) -> object:
    if is_database(location) or engines.backend_names_schema():
        return open_engine(location)
    recorded = recorded_engine(location)
    if engine is not None and recorded is not None and engine != recorded and not full:
        raise EngineChoiceError(
            f"l'indice in {location} è scritto con il motore {recorded}: per passare a "
            f"{engine} ricostruiscilo con `archivio reindex --full --engine {engine}`"
        )
    name = engine or recorded or engines.backend_engine() or engines.DEFAULT_ENGINE
    return engine_class(name)(Path(location))


def _write_failure(index_dir: Path | str, error: OSError) -> str:
    causes = {
        errno.ENOSPC: "spazio su disco esaurito",
        errno.EDQUOT: "quota del disco esaurita",
        errno.EROFS: "il file system è in sola lettura",
        errno.EACCES: "permesso negato",
        errno.EPERM: "permesso negato",
    }
    cause = causes.get(error.errno or 0, error.strerror or str(error))
    return (
        f"impossibile scrivere l'indice in {index_dir}: {cause}. "
        "L'indice precedente è intatto e resta in uso; libera spazio o correggi i permessi "
        "e riesegui `archivio reindex`"
    )


def _reindex(
    settings: Settings,
    engine: object,
    full: bool,
    on_start: Callable[[int, int], None] | None,
    on_file: ProgressCallback | None,
    on_phase: Callable[[str], None] | None,
) -> ReindexReport:
    corpus = settings.corpus_dir
    # Decide on helper processes before the writer opens (they are started with it, or
    # before it: preparers forked later would inherit the writer's lock and threads).
    procs = _procs(settings, corpus, full)
    preparers = Preparers(procs if engine.prepares_in_helpers else 1)  # type: ignore[attr-defined]
    # Every file read must lie in the corpus when it is opened, not only when listed.
    with preparers, corpus_boundary(corpus, settings.follow_symlinks_outside):
        return _run(settings, engine, full, procs, preparers, on_start, on_file, on_phase)


def _run(
    settings: Settings,
    engine: object,
    full: bool,
    procs: int,
    preparers: Preparers,
    on_start: Callable[[int, int], None] | None,
    on_file: ProgressCallback | None,
    on_phase: Callable[[str], None] | None,
) -> ReindexReport:
    corpus = settings.corpus_dir
    writer: Writer = engine.writer(  # type: ignore[attr-defined]
        full=full, procs=procs, limit_mb=settings.limit_mb
    )
    try:
        old = None if writer.previous_state is None else read_manifest(writer.previous_state)
        report = ReindexReport(full=old is None, engine=engine.name)  # type: ignore[attr-defined]
        plan = _plan(corpus, old, settings.follow_symlinks_outside)
        report.skipped.extend(plan.skipped)
        if on_start:
            on_start(len(plan.read), sum(plan.stats[label].st_size for _, label in plan.read))
        if old is not None and not plan.read and not plan.dropped:
            writer.cancel()  # nothing to index: no new state
            _count_unchanged(plan, report)
            report.articles = report.unchanged
            return report
        manifest = _write(writer, old, plan, report, on_file, settings.limits, preparers)
        if on_phase:
            on_phase("commit")
        writer.commit(manifest)  # type: ignore[call-arg]
    except BaseException:
        writer.cancel()
        raise
    report.articles = manifest.articles
    return report


def _procs(settings: Settings, corpus: Path, full: bool) -> int:
    if settings.procs is not None:
        return settings.procs
    if not full and recorded_engine(settings.index_dir) is not None:
        return 1
    if (os.cpu_count() or 1) < 2:
        return 1
    total = 0
    for path in discover(corpus, follow_symlinks_outside=settings.follow_symlinks_outside):
        if isinstance(path, Skipped):
            continue
        try:
            total += path.stat().st_size
        except OSError:
            continue
        if total >= PARALLEL_MIN_BYTES:
            return 2
    return 1


def _plan(corpus: Path, old: Manifest | None, follow_symlinks_outside: bool = False) -> _Plan:
    known = old.files if old else {}
    plan = _Plan(read=[], unchanged={}, dropped=set(), stats={})
    seen = set()
    for path in discover(corpus, follow_symlinks_outside=follow_symlinks_outside):
        if isinstance(path, Skipped):
            plan.skipped.append(path)
            continue
        label = path.relative_to(corpus).as_posix()
        try:
            stat = path.stat()
        except OSError as error:  # gone since discovery
            plan.skipped.append(Skipped(label, f"file illeggibile: {error.strerror or error}"))
            continue
        seen.add(label)
        plan.stats[label] = stat
        record = known.get(label)
        if (
            record
            and record.sha1
            and (record.size, record.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
        ):
            plan.unchanged[label] = record
        elif record and record.sha1 and record.sha1 == _sha1(path):  # "": unreadable last time
            record.mtime_ns = stat.st_mtime_ns  # touched, not changed
            plan.unchanged[label] = record
        else:
            plan.read.append((path, label))
            if record:
                plan.dropped.add(label)
    plan.dropped.update(set(known) - seen)
    # Files whose articles were skipped as copies of articles now leaving: read them again.
    leaving = {i for label in plan.dropped for i in known[label].ids}
    for label, record in list(plan.unchanged.items()):
        if leaving.intersection(record.duplicates_of):
            del plan.unchanged[label]
            plan.read.append((corpus / label, label))
            plan.dropped.add(label)
    plan.read.sort(key=lambda item: item[1])
    return plan


def _write(
    writer: Writer,
    old: Manifest | None,
    plan: _Plan,
    report: ReindexReport,
    on_file: ProgressCallback | None,
    limits: IngestLimits,
    preparers: Preparers,
) -> Manifest:
    previous = writer.previous_state
    columns = ColumnsBuilder(Columns.load(previous) if previous is not None else None)
    near = NearDuplicates.load(previous)
    old_ids: set[str] = set()
    for label in sorted(plan.dropped):
        record = old.files[label] if old else None
        if record is not None:
            old_ids.update(record.ids)
            columns.remove(record.rows)
            for article_id in record.ids:
                near.remove(article_id)
        writer.delete_path(label)
    seen = _SeenKeys(writer, plan.dropped)
    files = dict(plan.unchanged)
    new_ids: set[str] = set()
    for path, label in plan.read:
        record = _index_file(
            writer, path, label, plan.stats[label], seen, near, columns, report, limits, preparers
        )
        files[label] = record
        new_ids.update(record.ids)
        if on_file:
            on_file(label, plan.stats[label].st_size, len(record.ids))
    built = columns.build()
    built.save(writer.state_dir)
    near.save(writer.state_dir)
    report.files_read = len(plan.read)
    report.updated = len(new_ids & old_ids)
    report.added = len(new_ids - old_ids)
    report.removed = len(old_ids - new_ids)
    _count_unchanged(plan, report)
    articles = sum(len(r.ids) for r in files.values())
    return Manifest(SCHEMA_VERSION, report.engine, files, time.time(), articles)


def _count_unchanged(plan: _Plan, report: ReindexReport) -> None:
    report.files_unchanged = len(plan.unchanged)
    report.unchanged = sum(len(r.ids) for r in plan.unchanged.values())
    for record in plan.unchanged.values():
        report.skipped.extend(Skipped(p, r) for p, r in record.skipped)
        report.notices.extend(Notice(p, r) for p, r in record.notices)


def _index_file(
    writer: Writer,
    path: Path,
    label: str,
    stat: os.stat_result,
    seen: _SeenKeys,
    near: NearDuplicates,
    columns: ColumnsBuilder,
    report: ReindexReport,
    limits: IngestLimits,
    preparers: Preparers,
) -> FileRecord:
    record = FileRecord(size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha1=_sha1(path))
    try:
        for prepared in preparers.in_order(read_articles(path, label, limits)):
            if isinstance(prepared, Notice):
                record.notices.append([prepared.path, prepared.reason])
                continue
            if isinstance(prepared, Skipped):
                record.skipped.append([prepared.path, prepared.reason])
                continue
            item, (analysis, signature) = prepared
            original = seen.original_of(item)
            if original is not None:
                record.duplicates_of.append(original)
                report.duplicates += 1
                continue
            group = item.id if signature is None else near.assign_signature(item.id, signature)
            document = numbered(analysis, group, columns.next_row())
            writer.add(document)
            columns.add(item, group, len(document.title), len(document.body))
            record.ids.append(item.id)
            record.rows.append(document.row)
    except SkipInput as problem:
        record.skipped.append([label, str(problem)])
    except FileNotFoundError:
        record.skipped.append([label, "file sparito durante la lettura"])
    except OSError as problem:
        if problem.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            raise
        record.skipped.append([label, f"file illeggibile: {problem.strerror or problem}"])
    report.skipped.extend(Skipped(p, r) for p, r in record.skipped)
    report.notices.extend(Notice(p, r) for p, r in record.notices)
    return record


class _SeenKeys:
    """Ids, URLs and text hashes already in the index or met earlier in this run."""

    def __init__(self, writer: Writer, dropped: set[str]) -> None:
        self.writer = writer
        self.dropped = dropped
        self.keys: dict[tuple[str, str], str] = {}

    def original_of(self, article: Article) -> str | None:
        keys = [("id", article.id), ("text_key", text_key(article))]
        if article.url:
            keys.append(("url_key", url_key(article.url)))
        for key in keys:
            original = self.keys.get(key) or self._in_index(*key)
            if original is not None:
                return original
        for key in keys:
            self.keys[key] = article.id
        return None

    def _in_index(self, key: str, value: str) -> str | None:
        found = self.writer.original_of(key, value)
        if found is None:
            return None
        article_id, path = found
        return None if path in self.dropped else article_id


def _sha1(path: Path) -> str:
    """The file's content hash; "" when it cannot be read (reading it then says why)."""
    digest = hashlib.sha1()
    try:
        with open_regular(path) as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, SkipInput):
        return ""
    return digest.hexdigest()
