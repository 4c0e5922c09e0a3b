"""A reindex killed with SIGKILL at any moment leaves the previous index whole and usable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.archive import Archive
from search.results import SearchRequest, search

QUERIES = ["vaccino", "Bassetti", '"cessate il fuoco"', "5G", "Draghi OR Conte"]


def split_facta(shared: Path, target: Path, parts: int, lines_each: int) -> list[Path]:
    lines = (shared / "facta.jsonl").read_text(encoding="utf-8").splitlines()
    files = []
    for n in range(parts):
        path = target / f"facta-{n}.jsonl"
        path.write_text("\n".join(lines[n * lines_each : (n + 1) * lines_each]) + "\n")
        files.append(path)
    return files


def reindex_process(corpus: Path, index: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "search", "reindex", "--corpus", str(corpus)]
    return subprocess.Popen(
        [*command, "--index", str(index), "--json", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def run_to_end(corpus: Path, index: Path, *extra: str) -> float:
    started = time.perf_counter()
    process = reindex_process(corpus, index, *extra)
    out, _ = process.communicate(timeout=600)
    assert process.returncode == 0
    json.loads(out)
    return time.perf_counter() - started


def snapshot(index: Path) -> tuple[int, dict[str, list[str]]]:
    archive = Archive(index)
    try:
        # Sets, not rankings: BM25 statistics legitimately shift after deletions.
        results = {
            q: sorted(h.id for h in search(archive, SearchRequest(query=q, limit=100)).hits)
            for q in QUERIES
        }
        return archive.stats().articles, results
    finally:
        archive.close()


def kill_at(corpus: Path, index: Path, seconds: float, *extra: str) -> None:
    process = reindex_process(corpus, index, *extra)
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def crash_loop(
    shared: Path, tmp_path: Path, kills_full: int, kills_incremental: int, lines: int = 250
) -> int:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    split_facta(shared, corpus, parts=2, lines_each=lines)
    run_to_end(corpus, index)
    small = snapshot(index)
    extra = split_facta(shared, tmp_path, parts=4, lines_each=lines)[2:]
    for path in extra:
        path.rename(corpus / path.name)
    duration = run_to_end(corpus, index, "--full")
    large = snapshot(index)
    assert large[0] > small[0]
    survived = 0

    # Full rebuilds killed at points spread over the whole run.
    for i in range(kills_full):
        kill_at(corpus, index, duration * (i + 0.5) / kills_full, "--full")
        assert snapshot(index) == large  # the live index is the last complete one
        survived += 1
    run_to_end(corpus, index, "--full")
    assert snapshot(index) == large

    # Incremental updates (removing, then adding back half the corpus) killed likewise.
    parked = tmp_path / "parked"
    parked.mkdir()
    for i in range(kills_incremental):
        states = (large, small)
        current = snapshot(index)
        assert current in states
        moving = [corpus / p.name for p in extra] if current == large else list(parked.iterdir())
        destination = parked if current == large else corpus
        for path in moving:
            path.rename(destination / path.name)
        started = time.perf_counter()
        kill_at(corpus, index, 0.3 + 2.5 * (i + 0.5) / kills_incremental)
        assert snapshot(index) in states
        survived += 1
        run_to_end(corpus, index)  # the next reindex completes, no lock left behind
        assert snapshot(index) == (large if destination == corpus else small)
        assert time.perf_counter() - started < 300
    return survived


def test_killed_reindex_keeps_the_previous_index(shared_corpus: Path, tmp_path: Path) -> None:
    assert crash_loop(shared_corpus, tmp_path, kills_full=1, kills_incremental=1, lines=100) == 2


@pytest.mark.slow
def test_twenty_four_kills_over_full_and_incremental_runs(
    shared_corpus: Path, tmp_path: Path
) -> None:
    survived = crash_loop(shared_corpus, tmp_path, kills_full=14, kills_incremental=10)
    print(f"\nkills survived: {survived}")
    assert survived == 24


def test_leftover_generations_are_cleaned(shared_corpus: Path, tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    split_facta(shared_corpus, corpus, parts=1, lines_each=200)
    run_to_end(corpus, index)
    kill_at(corpus, index, 1.0, "--full")
    run_to_end(corpus, index, "--full")
    generations = [p for p in index.iterdir() if p.name.startswith("gen-")]
    assert len(generations) <= 2, os.listdir(index)
