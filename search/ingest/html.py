"""Saved web pages as articles: main text by trafilatura, metadata as the page declares it.

Main text: trafilatura with `fast=True` (its readability/jusText fallback kept a chart
caption on parcoabruzzo and took up to 1.5 s a page), no comments, tables kept (old CMSs
lay articles out in tables), `deduplicate=False` (a process-wide cache: the text would
depend on reading order); `favor_precision` lost La Stampa's first paragraph.

Metadata, first found wins. title: JSON-LD headline; the <h1> that is the declared title
(og:title, <title>); the declared title less an end segment naming the site. date: declared
dates via htmldate (JSON-LD, <meta>, <time>, URL; its extensive search read "Comunicato
Stampa n. 03/2020" as 1 March 2020) within `article_date_range`; a date in the dateline
above the text or in the description; `fallback_date`. author: trafilatura's (JSON-LD, meta,
bylines), never a URL.
section: JSON-LD articleSection, article:section. tags: JSON-LD keywords, article:tag,
news_keywords (not `keywords`, often a slogan). url: the argument, canonical link, og:url.
source: the URL's host (`www.lastampa.it`), one spelling per site where og:site_name varies
("lastampa.it", "La Repubblica", none); og:site_name only without a URL.

Not an article (`SkipInput`), measured on the 5 article and 13 listing pages of the shared
corpus. A page declaring an article (JSON-LD Article type, og:type article,
article:published_time) is one if it has main text; one declaring a JSON-LD CollectionPage,
ItemList or SearchResultsPage is not. An undeclared page needs all of:
  * a headline: the longest title segment has >= 4 words. Listings have a section or site
    name, 1-3 words (5 in NewsPuglia); articles 6-17.
  * one story: <= 1/3 of the main text in teaser cards, blocks under 1500 characters with a
    link of >= 5 words to another page and >= 80 more characters. Listings 74-100 %, but
    0 % on Corriere, Puglia24, SenzaColonne (menus, caught by the headline); articles 0 %.
  * >= 200 characters of main text.

Cost, within `IngestLimits`: a page deeper than `max_html_depth` levels or with more than
`max_html_elements` elements is refused before trafilatura (about 0.2 ms an element; libxml2
silently drops what lies below 256 levels). The teaser share looks at the first
`_SAMPLE_CARDS` cards and `_SAMPLE_PARAGRAPHS` paragraphs (listings have under 100 of each;
comparing all of them was quadratic: 66 s for 5,000 cards), and an <h1> is compared with the
declared title only when it is headline-sized.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from datetime import date
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document

from search.dates import article_date_range, parse_article_date
from search.errors import SkipInput
from search.ingest.limits import DEFAULT_LIMITS, IngestLimits
from search.ingest.text import decode_html, normalise_text
from search.model import Article

ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "AnalysisNewsArticle", "BackgroundNewsArticle", "OpinionNewsArticle",
    "ReportageNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting", "Report",
})  # fmt: skip
COLLECTION_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage"})
MIN_HEADLINE_WORDS = 4
MAX_TEASER_SHARE = 1 / 3
MIN_UNDECLARED_CHARS = 200
_SAMPLE_CARDS = 1000
_SAMPLE_PARAGRAPHS = 300
_HEADLINE_CHARS = 500  # an <h1> longer than this is not the headline

_SEPARATOR = re.compile(r"(\s+[-|–—:·»]{1,2}\s+)")  # captured: split() keeps separators
_LEAVES = frozenset({"p", "head", "item", "cell", "quote", "code"})
_EXTRACTION: dict[str, Any] = {  # trafilatura's options, chosen in the module docstring
    "fast": True, "include_comments": False, "include_tables": True, "deduplicate": False,
    "with_metadata": True,
}  # fmt: skip


def extract_html(
    data: bytes,
    *,
    url: str | None = None,
    fallback_date: date | None = None,
    charset: str | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> Article:
    """The article in a saved page; `SkipInput` when it is empty, binary or not an article.

    `charset` is the one the HTTP response declared, when known (WARC records).
    """
    tree = _parse(decode_html(data, charset))
    _check_size(tree, limits)
    meta, ld_found = _meta(tree), _json_ld(tree)
    ld = next((item for item in ld_found if _types(item) & ARTICLE_TYPES), {})
    declared = _first(meta.get("og:title"), tree.xpath("string(//title)")) or ""
    declares_article = _declared_kind(meta, set().union(*map(_types, ld_found)), declared)
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    url = url or _first([u for u in (*canonical, *meta.get("og:url", ())) if "://" in u])
    document = trafilatura.bare_extraction(
        tree, url=url, date_extraction_params=_date_params(), **_EXTRACTION
    )
    if not isinstance(document, Document) or document.body is None:
        raise SkipInput("pagina senza testo principale")
    host = urlsplit(url).hostname if url else None
    sites = [_alnum(site) for site in (host, _first(meta.get("og:site_name"))) if site]
    title = _title(tree, ld, declared or document.title or "", sites)
    paragraphs = _paragraphs(document.body)
    if paragraphs and _alnum(paragraphs[0]) == _alnum(title):
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise SkipInput("pagina senza testo principale")
    if not declares_article:
        _refuse_listing(tree, paragraphs, declared)
    tags = [*_strings(ld.get("keywords")), *meta.get("article:tag", ())]
    return Article(
        id="",
        title=title,
        body="\n\n".join(paragraphs),
        url=url,
        author=_author(document.author, meta, tree),
        source=host or _first(meta.get("og:site_name")),
        date=_date(document.date, meta, paragraphs) or fallback_date,
        section=_first(ld.get("articleSection"), meta.get("article:section")),
        tags=_tags([*tags, *meta.get("news_keywords", ())]),
    )


def _parse(text: str) -> lxml_html.HtmlElement:
    if "<" not in text:
        raise SkipInput("non è una pagina HTML: nessun tag")
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return lxml_html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise SkipInput(f"HTML illeggibile: {error}") from None


def _check_size(tree: lxml_html.HtmlElement, limits: IngestLimits) -> None:
    elements = sum(1 for _ in tree.iter())
    if elements > limits.max_html_elements:
        raise SkipInput(
            f"pagina con {elements} elementi HTML, oltre il limite di "
            f"{limits.max_html_elements} (max_html_elements)"
        )
    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    if deepest > limits.max_html_depth:
        raise SkipInput(
            f"pagina annidata oltre {limits.max_html_depth} livelli (max_html_depth): "
            "non è una pagina leggibile"
        )


def _meta(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = " ".join((element.get("content") or "").split())
        if key and content:
            found.setdefault(key.strip().lower(), []).append(content)
    return found


def _json_ld(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(@type, 'ld+json')]"):
        try:
            pending = [json.loads(script.text or "", strict=False)]
        except ValueError:
            continue  # broken JSON-LD is common; the page's other metadata still counts
        while pending:
            item = pending.pop(0)
            if isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                pending.extend(item[key] for key in ("@graph", "mainEntity") if key in item)
    return found


def _types(item: dict[str, Any]) -> set[str]:
    return {name.rsplit("/", 1)[-1] for name in _strings(item.get("@type"))}


def _strings(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [" ".join(v.split()) for v in values if isinstance(v, str) and v.strip()]


def _first(*candidates: object) -> str | None:
    return next((text for candidate in candidates for text in _strings(candidate)), None)


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _declared_kind(meta: dict[str, list[str]], ld_types: set[str], title: str) -> bool:
    """True for a declared article, False for an undeclared page that may still be one."""
    og_type = _first(meta.get("og:type")) or ""
    if (
        ld_types & ARTICLE_TYPES
        or og_type.startswith("article")
        or "article:published_time" in meta
    ):
        return True
    if ld_types & COLLECTION_TYPES:
        raise SkipInput(
            f"non è un articolo: la pagina si dichiara {min(ld_types & COLLECTION_TYPES)}"
        )
    if max(len(segment.split()) for segment in _SEPARATOR.split(title)[::2]) < MIN_HEADLINE_WORDS:
        raise SkipInput(f"non è un articolo ma una sezione o un elenco: il titolo è «{title}»")
    return False


def _refuse_listing(tree: lxml_html.HtmlElement, paragraphs: list[str], title: str) -> None:
    share = _teaser_share(tree, paragraphs, title)
    if share > MAX_TEASER_SHARE:
        raise SkipInput(f"non è un articolo ma un elenco: il {share:.0%} del testo sono anteprime")
    if (chars := sum(map(len, paragraphs))) < MIN_UNDECLARED_CHARS:
        raise SkipInput(f"non è un articolo: solo {chars} caratteri di testo")


def _teaser_share(tree: lxml_html.HtmlElement, paragraphs: list[str], title: str) -> float:
    """Share of the main text inside teaser cards: a headline link to another page plus text."""
    cards: list[str] = []
    for link in tree.iter("a"):
        if len(cards) >= _SAMPLE_CARDS:
            break
        anchor = " ".join(link.text_content().split())
        href = (link.get("href") or "").strip()
        if len(anchor.split()) < 5 or anchor in title or not href or href.startswith("#"):
            continue
        block = link.getparent()
        for _ in range(3):
            text = " ".join(block.text_content().split()) if block is not None else ""
            if not text or len(text) > 1500:
                break
            if len(text) - len(anchor) >= 80:
                cards.append(text)
                break
            block = block.getparent()
    paragraphs = paragraphs[:_SAMPLE_PARAGRAPHS]
    in_cards = "\0".join(cards)
    inside = [p for p in paragraphs if " ".join(p.split())[:60] in in_cards]
    return sum(map(len, inside)) / sum(map(len, paragraphs))


def _title(tree: lxml_html.HtmlElement, ld: dict[str, Any], declared: str, sites: list[str]) -> str:
    if headline := _first(ld.get("headline")):
        return headline
    # The headline as shown: the longest <h1> that is the declared title's leading segments.
    parts = _SEPARATOR.split(declared)
    leads = ["".join(parts[:end]) for end in range(1, len(parts) + 1, 2)]
    shown = ""
    for h1 in tree.iter("h1"):
        for line_break in h1.iter("br"):
            line_break.tail = " " + (line_break.tail or "")
        text = " ".join(h1.text_content().split())
        if len(shown) < len(text) <= _HEADLINE_CHARS and any(
            _similar(text, lead) for lead in leads
        ):
            shown = text
    if shown:
        return shown

    def names_site(segment: str) -> bool:
        return bool(key := _alnum(segment)) and any(key in site for site in sites)

    while len(parts) > 2 and names_site(parts[-1]):  # "… - La Stampa"
        parts = parts[:-2]
    while len(parts) > 2 and names_site(parts[0]):
        parts = parts[2:]
    return "".join(parts)


def _similar(a: str, b: str) -> bool:
    if 2 * min(len(a), len(b)) < 0.9 * (len(a) + len(b)):
        return False  # the ratio cannot reach 0.9; SequenceMatcher is quadratic
    return SequenceMatcher(None, a.casefold(), b.casefold()).ratio() >= 0.9


def _paragraphs(body: etree._Element) -> list[str]:
    for line_break in body.iter("lb"):
        line_break.tail = "\n" + (line_break.tail or "")
    return [text for text in map(normalise_text, _blocks(body)) if text]


def _blocks(element: etree._Element) -> Iterator[str]:
    """Text of trafilatura's innermost blocks; loose text between them as blocks of its own."""
    if element.tag in _LEAVES and not any(d.tag in _LEAVES for d in element.iterdescendants()):
        yield "".join(element.itertext())
        return
    yield element.text or ""
    for child in element:
        yield from _blocks(child)
        yield child.tail or ""


