"""A damaged index is found and said, never served or built upon.

Each generation records the size and blake2b checksum of every file at its commit. A
truncated or altered file makes `archivio check` name it, `archivio serve` refuse to start,
`/healthz` answer 503 and an incremental reindex stop; `reindex --full` rebuilds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.archive import Archive
from search.cli import main
from search.errors import IndexCorruptError
from search.indexer import reindex
from search.integrity import check_index
from search.settings import Settings
from tests.corpus_facts import SAMPLE_CORPUS
from tests.index_state import damage_largest_file
from web import create_app

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def flip(data: bytes) -> bytes:
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0xFF
    return bytes(flipped)


@pytest.fixture
def index(tmp_path: Path) -> tuple[Settings, Path]:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    reindex(settings)
    return settings, tmp_path / "index"


def test_a_sound_index_checks_clean(index: tuple[Settings, Path], runner: CliRunner) -> None:
    _, location = index
    assert check_index(location) == []
    result = runner.invoke(main, ["check", "--index", str(location)])
    assert result.exit_code == 0 and "Indice integro" in result.stdout


@pytest.mark.parametrize("damage", [truncate, flip], ids=["truncated", "flipped"])
def test_a_damaged_file_is_named_and_nothing_builds_on_it(
    index: tuple[Settings, Path], runner: CliRunner, damage: object
) -> None:
    settings, location = index
    victim = damage_largest_file(location, damage)  # type: ignore[arg-type]
    problems = check_index(location)
    assert problems and victim in " ".join(problems)
    # archivio check: exit 1, the file named, what to do
    result = runner.invoke(main, ["check", "--index", str(location)])
    assert result.exit_code == 1
    assert victim in result.stderr and "reindex --full" in result.stderr
    # serve refuses to start (checked before gunicorn is even started)
    result = runner.invoke(main, ["serve", "--index", str(location), "--port", "1"])
    assert result.exit_code == 1 and "danneggiato" in result.stderr
    # /healthz: 503 with the reason
    app = create_app({"INDEX_DIR": str(location), "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and victim in response.get_json()["error"]
    # an incremental reindex stops with the message instead of reporting success
    (settings.corpus_dir / "nuovo.txt").write_text("# Titolo nuovo\n\nUn testo nuovo.\n", "utf-8")
    with pytest.raises(IndexCorruptError, match="reindex --full"):
        reindex(settings)
    result = runner.invoke(
        main, ["reindex", "--corpus", str(settings.corpus_dir), "--index", str(location)]
    )
    assert result.exit_code == 1 and "danneggiato" in result.stderr
    # a full rebuild recovers
    assert reindex(settings, full=True).articles > 0
    assert check_index(location) == []
    assert Archive(location).health() == []


def test_healthz_runs_a_real_search(index: tuple[Settings, Path]) -> None:
    _, location = index
    app = create_app({"INDEX_DIR": str(location), "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ok" and data["articles"] > 0
