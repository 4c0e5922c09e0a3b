"""A full disk or a read-only index folder: a clear error, the previous index intact and served."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.archive import Archive
from search.errors import IndexWriteError
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs: room for the sample index, not for much more (needs root)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill_corpus(corpus: Path, articles: int) -> None:
    words = ["alluvione", "sindaco", "consiglio", "comunale", "ospedale", "ricostruzione"]
    chooser = random.Random(7)
    with open(corpus / "grande.jsonl", "w", encoding="utf-8") as handle:
        for n in range(articles):
            body = " ".join(f"{chooser.choice(words)}{chooser.randrange(5000)}" for _ in range(300))
            handle.write(
                json.dumps({"id": f"big-{n}", "title": f"Articolo {n}", "body": body}) + "\n"
            )


def _count(index: Path) -> int:
    archive = Archive(index)
    try:
        return search(archive, SearchRequest(query="", limit=1, collapse=False)).total
    finally:
        archive.close()


@pytest.mark.medium
def test_full_disk_keeps_the_previous_index(
    corpus_dir: Path, small_disk: Path, engine: str
) -> None:
    if engine == "postgresql":
        pytest.skip("the index lives in PostgreSQL: its disk is the server's, not the folder's")
    settings = Settings(corpus_dir=corpus_dir, index_dir=small_disk / "index")
    reindex(settings)
    before = _count(settings.index_dir)
    _fill_corpus(corpus_dir, 3000)
    with pytest.raises(IndexWriteError, match=r"spazio su disco esaurito.*precedente è intatto"):
        reindex(settings)
    assert _count(settings.index_dir) == before
    # the failed generation was removed: the disk has room again for a small change
    (corpus_dir / "grande.jsonl").unlink()
    (corpus_dir / "breve.jsonl").write_text(json.dumps({"id": "n1", "title": "Nuovo", "body": "x"}))
    reindex(settings)
    assert _count(settings.index_dir) == before + 1


@pytest.mark.medium
def test_read_only_index_folder(corpus_dir: Path, small_disk: Path, runner: object) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=small_disk / "index")
    reindex(settings)
    before = _count(settings.index_dir)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    (corpus_dir / "nuovo.jsonl").write_text(json.dumps({"id": "n1", "title": "Nuovo", "body": "x"}))
    with pytest.raises(IndexWriteError, match="sola lettura"):
        reindex(settings)
    assert _count(settings.index_dir) == before  # still served


@pytest.mark.medium
def test_cli_reports_the_failure_without_a_traceback(corpus_dir: Path, small_disk: Path) -> None:
    index = small_disk / "index"
    command = [
        sys.executable,
        "-m",
        "search",
        "reindex",
        "--corpus",
        str(corpus_dir),
        "--index",
        str(index),
    ]
    subprocess.run(command, check=True, capture_output=True)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    (corpus_dir / "nuovo.jsonl").write_text(json.dumps({"id": "n1", "title": "Nuovo", "body": "x"}))
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Errore: impossibile scrivere l'indice in {index}")
    assert "Traceback" not in result.stderr
