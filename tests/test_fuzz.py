"""Property-based fuzzing (hypothesis): a short run of every parser target on each test run.

The long, coverage-guided run is `python -m fuzz.run all` (README, Affidabilità). Findings
of either are fixed and kept below as regression cases.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.targets import TARGETS
from search.archive import Archive
from search.errors import QueryError
from search.ingest.jsonl import parse_record
from search.model import Hit
from search.results import SearchRequest, iter_hits, search

SYNTAX = st.sampled_from(
    [
        '"',
        "(",
        ")",
        "*",
        "~",
        "~2",
        "+",
        "-",
        ":",
        "=",
        " AND ",
        " OR ",
        " NOT ",
        " E ",
        " O ",
        " NON ",
        "titolo:",
        "data:",
        "autore:",
        'data:"',
        "..",
        "/",
        "°",
        "’",
        "'",
        " ",
    ]
)
WORDS = st.sampled_from(
    [
        "negoziati",
        "Umerov",
        "città",
        "aprile",
        "2025",
        "12",
        "dal",
        "al",
        "marzo",
        "ultimi",
        "giorni",
        "l'Unione",
        "dell’ospedale",
        "31/02/2025",
        "2024..2025",
        "oggi",
        "ieri",
        "€",
        "ß",
    ]
)
QUERYISH = st.lists(st.one_of(SYNTAX, WORDS, st.text(max_size=6)), max_size=12).map("".join)
HTMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<html>",
                "<head>",
                "<meta charset='latin-1'>",
                "<title>",
                "</title>",
                "<body>",
                "<article>",
                "<p>",
                "</p>",
                "<script>alert(1)</script>",
                '<script type="application/ld+json">{"@type":"NewsArticle"',
                "}</script>",
                "<time datetime='2024-02-30'>",
                "&egrave;",
                "&#0;",
                "<![CDATA[",
                "<!--",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=25,
).map("".join)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(QUERYISH)
def test_query_parser(text: str) -> None:
    TARGETS["query"](text.encode())


@FAST
@given(st.one_of(QUERYISH, st.text()))
def test_date_parser(text: str) -> None:
    TARGETS["dates"](text.encode())


@FAST
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "# ",
                    "Data: ",
                    " | Autore: ",
                    "---",
                    "\n",
                    "**",
                    "## ",
                    "<https://x.it/a>",
                    "Articolo scaricato da [",
                    "](",
                    ")",
                ]
            ),
            st.text(max_size=15),
        ),
        max_size=20,
    ).map("".join)
)
def test_export_parser(text: str) -> None:
    TARGETS["export"](text.encode())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(HTMLISH.map(str.encode), st.binary(max_size=300)))
def test_html_extractor(data: bytes) -> None:
    TARGETS["html"](data)


@FAST
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda c: (
                st.lists(c, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["id", "title", "body", "date", "url", "tags", "author"]), c
                )
            ),
            max_leaves=8,
        ).map(lambda v: __import__("json").dumps(v).encode()),
    )
)
def test_jsonl_reader(data: bytes) -> None:
    TARGETS["jsonl"](data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_warc_reader(data: bytes) -> None:
    TARGETS["warc"](data)


@pytest.fixture(scope="module")
def archive(built_index: Path) -> Archive:
    return Archive(built_index)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(QUERYISH)
@pytest.mark.medium
def test_any_query_gives_results_or_a_query_error(archive: Archive, text: str) -> None:
    try:
        page = search(archive, SearchRequest(query=text))
    except QueryError as error:
        assert str(error)
        return
    # Every listed hit matches as written (counted in the total) or partially (counted apart).
    assert page.total + page.partial >= len(page.hits)
    assert all(hit.missing for hit in page.hits[page.total :])


# Regression cases found by fuzzing: each asserts what the user gets for that input.
def test_jsonl_tags_of_any_shape() -> None:
    # tags may be any JSON: a list keeps its text items, a string is split on commas,
    # anything else is no tags; the article itself is always kept.
    expected = {
        "true": (),
        "1": (),
        '"a,b"': ("a", "b"),
        '[1, "x"]': ("x",),
        "null": (),
        '{"a": 1}': (),
    }
    for tags, kept in expected.items():
        article = parse_record(f'{{"title": "t", "body": "b", "tags": {tags}}}'.encode())
        assert (article.title, article.body, tuple(article.tags)) == ("t", "b", kept), tags


def every_article(archive: Archive) -> list[Hit]:
    return list(iter_hits(archive, SearchRequest(query="")))


def ids(archive: Archive, text: str) -> set[str]:
    return {hit.id for hit in iter_hits(archive, SearchRequest(query=text))}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data:", "manca il valore dopo «data:»"),
        ("titolo:", "manca il valore dopo «titolo:»"),
        ('data:"', "manca il valore dopo «data:»"),  # the stray quote goes: an empty date
    ],
)
def test_a_field_without_a_value_is_an_error_that_says_so(
    archive: Archive, text: str, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        search(archive, SearchRequest(query=text))


@pytest.mark.parametrize("text", ['"', "((", ")"])
def test_unclosed_quotes_or_brackets_are_read_as_words_with_a_notice(
    archive: Archive, text: str
) -> None:
    page = search(archive, SearchRequest(query=text))
    assert page.total == 0  # no word left to look for
    assert any("non chiuse" in notice for notice in page.notices), page.notices


@pytest.mark.parametrize(
    "text",
    [
        "~",
        "=",
        "-",
        "+",
        "E",  # the operator alone; as a word, a stopword
        "NON",
        "a~9",  # a stopword, however fuzzy
        "\x00",
        "’~",
        "autore:’~",
        "\xff\x00/i\x00me?n",  # atheris: a word group that normalises to nothing
    ],
)
def test_operators_or_signs_without_words_find_nothing(archive: Archive, text: str) -> None:
    assert search(archive, SearchRequest(query=text)).total == 0


@pytest.mark.parametrize("text", ["*", "**", "*a*a*", "?"])
def test_a_wildcard_without_two_letters_is_refused_with_what_to_do(
    archive: Archive, text: str
) -> None:
    # It would stand for (nearly) every word of the archive: a query of death, not a search.
    with pytest.raises(QueryError, match=r"almeno 2 lettere.*lascia vuota la ricerca"):
        search(archive, SearchRequest(query=text))


def test_not_not_finds_the_articles_without_the_word_not(archive: Archive) -> None:
    everything = {hit.id for hit in every_article(archive)}
    with_not = ids(archive, "not")
    assert ids(archive, "NOT NOT") == everything - with_not
    assert with_not and everything - with_not  # the sample archive has both kinds


def test_a_source_prefix_finds_the_sources_with_a_word_starting_so(archive: Archive) -> None:
    expected = {
        hit.id
        for hit in every_article(archive)
        if any(word.startswith("a") for word in re.findall(r"\w+", (hit.source or "").lower()))
    }
    assert expected
    assert ids(archive, "fonte:a*") == expected
