"""Signs after a field and numbers after `~` mean what they say, or are refused plainly.

`titolo:-trump` once found the articles *with* Trump in the title (the `-` went to the
analyser and vanished), and `trump~1000` or `"gas russo"~10000` searched `1000` or `0` as one
more required word: results that said the opposite of the query, with no notice. The same
holds for the CLI (`archivio search`), checked here once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from search.cli import main
from search.query.parser import UNBALANCED

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

pytest_plugins = ["tests.web_fixtures"]


def answer(client: FlaskClient, query: str) -> dict:
    response = client.get("/api/search", query_string={"q": query, "limit": "100"})
    assert response.status_code == 200, (query, response.get_json())
    return response.get_json()


def refusal(client: FlaskClient, query: str) -> str:
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 400, (query, response.get_json())
    return response.get_json()["error"]


def found(data: dict) -> tuple[int, int, list[str]]:
    return data["total"], data["partial"], sorted(hit["id"] for hit in data["results"])


# --- a sign after a field -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant", "unsigned"),
    [
        ("titolo:-trump", "-titolo:trump", "titolo:trump"),
        ("autore:-Redazione", "-autore:Redazione", "autore:Redazione"),
        ('titolo:-"cessate il fuoco"', '-titolo:"cessate il fuoco"', 'titolo:"cessate il fuoco"'),
        ("Umerov titolo:-Trump", "Umerov -titolo:Trump", "Umerov titolo:Trump"),
        ("comune titolo:-(sindaco OR Modena)", "comune -titolo:(sindaco OR Modena)", "comune"),
        ("luogo:-Modena", "-luogo:Modena", "luogo:Modena"),
        ("titolo:-sind*", "-titolo:sind*", "titolo:sind*"),
        ("titolo:-Trup~1", "-titolo:Trup~1", "titolo:Trup~1"),
        ("data:-2024", "-data:2024", "data:2024"),
        ('data:-"senza data"', '-data:"senza data"', 'data:"senza data"'),
        ("Umerov titolo:+Trump", "Umerov +titolo:Trump", "Umerov titolo:Trump"),
        ("titolo:=negoziati", "titolo:(=negoziati)", "titolo:negoziati"),
        ('titolo:="cessate il fuoco"', 'titolo:(="cessate il fuoco")', '"cessate il fuoco"'),
        ("=titolo:negoziati", "titolo:(=negoziati)", "titolo:negoziati"),
    ],
)
def test_a_sign_after_a_field_applies_to_the_whole_clause(
    client: FlaskClient, typed: str, meant: str, unsigned: str
) -> None:
    got = answer(client, typed)
    assert found(got) == found(answer(client, meant)), typed
    assert found(got) != found(answer(client, unsigned)), typed  # the sign changes something
    assert got["notices"] == answer(client, meant)["notices"]


@pytest.mark.parametrize(
    ("typed", "meant", "not_meant"),
    [
        ("trump - putin", "trump putin", "trump -putin"),  # a dash between words: punctuation
        ("trump + putin", "trump putin", "trump +putin"),
        ('trump - "cessate il fuoco"', 'trump -"cessate il fuoco"', 'trump "cessate il fuoco"'),
        ("trump - (putin OR gedda)", "trump -(putin OR gedda)", "trump (putin OR gedda)"),
    ],
)
def test_a_lone_dash_before_a_word_is_punctuation(
    client: FlaskClient, typed: str, meant: str, not_meant: str
) -> None:
    """«Roma - Milano» looks for both cities; a dash before a phrase or a group still
    leaves it out (the README's rule)."""
    got = found(answer(client, typed))
    assert got == found(answer(client, meant)), typed
    assert got != found(answer(client, not_meant)), typed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "titolo:--trump",
            "«titolo:--»: dopo il campo va un solo segno: titolo:-Trump (senza) o "
            "titolo:+Trump (obbligatorio)",
        ),
        (
            "data:=2024",
            "«data:=»: la forma esatta (=) vale per le parole, non per le date: scrivi data:2024",
        ),
        ("alluvione titolo:-", "manca il valore dopo «titolo:-»: per esempio titolo:-Trump"),
        ("data:", "manca il valore dopo «data:»: per esempio data:2024"),
        ("autore:", "manca il valore dopo «autore:»: per esempio autore:Redazione"),
    ],
)
def test_a_field_without_a_meaningful_value_is_refused_with_an_example(
    client: FlaskClient, typed: str, message: str
) -> None:
    assert refusal(client, typed) == message


