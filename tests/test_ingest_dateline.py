"""Readable titles: a dateline is the article's place, the lead its title when it had none."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from search.ingest import read_articles
from search.ingest.dateline import lead_title, readable_title
from search.model import Article

FIRST = "Ieri sera la Compagnia dei carabinieri ha denunciato nove persone"
LEAD = f"{FIRST}. Altro testo."


@pytest.mark.parametrize(
    ("title", "body", "new_title", "place"),
    [
        # DICE records: no title, the dateline opens the body.
        ("", f"CARPI. {LEAD}", FIRST, "Carpi"),
        ("", f"SAN FELICE. {LEAD}", FIRST, "San Felice"),
        (
            "",
            "SASSUOLO - Lunedì sera i carabinieri hanno scoperto un uomo.",
            "Lunedì sera i carabinieri hanno scoperto un uomo",
            "Sassuolo",
        ),
        (
            "",
            "MODENA, Il colpo al circolo Florida è finito.",
            "Il colpo al circolo Florida è finito",
            "Modena",
        ),
        (
            "",
            "CARPI Costretto a casa, un ragazzo non si è perso d'animo.",
            "Costretto a casa, un ragazzo non si è perso d'animo",
            "Carpi",
        ),
        (
            "",
            "CAMPOGALLIANO «Colpisci se sei un uomo». Un'ultima frase.",
            "«Colpisci se sei un uomo»",
            "Campogalliano",
        ),
        (
            "",
            "SAN POLO D'ENZA. Praticava un foro nel muro.",
            "Praticava un foro nel muro",
            "San Polo d'Enza",
        ),
        (
            "",
            "ROMA (ANSA) - Il governo ha approvato il decreto.",
            "Il governo ha approvato il decreto",
            "Roma",
        ),
        ("", "Stefania Piscitello FORMIGINE. È uscita di casa.", "È uscita di casa", "Formigine"),
        (
            "",
            "Mattia Vernelli Vignola. Nessuno dei due se n'è accorto.",
            "Nessuno dei due se n'è accorto",
            "Vignola",
        ),
        ("", "camposanto «Le 55 telecamere». Poi.", "«Le 55 telecamere»", "Camposanto"),
        ("", "il sindaco «Non ci sto». Poi.", "il sindaco «Non ci sto»", None),
        (
            "",
            "maranello. Clonava bancomat e carte di credito.",
            "Clonava bancomat e carte di credito",
            "Maranello",
        ),
        (
            "",
            "Carpi. Due frazioni coalizzate contro la chiusura.",
            "Due frazioni coalizzate contro la chiusura",
            "Carpi",
        ),
        # A title that is only the dateline.
        ("MODENA", LEAD, FIRST, "Modena"),
        ("CASTELNOVO NE' MONTI", LEAD, FIRST, "Castelnovo ne' Monti"),
        ("Modena", f"MODENA. {LEAD}", FIRST, "Modena"),
        # A real title stays; the body's dateline still gives the place.
        ("Furto al bar", f"NOVI. {LEAD}", "Furto al bar", "Novi"),
        ("Brexit", LEAD, "Brexit", None),
        ("Napoli e Venezia", "Napoli e Venezia si preparano al voto.", "Napoli e Venezia", None),
        # Openings that are not places.
        ("", "IL CASO. Un uomo è stato fermato.", "Un uomo è stato fermato", None),
        ("", "FOTO - Il corteo in centro.", "Il corteo in centro", None),
        (
            "",
            "MODENA A giudicare dalle prime ore, il traffico è scorrevole.",
            "A giudicare dalle prime ore, il traffico è scorrevole",
            "Modena",
        ),
        (
            "",
            "Emma Marrone, la cantante, torna in tour.",
            "Emma Marrone, la cantante, torna in tour",
            None,
        ),
        ("", "Tavolini danneggiati. Giornali incendiati.", "Tavolini danneggiati", None),
        (
            "",
            "INPS: le nuove regole per le pensioni.",
            "INPS: le nuove regole per le pensioni",
            None,
        ),
        ("", "Oggi. Una giornata di sole.", "Una giornata di sole", None),
        (
            "",
            "PAVULLO E POLINAGO. Una giornata di sole.",
            "Una giornata di sole",
            "Pavullo e Polinago",
        ),
    ],
)
def test_readable_title(title: str, body: str, new_title: str, place: str | None) -> None:
    article = readable_title(Article(id="a", title=title, body=body))
    assert (article.title, article.place) == (new_title, place)
    assert article.body == body  # the text itself is never changed


def test_lead_title_is_cut_at_a_word_boundary() -> None:
    sentence = (
        "Ieri sera, mercoledì 10 marzo, la Compagnia dei carabinieri di Carpi, nell'ambito "
        "dei controlli che oramai abitualmente vengono messi in campo, ha denunciato nove persone."
    )
    title = lead_title(sentence)
    assert title == (
        "Ieri sera, mercoledì 10 marzo, la Compagnia dei carabinieri di Carpi, nell'ambito dei…"
    )
    assert len(title) <= 91


def test_lead_title_does_not_stop_at_abbreviations_or_initials() -> None:
    assert lead_title("Il dott. Rossi e S. Bianchi hanno parlato. Poi altro.") == (
        "Il dott. Rossi e S. Bianchi hanno parlato"
    )


def test_jsonl_records_without_title_get_one_and_their_place(tmp_path: Path) -> None:
    path = tmp_path / "dice.jsonl"
    records = [
        {"id": "d-1", "title": None, "body": f"MIRANDOLA. {LEAD}"},
        {"id": "d-2", "title": "", "body": "La pizzeria è stata saccheggiata dai ladri. Poi."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    first, second = read_articles(path, "dice.jsonl")
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.title, first.place) == (
        "Ieri sera la Compagnia dei carabinieri ha denunciato nove persone",
        "Mirandola",
    )
    assert (second.title, second.place) == ("La pizzeria è stata saccheggiata dai ladri", None)


DATELINE_TITLE = re.compile(r"[A-ZÀ-Ý']+(?: [A-ZÀ-Ý']+){0,3}")


def test_the_real_dice_records_get_readable_titles(shared_corpus: Path) -> None:
    name = "dice-gazzetta-modena.jsonl"
    articles = [a for a in read_articles(shared_corpus / name, name) if isinstance(a, Article)]
    assert len(articles) > 10_000
    assert all(a.title for a in articles)  # 10,348 records had none
    # Measured: 4,939 places (134 distinct), about 5 of them wrong (README).
    places = [a.place for a in articles if a.place]
    assert len(places) > 4_500
    assert places.count("Modena") > 1_000
    assert not [a.title for a in articles if DATELINE_TITLE.fullmatch(a.title)]


@pytest.mark.parametrize("name", ["facta.jsonl", "wikinews-it.jsonl"])
def test_national_sources_have_no_false_datelines(shared_corpus: Path, name: str) -> None:
    articles = [a for a in read_articles(shared_corpus / name, name) if isinstance(a, Article)]
    assert len(articles) > 900
    assert [a.place for a in articles if a.place] == []
    assert not [a for a in articles if not a.title]
