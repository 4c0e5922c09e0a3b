"""The writer lock dies with the writer, helper processes included.

A full rebuild of a large corpus works with helper processes: Whoosh's MpWriter writes in
two, the other engines prepare articles in them (`search.preparation`). Whoosh's are forked
while the lock is held: before, a SIGKILL of the parent left them alive holding the lock's
descriptor, and every later reindex exited 3 naming a dead process. Now each helper closes
any copy of the lock at once and dies with its parent (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.archive import Archive
from search.errors import IndexLockedError
from search.indexer import ReindexReport, reindex
from search.settings import Settings
from tests.corpus_facts import SAMPLE_CORPUS

pytestmark = [pytest.mark.medium, pytest.mark.engines]

BUILD = """
import sys
from pathlib import Path
from search.indexer import reindex
from search.settings import Settings
reindex(Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]), procs=2), full=True)
"""


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killing_the_writer_kills_its_helpers_and_frees_the_lock(
    tmp_path: Path, engine: str
) -> None:
    corpus = tmp_path / "corpus"
    # Copies are indexed once, but every article is read and sent to the helpers.
    for copy in range(4):
        shutil.copytree(SAMPLE_CORPUS, corpus / f"copia-{copy}")
    index = tmp_path / "index"
    reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=index))  # something live to keep
    before = Archive(index).stats().articles
    process = subprocess.Popen(
        [sys.executable, "-c", BUILD, str(corpus), str(index)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    helpers: set[int] = set()
    while not helpers:  # wait for the first helper process
        assert process.poll() is None, "the rebuild ended before starting its helpers"
        assert time.monotonic() < deadline, "no helper process was ever started"
        helpers = children(process.pid)
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in helpers):
        assert time.monotonic() < deadline, "a helper outlived the killed writer"
        time.sleep(0.05)
    # The lock went with them: the next reindex runs (no exit 3), the old index served meanwhile.
    assert Archive(index).stats().articles == before
    report = _reindex_once_free(Settings(corpus_dir=corpus, index_dir=index), engine)
    assert report.articles == before and report.duplicates >= 3 * before


def _reindex_once_free(settings: Settings, engine: str) -> ReindexReport:
    """A folder's lock goes with the process; PostgreSQL's advisory lock goes when the
    server notices the connection is gone, which can take a few seconds if the writer was
    killed mid-statement: the next reindex says so (exit 3) until then, never for ever."""
    deadline = time.monotonic() + (60 if engine == "postgresql" else 0)
    while True:
        try:
            return reindex(settings, full=True)
        except IndexLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


PREPARE = """
import sys
from pathlib import Path
from search.indexer import reindex
from search.settings import Settings
settings = Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]), procs=2)
try:
    reindex(settings, full=True, engine="tantivy")
except KeyboardInterrupt:
    print("interrotto", file=sys.stderr)
    sys.exit(130)
"""


def _copies(tmp_path: Path, count: int) -> Path:
    corpus = tmp_path / "corpus"
    for copy in range(count):
        shutil.copytree(SAMPLE_CORPUS, corpus / f"copia-{copy}")
    return corpus


def _helpers_of(process: subprocess.Popen[str]) -> set[int]:
    deadline = time.monotonic() + 120
    helpers: set[int] = set()
    while len(helpers) < 2:  # the two preparers, forked before the writer opens
        assert process.poll() is None, "the rebuild ended before starting its helpers"
        assert time.monotonic() < deadline, "no helper process was ever started"
        helpers = children(process.pid)
        time.sleep(0.01)
    return helpers


def test_a_helper_that_dies_stops_the_rebuild_with_a_reason_and_frees_the_lock(
    tmp_path: Path,
) -> None:
    """Before: the reindex waited forever for the dead helper's articles, holding the lock."""
    corpus = _copies(tmp_path, 8)
    index = tmp_path / "index"
    reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=index), engine="tantivy")
    before = Archive(index).stats().articles
    process = subprocess.Popen(
        [sys.executable, "-c", PREPARE, str(corpus), str(index)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.kill(min(_helpers_of(process)), signal.SIGKILL)
    _, stderr = process.communicate(timeout=120)  # never a wait without end
    assert process.returncode != 0
    assert "HelperDiedError" in stderr and "processo ausiliario" in stderr
    assert Archive(index).stats().articles == before  # the previous index, untouched
    report = reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=index), full=True)
    assert report.articles == before  # the lock was let go


def test_ctrl_c_stops_a_rebuild_with_helpers_quietly(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches the whole group: the helpers leave it to the reindex
    (no traceback of theirs) and the reindex stops them (before: a hang, 3 times in 10)."""
    corpus = _copies(tmp_path, 8)
    index = tmp_path / "index"
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-c", PREPARE, str(corpus), str(index)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        helpers = _helpers_of(process)
        time.sleep(0.3)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode in (0, 130), stderr  # 0: it had finished already
        assert "Traceback" not in stderr
        assert not any(alive(pid) for pid in helpers)
