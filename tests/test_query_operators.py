"""Signs after a field mean what they say, or are refused plainly.

`titolo:-trump` once found the articles *with* Trump in the title (the `-` went to the
analyser and vanished): results that said the opposite of the query, with no notice.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

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
