"""Fixtures of the web tests, loaded with `pytest_plugins = ["tests.web_fixtures"]`.

`app` -> `client` on conftest's `built_index` (the sample archive), and the same for an
archive of hostile articles.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search.indexer import reindex
from search.settings import Settings
from tests.hostile_outputs import write_poisoned_corpus
from tests.web_support import write_hostile_corpus
from web import create_app


@pytest.fixture(scope="session")
def app(built_index: Path) -> Flask:
    """The application on the sample archive (conftest's session index)."""
    return create_app({"INDEX_DIR": str(built_index), "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = write_hostile_corpus(tmp_path_factory.mktemp("hostile-corpus"))
    index_dir = tmp_path_factory.mktemp("hostile-index")
    reindex(Settings(corpus_dir=corpus, index_dir=index_dir))
    return index_dir


@pytest.fixture
def hostile_client(hostile_index: Path) -> FlaskClient:
    return create_app({"INDEX_DIR": str(hostile_index), "TESTING": True}).test_client()


@pytest.fixture(scope="session")
def poisoned_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Control characters, escapes, a lone surrogate and odd ids (`tests.hostile_outputs`),
    indexed as far as ingest lets them in."""
    corpus = write_poisoned_corpus(tmp_path_factory.mktemp("veleno-corpus"))
    index_dir = tmp_path_factory.mktemp("veleno-index")
    reindex(Settings(corpus_dir=corpus, index_dir=index_dir))
    return index_dir
