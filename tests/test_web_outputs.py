"""Every output stays valid whatever the index or the query holds (issue 11, item 5):
HTML, JSON, CSV, Atom; streams never die half-way; odd ids reachable from their links;
errors in Italian, JSON under /api/, for every status."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from search.model import Hit
from tests.hostile_outputs import (
    FORBIDDEN,
    ODD_IDS,
    OSC_TITLE,
    POISON,
    browser_path,
    poisoned_article,
    poisoned_highlight,
    poisoned_hit,
    poisoned_page,
)
from tests.web_support import csv_records, soup
from web import create_app
from web.exports import CSV_COLUMNS, guard_formula
from web.links import api_article_url, article_url
from web.security import MAX_REQUEST_LINE

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

pytest_plugins = ["tests.web_fixtures"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def poisoned_client(poisoned_index: Path) -> FlaskClient:
    return create_app({"INDEX_DIR": str(poisoned_index), "TESTING": True}).test_client()


@pytest.fixture
def stubbed_client(app: Flask, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    """The app on the sample index, the library's answers replaced by poisoned ones."""
    monkeypatch.setattr("web.results.search", lambda archive, request: poisoned_page())
    monkeypatch.setattr("web.api.search", lambda archive, request: poisoned_page())
    monkeypatch.setattr(
        "web.exports.iter_hits", lambda archive, request: iter(poisoned_page().hits)
    )
    monkeypatch.setattr(
        "web.articles.highlight_article",
        lambda archive, i, q="", expand=True: poisoned_highlight(i),
    )
    monkeypatch.setattr("web.articles.related", lambda archive, i: [poisoned_hit(3)])
    monkeypatch.setattr("web.articles.similar_articles", lambda archive, i: [poisoned_hit(4)])
    monkeypatch.setattr("web.api.similar_articles", lambda archive, i: [poisoned_hit(4)])
    monkeypatch.setattr("search.archive.Archive.get", lambda self, i: poisoned_article(i))
    return app.test_client()


def assert_valid(body: bytes, kind: str, delimiter: str = ",") -> str:
    """`body` is UTF-8 without a forbidden character and parses as `kind`."""
    text = body.decode("utf-8")  # strict: a surrogate or broken byte fails here
    assert not FORBIDDEN.search(text), repr(FORBIDDEN.search(text))
    if kind == "json":
        json.loads(text)
    elif kind == "xml":
        ET.fromstring(body)  # expat: well-formed XML 1.0 or an error
    elif kind == "csv":
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        assert rows[0][: len(CSV_COLUMNS)] == list(CSV_COLUMNS) or delimiter != ","
    elif kind == "html":
        assert soup(text).find("main") is not None
    return text


OUTPUTS = [
    ("/cerca?q=sindaco", "html"),
    ("/cerca?q=sindaco&ordina=recenti", "html"),
    ("/articolo/veleno-1?q=sindaco", "html"),
    ("/api/search?q=sindaco", "json"),
    ("/api/articles/veleno-1", "json"),
    ("/export.csv?q=sindaco", "csv"),
    ("/export.json?q=sindaco", "json"),
    ("/feed.atom?q=sindaco", "xml"),
]


@pytest.mark.parametrize(("url", "kind"), OUTPUTS)
def test_a_poisoned_record_breaks_no_output(
    poisoned_client: FlaskClient, url: str, kind: str
) -> None:
    """Issue 11: a lone surrogate in a title made these 500s, `[` or gunicorn's page."""
    response = poisoned_client.get(url)
    assert response.status_code == 200
    text = assert_valid(response.data, kind)
    assert "Sindaco avvelenato" in text or "Sindaco avvelenato" in json.dumps(text)
    assert "finestra rubata" not in text  # the escape sequence goes whole, not just ESC


@pytest.mark.parametrize(("url", "kind"), OUTPUTS)
def test_poisoned_library_answers_give_valid_outputs(
    stubbed_client: FlaskClient, url: str, kind: str
) -> None:
    """The same, whatever ingest does: the output layer cleans on its own."""
    response = stubbed_client.get(url)
    assert response.status_code == 200
    text = assert_valid(response.data, kind)
    assert OSC_TITLE not in text and "finestra rubata" not in text
    if kind == "html":
        html = soup(text)
        marks = [m.get_text() for m in html.select(".snippet mark, .story-body mark")]
        assert "sindaco" in marks or "parla" in marks  # an escape before a tag keeps the tag


