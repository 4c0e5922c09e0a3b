"""The research tools in the web (Flask client): trends, concordance, receipts, citations."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from search.archive import Archive
from search.concordance import concordance
from search.indexer import reindex
from search.receipts import read_receipts, receipt_for
from search.results import SearchRequest
from search.serialize_tools import trends_json
from search.settings import Settings
from search.trends import trends
from tests.corpus_facts import SAMPLE_CORPUS
from tests.web_support import HOSTILE, csv_records, soup
from web import create_app

pytest_plugins = ["tests.web_fixtures"]
pytestmark = pytest.mark.engines


def args_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


# -- Trends -----------------------------------------------------------------------------------


def test_the_trends_page_draws_a_line_per_query(client: FlaskClient) -> None:
    response = client.get("/tendenze?q=alluvione&q=lavori")
    assert response.status_code == 200
    html = soup(response.data)
    assert len(html.select("svg.trend-svg path.trend-line")) == 2
    assert [li.a.get_text() for li in html.select(".legend li")] == ["«alluvione»", "«lavori»"]
    assert html.select_one("#caption-trends").get_text().startswith("Articoli trovati, per anno")


def test_every_point_links_to_the_results_of_its_query_in_its_period(
    client: FlaskClient, sample_archive: Archive
) -> None:
    html = soup(client.get("/tendenze?q=alluvione&q=lavori").data)
    found = trends(sample_archive, ["alluvione", "lavori"])
    points = html.select("svg.trend-svg a.point")
    expected = [(s.query, p) for s in found.series for p in s.points if p.matches]
    assert len(points) == len(expected) > 5
    for link, (query, point) in zip(points, expected, strict=True):
        assert args_of(link["href"]) == {"q": [query], "dal": [point.period], "al": [point.period]}
        assert link["aria-label"].startswith(f"{query}, {point.period}: {point.matches} ")
        results = soup(client.get(link["href"]).data)
        assert results.select_one(".result-count strong").get_text() == str(point.matches)


def test_the_table_has_the_same_numbers(client: FlaskClient, sample_archive: Archive) -> None:
    html = soup(client.get("/tendenze?q=alluvione&q=lavori").data)
    found = trends(sample_archive, ["alluvione", "lavori"])
    rows = html.select(".trend-table tbody tr")
    assert [r.th.get_text() for r in rows] == [*found.periods, "Senza data"]
    for row, at in zip(rows, range(len(found.periods)), strict=False):
        cells = [td.get_text() for td in row.select("td")]
        assert cells[0] == str(found.articles[at])
        assert cells[1::2] == [str(s.points[at].matches) for s in found.series]
    totals = [td.get_text() for td in html.select(".trend-table tfoot td")]
    assert totals[1::2] == ["19", "54"]


def test_the_share_view_and_months(client: FlaskClient) -> None:
    html = soup(client.get("/tendenze?q=alluvione&per=mese&vista=quota").data)
    assert (
        html.select_one("#caption-trends")
        .get_text()
        .startswith("Quota sugli articoli pubblicati, per mese")
    )
    assert html.select_one(".tick").get_text().endswith("%")
    current = html.select_one(".view-switch a[aria-current]")
    assert current.get_text() == "Quota sugli articoli pubblicati"
    assert args_of(current["href"])["per"] == ["mese"]
    point = html.select_one("a.point")
    assert "% " not in point["aria-label"] and point["aria-label"].endswith("%)")


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        ("q=a&per=settimana", "periodo sconosciuto: «settimana»", None),
        ("q=a&dal=31/02/2025", "data non valida: 31/02/2025", "dal"),
        ("q=a&q=b&q=c&q=d&q=e&q=f&q=g", "troppe ricerche: al massimo 6", None),
        ("q=xyz:abc", "campo sconosciuto: xyz", None),
    ],
)
def test_bad_trends_parameters_show_the_form_with_the_message(
    client: FlaskClient, query: str, message: str, field: str | None
) -> None:
    response = client.get(f"/tendenze?{query}")
    assert response.status_code == 400
    html = soup(response.data)
    assert message in html.select_one("#errore").get_text()
    if field:
        assert html.select_one(f"#{field}")["aria-invalid"] == "true"
    assert html.select_one("#q1")["value"] == query.split("&")[0][2:]


def test_the_trends_downloads_and_api(client: FlaskClient, sample_archive: Archive) -> None:
    data = client.get("/api/trends?q=alluvione&q=lavori&by=month").get_json()
    expected = trends_json(trends(sample_archive, ["alluvione", "lavori"], unit="month"))
    assert data == json.loads(json.dumps(expected))
    text = client.get("/tendenze.csv?q=alluvione&q=lavori&per=mese").get_data(as_text=True)
    header, *rows = csv_records(text)
    assert header == ["period", "query", "matches", "articles", "share"]
    assert len(rows) == 2 * (len(data["periods"]) + 1)
    assert [r.articles for r in read_receipts(text)] == [19, 54]
    assert client.get("/api/trends").status_code == 400


# -- Concordance --------------------------------------------------------------------------------


def test_the_concordance_page_lists_a_line_per_occurrence(
    client: FlaskClient, sample_archive: Archive
) -> None:
    html = soup(client.get('/concordanza?q="cessate il fuoco"').data)
    lines = html.select("table.kwic tbody tr")
    assert len(lines) == 5
    assert html.select_one(".result-count").get_text().split() == [
        "5",
        "occorrenze",
        "in",
        "2",
        "articoli",
    ]
    for line in lines:
        link = line.select_one(".kwic-match a")
        assert link.get_text().lower() == "cessate il fuoco"
        target = client.get(link["href"])
        assert target.status_code == 200
        anchor = urlsplit(link["href"]).fragment
        assert anchor.startswith("hit-")
        mark = soup(target.data).select_one(f"mark#{anchor}")
        assert mark.get_text().lower() == "cessate"


def test_concordance_pages_sorts_and_csv(client: FlaskClient, sample_archive: Archive) -> None:
    every = concordance(sample_archive, SearchRequest(query="alluvione"), limit=500)
    html = soup(client.get("/concordanza?q=alluvione&ordina=prima").data)
    assert html.select_one(".sort a[aria-current]").get_text() == "Parola prima"
    assert len(html.select("table.kwic tbody tr")) == every.occurrences == 27
    text = client.get("/concordanza.csv?q=alluvione&ordina=dopo").get_data(as_text=True)
    header, *rows = csv_records(text)
    assert len(rows) == 27 and header[6] == "match"
    (receipt,) = read_receipts(text)
    assert receipt.articles == 19 and receipt.kind == "concordanza"
    page = client.get("/api/concordance?q=alluvione&limit=10&page=3").get_json()
    assert (page["pages"], len(page["lines"]), page["occurrences"]) == (3, 7, 27)
    assert client.get("/concordanza?q=alluvione&pagina=abc").status_code == 400
    assert client.get("/api/concordance?q=alluvione&sort=x").status_code == 400


@pytest.mark.parametrize("url", ["/tendenze?q={}", "/concordanza?q={}", "/tendenze?q=a&fonte={}"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_queries_are_escaped(client: FlaskClient, url: str, hostile: str) -> None:
    body = client.get(url.format(hostile)).get_data(as_text=True)
    assert hostile not in body and "<script>" not in body


# -- Receipts and permalinks --------------------------------------------------------------------


def test_the_results_page_shows_its_receipt_and_a_permalink(
    client: FlaskClient, sample_archive: Archive
) -> None:
    html = soup(client.get("/cerca?q=alluvione&ordina=recenti").data)
    box = html.select_one("section.receipt")
    with sample_archive.snapshot() as snapshot:
        receipt = receipt_for(sample_archive, snapshot, SearchRequest("alluvione", sort="newest"))
    assert box.select_one("code").get_text() == receipt.sha256
    assert receipt.generation in box.get_text()
    permalink = box.select_one("a[rel=bookmark]")["href"]
    assert args_of(permalink)["generazione"] == [receipt.generation]
    exported = client.get("/export.csv?q=alluvione&ordina=recenti").get_data(as_text=True)
    assert read_receipts(exported)[0].sha256 == receipt.sha256
    api = client.get(box.select("a")[-1]["href"]).get_json()
    assert api["sha256"] == receipt.sha256


def test_a_permalink_keeps_its_generation_until_it_is_gone(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    reindex(settings)
    client = create_app({"INDEX_DIR": str(settings.index_dir), "TESTING": True}).test_client()
    page = soup(client.get("/cerca?q=alluvione").data)
    permalink = page.select_one("section.receipt a[rel=bookmark]")["href"]
    first = args_of(permalink)["generazione"][0]

    (corpus / "nuova.txt").write_text("Alluvione a Bastiglia\n\nUna nuova alluvione.\n")
    reindex(settings)
    assert (
        soup(client.get("/cerca?q=alluvione").data).select_one(".result-count strong").get_text()
        == "20"
    )
    pinned = soup(client.get(permalink).data)
    assert pinned.select_one(".result-count strong").get_text() == "19"
    assert "non da quello attuale" in pinned.select_one(".pinned-note").get_text()
    facet = pinned.select_one(".facet a")["href"]
    assert args_of(facet)["generazione"] == [first]  # browsing stays on that state
    exported = client.get(f"/export.csv?q=alluvione&generazione={first}").get_data(as_text=True)
    assert read_receipts(exported)[0].generation == first and len(csv_records(exported)) == 20

    (corpus / "altra.txt").write_text("Alluvione a Sorbara\n\nUn'altra alluvione.\n")
    reindex(settings)
    gone = soup(client.get(permalink).data)
    assert "non c'è più" in gone.select_one(".pinned-note").get_text()
    assert gone.select_one(".result-count strong").get_text() == "21"
    assert "generazione" not in args_of(gone.select_one(".facet a")["href"])


def test_a_bad_generation_name_is_refused(client: FlaskClient) -> None:
    response = client.get("/cerca?q=alluvione&generazione=../../etc")
    assert response.status_code == 400
    assert "generazione non valida" in soup(response.data).select_one("#errore").get_text()


# -- Citations ----------------------------------------------------------------------------------


def test_the_article_page_offers_a_citation(client: FlaskClient) -> None:
    html = soup(client.get("/articolo/pna-2025-0318-041").data)
    text = html.select_one("#citazione").get_text()
    assert text.startswith("Prigionieri, nuovo scambio tra Mosca e Kiev")
    assert "in «Penisola Notizie», 18 marzo 2025, https://www.penisolanotizie.it/lanci/" in text
    assert html.select_one("#citazione i").get_text().startswith("Prigionieri")
    assert html.select_one("button[data-copy]").has_attr("hidden")  # shown by citation.js
    links = {a.get_text(): a["href"] for a in html.select(".citation-actions a")}
    bib = client.get(links["BibTeX"])
    assert bib.mimetype == "application/x-bibtex"
    assert bib.headers["Content-Disposition"] == (
        'attachment; filename="penisola2025prigionieri.bib"'
    )
    assert bib.get_data(as_text=True).startswith("@article{penisola2025prigionieri,")
    csl = client.get(links["CSL-JSON"])
    assert csl.mimetype == "application/vnd.citationstyles.csl+json"
    assert json.loads(csl.data)[0]["title"].startswith("Prigionieri")


def test_the_api_gives_every_format(client: FlaskClient) -> None:
    base = "/api/articles/pna-2025-0318-041"
    assert client.get(base).get_json()["id"] == "pna-2025-0318-041"
    text = client.get(f"{base}?format=testo")
    assert text.mimetype == "text/plain"
    assert text.get_data(as_text=True).startswith("Prigionieri, nuovo scambio")
    bad = client.get(f"{base}?format=word")
    assert bad.status_code == 400
    assert bad.get_json()["error"].startswith("formato sconosciuto: «word»")


def test_an_article_without_a_web_address_is_cited_by_its_archive_page(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "nota.txt").write_text("Nota di redazione\n\nTesto della nota.\n")
    reindex(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"))
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    text = client.get("/api/articles/nota.txt?format=testo").get_data(as_text=True)
    assert "s.d., http://localhost/articolo/nota.txt (consultato il" in text


def test_reading_csv_of_the_export(client: FlaskClient) -> None:
    text = client.get("/export.csv?q=alluvione").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[-1][0].startswith("# ricevuta Archivio: ") and len(rows[-1]) == 1
