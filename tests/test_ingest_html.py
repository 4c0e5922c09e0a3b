from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from search.errors import SkipInput
from search.ingest.html import extract_html

EVAL_PAGES = [
    "lastampa.it.temperature.html",
    "parcoabruzzo.it.58354.html",
    "vegolosi.it.climate.html",
]
STORY = (
    "<p>Il consiglio comunale di Lecce ha approvato ieri sera il nuovo piano per il traffico "
    "del centro storico, dopo una seduta durata più di sei ore.</p>"
    "<p>Le nuove regole entreranno in vigore a partire dal primo giugno e riguarderanno "
    "soprattutto le strade intorno a piazza Sant'Oronzo.</p>"
)


def page(head: str = "", body: str = STORY, title: str = "Lecce, approvato il piano") -> str:
    """A small news page: navigation, the article, a footer."""
    return (
        f'<!DOCTYPE html><html lang="it"><head><title>{title} - Il Quotidiano</title>{head}</head>'
        f"<body><nav><a href='/'>Home</a> <a href='/cronaca'>Cronaca</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>© 2024 Il Quotidiano - P.IVA 01234567890</footer></body></html>"
    )


ARTICLE_META = '<meta property="og:type" content="article">'


@pytest.fixture(scope="module")
def html_dir(shared_corpus: Path) -> Path:
    return shared_corpus / "html"


@pytest.mark.parametrize("name", EVAL_PAGES)
def test_evaluation_pages_match_ground_truth(html_dir: Path, name: str) -> None:
    truth = json.loads((html_dir / "trafilatura_evaldata_italian_pages.json").read_text())
    [expected] = [entry for entry in truth.values() if entry["file"] == name]

    article = extract_html((html_dir / f"trafilatura_eval__{name}").read_bytes())

    assert [s for s in expected["with"] if s not in article.body] == []
    assert [s for s in expected["without"] if s in article.body] == []
    assert article.title.strip() == expected["title"].strip()
    assert article.date == date.fromisoformat(expected["date"])


def test_la_stampa_metadata(html_dir: Path) -> None:
    data = (html_dir / "trafilatura_eval__lastampa.it.temperature.html").read_bytes()
    article = extract_html(data)
    assert article.id == ""
    assert article.url.startswith("https://www.lastampa.it/cronaca/2020/02/19/news/")
    assert article.source == "www.lastampa.it"
    assert article.author == "Giampiero Maggio"
    assert article.tags == ("meteo", "neve", "caldo")
    assert "\n\n" in article.body  # paragraphs kept apart


def test_url_valued_author_is_not_an_author(html_dir: Path) -> None:
    # article:author is "facebook.com/vegolosi"; trafilatura makes it "Facebook Com; Vegolosi".
    article = extract_html((html_dir / "trafilatura_eval__vegolosi.it.climate.html").read_bytes())
    assert article.author is None
    assert article.section == "Notizie dal mondo vegan"


def test_repubblica_article(html_dir: Path) -> None:
    data = (html_dir / "dtk_newsextractor__repubblica_MainContentExtractor.html").read_bytes()
    article = extract_html(data)
    assert article.title == (
        "Giovani, anziani, asili nido e soldi per il Sud ecco il progetto del governo per l'equità"
    )
    assert article.date == date(2012, 5, 12)
    assert article.author == "Roberto Mania"  # the byline is "di ROBERTO MANIA"
    assert article.source == "www.repubblica.it"
    assert "Diciottomila nuovi posti negli asili nido" in article.body
    assert not article.body.startswith("Giovani, anziani")  # the title is not repeated
    assert "Ricerca titolo" not in article.body


def test_old_joomla_article_without_metadata(html_dir: Path) -> None:
    data = (html_dir / "dtk_newsextractor__oria_MainContentExtractor-noGoose.html").read_bytes()
    article = extract_html(data)
    assert article.title == "Oria: un'autovettura a fuoco nella notte."
    assert article.date == date(2014, 3, 16)  # from the dateline "Domenica 16 Marzo 2014 11:40"
    assert "ha interessato una Hyundai in sosta in Vico Pistoia" in article.body
    assert "Per poter aggiungere commenti" not in article.body
    assert "Tutti i diritti riservati" not in article.body


def test_listing_pages_are_not_articles(html_dir: Path) -> None:
    listings = sorted((html_dir / "listing_pages").glob("*.html"))
    reasons = {}
    for listing in listings:
        with pytest.raises(SkipInput) as skipped:
            extract_html(listing.read_bytes())
        reasons[listing.name] = str(skipped.value)
    assert len(listings) == 13
    assert all(reason.startswith("non è un articolo") for reason in reasons.values()), reasons


