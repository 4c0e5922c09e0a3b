"""Build and update the index from a corpus directory (`archivio reindex`).

Incremental by default: a file whose size and mtime are unchanged is not read; one whose
content hash is unchanged is not re-indexed; a changed file's articles are replaced, a
deleted file's removed. `full=True` rebuilds from nothing. Either way the work goes into a
new generation that goes live only once committed (see `search.store`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search.errors import IndexWriteError, SkipInput, StaleIndexError
from search.identity import text_key, url_key
from search.ingest import IngestLimits, discover, read_articles
from search.ingest.files import open_regular
from search.model import Article, Skipped
from search.near_duplicates import NearDuplicates
from search.schema import SCHEMA_VERSION
from search.settings import Settings
from search.store import (
    FileRecord,
    Manifest,
    live_generation,
    new_generation,
    publish,
    read_manifest,
    write_manifest,
    writer_lock,
)

# Below this many articles to add, a second process costs more than it saves (measured).
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
    articles: int = 0
    seconds: float = 0.0


@dataclass
class _Plan:
    read: list[tuple[Path, str]]  # (path, corpus-relative label) to (re)read
    unchanged: dict[str, FileRecord]
    dropped: set[str]  # labels whose old articles leave the index
    stats: dict[str, os.stat_result]
    touched: bool = False  # a file's time changed but not its content
    skipped: list[Skipped] = field(default_factory=list)  # refused before reading (links out…)


ProgressCallback = Callable[[str, int, int], None]  # (label, bytes, articles)


def reindex(
    settings: Settings,
    *,
    full: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_file: ProgressCallback | None = None,
) -> ReindexReport:
    """Bring the index in `settings.index_dir` up to date with `settings.corpus_dir`."""
    started = time.perf_counter()
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise SkipInput(f"la cartella del corpus {corpus} non esiste")
    try:
        report = _reindex_locked(settings, full, on_start, on_file)
    except OSError as error:
        raise IndexWriteError(_write_failure(settings.index_dir, error)) from error
    report.seconds = time.perf_counter() - started
    return report


def _write_failure(index_dir: Path, error: OSError) -> str:
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


def _reindex_locked(
    settings: Settings,
    full: bool,
    on_start: Callable[[int, int], None] | None,
    on_file: ProgressCallback | None,
) -> ReindexReport:
    corpus = settings.corpus_dir
    with writer_lock(settings.index_dir):
        live = live_generation(settings.index_dir)
        old = None if full or live is None else _current_manifest(settings.index_dir, live)
        report = ReindexReport(full=old is None)
        plan = _plan(corpus, old, settings.follow_symlinks_outside)
        report.skipped.extend(plan.skipped)
        if on_start:
            on_start(len(plan.read), sum(plan.stats[label].st_size for _, label in plan.read))
        if old is not None and live is not None and not plan.read and not plan.dropped:
            # Nothing to index: no new generation, only touched files' times remembered.
            _count_unchanged(plan, report)
            if plan.touched:
                write_manifest(live, Manifest(SCHEMA_VERSION, plan.unchanged, old.built_at))
            report.articles = report.unchanged
            return report
        base = None if old is None else live
        generation = new_generation(settings.index_dir, base)
        try:
            manifest = _write(settings, generation, old, plan, report, on_file)
            write_manifest(generation, manifest)
            publish(settings.index_dir, generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        report.articles = sum(len(r.ids) for r in manifest.files.values())
    return report


def _current_manifest(index_dir: Path, live: Path) -> Manifest:
    manifest = read_manifest(live)
    if manifest.version != SCHEMA_VERSION:
        raise StaleIndexError(str(index_dir), manifest.version, SCHEMA_VERSION)
    return manifest


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
            plan.touched = True
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
    settings: Settings,
    generation: Path,
    old: Manifest | None,
    plan: _Plan,
    report: ReindexReport,
    on_file: ProgressCallback | None,
) -> Manifest:
    ix = whoosh_index.open_dir(str(generation))
    total_bytes = sum(plan.stats[label].st_size for _, label in plan.read)
    procs = settings.procs or (2 if (os.cpu_count() or 1) > 1 else 1)
    if old is not None or total_bytes < PARALLEL_MIN_BYTES:
        procs = 1
    # Segments not compound: each worker reads them through the shared page cache, where a
    # compound file is copied into every process's memory (100k: 1.1 GB -> 120 MB per worker).
    if procs > 1:
        writer = ix.writer(
            procs=procs, multisegment=True, limitmb=settings.limit_mb, compound=False
        )
    else:
        writer = ix.writer(limitmb=settings.limit_mb, compound=False)
    seen = _SeenKeys(ix if old is not None else None, plan.dropped)
    old_ids = {i for label in plan.dropped for i in (old.files[label].ids if old else [])}
    near = NearDuplicates.load(generation if old is not None else None)
    for article_id in old_ids:
        near.remove(article_id)
    for label in sorted(plan.dropped):
        writer.delete_by_term("path", label)
    files = dict(plan.unchanged)
    new_ids: set[str] = set()
    try:
        for path, label in plan.read:
            record = _index_file(
                writer, path, label, plan.stats[label], seen, near, report, settings.limits
            )
            files[label] = record
            new_ids.update(record.ids)
            if on_file:
                on_file(label, plan.stats[label].st_size, len(record.ids))
        writer.commit()
        near.save(generation)
    except BaseException:
        writer.cancel()
        raise
    finally:
        seen.close()
    report.files_read = len(plan.read)
    report.updated = len(new_ids & old_ids)
    report.added = len(new_ids - old_ids)
    report.removed = len(old_ids - new_ids)
    _count_unchanged(plan, report)
    return Manifest(SCHEMA_VERSION, files, time.time())


def _count_unchanged(plan: _Plan, report: ReindexReport) -> None:
    report.files_unchanged = len(plan.unchanged)
    report.unchanged = sum(len(r.ids) for r in plan.unchanged.values())
    for record in plan.unchanged.values():
        report.skipped.extend(Skipped(p, r) for p, r in record.skipped)


def _index_file(
    writer: SegmentWriter,
    path: Path,
    label: str,
    stat: os.stat_result,
    seen: _SeenKeys,
    near: NearDuplicates,
    report: ReindexReport,
    limits: IngestLimits,
) -> FileRecord:
    record = FileRecord(size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha1=_sha1(path))
    try:
        for item in read_articles(path, label, limits):
            if isinstance(item, Skipped):
                record.skipped.append([item.path, item.reason])
                continue
            original = seen.original_of(item)
            if original is not None:
                record.duplicates_of.append(original)
                report.duplicates += 1
                continue
            group = near.assign(item.id, item.body)
            writer.add_document(**to_document(item, group))
            record.ids.append(item.id)
    except SkipInput as problem:
        record.skipped.append([label, str(problem)])
    except OSError as problem:
        record.skipped.append([label, f"file illeggibile: {problem.strerror or problem}"])
    report.skipped.extend(Skipped(p, r) for p, r in record.skipped)
    return record


class _SeenKeys:
    """Ids, URLs and text hashes already in the index or met earlier in this run."""

    def __init__(self, ix: whoosh_index.Index | None, dropped: Iterable[str]) -> None:
        self.searcher = ix.searcher() if ix is not None else None
        self.dropped = set(dropped)
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

    def _in_index(self, fieldname: str, value: str) -> str | None:
        if self.searcher is None:
            return None
        docnum = self.searcher.document_number(**{fieldname: value})
        if docnum is None:
            return None
        stored = self.searcher.stored_fields(docnum)
        return None if stored.get("path") in self.dropped else stored["id"]

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()


def to_document(article: Article, group: str | None = None) -> dict[str, object]:
    """The Whoosh document of an article; `group` names its near-duplicate group."""
    when = article.date
    document: dict[str, object] = {
        "id": article.id,
        "path": article.path or "",
        "title": article.title,
        "body": article.body,
        "exact": f"{article.title}\n{article.body}",
        "text_key": text_key(article),
        # Sortable columns get a value in every document: Whoosh 2.7 leaves a column short
        # (IndexError on read) when the last documents of a segment have none.
        "author_key": article.author or "",
        "source_key": article.source or "",
        "group": group or article.id,
        "day": when.year * 10000 + when.month * 100 + when.day if when else 0,
        "year": when.year if when else 0,
        "month": when.year * 100 + when.month if when else 0,
    }
    if article.url:
        document["url"] = article.url
        document["url_key"] = url_key(article.url)
    if article.author:
        document["author"] = article.author
    if article.source:
        document["source"] = article.source
    if article.section:
        document["section"] = article.section
    if article.tags:
        document["tags"] = ",".join(article.tags)
    if when:
        document["date"] = datetime(when.year, when.month, when.day)
    return document


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
