"""Text is valid before it is stored: nothing an output (XML, JSON, CSV, terminal) cannot carry."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import pytest

from search.archive import Archive
from search.indexer import reindex
from search.ingest import read_articles
from search.model import Article
from search.results import SearchRequest, search
from search.sanitize import clean_text
from search.settings import Settings


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Il sindaco\x00 di Modena", "Il sindaco di Modena"),
        ("titolo\x1b]0;pwned\x07 e\x1b[2J", "titolo e"),  # ESC and BEL go
        ("a\tb\nc\r\nd", "a\tb\nc\r\nd"),  # XML 1.0 keeps tab, newline, CR
        ("\ud800titolo\udfff", "\ufffdtitolo\ufffd"),  # lone surrogates: visibly replaced
        ("fine\ufffe\uffff", "fine"),  # XML 1.0 noncharacters
        ("C1\x85\x9b controlli\x7f", "C1 controlli"),  # NEL, CSI, DEL
        ("città è più 😀 «citazione» – €", "città è più 😀 «citazione» – €"),
        ("", ""),
    ],
)
def test_clean_text(text: str, clean: str) -> None:
    assert clean_text(text) == clean
    assert clean_text(clean) == clean


def test_clean_text_returns_clean_text_itself() -> None:
    body = "Una riga di testo pulito.\n" * 100_000
    assert clean_text(body) is body  # no copy of a long text that needs nothing


def _valid_everywhere(article: Article) -> None:
    for name, value in vars(article).items():
        for text in value if isinstance(value, tuple) else [value]:
            if isinstance(text, str):
                text.encode("utf-8")  # raises on a lone surrogate
                ElementTree.fromstring(f"<{name}>{escape(text)}</{name}>")  # XML 1.0


def test_a_lone_surrogate_title_is_replaced_at_ingest(tmp_path: Path) -> None:
    path = tmp_path / "veleno.jsonl"
    # json.dumps writes "\ud800" as the escape the hostile record had.
    records = [
        {"id": "v-1", "title": "\ud800", "body": "Testo del primo articolo."},
        {"id": "v-2", "title": "Titolo\x00 con\x1b[31m controlli", "body": "Corpo\x0b pulito"},
        {"id": "v-3", "title": "Tag", "body": "x", "tags": ["\ud83d", "buono\x07"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    articles = [a for a in read_articles(path, "veleno.jsonl") if isinstance(a, Article)]
    assert [a.id for a in articles] == ["v-1", "v-2", "v-3"]
    for article in articles:
        _valid_everywhere(article)
    assert articles[0].title == "\ufffd"
    assert articles[1].title == "Titolo con controlli"
    assert articles[2].tags == ("\ufffd", "buono")


def test_an_indexed_poison_record_leaves_every_search_working(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    poison = {"id": "p-1", "title": "\ud800 Umerov\x00", "body": "Umerov a Miami\x1b[2J oggi."}
    good = {"id": "p-2", "title": "Umerov e Witkoff", "body": "Il vertice di Umerov."}
    (corpus / "dump.jsonl").write_text(
        json.dumps(poison) + "\n" + json.dumps(good) + "\n", encoding="utf-8"
    )
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    assert reindex(settings).articles == 2
    archive = Archive(settings.index_dir)
    page = search(archive, SearchRequest(query="Umerov"))
    assert {hit.id for hit in page.hits} == {"p-1", "p-2"}
    for hit in page.hits:
        json.dumps(vars(hit), default=str, ensure_ascii=False).encode("utf-8")
    stored = archive.get("p-1")
    assert stored.title == "\ufffd Umerov"
    _valid_everywhere(stored)
    archive.close()
