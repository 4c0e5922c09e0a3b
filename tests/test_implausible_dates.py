"""Article dates no news archive holds: CMS placeholders such as Go's zero time 0001-01-01.

Every ingest path drops a date outside `dates.article_date_range` (before 1800, more than a
year after today): the article is indexed undated and the reindex report names it. One
such article used to make the timeline fill every year from 0001 to 9999 (a 1 MB results
page) and trends every month (8.5 MB of JSON); whatever span an index holds, they stay small.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from search.archive import Archive
from search.cli import main
from search.dates import DateRange, article_date_range
from search.facets import MAX_PERIODS, timeline_periods
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings
from web import create_app

pytestmark = pytest.mark.engines

FLOOD = (
    "La piena del fiume ha allagato le cantine del quartiere: i vigili del fuoco hanno "
    "lavorato tutta la notte per svuotarle, e il sindaco ha chiesto lo stato di calamità."
)
DATED = {"piena-2024": "2024-05-03", "piena-2025": "2025-02-10"}
# What a CMS writes when it has no date, as JSONL dumps carry it.
PLACEHOLDERS = {
    "ora-zero": "0001-01-01T00:00:00Z",
    "fine-tempi": "9999-12-31",
    "meno-uno": "-0001-01-01",
}
# Report path -> the date dropped, for every placeholder in every format, in report order.
DROPPED = {
    "crawl.warc#https://www.quotidiano.example/piena": "0001-01-01",  # WARC-Date
    "dump.jsonl#3": "0001-01-01",
    "dump.jsonl#4": "9999-12-31",
    "dump.jsonl#5": "0001-01-01",  # "-0001-01-01"
    "pagina.html": "9999-12-31",  # the dateline
    "segnaposto.txt": "0001-01-01",  # the export header
}
TRENDS = ("alluvione", "piena", "cantine", "sindaco", '"vigili del fuoco"', "calamità")


def write_corpus(folder: Path) -> Path:
    """Two dated articles and one placeholder date in each input format."""
    folder.mkdir()
    records = [
        {"id": key, "title": f"Alluvione ({key})", "body": f"{FLOOD} Notizia {n}.", "date": day}
        for n, (key, day) in enumerate({**DATED, **PLACEHOLDERS}.items())
    ]
    (folder / "dump.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / "segnaposto.txt").write_text(
        f"# Alluvione, il bilancio dei danni\nData: 1 gennaio 0001 | Autore: Redazione\n---\n"
        f"{FLOOD} Il bilancio dei danni.\n"
    )
    # htmldate passes over the declared 0001 itself; the dateline's 9999 reaches the rule.
    (folder / "pagina.html").write_text(_page("0001-01-01T00:00:00Z", "Roma, 31 dicembre 9999"))
    _write_warc(folder / "crawl.warc", _page(None, "Modena").encode(), "0001-01-01T00:00:00Z")
    return folder


def _page(declared: str | None, dateline: str) -> str:
    meta = f'<meta property="article:published_time" content="{declared}">' if declared else ""
    title = f"Alluvione a {dateline.split(',')[0]}, cantine allagate nel quartiere"
    return (
        f'<html><head><meta property="og:type" content="article">{meta}<title>{title}</title>'
        f"</head><body><h1>{title}</h1><p>{dateline}</p><p>{FLOOD} {FLOOD} {dateline}.</p>"
        "</body></html>"
    )


def _write_warc(path: Path, body: bytes, captured: str) -> None:
    with path.open("wb") as out:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer = WARCWriter(out, gzip=False)
        record = writer.create_warc_record(
            "https://www.quotidiano.example/piena",
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": captured},
        )
        writer.write_record(record)


@pytest.fixture(scope="module")
def placeholder_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("segnaposto")
    index = root / "index"
    reindex(Settings(corpus_dir=write_corpus(root / "corpus"), index_dir=index))
    return index


@pytest.fixture(scope="module")
def old_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same corpus indexed as before the rule: the placeholders kept as dates."""
    root = tmp_path_factory.mktemp("vecchio")
    index = root / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("search.ingest.article_date_range", lambda: DateRange(date.min, date.max))
        reindex(Settings(corpus_dir=write_corpus(root / "corpus"), index_dir=index))
    return index


def client_of(index: Path) -> FlaskClient:
    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()


def test_the_plausible_range() -> None:
    today = date(2026, 11, 25)
    assert article_date_range(today) == DateRange(date(1800, 1, 1), date(2027, 11, 25))
    assert article_date_range(date(2028, 2, 29)).end == date(2029, 2, 28)