def _date_params() -> dict[str, Any]:
    """htmldate's options: Archivio's range of article dates instead of its own (1995-today)."""
    span = article_date_range()
    return {
        "original_date": True, "extensive_search": False,
        "min_date": span.start.isoformat(), "max_date": span.end.isoformat(),
    }  # fmt: skip


def _date(declared: str | None, meta: dict[str, list[str]], paragraphs: list[str]) -> date | None:
    if declared:
        with contextlib.suppress(ValueError):
            return date.fromisoformat(declared[:10])
    dateline = []
    for paragraph in paragraphs[:4]:
        if len(paragraph) >= 80:
            break
        dateline.append(paragraph)
    description = _first(meta.get("og:description"), meta.get("description"))
    found = (parse_article_date(text) for text in (*dateline, description) if text)
    return next(filter(None, found), None)


def _author(
    found: str | None, meta: dict[str, list[str]], tree: lxml_html.HtmlElement
) -> str | None:
    # trafilatura turns article:author "facebook.com/vegolosi" into "Facebook Com; Vegolosi".
    urls = {
        _alnum(v) for key in ("author", "article:author") for v in meta.get(key, ()) if "/" in v
    }
    if not found or _alnum(found) in urls:
        return None
    if found.startswith("Di "):  # "di ROBERTO MANIA" comes back title-cased; "Di Maio" stays
        byline = re.search(rf"\bdi\s+{re.escape(found[3:])}", tree.text_content(), re.IGNORECASE)
        if byline and byline[0].startswith("di"):
            return found[3:]
    return found


def _tags(values: list[str]) -> tuple[str, ...]:
    tags: dict[str, str] = {}
    for tag in (" ".join(t.split()) for value in values for t in value.split(",")):
        if tag:
            tags.setdefault(tag.casefold(), tag)
    return tuple(tags.values())
