"""What one file may cost: every limit of `IngestLimits` stops what passes it, with its reason."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from search.errors import SkipInput
from search.ingest import IngestLimits, read_articles
from search.ingest.files import bounded_lines
from search.ingest.html import extract_html
from search.ingest.text import strip_html
from search.ingest.warc import read_warc
from search.model import Article, Skipped

MB = 1024 * 1024


def _line(article_id: str, body: str = "Un testo qualunque.") -> bytes:
    return json.dumps({"id": article_id, "title": f"Titolo {article_id}", "body": body}).encode()


def _read(path: Path, limits: IngestLimits) -> tuple[list[str], list[Skipped]]:
    items = list(read_articles(path, path.name, limits))
    ids = [a.id for a in items if isinstance(a, Article)]
    return ids, [s for s in items if isinstance(s, Skipped)]


def test_bounded_lines_numbers_lines_as_an_editor() -> None:
    data = b"uno\n\n\n  due\r\ntre" + b"x" * 20 + b"\nquattro"
    assert list(bounded_lines(io.BytesIO(data), 10)) == [
        (1, b"uno"),
        (4, b"due\r"),
        (5, None),  # over 10 bytes: never held whole
        (6, b"quattro"),
    ]


def test_bounded_lines_across_chunks() -> None:
    long = b"a" * (3 * MB)
    data = long + b"\n" + b"\n" * (5 * MB) + b"fine\n"
    assert [
        (n, line if line is None else len(line))
        for n, line in bounded_lines(io.BytesIO(data), 4 * MB)
    ] == [(1, 3 * MB), (5 * MB + 2, 4)]
    assert [n for n, line in bounded_lines(io.BytesIO(data), 2 * MB) if line is None] == [1]


def test_a_line_over_the_limit_is_skipped_and_the_next_read(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"\n".join([_line("a"), _line("b", "x" * 5000), _line("c")]) + b"\n")
    ids, skipped = _read(path, IngestLimits(max_line_bytes=1000))
    assert ids == ["a", "c"]
    assert [(s.path, s.reason) for s in skipped] == [
        ("dump.jsonl#2", "riga troppo lunga: oltre 1.000 byte (limite max_line_bytes)")
    ]


def test_a_gzip_expanding_past_the_limit_keeps_what_came_before(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl.gz"
    lines = [_line(f"r{i}", f"Testo numero {i} " * 20) for i in range(20_000)]
    path.write_bytes(gzip.compress(b"\n".join(lines)))
    ids, skipped = _read(path, IngestLimits(max_decompressed_bytes=2 * MB))
    assert 1000 < len(ids) < 20_000
    assert ids == [f"r{i}" for i in range(len(ids))]
    assert skipped[-1].path == "dump.jsonl.gz"
    assert "max_decompressed_bytes" in skipped[-1].reason


def test_a_decompression_bomb_stops_at_the_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomba.jsonl.gz"
    path.write_bytes(gzip.compress(_line("prima") + b"\n" + b"\n" * (64 * MB) + _line("dopo")))
    ids, skipped = _read(path, IngestLimits())
    assert ids == ["prima"]
    assert "max_compression_ratio" in skipped[0].reason
    ids, skipped = _read(path, IngestLimits(max_compression_ratio=10**9))
    assert (ids, skipped) == (["prima", "dopo"], [])


def test_an_article_over_the_limit_is_skipped_whole(tmp_path: Path) -> None:
    path = tmp_path / "lunghi.jsonl"
    path.write_bytes(b"\n".join([_line("breve"), _line("lungo", "parola " * 2000)]))
    ids, skipped = _read(path, IngestLimits(max_article_chars=10_000))
    assert ids == ["breve"]
    assert skipped[0].path == "lunghi.jsonl#2"
    assert skipped[0].reason.startswith("articolo «lungo» troppo lungo: 14.")
    assert "oltre il limite di 10.000 (max_article_chars)" in skipped[0].reason


def test_a_file_read_whole_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "enorme.txt"
    path.write_text("# Titolo\n\n" + "testo " * 100_000)
    with pytest.raises(SkipInput, match="max_file_bytes"):
        list(read_articles(path, "enorme.txt", IngestLimits(max_file_bytes=100_000)))
    with pytest.raises(SkipInput, match="max_article_chars"):
        list(read_articles(path, "enorme.txt", IngestLimits(max_article_chars=100_000)))


def test_reasons_are_kept_for_the_first_lines_and_counted_after(tmp_path: Path) -> None:
    path = tmp_path / "rotto.jsonl"
    path.write_bytes(b"\n".join([b"{rotta"] * 5000 + [_line("buona")]))
    ids, skipped = _read(path, IngestLimits(max_reasons_per_file=20))
    assert ids == ["buona"]
    assert [s.path for s in skipped[:20]] == [f"rotto.jsonl#{n}" for n in range(1, 21)]
    assert skipped[20:] == [
        Skipped(
            "rotto.jsonl",
            "e altri 4.980 scartati in questo file (elencati solo i primi 20: "
            "max_reasons_per_file)",
        )
    ]


def test_deeply_nested_json_is_a_bad_line_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "annidato.jsonl"
    path.write_bytes(b"[" * 200_000 + b"\n" + _line("dopo"))
    ids, skipped = _read(path, IngestLimits())
    assert ids == ["dopo"]
    assert "annidata troppo in profondità" in skipped[0].reason


def test_stripping_deep_html_keeps_all_the_text() -> None:
    # BeautifulSoup took 16 s for 8,000 levels; a tree would stop at libxml2's 256.
    fragment = "<div>" * 100_000 + "il testo in fondo" + "</div>" * 100_000 + "<p>e dopo</p>"
    assert strip_html(fragment) == "il testo in fondo\n\ne dopo"


PAGE = """<html><head><title>Un titolo abbastanza lungo per un articolo vero</title>
<meta property="og:type" content="article"></head><body>{}</body></html>"""


def test_a_page_nested_past_the_limit_is_refused() -> None:
    text = "<p>" + "Una frase dell'articolo, con qualche parola. " * 20 + "</p>"
    page = PAGE.format("<div>" * 100_000 + text + "</div>" * 100_000)
    with pytest.raises(SkipInput, match="max_html_depth"):
        extract_html(page.encode())
    shallow = PAGE.format("<div>" * 30 + text + "</div>" * 30)
    assert "Una frase" in extract_html(shallow.encode()).body


def test_a_page_with_too_many_elements_is_refused() -> None:
    page = PAGE.format("<p>parola</p>" * 1000)
    with pytest.raises(SkipInput, match="max_html_elements"):
        extract_html(page.encode(), limits=IngestLimits(max_html_elements=500))


def _warc(path: Path, pages: list[tuple[str, bytes]], tail: bytes = b"") -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for uri, html in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(uri, "response", payload=io.BytesIO(html), http_headers=http)
        )
    data = buffer.getvalue() + tail
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def test_a_warc_page_over_the_limit_is_skipped_and_the_next_read(tmp_path: Path) -> None:
    text = b"<p>" + b"Una frase dell'articolo, con qualche parola. " * 20 + b"</p>"
    small = PAGE.format("").encode().replace(b"<body>", b"<body>" + text)
    big = small.replace(b"</body>", b"<!--" + b"x" * 300_000 + b"--></body>")
    path = tmp_path / "crawl.warc"
    _warc(path, [("https://a.it/grande", big), ("https://a.it/piccola", small)])
    items = list(read_warc(path, IngestLimits(max_file_bytes=200_000)))
    assert [a.url for a in items if isinstance(a, Article)] == ["https://a.it/piccola"]
    [skipped] = [s for s in items if isinstance(s, Skipped)]
    assert skipped.path.endswith("#https://a.it/grande")
    assert "max_file_bytes" in skipped.reason


def test_a_warc_header_line_without_end_stops_the_archive(tmp_path: Path) -> None:
    text = b"<p>" + b"Una frase dell'articolo, con qualche parola. " * 20 + b"</p>"
    good = PAGE.format("").encode().replace(b"<body>", b"<body>" + text)
    path = tmp_path / "crawl.warc.gz"
    _warc(path, [("https://a.it/prima", good)], b"WARC/1.0\r\nX-Bomba: " + b"y" * (3 * MB))
    items = list(read_warc(path, IngestLimits(max_line_bytes=MB, max_compression_ratio=10**9)))
    assert [a.url for a in items if isinstance(a, Article)] == ["https://a.it/prima"]
    assert "max_line_bytes" in items[-1].reason  # type: ignore[union-attr]
