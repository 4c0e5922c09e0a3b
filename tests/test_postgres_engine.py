"""What only the PostgreSQL engine does: where an index lives, switching engines, limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search import engines
from search.archive import Archive
from search.engines import POINTER, recorded_engine
from search.engines.postgres.tsvector import tsvector_literal
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings
from tests.corpus_facts import SAMPLE_ARTICLES, SAMPLE_CORPUS


@pytest.fixture
def server(postgres_server: str) -> Iterator[str]:
    previous = engines.BACKEND
    engines.BACKEND = postgres_server
    try:
        yield postgres_server
    finally:
        engines.BACKEND = previous


def total(location: Path | str, query: str) -> int:
    return search(Archive(location), SearchRequest(query=query)).total


def test_a_folder_switches_engines_with_a_full_rebuild(server: str, tmp_path: Path) -> None:
    index = tmp_path / "index"
    settings = Settings(corpus_dir=SAMPLE_CORPUS, index_dir=index)
    reindex(settings, engine="whoosh")
    on_whoosh = total(index, "alluvione")
    reindex(settings, full=True, engine="postgresql")
    assert recorded_engine(index) == "postgresql" and (index / POINTER).is_file()
    assert total(index, "alluvione") == on_whoosh
    reindex(settings, full=True, engine="whoosh")
    assert recorded_engine(index) == "whoosh" and not (index / POINTER).exists()
    assert total(index, "alluvione") == on_whoosh


def test_an_address_naming_its_schema_is_the_index(server: str, tmp_path: Path) -> None:
    address = f"{server}?schema=giornale_prova"
    engines.BACKEND = address
    reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=tmp_path / "unused"))
    assert not (tmp_path / "unused").exists()  # nothing written in the folder
    engines.BACKEND = None
    archive = Archive(address)
    assert archive.stats().articles == SAMPLE_ARTICLES
    assert archive.engine == "postgresql"


def test_tokens_are_stored_as_given_with_positions_and_weights() -> None:
    assert tsvector_literal(["alluvion", "mod", "alluvion"], "A") == "'alluvion':1A,3A 'mod':2A"
    assert tsvector_literal(["l'aquila", "back\\slash"]) == "'l''aquila':1 'back\\\\slash':2"
    assert tsvector_literal(["x" * 3000, "y"]) == "'y':2"  # too long for PostgreSQL: left out
