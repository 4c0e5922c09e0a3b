"""One frozen configuration, with defaults; the CLI and the web app fill it from options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from search.ingest.limits import DEFAULT_LIMITS, IngestLimits


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # Indexing processes for a full rebuild; None: both cores when the corpus is large.
    procs: int | None = None
    # Writer memory per process (MB) before Whoosh flushes a segment.
    limit_mb: int = 256
    # What one corpus file may cost at ingest (sizes, lines, nesting): see IngestLimits.
    limits: IngestLimits = DEFAULT_LIMITS
    # Read files reached through symbolic links that leave the corpus folder (--follow-symlinks).
    follow_symlinks_outside: bool = False
