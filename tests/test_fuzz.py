"""Property-based fuzzing (hypothesis): a short run of every parser target on each test run.

The long, coverage-guided run is `python -m fuzz.run all` (README, Affidabilità). Findings
of either are fixed and kept below as regression cases.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.targets import TARGETS
from search.archive import Archive
from search.errors import QueryError
from search.results import SearchRequest, search

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
def test_any_query_gives_results_or_a_query_error(archive: Archive, text: str) -> None:
    try:
        page = search(archive, SearchRequest(query=text))
    except QueryError as error:
        assert str(error)
        return
    # Every listed hit matches as written (counted in the total) or partially (counted apart).
    assert page.total + page.partial >= len(page.hits)
    assert all(hit.missing for hit in page.hits[page.total :])


# Regression cases found by fuzzing.
def test_jsonl_tags_of_any_shape() -> None:
    for tags in ("true", "1", '"a,b"', '[1, "x"]', "null", '{"a": 1}'):
        TARGETS["jsonl"](f'{{"title": "t", "body": "b", "tags": {tags}}}'.encode())


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "((",
        ")",
        "data:",
        'data:"',
        "*",
        "~",
        "=",
        "-",
        "+",
        "titolo:",
        "E",
        "NON",
        "a~9",
        "**",
        "\x00",
        "NOT NOT",
        "’~",
        "autore:’~",
        "fonte:a*",
        "\xff\x00/i\x00me?n",  # atheris: a word group that normalises to nothing
    ],
)
def test_fuzz_findings_stay_fixed(archive: Archive, text: str) -> None:
    with suppress(QueryError):
        search(archive, SearchRequest(query=text))
