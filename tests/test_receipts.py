"""Citable result sets: receipts, their verification, and pinned generations.

A receipt names the query, the generation and a SHA-256 of the ordered ids; it verifies
against the index that produced it and fails once the set changes; a past generation is
read while the index keeps it (the live one and the one before).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from search.archive import Archive
from search.engines import open_engine
from search.indexer import reindex
from search.receipts import (
    Receipt,
    ReceiptError,
    csv_cell,
    read_receipts,
    receipt_for,
    verify,
)
from search.results import SearchRequest, iter_hits, search
from search.settings import Settings
from tests.corpus_facts import SAMPLE_CORPUS
from tests.index_state import in_database, live_token

pytestmark = pytest.mark.engines

ALLUVIONE = """Alluvione a Bastiglia, la piena del Naviglio entra nelle case

BASTIGLIA. Una nuova alluvione: il Naviglio ha rotto l'argine nella notte.
"""


@pytest.fixture
def own_index(tmp_path: Path) -> Settings:
    """A private index of the sample archive, free to change."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    reindex(settings)
    return settings


def add_article(settings: Settings, name: str = "nuova.txt", text: str = ALLUVIONE) -> None:
    (settings.corpus_dir / name).write_text(text, "utf-8")
    reindex(settings)


def test_the_digest_is_of_the_ids_in_order_one_a_line(sample_archive: Archive) -> None:
    request = SearchRequest(query="alluvione", sort="newest")
    ids = [hit.id for hit in iter_hits(sample_archive, request)]
    with sample_archive.snapshot() as snapshot:
        receipt = receipt_for(sample_archive, snapshot, request)
        generation = snapshot.generation
    lines = "".join(f"{i}\n" for i in ids).encode("utf-8")
    assert receipt.sha256 == hashlib.sha256(lines).hexdigest()
    assert (
        receipt.sha256_set
        == hashlib.sha256("".join(f"{i}\n" for i in sorted(ids)).encode()).hexdigest()
    )
    assert (receipt.articles, receipt.query, receipt.sort) == (len(ids), "alluvione", "newest")
    assert receipt.generation == generation and receipt.built_at
    assert receipt.filters == {} and receipt.kind == "ricerca"


def test_a_receipt_verifies_against_its_index(sample_archive: Archive) -> None:
    request = SearchRequest(query="alluvione", date_from="2020", source="La Voce del Panaro")
    with sample_archive.snapshot() as snapshot:
        receipt = receipt_for(sample_archive, snapshot, request)
    assert receipt.filters == {"date_from": "2020", "source": "La Voce del Panaro"}
    result = verify(sample_archive, receipt)
    assert result.confirmed and result.articles == receipt.articles


def test_a_receipt_fails_once_the_set_changes(own_index: Settings) -> None:
    archive = Archive(own_index.index_dir)
    with archive.snapshot() as snapshot:
        before = receipt_for(archive, snapshot, SearchRequest(query="alluvione"))
    add_article(own_index)
    result = verify(archive, before)
    assert not result.same_set and not result.confirmed
    assert result.articles == before.articles + 1
    assert result.generation != before.generation


def test_an_unrelated_change_keeps_the_set(own_index: Settings) -> None:
    archive = Archive(own_index.index_dir)
    request = SearchRequest(query='"cessate il fuoco"', sort="oldest")
    with archive.snapshot() as snapshot:
        before = receipt_for(archive, snapshot, request)
    add_article(own_index, "altro.txt", "Mercato di Natale\n\nBancarelle in piazza.\n")
    result = verify(archive, before)
    assert result.confirmed and result.generation != before.generation


def test_a_reordered_set_is_the_same_set_in_another_order(sample_archive: Archive) -> None:
    with sample_archive.snapshot() as snapshot:
        receipt = receipt_for(sample_archive, snapshot, SearchRequest(query="alluvione"))
    shuffled = Receipt(**{**receipt.to_json(), "sha256": "0" * 64})
    result = verify(sample_archive, shuffled)
    assert result.same_set and not result.same_order


