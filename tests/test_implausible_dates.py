"""Article dates no news archive holds: CMS placeholders such as Go's zero time 0001-01-01.

Every ingest path drops a date outside `dates.article_date_range` (before 1800, more than a
year after today): the article is indexed undated and the reindex report names it.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from search.archive import Archive
from search.cli import main
from search.dates import DateRange, article_date_range
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings

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
    assert f"Articoli nell'indice: {every}\n" in result.stdout
    span = article_date_range()
    reported = [line for line in result.stdout.splitlines() if "non plausibile" in line]
    assert len(reported) == len(DROPPED)
    for line, (where, day) in zip(reported, DROPPED.items(), strict=True):
        assert line.startswith(
            f"  scartato {where}: data {day} non plausibile per un articolo "
            f"(fuori da {span.start} – {span.end}): articolo «"
        ), line
        assert line.endswith("» indicizzato senza data"), line


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