@pytest.mark.parametrize(
    "url",
    [
        "/cerca?q=%1b]0;x%07sindaco%1b[2J",
        "/feed.atom?q=sindaco%01%0b%1b[2J%c2%85",
        "/api/search?q=sindaco%0c%1b]0;x%07",
        "/articolo/arc-0002?q=%1b[2Jsindaco",
    ],
)
def test_control_characters_in_the_query_stay_out_of_the_output(
    client: FlaskClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code in (200, 400)
    kind = {"/feed.atom": "xml", "/api/search": "json"}.get(url.split("?")[0], "html")
    assert "\x1b" not in assert_valid(response.data, kind)


def test_the_feed_of_a_poisoned_search_parses(stubbed_client: FlaskClient) -> None:
    feed = ET.fromstring(stubbed_client.get("/feed.atom?q=sindaco%01").data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.text or "" for e in feed.findall("a:entry/a:title", ns)]
    assert [title.split() for title in titles] == [
        ["Titolo", "\ufffd", "1"],
        ["Titolo", "\ufffd", "2"],
    ]
    assert feed.findtext("a:title", namespaces=ns) == "Archivio: sindaco"


def test_json_keeps_the_text_and_replaces_only_what_cannot_be_sent(
    stubbed_client: FlaskClient,
) -> None:
    data = stubbed_client.get("/api/search?q=x").get_json()
    first = data["results"][0]
    assert first["title"].split() == ["Titolo", "\ufffd", "1"]
    assert first["snippet"].startswith("Il <mark>sindaco</mark> \ufffd ")
    assert first["snippet"].endswith("<mark>parla</mark> &lt;b&gt;")
    assert data["facets"]["source"][0]["value"].split() == ["Fonte", "\ufffd"]


# -- CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+39 06", "'+39 06"),
        (";=1+1", ";'=1+1"),
        (",@SUM(A1)", ",'@SUM(A1)"),
        (" ;, -2+3", " ;, '-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r'=1"),
        (";;\t", ";;'\t"),
        ("Lega al 20%;+2 punti", "Lega al 20%;'+2 punti"),  # ";" starts a cell mid-text
        ("titolo\n=1+1", "titolo\n'=1+1"),
        ("Rossi; Bianchi", "Rossi; Bianchi"),
        ("Roma, -3 gradi", "Roma, -3 gradi"),  # "," inside quotes splits nothing
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_guard_formula_after_leading_separators(value: str, guarded: str) -> None:
    assert guard_formula(value) == guarded


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_no_csv_cell_starts_a_formula_in_any_spreadsheet(
    stubbed_client: FlaskClient, delimiter: str
) -> None:
    """Italian Excel splits on ";": the CSV, read either way, has no formula cell."""
    text = stubbed_client.get("/export.csv?q=x").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    cells = [cell for row in rows for cell in row]
    assert cells and not [c for c in cells if c.startswith(FORMULA_START)]
    if delimiter == ",":
        assert [row[4] for row in csv_records(text)[1:]] == [";'=1+1", ";'=1+1"]


# -- Streams ------------------------------------------------------------------------------


def failing_hits(good: int) -> Iterator[Hit]:
    for n in range(1, good + 1):
        yield poisoned_hit(n)
    raise OSError("segmento illeggibile")


def test_a_search_failing_mid_stream_still_ends_the_documents(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.exports.iter_hits", lambda archive, request: failing_hits(2))
    client = app.test_client()
    response = client.get("/export.json?q=x")
    assert response.status_code == 200
    document = json.loads(response.data)
    assert [hit["id"] for hit in document["results"]] == ["veleno-1", "veleno-2"]
    assert document["receipt"] is None  # no receipt for a set that was cut short
    rows = list(csv.reader(io.StringIO(client.get("/export.csv?q=x").get_data(as_text=True))))
    assert [row[0] for row in rows] == ["id", "veleno-1", "veleno-2"]


def test_a_record_that_cannot_be_written_is_skipped_not_fatal(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = poisoned_hit(2, date="not a date")  # .isoformat() fails on it
    hits = (poisoned_hit(1), broken, poisoned_hit(3))
    monkeypatch.setattr("web.exports.iter_hits", lambda archive, request: iter(hits))
    client = app.test_client()
    assert [h["id"] for h in client.get("/export.json?q=x").get_json()["results"]] == [
        "veleno-1",
        "veleno-3",
    ]
    rows = csv_records(client.get("/export.csv?q=x").get_data(as_text=True))
    assert [row[0] for row in rows] == ["id", "veleno-1", "veleno-3"]


# -- Odd ids -----------------------------------------------------------------------------


def test_every_odd_id_is_reachable_from_its_result_link(poisoned_client: FlaskClient) -> None:
    """Browsers remove `.` and `..` segments before sending: follow each link as one would."""
    html = soup(poisoned_client.get("/cerca?q=sindaco+articolo&ordina=recenti").data)
    links = {a.get_text(): a["href"] for a in html.select(".hit-title a")}
    assert {f"{title} sindaco" for title in ODD_IDS.values()} <= set(links)
    for article_id, title in ODD_IDS.items():
        href = links[f"{title} sindaco"]
        response = poisoned_client.get(browser_path(href))
        assert response.status_code == 200, (article_id, href)
        assert soup(response.data).h1.get_text() == f"{title} sindaco"


@pytest.mark.parametrize("article_id", list(ODD_IDS))
def test_odd_ids_round_trip_through_the_api_link(
    poisoned_client: FlaskClient, article_id: str
) -> None:
    with poisoned_client.application.test_request_context():
        api, page = api_article_url(article_id), article_url(article_id, q="sindaco")
    assert poisoned_client.get(browser_path(api)).get_json()["id"] == article_id
    assert poisoned_client.get(browser_path(page)).status_code == 200


def test_ordinary_ids_keep_readable_links(app: Flask) -> None:
    with app.test_request_context():
        assert article_url("arc-0002") == "/articolo/arc-0002"
        assert (
            article_url("https://host/a//b.html", q="x") == "/articolo/https://host/a//b.html?q=x"
        )
        assert article_url("../x") == "/articolo?id=../x"
        assert article_url("%2e%2e") == "/articolo/%252e%252e"  # the browser keeps %25
        assert api_article_url("/abs/path") == "/api/articles?id=/abs/path"


def test_the_id_form_needs_an_id(client: FlaskClient) -> None:
    assert client.get("/api/articles").get_json() == {
        "error": "manca l'id dell'articolo: /articolo?id=…"
    }
    assert client.get("/articolo?id=nessuno").status_code == 404


# -- Errors -----------------------------------------------------------------------------

STATUSES = [400, 404, 405, 413, 414, 431, 500, 503]


@pytest.fixture(scope="module")
def failing_app(built_index: Path) -> Flask:
    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True})
    for prefix in ("/api/prova", "/prova"):
        app.add_url_rule(f"{prefix}/<int:status>", f"abort{prefix}", lambda status: abort(status))
    return app


@pytest.mark.parametrize("status", STATUSES)
def test_every_error_is_json_under_api(failing_app: Flask, status: int) -> None:
    response = failing_app.test_client().get(f"/api/prova/{status}")
    assert response.status_code == status
    assert response.mimetype == "application/json"
    message = response.get_json()["error"]
    assert message and "Traceback" not in message
    assert not [w for w in ("Bad Request", "Not Found", "exceeds") if w in message]


@pytest.mark.parametrize("status", STATUSES)
def test_every_error_is_an_italian_page_elsewhere(failing_app: Flask, status: int) -> None:
    response = failing_app.test_client().get(f"/prova/{status}")
    assert response.status_code == status and response.mimetype == "text/html"
    html = soup(response.data)
    assert html.select_one(".status").get_text() == f"Errore {status}"
    assert "The " not in html.select_one(".error-page").get_text()


def test_a_too_long_address_is_a_414_with_a_message(client: FlaskClient) -> None:
    long_query = "a" * MAX_REQUEST_LINE
    api = client.get(f"/api/search?q={long_query}")
    assert api.status_code == 414
    assert api.get_json()["error"].startswith("L'indirizzo è troppo lungo (al massimo 8.000 byte)")
    page = client.get(f"/cerca?q={long_query}")
    assert page.status_code == 414
    assert soup(page.data).h1.get_text() == "Indirizzo troppo lungo"


def test_wrong_method_under_api_is_json_405(client: FlaskClient) -> None:
    response = client.post("/api/search?q=x")
    assert response.status_code == 405 and response.get_json()["error"]
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS" or "GET" in response.headers["Allow"]


# -- The form marks the field at fault ---------------------------------------------------


@pytest.mark.parametrize("field", ["dal", "al"])
def test_a_bad_date_marks_the_date_field_not_the_query(client: FlaskClient, field: str) -> None:
    response = client.get(f"/cerca?q=sindaco&{field}=31/02/2025")
    assert response.status_code == 400
    html = soup(response.data)
    bad = html.select_one(f"#{field}")
    assert bad["aria-invalid"] == "true" and bad["aria-errormessage"] == "errore"
    assert "errore" in bad["aria-describedby"].split()
    for other in {"q", "dal", "al", "autore", "fonte"} - {field}:
        assert not html.select_one(f"#{other}").has_attr("aria-invalid"), other
    assert html.select_one("details.filters").has_attr("open")
    label = {"dal": "Dal", "al": "Al"}[field]
    assert html.select_one("#titolo-errore").get_text() == f"Il campo «{label}» non è valido"


def test_a_bad_query_marks_the_query_box(client: FlaskClient) -> None:
    html = soup(client.get("/cerca?q=giornale:x").data)
    assert html.select_one("#q")["aria-invalid"] == "true"
    assert not html.select_one("#dal").has_attr("aria-invalid")
    assert html.select_one("#titolo-errore").get_text() == "La ricerca non è valida"


def test_the_invalid_style_wins_over_the_fields_own_border(client: FlaskClient) -> None:
    """`.filter-grid input` sets its border after the generic rule: the invalid rule must be
    more specific than either field rule, or the date field shows no outline."""
    css = client.get("/static/style.css").get_data(as_text=True)
    assert '.search-form input[aria-invalid="true"] {' in css
    assert "\ninput[aria-invalid" not in css


def test_poison_constant_is_hostile() -> None:
    """The fixture itself: each class of character the outputs must survive is in it."""
    assert FORBIDDEN.search(POISON) and "\ud800" in POISON and "\x1b]0;" in POISON