@pytest.mark.parametrize("kind", ["csv", "json", "atom", "trends", "bare"])
def test_receipts_are_read_back_from_every_export(sample_archive: Archive, kind: str) -> None:
    with sample_archive.snapshot() as snapshot:
        receipt = receipt_for(sample_archive, snapshot, SearchRequest(query='<a>;"=1+1"'))
    data = receipt.to_json()
    text = {
        "csv": '"id"\r\n"x"\r\n"' + csv_cell(receipt).replace('"', '""') + '"\r\n',
        "json": json.dumps({"results": [], "receipt": data}),
        "atom": '<feed xmlns="http://www.w3.org/2005/Atom">'
        + '<ricevuta xmlns="urn:archivio:ricevuta:1">'
        + json.dumps(data).replace("&", "&amp;").replace("<", "&lt;")
        + "</ricevuta></feed>",
        "trends": json.dumps({"series": [{"receipt": data}, {"receipt": data}]}),
        "bare": json.dumps(data),
    }[kind]
    found = read_receipts(text)
    assert found == ([receipt, receipt] if kind == "trends" else [receipt])


def test_the_csv_cell_cannot_split_or_start_a_formula(sample_archive: Archive) -> None:
    with sample_archive.snapshot() as snapshot:
        receipt = receipt_for(sample_archive, snapshot, SearchRequest(query="x;=HYPERLINK(1)<b>"))
    cell = csv_cell(receipt)
    assert cell.startswith("# ricevuta Archivio: {")
    assert not set(";<>&'") & set(cell)
    assert read_receipts(cell)[0].query == "x;=HYPERLINK(1)<b>"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"id","title"\r\n"a","b"\r\n', "nessuna ricevuta"),
        ('{"results": []', "JSON illeggibile"),
        ('{"sha256": "x"}', "ricevuta incompleta"),
        ("<feed>", "XML illeggibile"),
    ],
)
def test_a_file_without_a_receipt_says_so(text: str, message: str) -> None:
    with pytest.raises(ReceiptError, match=message):
        read_receipts(text)


# -- Pinned generations ------------------------------------------------------------------------


def test_a_past_generation_is_read_while_it_is_kept(own_index: Settings) -> None:
    archive = Archive(own_index.index_dir)
    request = SearchRequest(query="alluvione", limit=100)
    with archive.snapshot() as snapshot:
        first = snapshot.generation
    before = search(archive, request)
    add_article(own_index)
    assert search(archive, request).total == before.total + 1
    if not keeps_past_states(own_index):
        with archive.pinned(first) as view:
            assert view is None  # the engine keeps no past state: pages say it is gone
        return
    with archive.pinned(first) as view:
        assert view is not None and view.held.generation == first
        again = search(view, request)
        assert [h.id for h in again.hits] == [h.id for h in before.hits]
        with view.snapshot() as snapshot:
            receipt = receipt_for(view, snapshot, request)
        assert receipt.generation == first and receipt.articles == before.total
    add_article(own_index, "terza.txt", ALLUVIONE.replace("Bastiglia", "Sorbara"))
    with archive.pinned(first) as view:
        assert view is None  # two reindexes later it is gone


def keeps_past_states(settings: Settings) -> bool:
    """Whether the engine implements the optional `snapshot_at` (folder engines do)."""
    return hasattr(open_engine(settings.index_dir), "snapshot_at")


def test_only_committed_generation_names_are_opened(own_index: Settings, tmp_path: Path) -> None:
    engine = open_engine(own_index.index_dir)
    if not keeps_past_states(own_index):
        with Archive(own_index.index_dir).pinned("gen-1") as view:
            assert view is None
        return
    live = live_token(own_index.index_dir)
    assert live is not None
    future = own_index.index_dir / f"gen-{int(live[4:]) + 1}"
    if not in_database(own_index.index_dir):  # a run's generation, not live yet
        shutil.copytree(own_index.index_dir / live, future)
    for name in ("../index", "gen-1", "gen-x", f"{live}/..", "", future.name):
        assert engine.snapshot_at(name) is None, name
    opened = engine.snapshot_at(live)
    assert opened is not None and opened.generation == live
    opened.close()
