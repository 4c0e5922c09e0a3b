"""Query expansion as a reader meets it: other words for what was meant, shown, explained,
and switched off; never a change to what matches the query as written.

The sample archive in corpus/ plus three invented articles that say things in other words:
a fire where only «pompieri» come, a flood in Serbia and Bosnia that never says «Balcani»,
a flood in Calabria that never says «Mezzogiorno».
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from search.analysis import analyze
from search.archive import Archive
from search.cli import main
from search.explain import TYPED, explain, explain_article
from search.indexer import reindex
from search.query.expansion import FILES, LABELS, MAX_KEY_WORDS, parse_table
from search.results import SearchRequest, iter_hits, search
from search.settings import Settings
from tests.corpus_facts import SAMPLE_CORPUS
from web import create_app

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

FIREFIGHTERS = "esp-pompieri"
SERBIA = "esp-serbia"
CALABRIA = "esp-calabria"
ARTICLES = [
    {
        "id": FIREFIGHTERS,
        "title": "Capannone in fiamme a Rivalta, notte di lavoro per i pompieri",
        "body": "Un capannone agricolo è andato distrutto nella notte a Rivalta. I pompieri "
        "sono arrivati con tre autobotti e hanno lavorato fino all'alba per spegnere le "
        "fiamme, che minacciavano una stalla vicina. Nessun ferito; le cause sono in corso "
        "di accertamento.",
        "date": "2024-07-03",
        "source": "Cronache del Lambro",
    },
    {
        "id": SERBIA,
        "title": "Esondano i fiumi tra Serbia e Bosnia, migliaia di sfollati",
        "body": "Le piogge di questa settimana hanno fatto esondare la Sava e la Drina. In "
        "Serbia e in Bosnia migliaia di persone hanno lasciato le case; a Obrenovac l'acqua "
        "ha raggiunto i primi piani.",
        "date": "2024-05-17",
        "source": "Italia Settegiorni",
    },
    {
        "id": CALABRIA,
        "title": "Frane e strade chiuse in Calabria dopo tre giorni di pioggia",
        "body": "In Calabria la pioggia ha fatto franare i versanti sopra due paesi della "
        "Sila; la protezione civile ha chiuso sei strade provinciali.",
        "date": "2024-11-20",
        "source": "Il Faro di Ortigia",
    },
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root = tmp_path_factory.mktemp("expansion")
    corpus = root / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    lines = [json.dumps(article, ensure_ascii=False) for article in ARTICLES]
    (corpus / "jsonl" / "altre-parole.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    reindex(Settings(corpus_dir=corpus, index_dir=root / "index"))
    archive = Archive(root / "index")
    yield archive
    archive.close()


def ids(archive: Archive, request: SearchRequest) -> list[str]:
    return [hit.id for hit in search(archive, replace(request, limit=100)).hits]


def test_firefighters_find_the_article_that_says_only_pompieri(archive: Archive) -> None:
    request = SearchRequest(query="vigili del fuoco", limit=100)
    page = search(archive, request)
    hit = next(h for h in page.hits if h.id == FIREFIGHTERS)
    assert hit.missing == ("vigili", "fuoco")  # a partial match, with what it lacks
    assert hit.title.endswith("pompieri")  # the synonym is highlighted in the snippet…
    assert "<mark>pompieri</mark>" in hit.snippet
    assert ("sinonimi", ("pompieri", "caschi rossi")) in page.also or any(
        technique == "sinonimi" and "pompieri" in words for technique, words in page.also
    )  # …and named: "cercato anche"
    strict = [h for h in page.hits if not h.missing]
    assert len(strict) == page.total and page.hits[: page.total] == tuple(strict)


def test_without_expansion_the_words_are_searched_as_typed(archive: Archive) -> None:
    request = SearchRequest(query="vigili del fuoco", expand=False)
    page = search(archive, replace(request, limit=100))
    assert FIREFIGHTERS not in [h.id for h in page.hits]
    assert page.also == ()


def test_expansion_never_changes_the_total_nor_what_is_exported(archive: Archive) -> None:
    """Exports give the articles that match as written (when some do: otherwise the
    partial matches, which expansion widens)."""
    for query in ("vigili del fuoco", "pompieri", "Modena alluvione", "alluvione"):
        on = SearchRequest(query=query)
        off = replace(on, expand=False)
        total = search(archive, on).total
        assert total and total == search(archive, off).total, query
        exported = {h.id for h in iter_hits(archive, on)}
        assert exported == {h.id for h in iter_hits(archive, off)}, query


def test_a_region_reaches_its_countries(archive: Archive) -> None:
    page = search(archive, SearchRequest(query="alluvione Balcani", limit=100))
    hit = next(h for h in page.hits if h.id == SERBIA)
    assert hit.missing == ("alluvione", "Balcani")  # it says esondano, Serbia, Bosnia
    places = dict(page.also)["luoghi"]
    assert "serbia" in places and "bosnia" in places
    assert SERBIA not in ids(archive, SearchRequest(query="alluvione Balcani", expand=False))


def test_the_south_of_italy_reaches_its_regions(archive: Archive) -> None:
    assert CALABRIA in ids(archive, SearchRequest(query="Mezzogiorno"))
    assert CALABRIA not in ids(archive, SearchRequest(query="Mezzogiorno", expand=False))


def test_a_member_does_not_stand_for_its_class(archive: Archive) -> None:
    """«Serbia» is in the Balkans, but a search for Serbia is not a search for Albania."""
    page = search(archive, SearchRequest(query="Serbia"))
    assert "luoghi" not in dict(page.also)


def test_feedback_words_come_from_the_best_articles_and_only_reorder(archive: Archive) -> None:
    request = SearchRequest(query="alluvione", limit=100)
    page = search(archive, request)
    words = dict(page.also)["retroazione"]
    assert words and "alluvione" not in words
    top = [archive.get(h.id) for h in page.hits[:10]]
    for word in words:
        assert any(word in (a.title + " " + a.body).lower() for a in top), word
    on = search(archive, replace(request, collapse=False))
    off = search(archive, replace(request, collapse=False, expand=False))
    assert on.total == off.total
    assert {h.id for h in on.hits[: on.total]} == {h.id for h in off.hits}


def test_explanations_add_up_to_the_score_and_name_the_synonym(archive: Archive) -> None:
    request = SearchRequest(query="vigili del fuoco", limit=100)
    page = search(archive, request)
    reasons = {e.id: e for e in explain(archive, request)}
    for hit in page.hits:
        total = sum(part.score for part in reasons[hit.id].contributions)
        assert total == pytest.approx(hit.score, abs=1e-3), hit.id
    firefighters = reasons[FIREFIGHTERS]
    assert firefighters.missing == ("vigili", "fuoco")
    roles = {(part.words, part.role) for part in firefighters.contributions}
    assert ("pompieri", LABELS["sinonimi"]) in roles
    assert not any(role == TYPED for _, role in roles)


def test_the_article_page_explanation_matches_the_results(archive: Archive) -> None:
    request = SearchRequest(query="vigili del fuoco")
    page = search(archive, replace(request, limit=100, collapse=False))
    score = next(h.score for h in page.hits if h.id == FIREFIGHTERS)
    why = explain_article(archive, request, FIREFIGHTERS)
    assert why.score == pytest.approx(score, abs=1e-3)
    unmatched = explain_article(archive, replace(request, expand=False), FIREFIGHTERS)
    assert unmatched.contributions == ()


def test_cli_names_the_expansions_and_no_expand_switches_them_off(archive: Archive) -> None:
    runner = CliRunner()
    index = str(archive.location)
    args = ["search", "--index", index, "--limit", "100", "vigili", "del", "fuoco"]
    result = runner.invoke(main, args, env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "Cercato anche (senza espansioni: --no-expand): sinonimi: pompieri" in result.output
    block = result.output.split(f"id: {FIREFIGHTERS}", 1)[1].split("\n\n", 1)[0]
    assert "(manca: vigili, fuoco)" in block
    off = runner.invoke(main, [*args[:1], "--no-expand", *args[1:]], env={"COLUMNS": "100"})
    assert off.exit_code == 0, off.output
    assert "Cercato anche" not in off.output and FIREFIGHTERS not in off.output


def test_cli_explain_shows_each_word_and_field(archive: Archive) -> None:
    args = ["search", "--index", str(archive.location), "--explain", "--limit", "1", "pompieri"]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "Perché: punteggio" in result.output
    assert "pompieri · parola cercata · titolo" in result.output
    data = json.loads(
        CliRunner().invoke(main, [*args[:1], "--json", *args[1:]], env={"COLUMNS": "100"}).output
    )
    [explanation] = data["explanations"]
    assert explanation["id"] == data["results"][0]["id"]
    assert sum(c["score"] for c in explanation["contributions"]) == pytest.approx(
        explanation["score"], abs=1e-3
    )
    assert "vigili del fuoco" in data["also_searched"]["sinonimi"]


@pytest.fixture(scope="module")
def client(archive: Archive) -> FlaskClient:
    app = create_app({"INDEX_DIR": str(archive.location), "TESTING": True})
    return app.test_client()


def test_results_page_shows_what_was_also_searched_and_a_checkbox(client: FlaskClient) -> None:
    page = client.get("/cerca", query_string={"q": "vigili del fuoco"}).get_data(as_text=True)
    assert "Cercato anche:" in page and "pompieri" in page
    assert 'name="senza_espansioni" value="1">' in page  # unchecked: expansion on
    assert "Perché questo risultato" in page
    off = client.get("/cerca", query_string={"q": "vigili del fuoco", "senza_espansioni": "1"})
    text = off.get_data(as_text=True)
    assert "Cercato anche:" not in text and f"/articolo/{FIREFIGHTERS}" not in text
    assert 'name="senza_espansioni" value="1" checked>' in text
    bad = client.get("/cerca", query_string={"q": "fuoco", "senza_espansioni": "sì"})
    assert bad.status_code == 400


def test_article_page_says_why_it_matched(client: FlaskClient) -> None:
    page = client.get(f"/articolo/{FIREFIGHTERS}", query_string={"q": "vigili del fuoco"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Perché questo risultato" in text
    assert "<td>pompieri</td><td>sinonimi</td>" in text
    assert "<mark" in text.split("story-body", 1)[1]  # «pompieri» marked in the text


def test_api_expand_parameter(client: FlaskClient) -> None:
    on = client.get("/api/search", query_string={"q": "pompieri"}).get_json()
    off = client.get("/api/search", query_string={"q": "pompieri", "expand": "false"}).get_json()
    assert "vigili del fuoco" in on["also_searched"]["sinonimi"]
    assert off["also_searched"] == {} and on["total"] == off["total"]
    bad = client.get("/api/search", query_string={"q": "pompieri", "expand": "forse"})
    assert bad.status_code == 400 and "expand" in bad.get_json()["error"]


def test_thesaurus_lines_read_both_ways_and_classes_one_way() -> None:
    table = parse_table(["vigili del fuoco, pompieri", "droga: cocaina, eroina  # classe"])
    assert [text for _, text in table.lookup(("pompier",))] == ["vigili del fuoco"]
    assert [text for _, text in table.lookup(("vigil", "fuoc"))] == ["pompieri"]
    assert [text for _, text in table.lookup(("drog",))] == ["cocaina", "eroina"]
    assert table.lookup(("cocain",)) == ()


def _eager_table(
    lines: list[str],
) -> dict[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]]:
    """The reference reading: every expression analysed up front, as the tables mean."""
    found: dict[tuple[str, ...], dict[tuple[str, ...], str]] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        head, colon, tail = line.partition(":")
        keys = _reference_expressions(head if colon else line)
        members = _reference_expressions(tail) if colon else keys
        for key, _ in keys:
            for tokens, text in members:
                if tokens != key and not set(tokens) <= set(key):
                    found.setdefault(key, {}).setdefault(tokens, text)
    return {key: tuple(alternatives.items()) for key, alternatives in found.items()}


def _reference_expressions(text: str) -> list[tuple[tuple[str, ...], str]]:
    parts = [(tuple(analyze(part.strip())), part.strip()) for part in text.split(",")]
    return [(tokens, words) for tokens, words in parts if tokens and len(tokens) <= MAX_KEY_WORDS]


@pytest.mark.parametrize("technique", sorted(FILES))
def test_tables_read_on_demand_stand_for_what_they_list(technique: str) -> None:
    """Keys analysed when read, what they stand for when first looked up (fast start):
    the same alternatives, in the same order, as reading every line up front."""
    lines = []
    for name in FILES[technique]:
        lines += (
            (Path(__file__).resolve().parents[1] / "search" / "data" / name)
            .read_text("utf-8")
            .splitlines()
        )
    table = parse_table(lines)
    reference = _eager_table(lines)
    assert {key for key in table.members if key in table} == set(reference)
    for key, alternatives in reference.items():
        assert table.lookup(key) == alternatives, key


def test_data_files_say_their_licence() -> None:
    data = Path(__file__).resolve().parents[1] / "search" / "data"
    for path in data.glob("*.txt"):
        head = path.read_text("utf-8")[:400]
        assert "CC0" in head or "CC BY" in head, path.name
