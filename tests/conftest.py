from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.archive import Archive
from search.indexer import reindex
from search.settings import Settings
from tests.corpus_facts import SAMPLE_CORPUS, SHARED_CORPUS


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real Italian news in ../shared/corpus: only the real-archive tier reads it.

    A newcomer's clone has none, so those tests skip; everything else runs on corpus/.
    """
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent (only CI and the team have the real data)")
    return SHARED_CORPUS


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the sample archive in corpus/, free to change."""
    target = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the sample archive, built once (never the repository's index/)."""
    index_dir = tmp_path_factory.mktemp("index")
    reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=index_dir))
    return index_dir


@pytest.fixture(scope="session")
def sample_archive(built_index: Path) -> Archive:
    """The sample archive, opened once: the query language and the README run on it."""
    return Archive(built_index)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# Why a test may skip (README, "Test"), each a pattern matched at the start of the reason.
# Any other skip hides a broken test or a machine set up wrong: with ARCHIVIO_STRICT_SKIPS=1
# (.ci/run sets it) it fails the run. A new reason goes here and in the README.
ALLOWED_SKIPS = {
    r"\.\./shared/corpus is absent": "the real archive is not in the repository",
    r"\S*chromium is missing": "no Chromium: scripts/setup-system.sh needs root",
    r"\S*axe\.min\.js is missing": "no axe-core: scripts/setup-system.sh needs npm",
    r"cannot mount a small tmpfs": "the full-disk tests need root to mount a tmpfs",
}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    _fail_unexpected_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    _fail_unexpected_skip(outcome.get_result())  # a module-level importorskip


def _fail_unexpected_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if os.environ.get("ARCHIVIO_STRICT_SKIPS") != "1" or not report.skipped:
        return
    if hasattr(report, "wasxfail") or not isinstance(report.longrepr, tuple):
        return
    reason = str(report.longrepr[2]).removeprefix("Skipped: ")
    if not any(re.match(pattern, reason) for pattern in ALLOWED_SKIPS):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped for a reason not in tests/conftest.py ALLOWED_SKIPS "
            f"(ARCHIVIO_STRICT_SKIPS=1): {reason}"
        )