# --- the number after `~` -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant", "notice"),
    [
        (
            "trump~1000",
            "trump~2",
            "«trump~1000»: la distanza massima è 2, la parola è stata cercata come trump~2.",
        ),
        (
            "trump~" + "9" * 20,
            "trump~2",
            "«trump~999999999»: la distanza massima è 2, la parola è stata cercata come trump~2.",
        ),
        (
            '"gas russo"~10000',
            '"gas russo"~9999',
            '«"gas russo"~10000»: la distanza massima è 9999, la frase è stata cercata come '
            '"gas russo"~9999.',
        ),
        ("trump~2/1000", "trump~2/5", None),  # a prefix longer than the word: the whole word
        ("trump~+2", "trump~2", None),
        ("trump~2/", "trump~2", None),
        ('"gas russo"~00', '"gas russo"~0', None),
        ('"gas russo"~5 "Putin', "gas russo Putin", UNBALANCED),  # plain words: no distance
    ],
)
def test_a_large_number_after_the_tilde_is_capped_never_a_word(
    client: FlaskClient, typed: str, meant: str, notice: str | None
) -> None:
    got = answer(client, typed)
    expected = answer(client, meant)
    assert found(got) == found(expected) and got["total"] > 0, typed
    assert got["notices"] == ([notice] if notice else []) + expected["notices"]


WHOLE = "dopo ~ va un numero intero, senza segno né virgola, per esempio"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("trump~-1", f"«trump~-1»: {WHOLE} trump~2"),
        ("trump~1.5", f"«trump~1.5»: {WHOLE} trump~2"),
        ("trump~2/-1", f"«trump~2/-1»: {WHOLE} trump~2/3"),
        ('"gas russo"~-3', f'«"gas russo"~-3»: {WHOLE} "gas russo"~5'),
        ('"gas russo"~1,5', f'«"gas russo"~1,5»: {WHOLE} "gas russo"~5'),
        (
            "=trump~2",
            "«=trump~2»: la forma esatta (=) e la ricerca approssimata (~) non vanno insieme: "
            "scrivi =trump oppure trump~2",
        ),
        (
            '"gas russo" ~10',
            '«~10»: ~ va attaccato alla parola o alla frase, senza spazio: trump~2, "gas russo"~5',
        ),
    ],
)
def test_a_negative_or_decimal_number_after_the_tilde_is_refused(
    client: FlaskClient, typed: str, message: str
) -> None:
    assert refusal(client, typed) == message


def test_the_cli_reads_the_tilde_as_the_api_does(runner: CliRunner, built_index: Path) -> None:
    def search(query: str) -> Result:
        return runner.invoke(main, ["search", query, "--index", str(built_index)])

    capped, two = search("trump~1000"), search("trump~2")
    assert capped.exit_code == 0 and two.exit_code == 0
    assert capped.stdout.split()[0] == two.stdout.split()[0] != "0"  # the count
    assert capped.stderr == (
        "Nota: «trump~1000»: la distanza massima è 2, la parola è stata cercata come trump~2.\n"
    )
    refused = search("trump~-1")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Errore: «trump~-1»: dopo ~ va un numero intero, senza segno né virgola, "
        "per esempio trump~2\n"
    )


# --- messages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "autore:*",
            "«*»: il carattere jolly (* o ?) deve seguire almeno una lettera, per esempio "
            "autore:M*. Per vedere tutti gli articoli lascia vuota la ricerca",
        ),
        ("data:00/01/2025", "data non valida: 00/01/2025 (il giorno 0 non esiste)"),
        ("data:2025-01-00", "data non valida: 2025-01-00 (il giorno 0 non esiste)"),
        ("data:32/01/2025", "data non valida: 32/01/2025 (gennaio 2025 ha 31 giorni)"),
    ],
)
def test_messages_name_the_problem(client: FlaskClient, typed: str, message: str) -> None:
    assert refusal(client, typed) == message
