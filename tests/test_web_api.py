"""The machine interfaces: JSON API, OpenAPI, exports, Atom feed, OpenSearch, health."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from search.archive import Archive
from search.cli import main
from search.receipts import digest, read_receipts
from search.results import SearchRequest, iter_hits
from tests.corpus_facts import SAMPLE_ARTICLES
from tests.index_state import live_token
from tests.web_support import csv_records
from web import create_app
from web.exports import CSV_COLUMNS

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

pytest_plugins = ["tests.web_fixtures"]

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "elapsed_ms"}


@pytest.mark.parametrize(
    ("api_params", "cli_args"),
    [
        ({"q": "sindaco"}, ["sindaco"]),
        ({"q": "negozi*"}, ["negozi*"]),
        (
            {"q": "data:2019..2025", "sort": "newest", "page": "2", "limit": "7"},
            ["data:2019..2025", "--sort", "newest", "--page", "2", "--limit", "7"],
        ),
        (
            {"q": "comune", "from": "2020", "to": "dicembre 2023", "author": "Giulia Ferraro"},
            ["comune", "--from", "2020", "--to", "dicembre 2023", "--author", "Giulia Ferraro"],
        ),
        ({"q": "sidnaco"}, ["sidnaco"]),
        (
            {"q": "autostrada", "source": "www.italiasettegiorni.it"},
            ["autostrada", "--source", "www.italiasettegiorni.it"],
        ),
    ],
)
def test_api_search_equals_the_cli_json(
    client: FlaskClient, built_index: Path, api_params: dict, cli_args: list[str]
) -> None:
    response = client.get("/api/search", query_string=api_params)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    result = CliRunner().invoke(main, ["search", *cli_args, "--index", str(built_index), "--json"])
    assert result.exit_code == 0, result.output
    assert without_time(response.get_json()) == without_time(json.loads(result.output))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x", "sort": "rilevanza"}, "ordinamento sconosciuto"),
        ({"q": "x", "page": "0"}, "numero di pagina non valido"),
        ({"q": "x", "page": "10001"}, "numero di pagina non valido"),
        ({"q": "x", "page": "due"}, "numero di pagina non valido"),
        ({"q": "x", "limit": "101"}, "da 1 a 100"),
        ({"q": "x", "limit": "0"}, "da 1 a 100"),
        ({"q": "x", "from": "31/02/2025"}, "data non valida: 31/02/2025"),
        ({"q": "x" * 1001}, "ricerca troppo lunga"),
        ({"q": "xyz:abc"}, "campo sconosciuto: xyz"),
    ],
)
def test_api_rejects_bad_parameters_with_json(
    client: FlaskClient, params: dict, message: str
) -> None:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert message in response.get_json()["error"]


def test_api_article_with_its_copies(client: FlaskClient) -> None:
    leader = "https://www.italiasettegiorni.it/cronaca/autostrada-del-sole-un-mese-di-lavori-notturni-in-56126"
    data = client.get(f"/api/articles/{leader}").get_json()
    assert data["id"] == leader and data["date"] == "2022-07-11"
    assert set(data) == {
        *("id", "title", "body", "url", "author", "source", "date", "section", "tags", "path"),
        "place",
        "similar",
    }
    assert [h["id"] for h in data["similar"]] == [
        "https://www.mattinoappennino.it/2022/07/11/a1-chiusure-notturne-tra-barberino-e-firenze-nord-per/"
    ]
    assert client.get("/api/articles/arc-0002").get_json()["similar"] == []


def test_api_unknown_article_and_route_are_json_404(client: FlaskClient) -> None:
    for url in ("/api/articles/nessuno", "/api/nulla"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]


def test_openapi_is_valid_and_lists_every_route(client: FlaskClient, app: Flask) -> None:
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    routes = {
        rule.rule.replace("<path:article_id>", "{id}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    }
    assert set(document["paths"]) == routes
    params = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert params == {"q", "from", "to", "author", "source", "sort", "page", "limit", "expand"}
    page_params = {p["name"] for p in document["paths"]["/cerca"]["get"]["parameters"]}
    assert page_params == {
        "q",
        "dal",
        "al",
        "autore",
        "fonte",
        "senza_espansioni",
        "ordina",
        "pagina",
        "generazione",
    }


def test_openapi_passes_the_validator(client: FlaskClient) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(client.get("/api/openapi.json").get_json())


def all_hits(index: Path, **request: str) -> list:
    archive = Archive(index)
    try:
        return list(iter_hits(archive, SearchRequest(**request)))
    finally:
        archive.close()


def test_csv_export_streams_every_match(client: FlaskClient, built_index: Path) -> None:
    response = client.get("/export.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    rows = csv_records(text)
    assert (
        tuple(rows[0])
        == CSV_COLUMNS
        == ("id", "title", "date", "author", "source", "url", "score", "group")
    )
    expected = all_hits(built_index)
    # Every article, near-duplicate copies included, as many as the announced total.
    assert len(rows) - 1 == len(expected) == SAMPLE_ARTICLES
    assert [r[0] for r in rows[1:]] == [h.id for h in expected]
    # After the rows, the receipt of the set: its ids, in order, hashed.
    (receipt,) = read_receipts(text)
    assert receipt.articles == SAMPLE_ARTICLES and receipt.query == "" and receipt.filters == {}
    assert receipt.sha256 == digest(h.id for h in expected)


def test_csv_export_keeps_the_filters(client: FlaskClient) -> None:
    response = client.get("/export.csv", query_string={"dal": "2022", "autore": "Redazione"})
    header, *records = csv_records(response.get_data(as_text=True))
    rows = [dict(zip(header, record, strict=True)) for record in records]
    # Wire stories and their copies: every one exported, with the group they share.
    assert [(r["date"], r["author"]) for r in rows] == [
        ("2025-04-12", "Redazione"),
        ("2024-10-19", "Redazione"),
        ("2024-10-19", "Redazione"),
        ("2022-07-11", "Redazione"),
        ("2022-07-11", "Redazione"),
    ]
    assert len({r["group"] for r in rows[1:3]}) == len({r["group"] for r in rows[3:]}) == 1


def test_json_export_streams_every_match(client: FlaskClient, built_index: Path) -> None:
    response = client.get("/export.json", query_string={"q": "data:2019..2025", "ordina": "vecchi"})
    assert response.status_code == 200 and response.is_streamed
    document = json.loads(response.get_data(as_text=True))
    data = document["results"]
    expected = all_hits(built_index, query="data:2019..2025", sort="oldest")
    assert [h["id"] for h in data] == [h.id for h in expected]
    assert document["receipt"]["sha256"] == digest(h.id for h in expected)
    assert document["receipt"]["sort"] == "oldest"
    assert set(data[0]) == {
        "id",
        "title",
        "date",
        "author",
        "source",
        "url",
        "score",
        "snippet",
        "similar",
        "group",
        "place",
        "missing",
    }


@pytest.mark.parametrize("url", ["/export.json", "/export.csv", "/feed.atom"])
def test_exports_reject_a_bad_query_before_streaming(client: FlaskClient, url: str) -> None:
    response = client.get(url, query_string={"q": "xyz:abc"})
    assert response.status_code == 400
    assert "campo sconosciuto" in response.get_data(as_text=True)


def test_atom_feed_lists_the_newest_matches(client: FlaskClient, app: Flask) -> None:
    response = client.get("/feed.atom", query_string={"q": "data:2019..2025", "ordina": "vecchi"})
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert feed.find(f"{ATOM}title").text == "Archivio: data:2019..2025"
    entries = feed.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= app.config["FEED_SIZE"]
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)  # newest first, whatever ordina says
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("http://localhost/articolo/")
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert feed.find(f"{ATOM}updated").text == updated[0]


def test_atom_feed_stops_at_fifty(client: FlaskClient, built_index: Path) -> None:
    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True, "FEED_SIZE": 5})
    feed = ET.fromstring(app.test_client().get("/feed.atom").data)
    dates = [e.find(f"{ATOM}updated").text[:10] for e in feed.findall(f"{ATOM}entry")]
    assert dates == ["2025-12-12", "2025-12-12", "2025-11-24", "2025-10-02", "2025-09-30"]


def test_opensearch_description(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert root.find(f"{OPENSEARCH}ShortName").text == "Archivio"
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{OPENSEARCH}Url")}
    assert templates["text/html"].startswith("http://localhost/cerca?q={searchTerms}")
    assert templates["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"


def test_healthz_reports_the_live_generation(client: FlaskClient, built_index: Path) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ok" and data["articles"] == 152
    assert data["generation"] == live_token(built_index)


def test_without_an_index_health_is_503_and_pages_say_so(tmp_path: Path) -> None:
    client = create_app({"INDEX_DIR": str(tmp_path / "nessuno"), "TESTING": True}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    assert "archivio reindex" in response.get_json()["error"]
    for url in ("/", "/cerca?q=sindaco", "/api/search?q=sindaco", "/export.csv"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "Traceback" not in response.get_data(as_text=True)
