"""The concordance (`search.concordance`, `search.occurrences`) on the sample archive.

Every occurrence of the query's words or phrases in every article matching it as written,
stem-aware, a phrase once; the fast finder reads the same spans as reading every word;
pages cover every line once, in the order asked.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from search.analysis import fold, stem
from search.archive import Archive
from search.concordance import concordance, iter_lines
from search.errors import QueryError
from search.occurrences import find_occurrences, patterns_of, scan_occurrences
from search.query.plan import Filters, build_plan
from search.results import SearchRequest, count_of, iter_hits

pytestmark = pytest.mark.engines

QUERIES = (
    '"cessate il fuoco"',
    "alluvione",
    "negozi*",
    "trump~1",
    "=Trump",
    "titolo:alluvione",
    "titolo:negozi*",
    '="gas russo"',
    "alluvione OR piena",
    '"gas russo"~3',
    "+alluvione Modena",
    "alluvione -Nonantola",
    "sindaco comune",
)


def lines_of(archive: Archive, query: str, **options: object) -> list:
    with archive.current() as view:
        return list(iter_lines(view, SearchRequest(query=query), **options))  # type: ignore[arg-type]


def articles_of(archive: Archive, query: str) -> list:
    return [archive.get(hit.id) for hit in iter_hits(archive, SearchRequest(query=query))]


@pytest.mark.parametrize("query", QUERIES)
def test_the_finder_reads_the_same_spans_as_every_word(sample_archive: Archive, query: str) -> None:
    with sample_archive.snapshot() as snapshot:
        plan = build_plan(query, Filters(), snapshot, proximity=False)
        rows = snapshot.columns.live_rows().tolist()
        texts = [(s.article.title, s.article.body) for s in snapshot.stored(rows)]
    patterns = patterns_of(plan.match)
    assert patterns
    found = 0
    for title, body in texts:
        for field, text in (("title", title), ("body", body)):
            spans = find_occurrences(text, patterns, field)
            assert spans == scan_occurrences(text, patterns, field), text[:80]
            found += len(spans)
    assert found  # every query here occurs somewhere


def test_a_phrase_is_one_occurrence_wherever_it_is_written(sample_archive: Archive) -> None:
    lines = lines_of(sample_archive, '"cessate il fuoco"')
    written = re.compile(r"cessate\s+il\s+fuoco", re.IGNORECASE)
    expected = sum(
        len(written.findall(article.title)) + len(written.findall(article.body))
        for article in articles_of(sample_archive, '"cessate il fuoco"')
    )
    assert len(lines) == expected > 0
    assert {fold(line.match) for line in lines} == {"cessate il fuoco"}


def test_words_are_found_by_their_stem(sample_archive: Archive) -> None:
    lines = lines_of(sample_archive, "alluvione")
    forms = {fold(line.match) for line in lines}
    assert {"alluvione", "alluvioni"} <= forms
    assert all(stem(form) == stem("alluvione") for form in forms)


def test_excluded_words_and_filters_find_nothing(sample_archive: Archive) -> None:
    lines = lines_of(sample_archive, "alluvione -Nonantola")
    assert lines and all(fold(line.match).startswith("alluvion") for line in lines)
    titles_only = lines_of(sample_archive, "titolo:alluvione")
    assert titles_only and {line.field for line in titles_only} == {"title"}


def test_every_matching_article_has_its_occurrences(sample_archive: Archive) -> None:
    query = '"cessate il fuoco"'
    lines = lines_of(sample_archive, query)
    ids = [hit.id for hit in iter_hits(sample_archive, SearchRequest(query=query))]
    assert {line.article_id for line in lines} == set(ids)
    page = concordance(sample_archive, SearchRequest(query=query))
    assert (page.occurrences, page.articles) == (len(lines), len(ids))
    assert page.articles_with_occurrences == len(ids)


def test_each_line_is_its_place_in_the_text(sample_archive: Archive) -> None:
    for line in lines_of(sample_archive, "alluvione", width=40):
        article = sample_archive.get(line.article_id)
        text = article.title if line.field == "title" else article.body
        assert " ".join(text[line.start : line.end].split()) == line.match
        before = " ".join(text[: line.start].split())
        assert before.endswith(line.left.strip()) or not line.left.strip()
        assert len(line.left) <= 40 and len(line.right) <= 40
        after = " ".join(text[line.end :].split())
        assert after.startswith(line.right.strip())


def test_lines_sort_by_date_by_the_word_before_and_after(sample_archive: Archive) -> None:
    by_date = lines_of(sample_archive, "alluvione")
    days = [line.date for line in by_date]
    dated = [d for d in days if d]
    assert dated == sorted(dated) and days[len(dated) :] == [None] * (len(days) - len(dated))
    by_left = lines_of(sample_archive, "alluvione", sort="left")
    before = [_words(line.left)[::-1][:1] for line in by_left]
    assert before == sorted(before)
    by_right = lines_of(sample_archive, "alluvione", sort="right")
    after = [_words(line.right)[:1] for line in by_right]
    assert after == sorted(after)
    assert sorted(map(_key, by_left)) == sorted(map(_key, by_date)) == sorted(map(_key, by_right))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _key(line: object) -> tuple:
    return (line.article_id, line.field, line.start)  # type: ignore[attr-defined]


@pytest.mark.parametrize("sort", ["date", "left", "right"])
def test_pages_hold_every_line_once_in_order(sample_archive: Archive, sort: str) -> None:
    every = lines_of(sample_archive, "alluvione", sort=sort)
    request = SearchRequest(query="alluvione")
    first = concordance(sample_archive, request, sort=sort, limit=7)
    assert first.pages == -(-len(every) // 7) > 2
    paged = [
        line
        for number in range(1, first.pages + 1)
        for line in concordance(sample_archive, request, sort=sort, page=number, limit=7).lines
    ]
    assert paged == every
    assert concordance(sample_archive, request, page=first.pages + 1, limit=7).lines == ()


def test_marks_point_at_the_occurrence_on_the_article_page(sample_archive: Archive) -> None:
    from search.results import highlight_article

    page = concordance(sample_archive, SearchRequest(query="alluvione"), marks=True, limit=100)
    for line in page.lines:
        shown = highlight_article(sample_archive, line.article_id, "alluvione")
        marked = re.findall(
            r"<mark>(.*?)</mark>", " ".join([shown.title_html, *shown.paragraphs_html])
        )
        assert line.mark and marked[line.mark - 1] == line.match.split()[0]


def test_partial_matches_are_not_read(sample_archive: Archive) -> None:
    query = "alluvione Nonantola Secchia"
    total, partial = count_of(sample_archive, SearchRequest(query=query))
    page = concordance(sample_archive, SearchRequest(query=query))
    assert (page.articles, page.partial) == (total, partial)
    assert page.articles_with_occurrences == total


def test_a_query_without_words_lists_nothing(sample_archive: Archive) -> None:
    page = concordance(sample_archive, SearchRequest(query="data:2024"))
    assert page.articles > 0 and page.occurrences == 0 and page.lines == ()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sort": "middle"}, "ordinamento sconosciuto: middle"),
        ({"width": 5}, "l'ampiezza del contesto va da 10 a 200"),
        ({"limit": 0}, "righe per pagina"),
    ],
)
def test_bad_options_say_what_is_accepted(
    sample_archive: Archive, options: dict, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        concordance(sample_archive, SearchRequest(query="alluvione"), **options)


def test_the_receipt_counts_the_articles_read(sample_archive: Archive) -> None:
    page = concordance(sample_archive, SearchRequest(query="alluvione"))
    assert page.receipt.articles == page.articles and page.receipt.kind == "concordanza"


def test_spans_never_overlap(sample_archive: Archive) -> None:
    for query in ('"gas russo" gas', "alluvione alluvione"):
        lines = lines_of(sample_archive, query)
        by_place: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for line in lines:
            by_place.setdefault((line.article_id, line.field), []).append((line.start, line.end))
        for spans in by_place.values():
            spans.sort()
            assert all(a[1] <= b[0] for a, b in pairwise(spans))


@pytest.mark.parametrize(
    ("query", "in_title", "in_body"),
    [("alluvione", 1, 1), ("titolo:alluvione", 1, 0), ("testo:alluvione", 0, 1)],
)
def test_the_article_page_marks_a_fields_words_only_in_that_field(
    sample_archive: Archive, query: str, in_title: int, in_body: int
) -> None:
    """`titolo:alluvione` marks the title's «Alluvione», not the body's «alluvione»; the
    page's count and the concordance's agree."""
    from search.results import highlight_article

    shown = highlight_article(sample_archive, "vdp-0001", query)
    assert shown.title_html.count("<mark>") == in_title
    assert sum(p.count("<mark>") for p in shown.paragraphs_html) == in_body
    assert shown.matches == in_title + in_body
    lines = concordance(sample_archive, SearchRequest(query=query), limit=500).lines
    assert sum(line.article_id == "vdp-0001" for line in lines) == shown.matches
