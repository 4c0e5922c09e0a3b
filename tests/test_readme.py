"""Every example of the README runs on corpus/ and does what the README says.

The syntax table: each example gives exactly the articles that a plain evaluation over the
stored text says it should (the words of each article, analysed as the index analyses them),
with a planted article that it must find and, where the example excludes or narrows, one
that it must leave out. The date list: each absolute date finds the articles of its period.
The JSON example: `archivio search --json` prints that article with those fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

import pytest
from click.testing import CliRunner

from search.analysis import analyze, name_tokens, surface_tokens
from search.archive import Archive
from search.cli import main
from search.dates import parse_date_range
from search.errors import QueryError
from search.model import Article
from search.results import SearchRequest, iter_hits, search
from tests.corpus_facts import (
    DATELINE_TITLES,
    FIRE_HAS_CEASED,
    GAS_FAR_FROM_RUSSIAN,
    GAS_THREE_WORDS_FROM_RUSSIAN,
    MACRON_WITHOUT_PUTIN_OR_XI,
    NEGOTIATIONS_ID,
    ONLY_NEGOZIATO,
    ONLY_NEGOZIATORI,
    ORBAN_IN_TITLE_ONLY,
    REPO,
    TROOPS,
    TRUMP_MISSPELT,
    UMEROV_UNDATED,
    UMEROV_WITHOUT_TRUMP,
)

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

README = (REPO / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def syntax_examples() -> list[str]:
    examples = []
    for row in section("Sintassi di ricerca").splitlines():
        cells = row.split(" | ")
        if row.startswith("| ") and len(cells) >= 3 and "`" in cells[1]:
            examples += re.findall(r"`([^`]+)`", cells[1])
    return examples


def date_examples() -> list[str]:
    """The dates of the bulleted list of "Date" (the ones a user types)."""
    [bullets] = [b for b in section("Date").split("\n\n") if b.startswith("- **")]
    return [" ".join(e.split()) for e in re.findall(r"`([^`]+)`", bullets)]


# --- a plain evaluation over the stored text ---------------------------------------------------


@dataclass(frozen=True)
class Doc:
    article: Article
    title: tuple[str, ...]  # index tokens (stems), in order
    body: tuple[str, ...]
    surface: frozenset[str]  # the words as written (folded, unstemmed): `=`, `*`, `~`
    source: frozenset[str]

    def has(self, word: str, fields: tuple[str, ...] = ("title", "body")) -> bool:
        [token] = analyze(word)
        return any(token in getattr(self, field) for field in fields)

    def near(self, first: str, second: str, slop: int) -> bool:
        """`second` at most `slop` positions after `first`, in the title or in the body."""
        [a], [b] = analyze(first), analyze(second)
        for tokens in (self.title, self.body):
            at_a = [i for i, t in enumerate(tokens) if t == a]
            at_b = [i for i, t in enumerate(tokens) if t == b]
            if any(0 < j - i <= slop for i in at_a for j in at_b):
                return True
        return False


@cache
def reference(archive: Archive) -> dict[str, Doc]:
    everything = iter_hits(archive, SearchRequest(query=""))
    articles = [archive.get(hit.id) for hit in everything]
    return {
        a.id: Doc(
            a,
            tuple(analyze(a.title)),
            tuple(analyze(a.body)),
            frozenset(w for w, _, _, _ in surface_tokens(f"{a.title} {a.body}")),
            frozenset(name_tokens(a.source or "")),
        )
        for a in articles
    }


def distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


def in_period(text: str) -> Callable[[Doc], bool]:
    span = parse_date_range(text)
    return lambda d: d.article.date is not None and span.contains(d.article.date)


@dataclass(frozen=True)
class Expectation:
    matches: Callable[[Doc], bool]  # which articles the example must return, no more, no fewer
    finds: tuple[str, ...]  # planted articles among them
    leaves_out: tuple[str, ...] = ()  # planted articles it must not return


NEGOTIATIONS_ONLY = (NEGOTIATIONS_ID,)
NOT_TRUMP = Expectation(
    lambda d: d.has("Umerov") and not d.has("Trump"),
    (UMEROV_WITHOUT_TRUMP,),
    (NEGOTIATIONS_ID, UMEROV_UNDATED),
)
EITHER = Expectation(
    lambda d: d.has("Putin") or d.has("Zelensky"), (NEGOTIATIONS_ID, UMEROV_WITHOUT_TRUMP)
)
BOTH = Expectation(
    lambda d: d.has("Umerov") and d.has("Trump"),
    (NEGOTIATIONS_ID, UMEROV_UNDATED),
    (UMEROV_WITHOUT_TRUMP,),
)
EXPECTATIONS: dict[str, Expectation] = {
    # Plain words: the articles with every word lead; the test below checks the order.
    "negoziato Umerov": Expectation(
        lambda d: d.has("negoziato") and d.has("Umerov"), (NEGOTIATIONS_ID, UMEROV_WITHOUT_TRUMP)
    ),
    '"cessate il fuoco"': Expectation(
        lambda d: d.near("cessate", "fuoco", 1), NEGOTIATIONS_ONLY, (FIRE_HAS_CEASED,)
    ),
    '"gas russo"~5': Expectation(
        lambda d: d.near("gas", "russo", 5),
        (NEGOTIATIONS_ID, GAS_THREE_WORDS_FROM_RUSSIAN),
        (GAS_FAR_FROM_RUSSIAN,),
    ),
    "Umerov AND Trump": BOTH,
    "Umerov E Trump": BOTH,
    "Putin OR Zelensky": EITHER,
    "Putin O Zelensky": EITHER,
    "Umerov NOT Trump": NOT_TRUMP,
    "Umerov NON Trump": NOT_TRUMP,
    "Umerov -Trump": NOT_TRUMP,
    "+Umerov Trump": Expectation(
        lambda d: d.has("Umerov"), (NEGOTIATIONS_ID, UMEROV_UNDATED, UMEROV_WITHOUT_TRUMP)
    ),
    "(Putin OR Xi) AND Macron": Expectation(
        lambda d: (d.has("Putin") or d.has("Xi")) and d.has("Macron"),
        NEGOTIATIONS_ONLY,
        (MACRON_WITHOUT_PUTIN_OR_XI, GAS_FAR_FROM_RUSSIAN),
    ),
    "titolo:Trump": Expectation(
        lambda d: d.has("Trump", ("title",)), NEGOTIATIONS_ONLY, (UMEROV_UNDATED,)
    ),
    "title:Trump": Expectation(
        lambda d: d.has("Trump", ("title",)), NEGOTIATIONS_ONLY, (UMEROV_UNDATED,)
    ),
    "Umerov titolo:-Trump": Expectation(
        lambda d: d.has("Umerov") and not d.has("Trump", ("title",)),
        (UMEROV_UNDATED, UMEROV_WITHOUT_TRUMP),
        NEGOTIATIONS_ONLY,
    ),
    "testo:Orban": Expectation(
        lambda d: d.has("Orban", ("body",)), NEGOTIATIONS_ONLY, (ORBAN_IN_TITLE_ONLY,)
    ),
    "body:Orban": Expectation(
        lambda d: d.has("Orban", ("body",)), NEGOTIATIONS_ONLY, (ORBAN_IN_TITLE_ONLY,)
    ),
    "autore:Redazione": Expectation(
        lambda d: d.article.author == "Redazione", NEGOTIATIONS_ONLY, (UMEROV_UNDATED,)
    ),
    "author:Redazione": Expectation(
        lambda d: d.article.author == "Redazione", NEGOTIATIONS_ONLY, (UMEROV_UNDATED,)
    ),
    "fonte:italiasettegiorni": Expectation(
        lambda d: "italiasettegiorni" in d.source, NEGOTIATIONS_ONLY, (UMEROV_UNDATED,)
    ),
    "source:italiasettegiorni": Expectation(
        lambda d: "italiasettegiorni" in d.source, NEGOTIATIONS_ONLY, (UMEROV_UNDATED,)
    ),
    "luogo:Modena": Expectation(
        lambda d: "modena" in name_tokens(d.article.place or ""),
        tuple(i for i, place in DATELINE_TITLES.items() if place == "MODENA"),
        tuple(i for i, place in DATELINE_TITLES.items() if place != "MODENA"),
    ),
    "place:Modena": Expectation(
        lambda d: "modena" in name_tokens(d.article.place or ""),
        tuple(i for i, place in DATELINE_TITLES.items() if place == "MODENA"),
    ),
    'data:"senza data"': Expectation(
        lambda d: d.article.date is None, (UMEROV_UNDATED,), (NEGOTIATIONS_ID,)
    ),
    "data:2025-04": Expectation(
        in_period("2025-04"), NEGOTIATIONS_ONLY, (UMEROV_WITHOUT_TRUMP, UMEROV_UNDATED)
    ),
    'data:"aprile 2025"': Expectation(
        in_period("aprile 2025"), NEGOTIATIONS_ONLY, (UMEROV_WITHOUT_TRUMP, UMEROV_UNDATED)
    ),
    "data:2024..2025": Expectation(
        in_period("2024..2025"), (NEGOTIATIONS_ID, UMEROV_WITHOUT_TRUMP), (UMEROV_UNDATED,)
    ),
    "negozi*": Expectation(
        lambda d: any(w.startswith("negozi") for w in d.surface),
        (NEGOTIATIONS_ID, ONLY_NEGOZIATO, ONLY_NEGOZIATORI),
    ),
    "trump~": Expectation(
        lambda d: any(distance(w, "trump") <= 1 for w in d.surface),
        (NEGOTIATIONS_ID, TRUMP_MISSPELT),
        (TROOPS,),
    ),
    "trump~2": Expectation(
        lambda d: any(distance(w, "trump") <= 2 for w in d.surface),
        (NEGOTIATIONS_ID, TRUMP_MISSPELT, TROOPS),
    ),
    "=negoziati": Expectation(
        lambda d: "negoziati" in d.surface,
        NEGOTIATIONS_ONLY,
        (ONLY_NEGOZIATO, ONLY_NEGOZIATORI),
    ),
}
# Examples a known engine bug breaks (strict xfail: the suite says when they are fixed).
# Whoosh 2.7.4's AndNotMatcher kept `Umerov -Trump`'s first match: fixed by evaluating the
# query tree on rows (search/engines/whoosh/evaluate.py).
ENGINE_BUGS: dict[str, str] = {}


def test_the_readme_lists_every_syntax_element() -> None:
    examples = syntax_examples()
    for needle in [
        '"',
        "~5",
        " AND ",
        " E ",
        " OR ",
        " O ",
        " NOT ",
        " NON ",
        "-",
        "+",
        "(",
        "titolo:",
        "title:",
        "testo:",
        "body:",
        "autore:",
        "author:",
        "fonte:",
        "source:",
        "data:",
        "luogo:",
        '"senza data"',
        "*",
        "trump~",
        "=",
    ]:
        assert any(needle in example for example in examples), needle


def test_every_syntax_example_has_an_expectation() -> None:
    assert set(syntax_examples()) == set(EXPECTATIONS)


@pytest.mark.parametrize(
    "example",
    [
        pytest.param(e, marks=pytest.mark.xfail(strict=True, reason=ENGINE_BUGS[e]))
        if e in ENGINE_BUGS
        else e
        for e in syntax_examples()
    ],
)
def test_each_syntax_example_returns_what_the_readme_says(
    example: str, sample_archive: Archive
) -> None:
    expected = EXPECTATIONS[example]
    docs = reference(sample_archive)
    should = {i for i, d in docs.items() if expected.matches(d)}
    assert set(expected.finds) <= should and not set(expected.leaves_out) & should  # the plant
    page = search(sample_archive, SearchRequest(query=example, limit=100, collapse=False))
    found = [hit.id for hit in page.hits]
    assert len(found) == page.total + page.partial < 100
    if example == "negoziato Umerov":
        # Plain words: every article with all the words, first; partial matches follow.
        assert page.total == len(should)
        assert set(found[: len(should)]) == should, found
        assert found[0] == NEGOTIATIONS_ID
        assert all(hit.missing for hit in page.hits[page.total :])
        return
    assert not page.notices, page.notices
    if example == "+Umerov Trump":
        # Umerov required, Trump optional but ranks: those with Trump come first.
        assert set(found) == should
        with_trump = [docs[i].has("Trump") for i in found]
        assert with_trump == sorted(with_trump, reverse=True) and any(with_trump)
        assert not all(with_trump)
    else:
        assert set(found) == should, (sorted(set(found) - should), sorted(should - set(found)))


@pytest.mark.parametrize("example", date_examples())
def test_each_date_example_filters_to_its_period(example: str, sample_archive: Archive) -> None:
    if example.startswith("data non valida"):
        typed = example.split(": ", 1)[1].split(" (", 1)[0]
        with pytest.raises(QueryError, match=re.escape(" ".join(example.split()))):
            search(sample_archive, SearchRequest(query=f'data:"{typed}"'))
        return
    span = parse_date_range(example)
    page = search(
        sample_archive, SearchRequest(query=f'data:"{example}"', limit=100, collapse=False)
    )
    assert all(h.date and span.contains(h.date) for h in page.hits), example
    docs = reference(sample_archive).values()
    assert page.total == sum(1 for d in docs if d.article.date and span.contains(d.article.date))
    absolute = span == parse_date_range(example, today=date(2031, 3, 3))
    if absolute:  # every fixed date of the README names a period that corpus/ has articles in
        assert page.total > 0, example


def test_the_json_example_is_what_the_cli_prints(built_index: object) -> None:
    block = section("Riga di comando").split("```json\n", 1)[1].split("```", 1)[0]
    [query] = re.findall(r'"query": "([^"]*)"', block)
    shown = dict(re.findall(r'"(\w+)": "([^"]*)"', block.split('"results": [', 1)[1].split("}")[0]))
    result = CliRunner().invoke(
        main, ["search", *query.split(), "--index", str(built_index), "--json"]
    )
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert page["query"] == query and page["suggestion"] is None and page["notices"] == []
    first = page["results"][0]
    assert set(shown) == {"id", "title", "date", "author", "source", "url", "snippet", "group"}
    for key, value in shown.items():  # "…" stands for text left out
        start, *pieces = value.split("…")
        assert first[key].startswith(start), (key, first[key])
        assert all(piece in first[key] for piece in pieces), (key, first[key])
    keys = set(page) | set(first) | set(page["facets"]) | {"value", "count"}
    assert set(re.findall(r'"(\w+)":', block)) <= keys
    [(year, count)] = re.findall(r'"year": \[\{"value": "(\d+)", "count": (\d+)\}', block)
    assert {"value": year, "count": int(count)} in page["facets"]["year"]
