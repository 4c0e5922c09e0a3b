"""What only the PostgreSQL engine does: where an index lives, switching engines, limits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import engines
from search.archive import Archive
from search.engines import POINTER, recorded_engine
from search.engines.postgres.tsvector import positions, tsvector_literal
from search.errors import ArchivioError
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings
from tests.corpus_facts import SAMPLE_ARTICLES, SAMPLE_CORPUS
from web import create_app


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
    def literal(tokens: list[str], weight: str = "") -> str:
        return tsvector_literal(positions(tokens), weight)

    assert literal(["alluvion", "mod", "alluvion"], "A") == "'alluvion':1A,3A 'mod':2A"
    assert literal(["l'aquila", "back\\slash"]) == "'l''aquila':1 'back\\\\slash':2"
    assert literal(["x" * 3000, "y"]) == "'y':2"  # too long for PostgreSQL: left out
    # As PostgreSQL keeps them: at most 256 positions a word, none past 16383.
    assert len(positions(["a"] * 300)["a"]) == 256
    assert positions(["b"] * 16380 + ["a"] * 10)["a"] == [16381, 16382, 16383]


def test_a_schema_that_is_not_an_index_is_never_touched(server: str, tmp_path: Path) -> None:
    """A reindex into a schema holding the user's own tables refuses, and drops nothing."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA gestionale")
        conn.execute("CREATE TABLE gestionale.utenti (nome text)")
        conn.execute("INSERT INTO gestionale.utenti VALUES ('alice')")
    engines.BACKEND = f"{server}?schema=gestionale"
    with pytest.raises(ArchivioError, match="non è un indice di Archivio"):
        reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=tmp_path / "index"))
    with psycopg.connect(server) as conn:
        assert conn.execute("SELECT nome FROM gestionale.utenti").fetchall() == [("alice",)]
    for reserved in ("public", "pg_catalog", "information_schema"):
        engines.BACKEND = f"{server}?schema={reserved}"
        with pytest.raises(ArchivioError, match="scegli un nome"):
            reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=tmp_path / "index"))


def test_a_server_that_does_not_answer_is_said_plainly(tmp_path: Path) -> None:
    """No 30 s wait, no «errore inatteso», no «danneggiato»: the server does not answer."""
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"postgresql://postgres@127.0.0.1:{port}/archivio?schema=giornale"
    for command in (["search", "alluvione"], ["check"], ["stats"]):
        done = subprocess.run(
            [sys.executable, "-m", "search", *command, "--backend", address],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            env={**os.environ, "ARCHIVIO_DEBUG": ""},
        )
        assert done.returncode == 1, done.stderr
        assert "il server dell'indice non risponde" in done.stderr
        assert "errore inatteso" not in done.stderr and "Ricostruiscilo" not in done.stderr
        assert "Traceback" not in done.stderr and "connecting in" not in done.stderr
    app = create_app({"INDEX_DIR": address, "TESTING": True})
    with app.test_client() as client:
        response = client.get("/api/search?q=alluvione")
        assert response.status_code == 503
        assert "error" in response.get_json()


def test_an_index_folder_typed_on_the_command_line_beats_the_environment(tmp_path: Path) -> None:
    """ARCHIVIO_BACKEND naming a schema does not hijack `--index FOLDER` of a folder index."""
    index = tmp_path / "index"
    reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=index), engine="whoosh")
    environment = {
        **os.environ,
        "ARCHIVIO_BACKEND": "postgresql://postgres@127.0.0.1:9/archivio?schema=altro",
    }
    done = subprocess.run(
        [sys.executable, "-m", "search", "stats", "--json", "--index", str(index)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert '"engine": "whoosh"' in done.stdout
    assert f'"articles": {SAMPLE_ARTICLES}' in done.stdout
