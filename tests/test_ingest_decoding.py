"""One decoding policy for every text input: pages, `.txt`/`.md` and JSONL lines alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.errors import SkipInput
from search.ingest import read_articles
from search.ingest.readers import decode_text
from search.ingest.text import decode_html
from search.model import Article, Skipped

TEXT = "è arrivato in città: perché là c'è più verità"
# Characters only Windows-1252 has in 0x80-0x9F (Latin-1 has controls there).
WINDOWS = "“Così” – disse – l’euro (€) è già più forte…"


def _only_article(path: Path) -> Article:
    [article] = [a for a in read_articles(path, path.name) if isinstance(a, Article)]
    return article


@pytest.mark.parametrize("suffix", [".txt", ".md"])
@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", TEXT),
        ("utf-8-sig", TEXT),
        ("latin-1", TEXT),  # unrestricted detection read this as "č arrivato in cittŕ"
        ("cp1252", TEXT),
        ("cp1252", WINDOWS),
        ("utf-16", TEXT),  # with a BOM: was skipped as binary
        ("utf-16-be", None),
    ],
)
def test_text_files_in_every_western_encoding(
    tmp_path: Path, suffix: str, encoding: str, text: str | None
) -> None:
    text = text or TEXT
    path = tmp_path / f"articolo{suffix}"
    data = f"# Titolo: {text}\n\n{text}. Seconda frase dell'articolo.\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # the BOM that utf-16-be does not write itself
    path.write_bytes(data)
    article = _only_article(path)
    assert article.title == f"Titolo: {text}"
    assert article.body.startswith(f"{text}. Seconda frase")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8"])
def test_the_sentence_of_the_issue(tmp_path: Path, encoding: str) -> None:
    # Short texts are where unrestricted detection guessed cp1250: "č arrivato in cittŕ".
    path = tmp_path / "breve.txt"
    path.write_bytes("è arrivato in città\n".encode(encoding))
    assert _only_article(path).title == "è arrivato in città"


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "cp1252"])
def test_jsonl_lines_are_decoded_by_the_same_policy(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "dump.jsonl"
    lines = [
        json.dumps({"id": "u", "title": TEXT, "body": WINDOWS}, ensure_ascii=False).encode(),
        json.dumps({"id": "x", "title": TEXT, "body": TEXT}, ensure_ascii=False).encode(encoding),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = list(read_articles(path, "dump.jsonl"))
    assert not [s for s in items if isinstance(s, Skipped)]
    first, second = items
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.title, first.body) == (TEXT, WINDOWS)
    assert (second.title, second.body) == (TEXT, TEXT)


def test_a_windows_1252_jsonl_line_keeps_its_typographic_characters(tmp_path: Path) -> None:
    path = tmp_path / "vecchio-cms.jsonl"
    record = {"id": "w", "title": WINDOWS, "body": TEXT}
    path.write_bytes(json.dumps(record, ensure_ascii=False).encode("cp1252") + b"\n")
    assert _only_article(path).title == WINDOWS


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "cp1252", "utf-16"])
def test_pages_and_text_files_decode_the_same_bytes_alike(encoding: str) -> None:
    data = f"{TEXT}\n{WINDOWS if encoding != 'latin-1' else TEXT}\n".encode(encoding)
    assert decode_text(data) == decode_html(data)


def test_garbage_bytes_are_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "rumore.txt"
    path.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(SkipInput, match="non decodificabile"):
        list(read_articles(path, "rumore.txt"))
