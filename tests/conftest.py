from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.archive import Archive
from search.indexer import reindex
from search.settings import Settings
from tests.corpus_facts import SAMPLE_CORPUS, SEED, SHARED_CORPUS


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real Italian news in ../shared/corpus; a newcomer's clone has none, so skip."""
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
def seed_index(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Path:
    """The sample archive plus the seed article, indexed once."""
    corpus = tmp_path_factory.mktemp("seed-corpus")
    shutil.copytree(SAMPLE_CORPUS, corpus, dirs_exist_ok=True)
    (corpus / "seed").mkdir()
    shutil.copy(shared_corpus / SEED, corpus / SEED)
    index_dir = tmp_path_factory.mktemp("seed-index")
    reindex(Settings(corpus_dir=corpus, index_dir=index_dir))
    return index_dir


@pytest.fixture(scope="session")
def seed_archive(seed_index: Path) -> Archive:
    return Archive(seed_index)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
