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
from search.results import SearchRequest, iter_hits
from tests.index_state import live_state, lock_holder, states_in_writing

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

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


def generations(index: Path) -> set[str]:
    return states_in_writing(index)


def live(index: Path) -> str | None:
    return live_state(index)


def wait_until_writing(process: subprocess.Popen[bytes], index: Path, before: set[str]) -> None:
    """Return once `process` holds the writer lock and has a new generation folder."""
    deadline = time.monotonic() + 300
    while not (lock_holder(index) == str(process.pid) and generations(index) - before):
        assert process.poll() is None, "the reindex ended before it started writing"
        assert time.monotonic() < deadline, "the reindex never started writing"
        time.sleep(0.005)


def run_to_end(corpus: Path, index: Path, *extra: str) -> float:
    """Run a reindex to its end; how long it wrote (new generation to publication), in s."""
    before, published = generations(index), live(index)
    process = reindex_process(corpus, index, *extra)
    wait_until_writing(process, index, before)
    started = time.monotonic()
    while live(index) == published and process.poll() is None:
        time.sleep(0.005)
    writing = time.monotonic() - started
    out, _ = process.communicate(timeout=600)
    assert process.returncode == 0
    json.loads(out)
    return writing


def snapshot(index: Path) -> tuple[int, dict[str, list[str]]]:
    archive = Archive(index)
    try:
        # Whole sets, not rankings (nor a top-N cut of one): BM25 statistics legitimately
        # shift after deletions, and so does the order near any cut.
        results = {
            q: sorted(h.id for h in iter_hits(archive, SearchRequest(query=q))) for q in QUERIES
        }
        return archive.stats().articles, results
    finally:
        archive.close()


def kill_while_writing(corpus: Path, index: Path, delay: float, *extra: str) -> bool:
    """Start a reindex, let it write for `delay` s, then SIGKILL it in the middle of writing.

    The process is frozen (SIGSTOP) before the kill, so what is checked is the state it
    dies in: alive, holding the writer lock, a generation of its own half written, the old
    one still live. False when the reindex published before it could be stopped (the delay
    outlasted the write): that run proves nothing and is not counted.
    """
    before, published = generations(index), live(index)
    process = reindex_process(corpus, index, *extra)
    wait_until_writing(process, index, before)
    time.sleep(delay)
    process.send_signal(signal.SIGSTOP)
    try:
        mid_write = process.poll() is None and live(index) == published
        if mid_write:
            assert lock_holder(index) == str(process.pid)
            assert generations(index) - before, "the reindex has no generation of its own"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    if mid_write:
        assert process.returncode == -signal.SIGKILL
    print(f"kill after {delay:.2f} s of writing: mid-write={mid_write}")
    return mid_write


def crash_loop(
    shared: Path, tmp_path: Path, kills_full: int, kills_incremental: int, lines: int = 250
) -> int:
    """Kill full and incremental reindexes mid-write; the number of such kills survived."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    split_facta(shared, corpus, parts=2, lines_each=lines)
    run_to_end(corpus, index)
    small = snapshot(index)
    extra = split_facta(shared, tmp_path, parts=4, lines_each=lines)[2:]
    for path in extra:
        path.rename(corpus / path.name)
    writing = run_to_end(corpus, index, "--full")
    large = snapshot(index)
    assert large[0] > small[0]
    survived = attempts = 0

    # Full rebuilds killed at points spread over their writing.
    while survived < kills_full:
        attempts += 1
        assert attempts <= 3 * kills_full, "the reindex kept finishing before the kill"
        delay = 0.9 * writing * (survived + 0.5) / kills_full
        if kill_while_writing(corpus, index, delay, "--full"):
            survived += 1
        else:
            writing *= 0.7  # this run wrote faster than the measured one
        assert snapshot(index) == large  # the live index is the last complete one
    run_to_end(corpus, index, "--full")
    assert snapshot(index) == large

    # Incremental updates (removing, then adding back half the corpus) killed likewise.
    parked = tmp_path / "parked"
    parked.mkdir()
    writing_for = {"remove": 0.5, "add": 0.5}  # s of writing, measured on each completion
    killed = attempts = 0
    while killed < kills_incremental:
        attempts += 1
        assert attempts <= 3 * kills_incremental, "the reindex kept finishing before the kill"
        before = snapshot(index)
        assert before in (large, small)
        step = "remove" if before == large else "add"
        moving = [corpus / p.name for p in extra] if step == "remove" else list(parked.iterdir())
        for path in moving:
            path.rename((parked if step == "remove" else corpus) / path.name)
        delay = writing_for[step] * (killed % 4 + 0.5) / 4
        if kill_while_writing(corpus, index, delay):
            killed += 1
            assert snapshot(index) == before  # killed before publishing: nothing changed
            # The next reindex completes the change: no lock or half generation in its way.
            writing_for[step] = run_to_end(corpus, index)
        else:
            writing_for[step] *= 0.5  # it published before the kill: aim earlier
        assert snapshot(index) == (small if step == "remove" else large)
    return survived + killed


@pytest.mark.medium
def test_killed_reindex_keeps_the_previous_index(shared_corpus: Path, tmp_path: Path) -> None:
    assert crash_loop(shared_corpus, tmp_path, kills_full=1, kills_incremental=1, lines=100) == 2


@pytest.mark.slow
def test_twenty_four_kills_over_full_and_incremental_runs(
    shared_corpus: Path, tmp_path: Path
) -> None:
    survived = crash_loop(shared_corpus, tmp_path, kills_full=14, kills_incremental=10)
    print(f"\nkills survived: {survived}")
    assert survived == 24


@pytest.mark.medium
def test_leftover_generations_are_cleaned(shared_corpus: Path, tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    split_facta(shared_corpus, corpus, parts=1, lines_each=200)
    run_to_end(corpus, index)
    writing = run_to_end(corpus, index, "--full")
    # Halfway through the write, or earlier if this run is faster than the measured one.
    assert any(kill_while_writing(corpus, index, writing / 2**n, "--full") for n in range(1, 5))
    run_to_end(corpus, index, "--full")
    assert len(states_in_writing(index)) <= 2, os.listdir(index)
