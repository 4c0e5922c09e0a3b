"""Text that breaks outputs, and ids that break links: for the web and CLI output tests
(`tests.web_fixtures.poisoned_index` indexes the corpus).

Two ways in: a corpus written with it (indexed as today's ingest stores it), and library
results made with it directly (`poisoned_hit`…), so the output tests keep their teeth once
ingest cleans text before storing it.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from search.model import Article, Facet, FacetValue, Hit, ResultPage
from search.results import HighlightedArticle

# A lone surrogate, NUL, a window-title OSC, a clear-screen CSI, an 8-bit CSI, C1 NEL, a
# bell, vertical tab, form feed, DEL and the two non-characters XML forbids.
POISON = (
    "\ud800 \x00 \x1b]0;finestra rubata\x07 \x1b[2J \x9b2J \x85 \x07 \x0b \x0c \x7f \ufffe \uffff"
)
OSC_TITLE = "\x1b]0;"
# Escapes that must never reach a terminal (click's own SGR styles, `\x1b[…m`, may).
FOREIGN_ESCAPE = re.compile(r"\x1b(?!\[[0-9;]*m)|[\x9b\x9d]")
# Characters no output may carry (XML 1.0 and terminals alike).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

POISONED_RECORD = {
    "id": "veleno-1",
    "title": f"Sindaco avvelenato {POISON} fine",
    "body": f"Il sindaco di Borgoratto {POISON} parla.\n\nSecondo paragrafo \x1b[31mrosso\x1b[0m.",
    "date": "2024-03-02",
    "author": "Autore \x1b[2J\x00 vero",
    "source": ";=1+1",
    "url": "https://example.org/veleno\x00",
}
# Ids a path cannot carry as they are (browsers remove dot segments), and their titles.
ODD_IDS = {
    "/abs/path": "Id assoluto",
    "..": "Id punto punto",
    "../x": "Id su x",
    "a/../b": "Id a su b",
    "%2e%2e": "Id percento",
    ".": "Id punto",
    "a/./b": "Id a punto b",
    "x/..": "Id x su",
}


def write_poisoned_corpus(target: Path) -> Path:
    records = [POISONED_RECORD] + [
        {
            "id": article_id,
            "title": f"{title} sindaco",
            "body": f"Il sindaco e l'articolo «{title}».",
            "date": f"2024-04-{n + 1:02d}",
        }
        for n, (article_id, title) in enumerate(ODD_IDS.items())
    ]
    (target / "jsonl").mkdir(parents=True)
    lines = [json.dumps(record) for record in records]  # \ud800 written as an escape
    (target / "jsonl" / "veleno.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return target


def poisoned_hit(n: int = 1, **changes: object) -> Hit:
    hit = Hit(
        id=f"veleno-{n}",
        title=f"Titolo {POISON} {n}",
        date=date(2024, 3, n),
        author=f"Autore {POISON}",
        source=";=1+1",
        url=f"https://example.org/{n}\x00",
        score=1.5,
        # Escaped text with marks, as the library writes it: an escape right before a tag.
        snippet=f"Il <mark>sindaco</mark> {POISON} \x1b[<mark>parla</mark> &lt;b&gt;",
        similar=1,
    )
    return replace(hit, **changes)  # type: ignore[arg-type]


def poisoned_page(hits: tuple[Hit, ...] = ()) -> ResultPage:
    hits = hits or (poisoned_hit(1), poisoned_hit(2))
    facet = Facet("source", (FacetValue(f"Fonte {POISON}", 2),))
    return ResultPage(
        query=f"sindaco {POISON}",
        total=len(hits),
        page=1,
        pages=1,
        limit=10,
        elapsed_ms=1.0,
        hits=hits,
        facets={"source": facet, "year": Facet("year", (FacetValue("2024", 2),))},
        suggestion=f"sindaci {POISON}",
        notices=(f"Nota {POISON}",),
    )


def poisoned_article(article_id: str = "veleno-1") -> Article:
    return Article(
        id=article_id,
        title=f"Titolo {POISON}",
        body=f"Primo {POISON} paragrafo.\n\nSecondo paragrafo.",
        url="https://example.org/a\x00",
        author=f"Autore {POISON}",
        source=f"Fonte {POISON}",
        date=date(2024, 3, 2),
        tags=(f"tag {POISON}",),
    )


def poisoned_highlight(article_id: str = "veleno-1") -> HighlightedArticle:
    return HighlightedArticle(
        article=poisoned_article(article_id),
        title_html=f"Titolo <mark>{POISON}</mark>",
        paragraphs_html=(f"Primo \x1b[<mark>sindaco</mark> {POISON}.", "Secondo paragrafo."),
        matches=2,
    )


def browser_path(href: str) -> str:
    """`href` as a browser sends it: dot segments removed from the path (`.`, `..`, and
    their percent-encoded forms, as the URL standard says), the query left alone."""
    parts = urlsplit(href)
    out: list[str] = []
    segments = parts.path.split("/")
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        dots = segment.lower().replace("%2e", ".")
        if dots == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        elif dots == ".":
            if last:
                out.append("")
        else:
            out.append(segment)
    return urlunsplit(("", "", "/".join(out) or "/", parts.query, parts.fragment))
