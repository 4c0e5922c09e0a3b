from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from search.errors import SkipInput
from search.ingest.warc import read_warc
from search.model import Article, Skipped

PARAGRAPHS = (
    "<p>Il consiglio comunale ha approvato ieri sera il nuovo piano per il traffico del centro "
    "storico, dopo una seduta durata più di sei ore e molte proteste.</p>"
    "<p>Le nuove regole entreranno in vigore dal primo giugno e riguarderanno soprattutto "
    "le strade intorno alla piazza principale e al mercato coperto.</p>"
)
FIRST = (
    '<html><head><meta property="og:type" content="article">'
    '<meta property="article:published_time" content="2024-03-01T08:00:00+01:00">'
    "<title>Approvato il piano del traffico</title></head>"
    f"<body><h1>Approvato il piano del traffico</h1>{PARAGRAPHS}</body></html>"
).encode()
# No charset in the page: only the HTTP header says ISO-8859-15, where 0xA4 is the euro sign.
SECOND = (
    '<html><head><meta property="og:type" content="article">'
    "<title>Il biglietto del bus costerà 2 € da giugno</title></head>"
    f"<body><h1>Il biglietto del bus costerà 2 € da giugno</h1><p>Più caro di 50 centesimi: "
    f"la giunta ha deciso così.</p>{PARAGRAPHS}</body></html>"
).encode("iso-8859-15")
LISTING = (
    b"<html><head><title>Cronaca</title></head><body><ul>"
    b"<li><a href='/a/1'>Approvato il piano del traffico del centro</a></li></ul></body></html>"
)


def write_warc(path: Path, *, gzip: bool) -> list[int]:
    """A small crawl; returns the file offset after each record."""
    records = [
        ("https://www.quotidiano.example/a/1", "text/html; charset=utf-8", FIRST),
        ("https://www.quotidiano.example/logo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("https://www.quotidiano.example/a/2", "text/html; charset=ISO-8859-15", SECOND),
        ("https://www.quotidiano.example/cronaca", "text/html", LISTING),
    ]
    offsets = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for uri, content_type, body in records:
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-05-06T10:00:00Z"},
            )
            writer.write_record(record)
            offsets.append(out.tell())
    return offsets


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_html_responses_become_articles(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_warc(path, gzip=name.endswith(".gz"))

    items = list(read_warc(path))

    articles = [item for item in items if isinstance(item, Article)]
    assert [a.url for a in articles] == [
        "https://www.quotidiano.example/a/1",
        "https://www.quotidiano.example/a/2",
    ]
    first, second = articles
    assert first.title == "Approvato il piano del traffico"
    assert first.date == date(2024, 3, 1)  # declared by the page
    assert second.date == date(2024, 5, 6)  # the capture day, WARC-Date
    assert second.title == "Il biglietto del bus costerà 2 € da giugno"
    assert "Più caro di 50 centesimi" in second.body
    assert first.source == "www.quotidiano.example"
    # The image is passed over; the listing page is reported with its URL.
    assert items[2:] == [
        Skipped(f"{path}#https://www.quotidiano.example/cronaca", items[2].reason),
    ]
    assert items[2].reason.startswith("non è un articolo")


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_truncated_archive_yields_what_came_before(tmp_path: Path, name: str) -> None:
    whole = tmp_path / f"whole-{name}"
    offsets = write_warc(whole, gzip=name.endswith(".gz"))
    cut = tmp_path / name
    # Cut inside the third record (the second page).
    cut.write_bytes(whole.read_bytes()[: (offsets[1] + offsets[2]) // 2])

    items = list(read_warc(cut))

    assert [type(item) for item in items] == [Article, Skipped]
    assert items[0].url == "https://www.quotidiano.example/a/1"
    assert items[1].path == str(cut)
    assert items[1].reason.startswith("archivio WARC troncato o danneggiato")


@pytest.mark.parametrize(
    "data",
    [
        b"questo non \xe8 un archivio\n" * 20,
        b"\x1f\x8b" + b"non gzip" * 10,
        b"",
    ],
)
def test_a_file_that_is_not_a_warc_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "finto.warc.gz"
    path.write_bytes(data)
    with pytest.raises(SkipInput):
        list(read_warc(path))


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_every_cut_is_reported_except_between_records(tmp_path: Path, name: str) -> None:
    whole = tmp_path / f"whole-{name}"
    offsets = write_warc(whole, gzip=name.endswith(".gz"))
    data = whole.read_bytes()
    cut = tmp_path / name
    unreported = []
    for size in [*range(offsets[0] + 1, len(data), 29), *offsets]:
        cut.write_bytes(data[:size])
        items = list(read_warc(cut))
        damaged = any(item.path == str(cut) for item in items if isinstance(item, Skipped))
        if damaged == (size in offsets):
            unreported.append(size)
    assert unreported == []
