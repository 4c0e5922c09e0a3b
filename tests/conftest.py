from __future__ import annotations

import shutil
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
