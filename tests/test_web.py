"""The pages, through Flask's test client on the sample archive in corpus/."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from flask.testing import FlaskClient

from search.archive import Archive
from search.results import SearchRequest, iter_hits
from tests.corpus_facts import SAMPLE_ARTICLES, SAMPLE_UNDATED
from tests.web_support import soup
from web.syntax import EXAMPLES, SYNTAX

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

pytest_plugins = ["tests.web_fixtures"]

DUPLICATE_LEADER = "https://www.italiasettegiorni.it/cronaca/autostrada-del-sole-un-mese-di-lavori-notturni-in-56126"
DUPLICATE_COPY = "https://www.mattinoappennino.it/2022/07/11/a1-chiusure-notturne-tra-barberino-e-firenze-nord-per/"
CAPUA = (
    "https://www.gazzettadelvolturno.it/politica/2025/01/20/"
    "capua-il-sindaco-chiude-il-centro-storico-alle-auto/"
)
# Help examples that find nothing in the sample archive: the source of the real seed article
# (corpus/ has no infooggi; the README's example names an invented source instead).
EXAMPLES_WITHOUT_MATCHES = {"fonte:infooggi"}


def page(client: FlaskClient, url: str, status: int = 200, **params: str):
    response = client.get(url, query_string=params or None)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return soup(response.data)


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def facet_links(html, name: str) -> dict[str, str]:
    links = html.select(f"#facet-{name} + ul a")
    return {a.select_one(".facet-value").get_text(): a["href"] for a in links}


def hit_dates(html) -> list[date]:
    return [date.fromisoformat(t["datetime"]) for t in html.select(".hit-meta time")]


# Home


def test_home_has_search_box_stats_and_examples(client: FlaskClient) -> None:
    html = page(client, "/")
    assert html.html["lang"] == "it"
    box = html.select_one("form.search-form input[name=q]")
    assert box.has_attr("autofocus")
    assert html.select_one("form.search-form")["action"] == "/cerca"
    stats = html.select_one(".stats").get_text(" ", strip=True)
    assert "152 articoli" in stats
    assert "29 gennaio 2019" in stats and "12 dicembre 2025" in stats
    examples = [query_of(a["href"])["q"][0] for a in html.select(".example-list a")]
    assert examples and all(q in EXAMPLES for q in examples)


@pytest.mark.parametrize("url", ["/", "/aiuto", "/cerca?q=sindaco", "/articolo/arc-0002", "/x"])
def test_every_page_offers_opensearch(client: FlaskClient, url: str) -> None:
    html = soup(client.get(url).data)
    link = html.select_one('link[rel="search"]')
    assert link["type"] == "application/opensearchdescription+xml"
    assert link["href"] == "/opensearch.xml"


# Results


def test_results_echo_query_count_and_time(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=sindaco")
    assert html.select_one("#titolo-risultati").get_text() == "«sindaco»"
    count = html.select_one(".result-count").get_text(" ", strip=True)
    assert count.startswith("1 risultato in ") and count.endswith(" ms")
    assert html.select_one("input[name=q]")["value"] == "sindaco"
    title = html.select_one(".hit-title a")
    assert title.get_text().startswith("Capua, il sindaco chiude")
    assert title["href"] == f"/articolo/{CAPUA}?q=sindaco"
    # The library's snippet is rendered as HTML, marks and all.
    assert [m.get_text() for m in html.select(".snippet mark")] == ["sindaco", "sindaco"]


@pytest.mark.parametrize(
    ("ordina", "ordered"),
    [("recenti", lambda d: d == sorted(d, reverse=True)), ("vecchi", lambda d: d == sorted(d))],
)
def test_sort_orders_by_date(client: FlaskClient, ordina: str, ordered) -> None:
    html = page(client, f"/cerca?q=data:2019..2025&ordina={ordina}")
    dates = hit_dates(html)
    assert len(dates) == 10 and ordered(dates)
    current = html.select_one(".sort a[aria-current]")
    assert query_of(current["href"])["ordina"] == [ordina]


def test_sort_links_keep_the_query_and_drop_the_page(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=data:2019..2025&pagina=2")
    links = {a.get_text(): query_of(a["href"]) for a in html.select(".sort a")}
    assert set(links) == {"Rilevanza", "Più recenti", "Meno recenti"}
    assert links["Più recenti"] == {"q": ["data:2019..2025"], "ordina": ["recenti"]}
    assert links["Rilevanza"] == {"q": ["data:2019..2025"]}


def test_date_filters_read_italian_dates(client: FlaskClient) -> None:
    html = page(client, "/cerca?dal=aprile+2024&al=31/12/2024&ordina=vecchi")
    dates = hit_dates(html)
    assert dates and all(date(2024, 4, 1) <= d <= date(2024, 12, 31) for d in dates)
    assert html.select_one("#dal")["value"] == "aprile 2024"
    chips = [a.get_text(" ", strip=True) for a in html.select(".active-filters a")]
    assert chips == ["Dal: aprile 2024 ×", "Al: 31/12/2024 ×"]


def test_bad_date_is_a_400_with_the_form_and_the_message(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=sindaco&dal=31/02/2025", status=400)
    message = html.select_one("#errore").get_text()
    assert message.startswith("data non valida: 31/02/2025")
    assert html.select_one("input[name=q]")["value"] == "sindaco"
    assert html.select_one("#dal")["value"] == "31/02/2025"
    assert html.select_one("details.filters").has_attr("open")


def test_author_and_source_filters(client: FlaskClient) -> None:
    html = page(client, "/cerca?autore=Redazione")
    assert html.select_one(".result-count strong").get_text() == "10"
    assert {m.get_text(" ", strip=True).split(" · ")[1] for m in html.select(".hit-meta")} == {
        "Redazione"
    }
    html = page(client, "/cerca?fonte=www.farodiortigia.it")
    sources = {s.get_text() for s in html.select(".hit-meta .source")}
    assert sources == {"www.farodiortigia.it"}


def test_facets_filter_when_clicked(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=data:2019..2025")
    years = {
        a.select_one(".facet-value").get_text(): a["href"]
        for a in html.select("#facet-year + ul a")
    }
    assert set(years) == {str(y) for y in range(2019, 2026)}
    assert query_of(years["2023"]) == {"q": ["data:2019..2025"], "dal": ["2023"], "al": ["2023"]}
    filtered = page(client, years["2023"])
    assert all(d.year == 2023 for d in hit_dates(filtered))
    active = filtered.select_one("#facet-year + ul a.active")
    assert active.select_one(".facet-value").get_text() == "2023"
    assert "dal" not in query_of(active["href"])  # a second click takes the filter off

    authors = facet_links(html, "author")
    assert query_of(authors["Giulia Ferraro"])["autore"] == ["Giulia Ferraro"]
    sources = [a["href"] for a in html.select("#facet-source + ul a")]
    assert all("fonte" in query_of(href) for href in sources)


def test_timeline_per_year_links_each_bar_to_its_year(client: FlaskClient) -> None:
    html = page(client, "/cerca")
    timeline = html.select_one("figure.timeline svg")
    assert "Risultati per anno, da 2019 a 2025" in html.select_one("figcaption").get_text()
    bars = timeline.select("a.bar-link")
    assert len(bars) == 7
    for bar, year in zip(bars, range(2019, 2026), strict=True):
        assert bar["aria-label"] == bar.title.get_text()
        assert bar["aria-label"].startswith(f"{year}: ")
        assert query_of(bar["href"]) == {"dal": [str(year)], "al": [str(year)]}
    assert bars[3]["aria-label"] == "2022: 15 articoli"


def test_timeline_per_month_under_two_years(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=data:2024..2025")
    caption = html.select_one("figcaption").get_text()
    assert caption.startswith("Risultati per mese, da febbraio 2024 a dicembre 2025")
    labels = [a["aria-label"] for a in html.select("a.bar-link")]
    assert "aprile 2024: 1 articolo" in labels
    april = html.select_one('a.bar-link[aria-label^="aprile 2024"]')
    assert query_of(april["href"])["dal"] == ["2024-04"]
    assert page(client, april["href"]).select_one(".result-count strong").get_text() == "1"


def test_suggestion_links_to_the_corrected_search(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=sidnaco")
    link = html.select_one(".suggestion a")
    assert link.get_text() == "sindaco"
    assert query_of(link["href"]) == {"q": ["sindaco"]}


def test_notices_are_shown(client: FlaskClient) -> None:
    html = page(client, '/cerca?q="cessate il fuoco')
    assert "Virgolette o parentesi non chiuse" in html.select_one(".notices").get_text()


def test_near_duplicates_collapse_into_a_link_to_the_copies(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=autostrada")
    hrefs = [a["href"] for a in html.select(".hit-title a")]
    assert f"/articolo/{DUPLICATE_COPY}?q=autostrada" not in hrefs
    similar = html.select_one(".similar a")
    assert similar.get_text() == "1 articolo simile"
    assert similar["href"] == f"/articolo/{DUPLICATE_LEADER}?q=autostrada#copie"
    article = page(client, similar["href"])
    copies = article.select_one("#copie")
    assert copies.h2.get_text() == "Stessa notizia in altre fonti"
    assert [a["href"] for a in copies.select("a")] == [f"/articolo/{DUPLICATE_COPY}?q=autostrada"]


def test_pagination_has_no_cap_and_a_window(client: FlaskClient) -> None:
    html = page(client, "/cerca?pagina=3")
    assert html.select_one("ol.hits")["start"] == "21"
    pager = html.select_one("nav.pager")
    numbers = [a.get_text() for a in pager.select("ol a")]
    assert numbers == ["1", "2", "3", "4", "5", "15"]
    assert pager.select_one("a[aria-current=page]").get_text() == "3"
    assert query_of(pager.select_one("a[rel=prev]")["href"]) == {"pagina": ["2"]}
    assert query_of(pager.select_one("a[rel=next]")["href"]) == {"pagina": ["4"]}
    last = page(client, "/cerca?pagina=15")
    assert last.select_one("a[rel=next]") is None
    assert len(last.select(".hit")) == 9  # 149 stories once the copies are collapsed


def test_page_window_elides_far_pages() -> None:
    from web.results import page_window

    assert page_window(50, 400) == [1, None, 48, 49, 50, 51, 52, None, 400]
    assert page_window(1, 1) == []


def test_a_page_past_the_end_says_so(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=sindaco&pagina=9999")
    assert "La pagina 9.999 non c'è" in html.select_one(".beyond").get_text()


def test_empty_results_give_tips(client: FlaskClient) -> None:
    html = page(client, "/cerca?q=zzqqxxw&autore=Redazione")
    assert html.select_one("h1").get_text() == "Nessun risultato per «zzqqxxw»"
    tips = html.select_one(".tips")
    unfiltered = tips.select_one("a")
    assert query_of(unfiltered["href"]) == {"q": ["zzqqxxw"]}
    assert tips.select_one('a[href="/aiuto"]')


# Article


def test_article_page_shows_the_article_with_marks(client: FlaskClient) -> None:
    html = page(client, f"/articolo/{CAPUA}?q=sindaco")
    assert html.h1.get_text().startswith("Capua, il sindaco chiude")
    byline = html.select_one(".byline").get_text(" ", strip=True)
    assert "20 gennaio 2025" in byline and "Marco Esposito" in byline
    assert html.select_one(".kicker").get_text() == "www.gazzettadelvolturno.it"
    original = html.select_one(".original a")
    assert original["href"] == CAPUA
    assert original["rel"] == ["noopener", "noreferrer"]
    marks = html.select("mark")
    assert [m["id"] for m in marks] == [f"hit-{n}" for n in range(1, len(marks) + 1)]
    assert len(marks) >= 3 and {m.get_text().lower() for m in marks} == {"sindaco"}
    nav = html.select_one("nav.hitnav")
    assert nav.select_one("[data-hitnav-next]")["href"] == "#hit-1"
    assert nav.select_one("[data-hitnav-prev]")["href"] == f"#hit-{len(marks)}"
    counter = nav.select_one("[data-hitnav-counter]").get_text()
    assert counter == f"{len(marks)} occorrenze di «sindaco»"
    back = html.select_one(".breadcrumb a")
    assert back["href"] == "/cerca?q=sindaco"
    assert html.select_one('script[src="/static/article.js"]')
    assert html.select(".related a")


def test_article_without_query_has_no_navigation(client: FlaskClient) -> None:
    html = page(client, "/articolo/arc-0013")
    assert html.select_one("nav.hitnav") is None and not html.select("mark")
    assert "Senza data" in html.select_one(".byline").get_text()
    assert html.select_one(".breadcrumb a")["href"] == "/"


def test_every_hit_of_a_search_opens(client: FlaskClient, built_index) -> None:
    """Ids with slashes, colons and query strings survive url_for and the path converter."""
    archive = Archive(built_index)
    try:
        hits = list(iter_hits(archive, SearchRequest(collapse=False)))
    finally:
        archive.close()
    assert len(hits) == SAMPLE_ARTICLES
    for hit in hits:
        with client.application.test_request_context():
            url = url_for("articles.article_page", article_id=hit.id)
        assert page(client, url).h1.get_text(), hit.id


def test_an_article_opens_by_its_original_url_too(client: FlaskClient) -> None:
    """JSONL ids are not URLs, but a reader may paste the original address."""
    url = "https://www.farodiortigia.it/articolo/crollo-della-palazzina-di-via-algeri-il-pm-chiede/67346"
    by_url = page(client, f"/articolo/{url}?q=palazzina")
    assert by_url.h1.get_text() == page(client, "/articolo/arc-0002").h1.get_text()
    assert by_url.select(".related a")  # related() is asked with the id, not the URL


def test_unknown_article_is_an_html_404(client: FlaskClient) -> None:
    response = client.get("/articolo/https://example.org/nessuno")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Articolo non trovato" in soup(response.data).h1.get_text()


# Help


def test_help_lists_every_example_as_a_search_link(client: FlaskClient) -> None:
    html = page(client, "/aiuto")
    links = [query_of(a["href"])["q"][0] for a in html.select(".syntax dt a")]
    assert links == list(EXAMPLES)
    assert len(EXAMPLES) == 25 and sum(len(s.examples) for s in SYNTAX) == 25


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_help_example_runs(client: FlaskClient, example: str) -> None:
    html = page(client, "/cerca", q=example)
    if example not in EXAMPLES_WITHOUT_MATCHES:
        assert html.select(".hit"), example


def facets(months: dict[str, int]) -> dict:
    from search.model import Facet, FacetValue

    years: dict[str, int] = {}
    for month, count in months.items():
        years[month[:4]] = years.get(month[:4], 0) + count
    return {
        "year": Facet("year", tuple(FacetValue(y, c) for y, c in sorted(years.items()))),
        "month": Facet("month", tuple(FacetValue(m, c) for m, c in sorted(months.items()))),
    }


def test_timeline_switches_to_months_under_two_years() -> None:
    from web.timeline import build_timeline

    monthly = build_timeline(facets({"2024-01": 2, "2025-11": 1}))  # 23 months
    assert monthly.unit == "month" and len(monthly.bars) == 23
    assert [b.count for b in monthly.bars].count(0) == 21  # gaps are drawn, not skipped
    assert monthly.bars[12].year_label == "2025" and monthly.bars[1].year_label == ""
    yearly = build_timeline(facets({"2024-01": 2, "2025-12": 1}))  # 24 months
    assert yearly.unit == "year" and [b.period for b in yearly.bars] == ["2024", "2025"]
    assert build_timeline(facets({})) is None
    tallest = max(yearly.bars, key=lambda b: b.height)
    assert tallest.period == "2024" and tallest.y + tallest.height == yearly.baseline


def test_the_home_page_says_how_many_articles_have_no_date(client: FlaskClient) -> None:
    html = page(client, "/")
    stats = " ".join(html.select_one(".stats").get_text().split())
    assert f"{SAMPLE_UNDATED} senza data" in stats
    assert f"{SAMPLE_ARTICLES - SAMPLE_UNDATED} datati" in stats
    link = html.select_one(".stats a")["href"]
    listed = page(client, link)
    assert f"{SAMPLE_UNDATED} risultati" in " ".join(
        listed.select_one(".result-count").get_text().split()
    )
