"""Every example of the README's "Sintassi di ricerca" works as the README says."""

from __future__ import annotations

import re

import pytest

from search.archive import Archive
from search.results import SearchRequest, search
from tests.corpus_facts import REPO, SEED_ID


def syntax_examples() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Sintassi di ricerca", 1)[1].split("\n## ", 1)[0]
    examples = []
    for row in section.splitlines():
        cells = row.split(" | ")
        if row.startswith("| ") and len(cells) >= 3 and "`" in cells[1]:
            examples += re.findall(r"`([^`]+)`", cells[1])
    return examples


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
        "*",
        "trump~",
        "=",
    ]:
        assert any(needle in example for example in examples), needle


@pytest.mark.parametrize("example", syntax_examples())
def test_each_example_finds_the_seed_or_excludes_it(example: str, seed_archive: Archive) -> None:
    page = search(seed_archive, SearchRequest(query=example, limit=100))
    found = SEED_ID in [hit.id for hit in page.hits]
    excludes = "NOT" in example or "NON" in example or "-Trump" in example
    assert found != excludes, (example, page.total)
    assert not page.notices
