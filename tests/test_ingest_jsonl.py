"""JSON Lines dumps, like ../shared/corpus/*.jsonl."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

from search.ingest import read_articles
from search.model import Article, Skipped


def _write(path: Path, records: list[object]) -> None:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")


RECORD = {
    "id": "arc-1",
    "title": "Il sindaco &egrave; in <b>Comune</b>",
    "body": "<p>Primo paragrafo.</p><p>Secondo &amp; ultimo.</p>",
    "date": "2024-05-01",
    "author": "Anna Neri",
    "source": "Gazzetta",
    "url": "https://example.org/a",
}


def test_record_fields_with_html_stripped_and_entities_decoded(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    _write(path, [RECORD])
    [article] = list(read_articles(path, "dump.jsonl"))
    assert isinstance(article, Article)
    assert article.id == "arc-1"
    assert article.title == "Il sindaco è in Comune"
    assert article.body == "Primo paragrafo.\n\nSecondo & ultimo."
    assert article.date == date(2024, 5, 1)
    assert (article.author, article.source, article.url) == (
        "Anna Neri",
        "Gazzetta",
        "https://example.org/a",
    )


def test_invalid_lines_are_reported_and_the_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    second = dict(RECORD, id="arc-2")
    _write(path, [RECORD, "{not json", "[1, 2]", {"id": "x", "title": None, "body": ""}, second])
    items = list(read_articles(path, "dump.jsonl"))
    assert [a.id for a in items if isinstance(a, Article)] == ["arc-1", "arc-2"]
    skipped = [s for s in items if isinstance(s, Skipped)]
    assert [s.path for s in skipped] == ["dump.jsonl#2", "dump.jsonl#3", "dump.jsonl#4"]
    assert "JSON non valida" in skipped[0].reason


def test_records_without_id_or_url_get_a_stable_position_id(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    _write(path, [{"title": "Uno", "body": "a"}, {"title": "Due", "body": "b"}])
    assert [a.id for a in read_articles(path, "x/dump.jsonl")] == [
        "x/dump.jsonl#1",
        "x/dump.jsonl#2",
    ]


def test_gzip_and_truncated_gzip(tmp_path: Path) -> None:
    lines = [json.dumps(dict(RECORD, id=f"arc-{n}", body="parola " * 400)) for n in range(200)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    whole = tmp_path / "dump.jsonl.gz"
    whole.write_bytes(data)
    assert len(list(read_articles(whole, "dump.jsonl.gz"))) == 200
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    items = list(read_articles(cut, "cut.jsonl.gz"))
    assert isinstance(items[-1], Skipped)
    assert "troncato" in items[-1].reason
    assert 0 < len(items) - 1 < 200


def test_real_jsonl_files(shared_corpus: Path) -> None:
    path = shared_corpus / "facta.jsonl"
    articles = [a for a in read_articles(path, "facta.jsonl") if isinstance(a, Article)]
    assert len(articles) == 1089
    assert articles[0].id == "facta-00000"
    assert all(a.body for a in articles)
    assert sum(a.date is not None for a in articles) > 1000


def test_an_empty_jsonl_file_is_skipped_as_empty(tmp_path: Path) -> None:
    """As an empty .txt is: the report names it, instead of passing over it in silence."""
    import pytest

    from search.errors import SkipInput

    for name, content in (("vuoto.jsonl", b""), ("bianco.jsonl", b"\n  \n\n")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(SkipInput, match="file vuoto"):
            list(read_articles(path, name))
    written = tmp_path / "uno.jsonl"
    written.write_text(json.dumps({"title": "Titolo", "body": "Testo dell'articolo."}) + "\n")
    assert [type(item) for item in read_articles(written, "uno.jsonl")] == [Article]