def test_every_page_gives_an_article_or_a_reason(html_dir: Path) -> None:
    # How long a page takes is a figure for bench/ (`python -m bench.stages DIR`), not a test.
    pages = sorted([*html_dir.glob("*.html"), *html_dir.glob("listing_pages/*.html")])
    articles, reasons = 0, {}
    for path in pages:
        try:
            article = extract_html(path.read_bytes())
        except SkipInput as error:
            reasons[path.name] = str(error)
        else:
            assert article.title and len(article.body) >= 200, path.name
            articles += 1
    assert (articles, len(reasons)) == (5, 13), reasons  # 5 articles, 13 listing pages
    assert all(reasons.values())


def test_json_ld_news_article() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Il Quotidiano"},
            {
                "@type": "NewsArticle",
                "headline": "Lecce, approvato il piano del traffico",
                "datePublished": "2024-05-06T21:30:00+02:00",
                "author": {"@type": "Person", "name": "Maria Rossi"},
                "articleSection": "Cronaca",
                "keywords": "traffico, Lecce, centro storico",
            },
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    head += '<link rel="canonical" href="https://www.quotidiano.example/lecce/piano-traffico">'
    article = extract_html(page(head, title="Approvato il piano").encode())
    assert article.title == "Lecce, approvato il piano del traffico"
    assert article.date == date(2024, 5, 6)
    assert article.author == "Maria Rossi"
    assert article.section == "Cronaca"
    assert article.tags == ("traffico", "Lecce", "centro storico")
    assert article.url == "https://www.quotidiano.example/lecce/piano-traffico"
    assert article.source == "www.quotidiano.example"
    assert "piazza Sant'Oronzo" in article.body
    assert "P.IVA" not in article.body and "Home" not in article.body


def test_url_argument_wins_and_fallback_date_fills_in() -> None:
    head = ARTICLE_META + '<link rel="canonical" href="https://www.quotidiano.example/altro">'
    article = extract_html(
        page(head).encode(), url="https://archivio.example/a/1", fallback_date=date(2023, 1, 2)
    )
    assert article.url == "https://archivio.example/a/1"
    assert article.source == "archivio.example"
    assert article.date == date(2023, 1, 2)
    assert article.title == "Lecce, approvato il piano"


@pytest.mark.parametrize("charset", ["windows-1252", "iso-8859-1", None])
def test_non_utf8_page_is_decoded(charset: str | None) -> None:
    declared = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    head = ARTICLE_META + (declared if charset else "")
    story = "<p>Perché la città è già più pulita: l’assessore dà ragione ai comitati.</p>" + STORY
    article = extract_html(page(head, story, title="Città più pulita, è già così").encode("cp1252"))
    assert "Perché la città è già più pulita: l’assessore" in article.body
    assert article.title == "Città più pulita, è già così"


def test_hostile_markup_stays_out_of_the_text() -> None:
    body = (
        '<div class="cookie-banner">Questo sito usa i cookie. Accetta tutti i cookie</div>'
        + STORY
        + "<script>document.write('INIETTATO'); alert(document.cookie)</script>"
        + '<p onclick="alert(1)">Il sindaco ha commentato: &lt;script&gt; non è un problema.</p>'
        + "<style>p { display: none }</style>"
    )
    article = extract_html(page(ARTICLE_META, body).encode())
    assert "INIETTATO" not in article.body and "document.cookie" not in article.body
    assert "display: none" not in article.body
    assert "Il sindaco ha commentato: <script> non è un problema." in article.body
    assert "piazza Sant'Oronzo" in article.body


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", b"solo testo, nessun tag"],
)
def test_empty_binary_or_tagless_input_is_skipped(data: bytes) -> None:
    with pytest.raises(SkipInput):
        extract_html(data)


def test_declared_collection_page_is_skipped() -> None:
    ld = '<script type="application/ld+json">{"@type": "CollectionPage"}</script>'
    with pytest.raises(SkipInput, match="CollectionPage"):
        extract_html(page(ld, title="Tutte le notizie di cronaca di Lecce e provincia").encode())


def test_undeclared_page_of_teasers_is_skipped() -> None:
    teasers = "".join(
        f"<div class='card'><h2><a href='/cronaca/{n}'>Incidente sulla statale {n}, due feriti</a>"
        "</h2><p>Lo scontro è avvenuto nella notte all'altezza dello svincolo per Surbo; "
        "sul posto i vigili del fuoco e il 118.</p></div>"
        for n in range(8)
    )
    listing = page(body=teasers, title="Le ultime notizie dalla provincia di Lecce")
    with pytest.raises(SkipInput, match="anteprime"):
        extract_html(listing.encode())
