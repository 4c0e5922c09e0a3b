"""The re-ranking of the best matches (`riordino`) as a reader meets it: of two articles that
BM25 cannot tell apart, the one with the words together, or in its opening lines, comes
first; never a partial match before a full one; named in the explanation; off with the
other expansions.

The sample archive in corpus/ plus invented pairs of articles made of the same words
(same lengths, same counts: the same BM25 score), in another order.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from search.archive import Archive
from search.cli import main
from search.explain import explain
from search.indexer import reindex
from search.model import Hit
from search.query.expansion import LABELS
from search.results import SearchRequest, search
from search.settings import Settings
from tests.corpus_facts import SAMPLE_CORPUS
from web import create_app

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

RERANK = LABELS["riordino"]
FILLER = (
    "Il raccolto di quest'anno è stato scarso per la siccità di giugno e molte aziende della "
    "zona hanno chiesto aiuto alla Regione, che ha promesso un bando entro l'autunno per "
    "chi ha perso più di metà del grano."
)
# The words far apart (first in the file: first on a tie) and side by side.
APART = "riord-lontane"
TOGETHER = "riord-vicine"
# The words in the last lines (first in the file) and in the opening ones.
LATE = "riord-in-fondo"
EARLY = "riord-in-apertura"
# Side by side, at the top, but without the third word: a partial match.
PARTIAL = "riord-parziale"
ARTICLES = [
    {
        "id": APART,
        "title": "Cronaca dalle campagne",
        "body": "La trebbiatrice del contoterzista è rimasta ferma tutta la mattina sulla "
        "provinciale per un guasto, poi nel pomeriggio un trattore si è ribaltato nel fosso "
        "vicino alla chiesa.",
        "date": "2024-07-10",
        "source": "Cronache del Lambro",
    },
    {
        "id": TOGETHER,
        "title": "Cronaca dalle campagne",
        "body": "Un trattore si è ribaltato: la trebbiatrice del contoterzista è rimasta "
        "ferma tutta la mattina sulla provinciale per un guasto, poi nel pomeriggio nel "
        "fosso vicino alla chiesa.",
        "date": "2024-07-10",
        "source": "Cronache del Lambro",
    },
    {
        "id": LATE,
        "title": "Notte agitata in collina",
        "body": FILLER + " Una mietitrebbia parcheggiata dietro il fienile è stata poi "
        "trovata incendiata all'alba.",
        "date": "2024-08-02",
        "source": "Cronache del Lambro",
    },
    {
        "id": EARLY,
        "title": "Notte agitata in collina",
        "body": "Una mietitrebbia parcheggiata dietro il fienile è stata poi trovata "
        "incendiata all'alba. " + FILLER,
        "date": "2024-08-02",
        "source": "Cronache del Lambro",
    },
    {
        "id": PARTIAL,
        "title": "Trebbiatrice ribaltata",
        "body": "Trebbiatrice ribaltata in un campo di grano: il conducente è illeso.",
        "date": "2024-07-11",
        "source": "Cronache del Lambro",
    },
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root = tmp_path_factory.mktemp("rerank")
    corpus = root / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    lines = [json.dumps(article, ensure_ascii=False) for article in ARTICLES]
    (corpus / "jsonl" / "riordino.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    reindex(Settings(corpus_dir=corpus, index_dir=root / "index"))
    archive = Archive(root / "index")
    yield archive
    archive.close()


def pair(archive: Archive, request: SearchRequest, pair: tuple[str, str]) -> list[Hit]:
    """The two articles of `pair` among the results, in the order listed (the pairs are
    copies of each other: not collapsed here)."""
    hits = search(archive, replace(request, limit=100, collapse=False)).hits
    return [h for h in hits if h.id in pair]


def test_words_side_by_side_come_before_the_same_words_apart(archive: Archive) -> None:
    request = SearchRequest(query="trebbiatrice ribaltata")
    off = pair(archive, replace(request, expand=False), (APART, TOGETHER))
    assert [h.id for h in off] == [APART, TOGETHER]  # a tie: the file's order
    assert off[0].score == pytest.approx(off[1].score)
    on = pair(archive, request, (APART, TOGETHER))
    assert [h.id for h in on] == [TOGETHER, APART]
    assert on[0].score > on[1].score


def test_words_in_the_opening_lines_come_before_the_same_words_at_the_end(
    archive: Archive,
) -> None:
    request = SearchRequest(query="mietitrebbia incendiata")
    off = pair(archive, replace(request, expand=False), (LATE, EARLY))
    assert [h.id for h in off] == [LATE, EARLY]
    assert off[0].score == pytest.approx(off[1].score)
    on = pair(archive, request, (LATE, EARLY))
    assert [h.id for h in on] == [EARLY, LATE]
    assert on[0].score > on[1].score


def test_a_partial_match_stays_after_the_full_ones(archive: Archive) -> None:
    """«Trebbiatrice ribaltata» in title and opening line, but no «chiesa»."""
    request = SearchRequest(query="trebbiatrice ribaltata chiesa", limit=100, collapse=False)
    page = search(archive, request)
    assert page.total == 2
    assert [h.id for h in page.hits[:3]] == [TOGETHER, APART, PARTIAL]
    assert page.hits[2].missing == ("chiesa",)


def test_explanation_names_the_reordering_and_adds_up(archive: Archive) -> None:
    request = SearchRequest(query="trebbiatrice ribaltata", limit=3, collapse=False)
    page = search(archive, request)
    reasons = {e.id: e for e in explain(archive, request)}
    for hit in page.hits:
        total = sum(part.score for part in reasons[hit.id].contributions)
        assert total == pytest.approx(hit.score, abs=1e-3), hit.id
    bonus = [p for p in reasons[TOGETHER].contributions if p.role == RERANK]
    assert [p.words for p in bonus if p.field == "titolo e testo"] == [
        "vicine in qualunque ordine: trebbiatrice, ribaltata"
    ]
    off = explain(archive, replace(request, expand=False))
    assert not any(p.role == RERANK for e in off for p in e.contributions)


def test_cli_explain_and_article_page_show_the_reordering(archive: Archive) -> None:
    args = ["search", "--index", str(archive.location), "--explain", "--limit", "1"]
    result = CliRunner().invoke(main, [*args, "mietitrebbia incendiata"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert f"id: {EARLY}" in result.output
    assert f"parole all'inizio: mietitrebbia, incendiata · {RERANK}" in result.output
    app = create_app({"INDEX_DIR": str(archive.location), "TESTING": True})
    client: FlaskClient = app.test_client()
    page = client.get(f"/articolo/{EARLY}", query_string={"q": "mietitrebbia incendiata"})
    assert f"<td>{RERANK}</td><td>inizio del testo</td>" in page.get_data(as_text=True)
