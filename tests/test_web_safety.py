"""Escaping, security headers, parameter checks and errors that never leak a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from tests.web_support import HOSTILE, ODD_ID, csv_records, soup
from web import create_app
from web.security import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

pytest_plugins = ["tests.web_fixtures"]

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
ROUTES = [
    "/",
    "/aiuto",
    "/cerca?q=sindaco",
    "/cerca?dal=31/02/2025",
    "/articolo/arc-0002?q=palazzina",
    "/articolo/nessuno",
    "/api/search?q=sindaco",
    "/api/search?limit=0",
    "/api/articles/arc-0002",
    "/api/openapi.json",
    "/export.csv?q=sindaco",
    "/export.json?q=sindaco",
    "/feed.atom?q=sindaco",
    "/opensearch.xml",
    "/healthz",
    "/static/style.css",
    "/non-esiste",
]
HTML_PAGES = ["/", "/aiuto", "/cerca?q=sindaco", "/cerca", "/articolo/arc-0002?q=palazzina"]


@pytest.mark.parametrize("url", ROUTES)
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", [*HTML_PAGES, "/cerca?pagina=0", "/articolo/x", "/nulla"])
def test_no_inline_script_or_style(client: FlaskClient, url: str) -> None:
    """The CSP forbids them: an inline one would silently not run."""
    html = soup(client.get(url).data)
    assert all(script.get("src") and not script.string for script in html.find_all("script"))
    assert not html.find_all("style")
    for element in html.find_all(True):
        assert "style" not in element.attrs, element
        assert not [a for a in element.attrs if a.startswith("on")], element


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize(
    "url",
    [
        "/cerca?q={}",
        "/cerca?q=sindaco&autore={}",
        "/cerca?q=sindaco&dal={}",
        "/cerca?q=sindaco&ordina={}",
        "/cerca?q=sindaco&pagina={}",
        "/articolo/arc-0002?q={}",
        "/articolo/{}",
        "/api/search?q={}",
        "/api/search?q=x&sort={}",
        "/api/articles/{}",
        "/export.csv?q={}",
        "/export.json?q={}",
        "/feed.atom?q={}",
        "/{}",
    ],
)
def test_hostile_queries_are_never_echoed_raw(client: FlaskClient, url: str, hostile: str) -> None:
    response = client.get(url.format(hostile))
    assert response.status_code in (200, 400, 404), response.status_code
    body = response.get_data(as_text=True)
    assert hostile not in body
    assert "<script>" not in body and "<img" not in body
    assert "Traceback" not in body


def test_hostile_query_is_shown_escaped(client: FlaskClient) -> None:
    response = client.get("/cerca", query_string={"q": HOSTILE[0]})
    html = soup(response.data)
    assert html.select_one("input[name=q]")["value"] == HOSTILE[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)


HOSTILE_ID = "https://example.org/rivolta?a=1&b=<x>"


def hostile_urls() -> list[str]:
    with create_app({"INDEX_DIR": "/nonexistent"}).test_request_context():
        return [
            "/cerca?q=rivolta",
            "/cerca?q=rivolta&ordina=recenti",
            "/cerca?autore=img",
            url_for("articles.article_page", article_id=HOSTILE_ID, q="rivolta"),
            "/articolo/ostile-1?q=rivolta",
            "/api/search?q=rivolta",
            "/api/articles/ostile-1",
            url_for("api.api_article", article_id=HOSTILE_ID),
            "/export.json?q=rivolta",
            "/feed.atom?q=rivolta",
        ]


@pytest.mark.parametrize("url", hostile_urls())
def test_hostile_articles_are_escaped_everywhere(hostile_client: FlaskClient, url: str) -> None:
    response = hostile_client.get(url)
    assert response.status_code == 200, url
    body = response.get_data(as_text=True)
    assert "rivolta" in body.lower()
    for hostile in HOSTILE:
        assert hostile not in body
    assert "<script>" not in body and "<img" not in body


def test_an_id_with_slashes_query_and_fragment_round_trips(hostile_client: FlaskClient) -> None:
    html = soup(hostile_client.get("/cerca?q=seguito").data)
    href = html.select_one(".hit-title a")["href"]
    assert href.startswith("/articolo/cms://archivio//2024/rivolta%20pendolari%3Fv=1")
    article = soup(hostile_client.get(href).data)
    assert article.h1.get_text() == "Rivolta dei pendolari, il seguito"
    with hostile_client.application.test_request_context():
        api = url_for("api.api_article", article_id=ODD_ID)
    assert hostile_client.get(api).get_json()["id"] == ODD_ID


def test_hostile_article_page_shows_the_text_and_no_javascript_link(
    hostile_client: FlaskClient,
) -> None:
    html = soup(hostile_client.get("/articolo/ostile-1?q=rivolta").data)
    assert html.h1.get_text().startswith("<script>alert(1)</script> Rivolta")
    assert html.select_one(".author").get_text() == HOSTILE[1]
    assert not html.select('a[href^="javascript"]')
    assert html.select_one(".original").get_text(" ", strip=True).endswith("javascript:alert(1)")


def test_hostile_json_is_the_same_data(hostile_client: FlaskClient) -> None:
    """`<` is written as \\u003c, which any JSON reader turns back into the text."""
    data = hostile_client.get("/api/articles/ostile-1").get_json()
    assert data["title"].startswith("<script>alert(1)</script>")
    assert data["author"] == HOSTILE[1]


def test_csv_keeps_hostile_text_as_data_in_a_download(hostile_client: FlaskClient) -> None:
    """CSV is data, not HTML: the text stays exact, in a file a browser downloads."""
    response = hostile_client.get("/export.csv?q=rivolta")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    header, *records = csv_records(response.get_data(as_text=True))
    rows = {record[0]: dict(zip(header, record, strict=True)) for record in records}
    assert (
        rows["ostile-1"]["title"]
        == '<script>alert(1)</script> Rivolta "><img src=x onerror=alert(1)>'
    )
    assert rows["ostile-1"]["author"] == HOSTILE[1]


def test_csv_cells_cannot_start_a_formula(hostile_client: FlaskClient) -> None:
    body = hostile_client.get("/export.csv?q=rivolta").get_data(as_text=True)
    header, *records = csv_records(body)
    rows = {record[0]: dict(zip(header, record, strict=True)) for record in records}
    assert rows["ostile-1"]["source"] == '\'=HYPERLINK("http://example.org")'
    for row in rows.values():
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())


def test_guard_formula() -> None:
    from web.exports import guard_formula

    assert [guard_formula(v) for v in ("=1+1", "+39 06", "-2", "@SUM", "\tx", "ok")] == [
        "'=1+1",
        "'+39 06",
        "'-2",
        "'@SUM",
        "'\tx",
        "ok",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"pagina": "0"}, "numero di pagina non valido"),
        ({"pagina": "10001"}, "da 1 a 10000"),
        ({"pagina": "1.5"}, "numero di pagina non valido"),
        ({"ordina": "casuale"}, "ordinamento sconosciuto: «casuale». Valori validi: rilevanza"),
        ({"q": "x" * 1001}, "ricerca troppo lunga: 1001 caratteri, al massimo 1000"),
        ({"q": "a\x00b"}, "carattere non valido"),
        ({"al": "ieri l'altro forse"}, "data non valida"),
        ({"dal": "2025", "al": "2024"}, "l'intervallo di date è vuoto"),
        ({"dal": "dal 1 marzo al 15 aprile 2021"}, "è un intervallo"),
        ({"autore": "x" * 201}, "filtro troppo lungo"),
        ({"q": "xyz:abc"}, "campo sconosciuto: xyz"),
    ],
)
def test_bad_parameters_are_a_400_page(
    client: FlaskClient, query: dict, message: str | None
) -> None:
    response = client.get("/cerca", query_string=query)
    html = soup(response.data)
    if message is None:  # an empty range is no error: just nothing found
        assert response.status_code == 200 and "Nessun risultato" in html.h1.get_text()
        return
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in html.select_one("#errore").get_text()
    assert html.select_one("form.search-form input[name=q]")


def test_article_query_is_checked_too(client: FlaskClient) -> None:
    assert client.get("/articolo/arc-0002", query_string={"q": "x" * 1001}).status_code == 400


def test_a_crash_is_a_500_page_without_traceback(built_index: Path) -> None:
    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True})

    @app.get("/guasto")
    def broken() -> str:
        raise RuntimeError("segreto interno")

    response = app.test_client().get("/guasto")
    assert response.status_code == 500 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "segreto interno" not in body and "Traceback" not in body
    assert "Errore del server" in body
    assert response.headers["X-Frame-Options"] == "DENY"


def test_api_crash_is_json(built_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True})

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("segreto interno")

    monkeypatch.setattr("web.api.search", explode)
    response = app.test_client().get("/api/search?q=x")
    assert response.status_code == 500
    assert "segreto interno" not in json.dumps(response.get_json())


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/cerca")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_config_comes_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVIO_INDEX_DIR", "/srv/archivio/indice")
    assert create_app().config["INDEX_DIR"] == "/srv/archivio/indice"
    assert create_app({"INDEX_DIR": "/tmp/x"}).config["INDEX_DIR"] == "/tmp/x"


def test_creating_the_app_opens_nothing(tmp_path: Path) -> None:
    """The index is opened by the first request of each worker, never at creation."""
    app = create_app({"INDEX_DIR": str(tmp_path / "ancora-da-creare")})
    assert "archivio.archive" not in app.extensions


def test_the_archive_is_opened_once_per_app(app: Flask, client: FlaskClient) -> None:
    client.get("/cerca?q=sindaco")
    first = app.extensions["archivio.archive"]
    client.get("/api/search?q=comune")
    assert app.extensions["archivio.archive"] is first


def test_absolute_links_follow_only_a_trusted_host(
    built_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feeds, OpenSearch and citations build absolute links from the request's Host: behind
    a shared cache a forged Host would poison them. `ARCHIVIO_TRUSTED_HOSTS` (README,
    «Il sito») names the hosts served; any other Host is refused with a message."""
    monkeypatch.setenv("ARCHIVIO_TRUSTED_HOSTS", '["archivio.example"]')
    client = create_app({"INDEX_DIR": str(built_index), "TESTING": True}).test_client()
    for url in ("/feed.atom?q=alluvione", "/opensearch.xml", "/api/search?q=alluvione"):
        forged = client.get(url, headers={"Host": "evil.example"})
        assert forged.status_code == 400, url
        assert b"evil.example" not in forged.data
        served = client.get(url, headers={"Host": "archivio.example"})
        assert served.status_code == 200, url
    feed = client.get("/feed.atom?q=alluvione", headers={"Host": "archivio.example"}).text
    assert "http://archivio.example/" in feed and "evil" not in feed
