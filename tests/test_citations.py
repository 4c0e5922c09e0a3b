"""Citations of one article (`search.citations`): exact text, BibTeX and CSL-JSON."""

from __future__ import annotations

from datetime import date

import pytest

from search.citations import bibtex, citation_key, csl_json, italian_citation, people
from search.model import Article

ACCESSED = date(2025, 12, 4)
ARTICLE = Article(
    id="https://www.italiasettegiorni.it/esteri/ucraina-81342",
    title="Ucraina, nuovo giro di negoziati a Gedda",
    body="Testo.",
    url="https://www.italiasettegiorni.it/esteri/ucraina-81342",
    author="Luigi Di Maio e Anna Rossi",
    source="Italia Sette Giorni",
    date=date(2025, 4, 1),
)
ARCHIVE_PAGE = "http://archivio.example/articolo/pna-1"


def cite(article: Article, permalink: str | None = ARCHIVE_PAGE) -> str:
    return italian_citation(
        article, title=article.title, accessed=ACCESSED, permalink=permalink
    ).text


def test_the_italian_citation_names_author_title_source_date_address_and_day() -> None:
    assert cite(ARTICLE) == (
        "Luigi Di Maio e Anna Rossi, Ucraina, nuovo giro di negoziati a Gedda, "
        "in «Italia Sette Giorni», 1° aprile 2025, "
        "https://www.italiasettegiorni.it/esteri/ucraina-81342 (consultato il 4 dicembre 2025)."
    )


def test_without_author_date_or_web_address() -> None:
    article = Article(id="pna-1", title="Piena del Secchia", body="…", url="archivio/locale")
    assert cite(article) == (
        "Piena del Secchia, s.d., http://archivio.example/articolo/pna-1 "
        "(consultato il 4 dicembre 2025)."
    )
    assert (
        cite(article, permalink=None) == "Piena del Secchia, s.d. (consultato il 4 dicembre 2025)."
    )


def test_the_page_can_set_the_title_in_italics() -> None:
    parts = italian_citation(ARTICLE, title=ARTICLE.title, accessed=ACCESSED)
    assert (parts.before, parts.title) == ("Luigi Di Maio e Anna Rossi, ", ARTICLE.title)
    assert parts.after.startswith(", in «Italia Sette Giorni», 1° aprile 2025")


def test_bibtex() -> None:
    assert bibtex(ARTICLE, title=ARTICLE.title, accessed=ACCESSED) == (
        "@article{dimaio2025ucraina,\n"
        "  author = {Di Maio, Luigi and Rossi, Anna},\n"
        "  title = {Ucraina, nuovo giro di negoziati a Gedda},\n"
        "  journal = {Italia Sette Giorni},\n"
        "  date = {2025-04-01},\n"
        "  year = {2025},\n"
        "  month = {4},\n"
        "  day = {1},\n"
        "  url = {https://www.italiasettegiorni.it/esteri/ucraina-81342},\n"
        "  urldate = {2025-12-04},\n"
        "  langid = {italian}\n"
        "}\n"
    )


def test_bibtex_escapes_what_latex_would_read() -> None:
    article = Article(
        id="x",
        title="Sconti del 50% & {offerte} per #Natale_2024 a $5 ~ \\fine",
        body="",
        author="Redazione Web",
        url="https://example.org/a?b={c}",
    )
    entry = bibtex(article, title=article.title, accessed=ACCESSED)
    assert (
        r"title = {Sconti del 50\% \& \{offerte\} per \#Natale\_2024 "
        r"a \$5 \textasciitilde{} \textbackslash{}fine}" in entry
    )
    assert "author = {{Redazione Web}}" in entry  # braced: a newsroom, not "Web, Redazione"
    assert "url = {https://example.org/a?b=%7Bc%7D}" in entry


def test_csl_json() -> None:
    assert csl_json(ARTICLE, title=ARTICLE.title, accessed=ACCESSED) == [
        {
            "id": "dimaio2025ucraina",
            "type": "article-newspaper",
            "title": "Ucraina, nuovo giro di negoziati a Gedda",
            "language": "it",
            "author": [
                {"family": "Di Maio", "given": "Luigi"},
                {"family": "Rossi", "given": "Anna"},
            ],
            "container-title": "Italia Sette Giorni",
            "issued": {"date-parts": [[2025, 4, 1]]},
            "URL": "https://www.italiasettegiorni.it/esteri/ucraina-81342",
            "accessed": {"date-parts": [[2025, 12, 4]]},
        }
    ]


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("Roberto Mania", [{"family": "Mania", "given": "Roberto"}]),
        ("Anna Maria De Luca", [{"family": "De Luca", "given": "Anna Maria"}]),
        ("Redazione", [{"literal": "Redazione"}]),
        ("Wikinotizie contributors", [{"literal": "Wikinotizie contributors"}]),
        ("Redazione Cronaca e Attualità", [{"literal": "Redazione Cronaca e Attualità"}]),
        ("ANSA", [{"literal": "ANSA"}]),
        (None, []),
    ],
)
def test_people_and_newsrooms(author: str | None, names: list[dict[str, str]]) -> None:
    assert people(author) == names


def test_the_key_is_ascii() -> None:
    article = Article(id="x", title="Città più vivibili", body="", source="www.vocedelpanaro.it")
    assert citation_key(article) == "vocedelpanarosdcitta"
