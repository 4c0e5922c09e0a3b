"""The archive export format (the seed article's), on corpus/ and on the real seed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from search.errors import SkipInput
from search.ingest import read_articles
from search.ingest.export import parse_export
from tests.corpus_facts import (
    CP1252_TEXT,
    LATIN1_TEXT,
    NEGOTIATIONS,
    NEGOTIATIONS_ID,
    NEGOTIATIONS_SOURCE,
    NEGOTIATIONS_TITLE,
    SAMPLE_CORPUS,
    SEED,
    SEED_ID,
)


def test_an_article_in_the_seed_format() -> None:
    # Two blank lines first, a ## subtitle, ## headings, **bold**, a sentence broken in two.
    [article] = list(read_articles(SAMPLE_CORPUS / NEGOTIATIONS, NEGOTIATIONS))
    assert article.title == NEGOTIATIONS_TITLE
    assert article.date == date(2025, 4, 12)
    assert article.author == "Redazione"
    assert article.source == NEGOTIATIONS_SOURCE
    assert article.url == article.id == NEGOTIATIONS_ID
    assert article.path == NEGOTIATIONS
    assert "Articolo scaricato" not in article.body and "<https://" not in article.body
    assert "**" not in article.body and "##" not in article.body
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0].startswith("Le delegazioni di Washington e Kiev")  # the ## subtitle
    assert "Cosa succede nei prossimi giorni" in paragraphs  # heading text kept as a paragraph
    # sentences broken around a bold phrase, or by a blank line, are joined again
    assert "la disponibilità di Mosca a discutere almeno una tregua" in article.body
    assert "«moderatamente fiducioso» ma ha aggiunto che un accordo complessivo" in article.body


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (LATIN1_TEXT, ["È arrivato in città", "Felice sul Panaro, la torre", "più di otto anni"]),
        (CP1252_TEXT, ["“Finalmente si respira”", "l’intera piazza", "1.200 €", "giovedì"]),
    ],
)
def test_text_files_in_latin1_and_windows_1252(name: str, words: list[str]) -> None:
    [article] = list(read_articles(SAMPLE_CORPUS / name, name))
    with pytest.raises(UnicodeDecodeError):
        (SAMPLE_CORPUS / name).read_bytes().decode("utf-8")  # the file really is not UTF-8
    text = f"{article.title}\n{article.body}"
    assert all(word in text for word in words), text[:300]


def test_seed_article_metadata_and_clean_body(shared_corpus: Path) -> None:
    [article] = list(read_articles(shared_corpus / SEED, SEED))
    assert article.title == (
        "Guerra Russia–Ucraina: segnali di apertura nei negoziati? "
        "Trump: «Putin vuole fermare la guerra»"
    )
    assert article.date == date(2025, 4, 12)
    assert article.author == "Redazione"
    assert article.source == "www.infooggi.it"
    assert article.url == SEED_ID
    assert article.id == SEED_ID
    assert "Articolo scaricato" not in article.body
    assert "**" not in article.body and "##" not in article.body
    # heading text is kept as a paragraph
    assert "Cosa aspettarsi nelle prossime ore" in article.body.split("\n\n")
    # a sentence broken around a bold phrase is joined again
    assert "pur precisando che una soluzione immediata è tutt'altro che scontata." in article.body


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Data: 12 aprile 2025 | Autore: Redazione", date(2025, 4, 12)),
        ("Data: 1° maggio 2024 | Autore: Redazione", date(2024, 5, 1)),
        ("Data: 12/04/2025 | Autore: Redazione", date(2025, 4, 12)),
    ],
)
def test_italian_dates_in_the_header(line: str, expected: date) -> None:
    article = parse_export(f"# Titolo\n\n{line}\n\n---\n\nTesto dell'articolo.\n")
    assert article.date == expected
    assert article.author == "Redazione"


def test_text_without_header_takes_its_first_line_as_title() -> None:
    article = parse_export("Alluvione a Faenza\n\nIl fiume è esondato nella notte.\n")
    assert article.title == "Alluvione a Faenza"
    assert article.body == "Il fiume è esondato nella notte."
    assert article.date is None


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vuoto.txt"
    path.write_text("   \n\n")
    with pytest.raises(SkipInput, match="vuoto"):
        list(read_articles(path, "vuoto.txt"))


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "foto.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(SkipInput, match="binario"):
        list(read_articles(path, "foto.txt"))


def test_a_header_written_decomposed_is_stored_composed(tmp_path: Path) -> None:
    """An export saved with decomposed accents (NFD) has the same title, author and place
    as one with composed accents: one facet value for `Núñez`, not two that look alike."""
    header = (
        "# Visita a Zu\u0308rich\n\n"
        "Data: 3 marzo 2024 | Autore: Jose\u0301 Nu\u0301n\u0303ez\n\n---\n\n"
    )
    path = tmp_path / "nfd.txt"
    path.write_text(header + "Il sindaco e\u0300 arrivato.\n", encoding="utf-8")
    [article] = list(read_articles(path, "nfd.txt"))
    assert (article.title, article.author) == ("Visita a Zürich", "José Núñez")
    assert article.body == "Il sindaco è arrivato."