def test_placeholder_dates_are_dropped_and_reported(runner: CliRunner, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    result = runner.invoke(
        main, ["reindex", "--corpus", str(corpus), "--index", str(tmp_path / "index")]
    )
    assert result.exit_code == 0, result.output
    every = len(DATED) + len(DROPPED)
    assert f"  aggiunti:    {every}\n" in result.stdout
    assert "  scartati:    0\n" in result.stdout  # indexed, so not counted as skipped
    assert f"  avvisi:      {len(DROPPED)}\n" in result.stdout
    assert f"Articoli nell'indice: {every}\n" in result.stdout
    span = article_date_range()
    reported = [line for line in result.stdout.splitlines() if "non plausibile" in line]
    assert len(reported) == len(DROPPED)
    for line, (where, day) in zip(reported, DROPPED.items(), strict=True):
        assert line.startswith(
            f"  avviso {where}: data {day} non plausibile per un articolo "
            f"(fuori da {span.start} – {span.end}): articolo «"
        ), line
        assert line.endswith("» indicizzato senza data"), line
    again = runner.invoke(  # an incremental run with nothing new says them again
        main, ["reindex", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json"]
    )
    report = json.loads(again.stdout)
    assert report["skipped"] == [] and report["unchanged"] == every
    assert [n["path"] for n in report["notices"]] == list(DROPPED)


def test_their_articles_are_found_undated(placeholder_index: Path) -> None:
    archive = Archive(placeholder_index)
    with archive.current() as view:
        every = SearchRequest(query="alluvione", limit=50, collapse=False)
        undated = search(view, replace(every, query='alluvione data:"senza data"'))
        dated = search(view, replace(every, query='alluvione -data:"senza data"'))
    assert undated.total == len(DROPPED)
    assert {h.id for h in undated.hits} >= set(PLACEHOLDERS)
    assert {h.id: h.date for h in dated.hits} == {
        key: date.fromisoformat(day) for key, day in DATED.items()
    }


@pytest.mark.parametrize("which", ["placeholder_index", "old_index"])
def test_trends_and_timeline_stay_small(which: str, request: pytest.FixtureRequest) -> None:
    """Fixed ingest, and an index built before it (0001 and 9999 as dates): small either way."""
    client = client_of(request.getfixturevalue(which))
    by_month = client.get("/api/trends?q=alluvione&by=month")
    assert by_month.status_code == 200
    assert len(by_month.data) < 10_000  # was 8.5 MB
    found = by_month.get_json()
    if which == "placeholder_index":  # May 2024 to February 2025, gaps included
        assert (found["by"], len(found["periods"])) == ("month", 10)
        assert found["undated_articles"] == len(DROPPED)
    else:  # 120,000 months: counted by year, and only the years with articles
        assert (found["by"], found["periods"]) == ("year", ["1", "2024", "2025", "9999"])
        assert found["series"][0]["notices"] == [
            "per mese sarebbero 119.988 periodi, più di 600: i conteggi sono per anno"
        ]
    series = found["series"][0]
    assert sum(p["matches"] for p in series["points"]) + series["undated"] == series["total"]
    results = client.get("/cerca?q=alluvione")
    assert results.status_code == 200
    assert len(results.data) < 50_000  # was 1 MB
    assert results.data.count(b'class="bar-target"') <= 10  # was 9,999 bars
    page = client.get("/tendenze", query_string={"q": TRENDS, "per": "mese"})
    assert page.status_code == 200
    assert len(page.data) < 100_000  # was 53 MB


TIMELINE_PERIODS = [
    ([2019, 2022], "year", [2019, 2020, 2021, 2022]),  # gaps drawn: a gap is information
    ([202411, 202502], "month", [202411, 202412, 202501, 202502]),
    ([1800, 2027], "year", list(range(1800, 2028))),  # the whole plausible range fits
    ([180001, 202712], "month", [180001, 202712]),  # 2,736 months: only those with articles
    ([1, 2024, 9999], "year", [1, 2024, 9999]),
    ([], "year", []),
]


@pytest.mark.parametrize(("keys", "unit", "periods"), TIMELINE_PERIODS)
def test_timeline_periods(keys: list[int], unit: str, periods: list[int]) -> None:
    assert timeline_periods(keys, unit) == periods
    assert len(timeline_periods(keys, unit)) <= MAX_PERIODS
