"""Golden tables for the dates users type and the dates articles carry."""

from __future__ import annotations

from datetime import date

import pytest

from search.dates import (
    OPEN_END,
    OPEN_START,
    DateRange,
    parse_article_date,
    parse_date_bound,
    parse_date_range,
)
from search.errors import DateError, QueryError

TODAY = date(2026, 11, 25)  # a Wednesday
D = date

RANGES = [
    # ISO day, month, year and ranges
    ("2025-04-12", D(2025, 4, 12), D(2025, 4, 12)),
    ("2025/04/12", D(2025, 4, 12), D(2025, 4, 12)),
    ("2025-04", D(2025, 4, 1), D(2025, 4, 30)),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
    ("2025-02", D(2025, 2, 1), D(2025, 2, 28)),
    ("2025-12", D(2025, 12, 1), D(2025, 12, 31)),
    ("2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("2025-03..2025-04", D(2025, 3, 1), D(2025, 4, 30)),
    ("2025-12..2026-01", D(2025, 12, 1), D(2026, 1, 31)),
    ("2024..2025", D(2024, 1, 1), D(2025, 12, 31)),
    ("2024 .. 2025-02", D(2024, 1, 1), D(2025, 2, 28)),
    ("2024-2025", D(2024, 1, 1), D(2025, 12, 31)),
    ("2024..", D(2024, 1, 1), OPEN_END),
    ("..2025-04", OPEN_START, D(2025, 4, 30)),
    ("2026-01-01..oggi", D(2026, 1, 1), TODAY),
    # Italian written dates
    ("12 aprile 2025", D(2025, 4, 12), D(2025, 4, 12)),
    ("12 APRILE 2025", D(2025, 4, 12), D(2025, 4, 12)),
    ("  12   Aprile  2025 ", D(2025, 4, 12), D(2025, 4, 12)),
    ("aprile 2025", D(2025, 4, 1), D(2025, 4, 30)),
    ("aprile del 2025", D(2025, 4, 1), D(2025, 4, 30)),
    ("febbraio 2024", D(2024, 2, 1), D(2024, 2, 29)),
    ("febbraio 2100", D(2100, 2, 1), D(2100, 2, 28)),
    ("29 febbraio 2024", D(2024, 2, 29), D(2024, 2, 29)),
    ("dicembre 2025", D(2025, 12, 1), D(2025, 12, 31)),
    ("1° maggio 2024", D(2024, 5, 1), D(2024, 5, 1)),
    ("1º maggio 2024", D(2024, 5, 1), D(2024, 5, 1)),
    ("1 maggio 2024", D(2024, 5, 1), D(2024, 5, 1)),
    ("primo maggio 2024", D(2024, 5, 1), D(2024, 5, 1)),
    ("il 12 aprile 2025", D(2025, 4, 12), D(2025, 4, 12)),
    ("l'8 marzo 2025", D(2025, 3, 8), D(2025, 3, 8)),
    ("sabato 12 aprile 2025", D(2025, 4, 12), D(2025, 4, 12)),
    ("Lunedì 14 aprile 2025", D(2025, 4, 14), D(2025, 4, 14)),
    ("giovedì, primo maggio 2025", D(2025, 5, 1), D(2025, 5, 1)),
    ("sab. 12/04/2025", D(2025, 4, 12), D(2025, 4, 12)),
    ("mar 12 aprile 2025", D(2025, 4, 12), D(2025, 4, 12)),  # "mar" the weekday
    ("mar. 2025", D(2025, 3, 1), D(2025, 3, 31)),  # "mar" the month
    # without a year: the most recent one that has begun by today
    ("1 maggio", D(2026, 5, 1), D(2026, 5, 1)),
    ("25 novembre", TODAY, TODAY),
    ("30 dicembre", D(2025, 12, 30), D(2025, 12, 30)),
    ("dicembre", D(2025, 12, 1), D(2025, 12, 31)),
    ("29 febbraio", D(2024, 2, 29), D(2024, 2, 29)),
    # numeric, day first
    ("12/04/2025", D(2025, 4, 12), D(2025, 4, 12)),
    ("12-04-2025", D(2025, 4, 12), D(2025, 4, 12)),
    ("12.04.2025", D(2025, 4, 12), D(2025, 4, 12)),
    ("12/4/25", D(2025, 4, 12), D(2025, 4, 12)),
    ("1/2/99", D(1999, 2, 1), D(1999, 2, 1)),
    ("29/02/2024", D(2024, 2, 29), D(2024, 2, 29)),
    ("04/2025", D(2025, 4, 1), D(2025, 4, 30)),
    ("4/2025", D(2025, 4, 1), D(2025, 4, 30)),
    ("02/2024", D(2024, 2, 1), D(2024, 2, 29)),
    # Italian ranges
    ("dal 1 marzo al 15 aprile 2025", D(2025, 3, 1), D(2025, 4, 15)),
    ("dal 1 marzo 2024 al 15 aprile 2025", D(2024, 3, 1), D(2025, 4, 15)),
    ("dal 1° marzo fino al 15 aprile 2025", D(2025, 3, 1), D(2025, 4, 15)),
    ("dall'8 marzo all'11 aprile 2025", D(2025, 3, 8), D(2025, 4, 11)),
    ("dal 1 al 15 aprile 2025", D(2025, 4, 1), D(2025, 4, 15)),
    ("1-15 aprile 2025", D(2025, 4, 1), D(2025, 4, 15)),
    ("dal 20 dicembre al 6 gennaio 2025", D(2024, 12, 20), D(2025, 1, 6)),
    ("dal 20 dicembre 2024 al 6 gennaio", D(2024, 12, 20), D(2025, 1, 6)),
    ("dal 12/04/2025 al 15/04/2025", D(2025, 4, 12), D(2025, 4, 15)),
    ("da aprile ad agosto 2025", D(2025, 4, 1), D(2025, 8, 31)),
    ("marzo-maggio 2024", D(2024, 3, 1), D(2024, 5, 31)),
    ("marzo – maggio 2024", D(2024, 3, 1), D(2024, 5, 31)),
    ("novembre-gennaio 2025", D(2024, 11, 1), D(2025, 1, 31)),
    ("dicembre 2024 - febbraio 2025", D(2024, 12, 1), D(2025, 2, 28)),
    ("12/04/2025 - 15/04/2025", D(2025, 4, 12), D(2025, 4, 15)),
    ("tra marzo e maggio 2024", D(2024, 3, 1), D(2024, 5, 31)),
    ("fra il 1 e il 15 aprile 2025", D(2025, 4, 1), D(2025, 4, 15)),
    ("dal 1 marzo 2025", D(2025, 3, 1), OPEN_END),
    ("fino al 15 aprile 2025", OPEN_START, D(2025, 4, 15)),
    ("dal 1 marzo a oggi", D(2026, 3, 1), TODAY),
    # month abbreviations
    *[
        (f"12 {abbr} 2025", D(2025, month, 12), D(2025, month, 12))
        for month, abbr in enumerate(
            ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
            start=1,
        )
    ],
    ("12 sett. 2025", D(2025, 9, 12), D(2025, 9, 12)),
    ("12 Dic. 2025", D(2025, 12, 12), D(2025, 12, 12)),
    # relative to TODAY
    ("oggi", TODAY, TODAY),
    ("Oggi", TODAY, TODAY),
    ("ieri", D(2026, 11, 24), D(2026, 11, 24)),
    ("l'altro ieri", D(2026, 11, 23), D(2026, 11, 23)),
    ("l’altroieri", D(2026, 11, 23), D(2026, 11, 23)),
    ("ultima settimana", D(2026, 11, 19), TODAY),
    ("nell'ultima settimana", D(2026, 11, 19), TODAY),
    ("ultimi 7 giorni", D(2026, 11, 19), TODAY),
    ("negli ultimi sette giorni", D(2026, 11, 19), TODAY),
    ("ultimi 10 giorni", D(2026, 11, 16), TODAY),
    ("ultime 2 settimane", D(2026, 11, 12), TODAY),
    ("ultimo mese", D(2026, 10, 26), TODAY),
    ("ultimi 3 mesi", D(2026, 8, 26), TODAY),
    ("ultimi tre mesi", D(2026, 8, 26), TODAY),
    ("ultimo anno", D(2025, 11, 26), TODAY),
    ("quest'anno", D(2026, 1, 1), TODAY),
    ("questo anno", D(2026, 1, 1), TODAY),
    ("anno scorso", D(2025, 1, 1), D(2025, 12, 31)),
    ("l'anno scorso", D(2025, 1, 1), D(2025, 12, 31)),
    ("questo mese", D(2026, 11, 1), TODAY),
    ("mese scorso", D(2026, 10, 1), D(2026, 10, 31)),
    ("il mese scorso", D(2026, 10, 1), D(2026, 10, 31)),
    ("questa settimana", D(2026, 11, 23), TODAY),
    ("settimana scorsa", D(2026, 11, 16), D(2026, 11, 22)),
]


@pytest.mark.parametrize(("text", "start", "end"), RANGES)
def test_parse_date_range(text: str, start: date, end: date) -> None:
    assert parse_date_range(text, today=TODAY) == DateRange(start, end)


@pytest.mark.parametrize(
    ("text", "today", "start", "end"),
    [
        ("mese scorso", D(2024, 3, 10), D(2024, 2, 1), D(2024, 2, 29)),
        ("mese scorso", D(2026, 1, 15), D(2025, 12, 1), D(2025, 12, 31)),
        ("anno scorso", D(2026, 1, 1), D(2025, 1, 1), D(2025, 12, 31)),
        ("ultimo mese", D(2026, 3, 31), D(2026, 3, 1), D(2026, 3, 31)),
        ("ultimo mese", D(2024, 3, 30), D(2024, 3, 1), D(2024, 3, 30)),
        ("ultimi 2 mesi", D(2026, 1, 10), D(2025, 11, 11), D(2026, 1, 10)),
        ("ultimi 7 giorni", D(2026, 1, 3), D(2025, 12, 28), D(2026, 1, 3)),
        ("settimana scorsa", D(2026, 1, 1), D(2025, 12, 22), D(2025, 12, 28)),
        ("29 febbraio", D(2026, 2, 28), D(2024, 2, 29), D(2024, 2, 29)),
        ("dal 20 dicembre al 6 gennaio", D(2026, 1, 10), D(2025, 12, 20), D(2026, 1, 6)),
    ],
)
def test_relative_to_other_days(text: str, today: date, start: date, end: date) -> None:
    assert parse_date_range(text, today=today) == DateRange(start, end)


# "ultimi N <unità>": every unit the grammar accepts, singular and plural, counted from TODAY
# (25 Nov 2026). "ultimi 2 anni" used to be read as 2 months (the unit was told by its first
# four letters, and "anni" is not "anno").
LAST_N = [
    ("ultimo giorno", D(2026, 11, 25)),
    ("ultimi 2 giorni", D(2026, 11, 24)),
    ("ultima settimana", D(2026, 11, 19)),
    ("ultime 2 settimane", D(2026, 11, 12)),
    ("ultimo mese", D(2026, 10, 26)),
    ("ultimi 2 mesi", D(2026, 9, 26)),
    ("ultimo anno", D(2025, 11, 26)),
    ("ultimi 2 anni", D(2024, 11, 26)),
    ("negli ultimi tre anni", D(2023, 11, 26)),
    ("ultimi 10 anni", D(2016, 11, 26)),
    ("ultimi 24 mesi", D(2024, 11, 26)),
    ("nell'ultimo anno", D(2025, 11, 26)),
]


@pytest.mark.parametrize(("text", "start"), LAST_N)
def test_last_n_units_in_every_form(text: str, start: date) -> None:
    assert parse_date_range(text, today=TODAY) == DateRange(start, TODAY)
    assert parse_date_bound(text, end=False, today=TODAY) == start
    assert parse_date_bound(text, end=True, today=TODAY) == TODAY


def test_last_years_are_the_same_period_as_their_months() -> None:
    for years in range(2, 6):
        months = f"ultimi {12 * years} mesi"
        assert parse_date_range(f"ultimi {years} anni", today=TODAY) == parse_date_range(
            months, today=TODAY
        )


def test_today_defaults_to_the_real_today() -> None:
    assert parse_date_range("oggi") == DateRange(date.today(), date.today())


EXAMPLES = "esempi: 2025-04-12, aprile 2025, 12/04/2025, 2024..2025, ultimi 7 giorni"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2025", "data non valida: 31/02/2025 (febbraio 2025 ha 28 giorni)"),
        ("29/02/2025", "data non valida: 29/02/2025 (febbraio 2025 ha 28 giorni)"),
        ("31 aprile 2025", "data non valida: 31 aprile 2025 (aprile 2025 ha 30 giorni)"),
        ("30 febbraio", "data non valida: 30 febbraio (febbraio ha al massimo 29 giorni)"),
        ("13/13/2025", "data non valida: 13/13/2025 (il mese va da 1 a 12)"),
        ("2025-13", "data non valida: 2025-13 (il mese va da 1 a 12)"),
        ("0000", "data non valida: 0000 (l'anno va da 1 a 9999)"),
        ("aprile 2025x", f"data non valida: aprile 2025x ({EXAMPLES})"),
        ("garbage", f"data non valida: garbage ({EXAMPLES})"),
        ("sabato", f"data non valida: sabato ({EXAMPLES})"),
        ("<script>", f"data non valida: <script> ({EXAMPLES})"),
        ("..", f"data non valida: .. ({EXAMPLES})"),
        ("", 'data non valida: "" (scrivi una data, per esempio 2025-04-12)'),
        ("   ", 'data non valida: "" (scrivi una data, per esempio 2025-04-12)'),
        ("12", "data non valida: 12 (manca il mese)"),
        ("dal 1 al 2025", "data non valida: dal 1 al 2025 (manca il mese)"),
        ("2025..2024", "data non valida: 2025..2024 (l'inizio viene dopo la fine)"),
        (
            "dal 20 al 5 aprile 2025",
            "data non valida: dal 20 al 5 aprile 2025 (l'inizio viene dopo la fine)",
        ),
        (
            "dal 29 febbraio al 3 marzo 2025",
            "data non valida: dal 29 febbraio al 3 marzo 2025 (febbraio 2025 ha 28 giorni)",
        ),
        ("ultimi 0 giorni", "data non valida: ultimi 0 giorni (il numero deve essere almeno 1)"),
        ("ultimi giorni", "data non valida: ultimi giorni (quanti? per esempio: ultimi 3 mesi)"),
        (
            "ultimi 99999999 giorni",
            "data non valida: ultimi 99999999 giorni (troppo indietro nel tempo)",
        ),
    ],
)
def test_unreadable_or_impossible_dates_name_the_text(text: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date_range(text, today=TODAY)
    assert str(caught.value) == message
    assert isinstance(caught.value, QueryError)  # the CLI and web report it as a bad query


def test_date_range_is_inclusive_and_ordered() -> None:
    april = DateRange(D(2025, 4, 1), D(2025, 4, 30))
    assert april.contains(D(2025, 4, 1)) and april.contains(D(2025, 4, 30))
    assert not april.contains(D(2025, 3, 31)) and not april.contains(D(2025, 5, 1))
    assert not april.open_start and not april.open_end
    assert parse_date_range("2024..", today=TODAY).open_end
    assert parse_date_range("..2024", today=TODAY).open_start
    with pytest.raises(DateError, match="l'inizio viene dopo la fine"):
        DateRange(D(2025, 5, 1), D(2025, 4, 1))


ARTICLE_DATES = [
    ("2025-04-12", D(2025, 4, 12)),
    ("2025-04-12T10:30:00+02:00", D(2025, 4, 12)),
    ("2025-04-12T23:30:00-05:00", D(2025, 4, 12)),  # the day as written, not UTC
    ("2025-04-12T10:30:00Z", D(2025, 4, 12)),
    ("2025-04-12 10:30", D(2025, 4, 12)),
    ("2024-02-29", D(2024, 2, 29)),
    ("12/04/2025", D(2025, 4, 12)),
    ("12-04-2025", D(2025, 4, 12)),
    ("12.04.2025", D(2025, 4, 12)),
    ("12/4/25", D(2025, 4, 12)),
    ("12 aprile 2025", D(2025, 4, 12)),
    ("12 Aprile 2025 ore 10:30", D(2025, 4, 12)),
    ("sabato 12 aprile 2025", D(2025, 4, 12)),
    ("1° maggio 2024", D(2024, 5, 1)),
    ("1º maggio 2024", D(2024, 5, 1)),
    ("primo maggio 2024", D(2024, 5, 1)),
    ("12 SETT. 2025", D(2025, 9, 12)),
    ("Notizia del 14 Gennaio 2020", D(2020, 1, 14)),
    ("Pubblicato il 3 dic 2024 alle 18:00", D(2024, 12, 3)),
    ("Roma, 31/02/2025 (errata) - aggiornato 01/03/2025", D(2025, 3, 1)),
    ("", None),
    ("aprile 2025", None),
    ("2025", None),
    ("2025-04", None),
    ("04/2025", None),
    ("12 aprile", None),
    ("31/02/2025", None),
    ("2025-02-30T10:00:00", None),
    ("oggi", None),
    ("nessuna data qui", None),
    ("x" * 300 + " 12 aprile 2025", None),  # only a date field or byline is read
]


@pytest.mark.parametrize(("text", "expected"), ARTICLE_DATES)
def test_parse_article_date(text: str, expected: date | None) -> None:
    assert parse_article_date(text) == expected


def test_parse_article_date_never_raises_on_missing_field() -> None:
    assert parse_article_date(None) is None  # type: ignore[arg-type]  # metadata may lack it
