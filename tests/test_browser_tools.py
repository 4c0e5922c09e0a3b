"""Headless Chromium on a real `archivio serve`: the trends and concordance pages, the
receipt on the results page and the citation on the article page.

Needs Debian's Chromium and axe-core (`bash scripts/setup-system.sh`), like
tests/test_browser.py; skipped with the reason when either is missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web_support import ARTIFACTS, AXE, CHROMIUM, CHROMIUM_ARGS, LiveServer, live_server

pytestmark = [pytest.mark.browser, pytest.mark.engines]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

PAGES = {
    "tendenze": "/tendenze?q=alluvione&q=lavori&q=%22cessate+il+fuoco%22",
    "tendenze-quota-mesi": "/tendenze?q=alluvione&q=lavori&per=mese&vista=quota",
    "tendenze-vuota": "/tendenze",
    "tendenze-errore": "/tendenze?q=alluvione&dal=31/02/2025",
    "concordanza": "/concordanza?q=alluvione",
    "concordanza-vuota": "/concordanza",
    "risultati-ricevuta": "/cerca?q=alluvione",
    "articolo-citazione": "/articolo/pna-2025-0318-041",
}


@pytest.fixture(scope="module")
def server(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(built_index, tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `bash scripts/setup-system.sh` (apt chromium)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server: LiveServer, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh tab; fails the test on any console error (a CSP violation is one)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        base_url=server.url,
        permissions=["clipboard-read", "clipboard-write"],
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)[:120]
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert [e for e in errors if "status of 400" not in e] == [], errors


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_compare_two_queries_and_open_a_point(page) -> None:
    page.goto("/tendenze")
    page.locator("#q1").fill("alluvione")
    page.locator("#q2").fill("lavori")
    page.get_by_label("mese").check()
    page.get_by_role("button", name="Confronta").click()
    page.wait_for_url("**/tendenze?**")
    # Empty boxes stay out of the address (site.js leaves only q alone: empty q are ignored)
    assert params(page.url)["q"][:2] == ["alluvione", "lavori"]
    assert page.locator("path.trend-line").count() == 2
    point = page.locator('a.point[aria-label^="alluvione, ottobre 2024"]')
    label = point.get_attribute("aria-label")
    found = int(re.search(r": (\d+) articol", label).group(1))
    point.click()
    page.wait_for_url("**/cerca?**")
    assert params(page.url) == {"q": ["alluvione"], "dal": ["2024-10"], "al": ["2024-10"]}
    assert page.locator(".result-count strong").inner_text() == str(found)


def test_switch_to_shares_and_back(page) -> None:
    page.goto(PAGES["tendenze"])
    page.get_by_role("link", name="Quota sugli articoli pubblicati").click()
    page.wait_for_url("**vista=quota**")
    assert page.locator(".tick").last.text_content().endswith("%")
    page.get_by_role("link", name="Numero di articoli").click()
    page.wait_for_url(re.compile(r"^(?!.*vista=).*$"))
    assert not page.locator(".tick").last.text_content().endswith("%")


def test_a_point_is_reached_and_followed_with_the_keyboard(page) -> None:
    page.goto(PAGES["tendenze"])
    for _ in range(80):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("lavori, 2024"):
            break
    else:
        pytest.fail("Tab never reached the point of «lavori» in 2024")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('.point-target')).stroke"
    )
    assert outline != "none"  # the focused point shows where it is
    page.keyboard.press("Enter")
    page.wait_for_url("**dal=2024**")
    assert params(page.url)["q"] == ["lavori"]


def test_the_trends_page_works_without_javascript(browser, server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=server.url)
    tab = context.new_page()
    tab.goto("/tendenze")
    tab.locator("#q1").fill("alluvione")
    tab.locator("#q1").press("Enter")
    tab.wait_for_url("**q=alluvione**")
    assert tab.locator("a.point").count() > 0
    tab.locator("a.point").first.click()
    tab.wait_for_url("**/cerca?**")
    context.close()


def test_read_the_concordance_sort_it_and_open_an_occurrence(page) -> None:
    page.goto("/concordanza")
    page.locator("#q-concordanza").fill('"cessate il fuoco"')
    page.locator("#q-concordanza").press("Enter")
    page.wait_for_url("**/concordanza?**")
    assert page.locator(".result-count").inner_text() == "5 occorrenze in 2 articoli"
    page.get_by_role("link", name="Parola dopo").click()
    page.wait_for_url("**ordina=dopo**")
    after = page.locator("td.kwic-right").all_inner_texts()
    words = [re.findall(r"\w+", text.lower())[:1] for text in after]
    assert words == sorted(words)
    page.locator("td.kwic-match a").first.click()
    page.wait_for_url("**/articolo/**#hit-*")
    anchor = urlsplit(page.url).fragment
    assert page.locator(f"mark#{anchor}").inner_text().lower() == "cessate"
    assert page.locator(f"mark#{anchor}").is_visible()


def test_the_results_page_shows_a_receipt_and_the_article_a_citation(page) -> None:
    page.goto(PAGES["risultati-ricevuta"])
    receipt = page.locator("section.receipt")
    assert re.fullmatch(r"[0-9a-f]{64}", receipt.locator("code").first.inner_text())
    receipt.locator("a[rel=bookmark]").click()
    page.wait_for_url("**generazione=gen-**")
    assert page.locator(".pinned-note").count() == 0  # the live generation: nothing to say
    page.goto(PAGES["articolo-citazione"])
    button = page.get_by_role("button", name="Copia la citazione")
    button.click()
    # The status is written when the clipboard's promise resolves: wait for it (under load
    # reading it at once found it still empty).
    page.wait_for_function("document.querySelector('[data-copy-status]').textContent !== ''")
    assert page.locator("[data-copy-status]").inner_text() == "Citazione copiata."
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == " ".join(page.locator("#citazione").inner_text().split())
    assert copied.startswith("Prigionieri, nuovo scambio") and "(consultato il " in copied


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(browser, server: LiveServer, name: str) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `bash scripts/setup-system.sh` (npm axe-core)")
    context = browser.new_context(bypass_csp=True, base_url=server.url)
    tab = context.new_page()
    tab.goto(PAGES[name])
    tab.add_script_tag(path=str(AXE))
    report = tab.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(report["violations"], indent=2))
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in report["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert report["passes"], "axe ran no check"


@pytest.mark.parametrize("name", ["tendenze", "tendenze-quota-mesi", "concordanza"])
def test_phone_width_needs_no_sideways_scrolling(browser, server: LiveServer, name: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.url)
    tab = context.new_page()
    tab.goto(PAGES[name])
    width = tab.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"telefono-{name}.png"), full_page=True)
    if name == "concordanza":  # each line keeps its match in view, the sides cut
        boxes = tab.locator("td.kwic-match").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().right)"
        )
        assert boxes and max(boxes) <= 390
    context.close()
    assert width <= 390
