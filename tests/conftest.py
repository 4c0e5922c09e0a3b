from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import engines
from search.archive import Archive
from search.indexer import reindex
from search.settings import Settings
from tests import postgres_cluster
from tests.corpus_facts import SAMPLE_CORPUS, SHARED_CORPUS

# The engines the suite runs on (`ARCHIVIO_TEST_ENGINES=whoosh,tantivy,postgresql`): every
# test marked `engines` runs once per engine, the others on the first one only. An engine is
# done when the suite passes on it.
TEST_ENGINES = [
    name.strip() for name in os.environ.get("ARCHIVIO_TEST_ENGINES", "whoosh").split(",") if name
]


@pytest.fixture(scope="session", params=TEST_ENGINES, autouse=True)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """The engine every index of this test is built with (`reindex` with no `engine=`).

    Subprocesses (`archivio reindex`, `archivio serve`) get it through ARCHIVIO_ENGINE.
    On PostgreSQL every index folder gets a schema of its own in a throwaway cluster
    (`postgres_server`): `search.engines.BACKEND` here, ARCHIVIO_BACKEND for subprocesses.
    """
    name = str(request.param)
    previous_default, previous_env = engines.DEFAULT_ENGINE, os.environ.get("ARCHIVIO_ENGINE")
    previous_backend = engines.BACKEND, os.environ.get("ARCHIVIO_BACKEND")
    engines.DEFAULT_ENGINE = name
    os.environ["ARCHIVIO_ENGINE"] = name
    if name == "postgresql":
        server = request.getfixturevalue("postgres_server")
        engines.BACKEND = server
        os.environ["ARCHIVIO_BACKEND"] = server
    try:
        yield name
    finally:
        engines.DEFAULT_ENGINE = previous_default
        engines.BACKEND = previous_backend[0]
        if previous_backend[1] is None:
            os.environ.pop("ARCHIVIO_BACKEND", None)
        else:
            os.environ["ARCHIVIO_BACKEND"] = previous_backend[1]
        if previous_env is None:
            os.environ.pop("ARCHIVIO_ENGINE", None)
        else:
            os.environ["ARCHIVIO_ENGINE"] = previous_env


@pytest.fixture(autouse=True)
def engine_settings_restored(engine: str) -> Iterator[None]:
    """A command run in-process (`CliRunner`) sets the process-wide engine settings as
    `archivio` does for its own process (`--backend`, ARCHIVIO_BACKEND, `--index`): each
    test gets back the settings of its engine, so no test decides where the next one's
    index lives."""
    saved = engines.DEFAULT_ENGINE, engines.BACKEND
    try:
        yield
    finally:
        engines.DEFAULT_ENGINE, engines.BACKEND = saved


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL 15 cluster for the session (`tests/postgres_cluster.py`):
    `initdb` in a temporary folder, a free loopback port, removed at the end."""
    problem = postgres_cluster.available()
    if problem:
        pytest.skip(problem)
    cluster = postgres_cluster.start_cluster()
    try:
        yield cluster.url
    finally:
        cluster.remove()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests not marked `engines` run on the first engine only: they read no index."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("engine") if callspec else None
        if name in (None, TEST_ENGINES[0]) or item.get_closest_marker("engines"):
            kept.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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
    r"postgresql-15 is missing": "no PostgreSQL: scripts/setup-system.sh needs root",
    r"the index lives in PostgreSQL": "a full disk is the database server's, not the folder's",
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
