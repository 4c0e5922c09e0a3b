"""Headless Chromium on a real `archivio serve`: what a reader does with mouse and keyboard.

Needs Debian's Chromium (/usr/bin/chromium) and axe-core in node_modules/
(`bash scripts/setup-system.sh`); skipped with the reason when either is missing.
Screenshots of every test go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web_support import ARTIFACTS, AXE, CHROMIUM, CHROMIUM_ARGS, LiveServer, live_server

pytestmark = [pytest.mark.browser, pytest.mark.engines]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CAPUA = (
    "/articolo/https://www.gazzettadelvolturno.it/politica/2025/01/20/"
    "capua-il-sindaco-chiude-il-centro-storico-alle-auto/"
)
PAGES = {
    "home": "/",
    "risultati": "/cerca?q=data:2024..2025",
    "articolo": CAPUA + "?q=sindaco",
    "aiuto": "/aiuto",
    "errore": "/cerca?q=sindaco&dal=31/02/2025",
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
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{_safe(request.node.name)}.png"), full_page=True)
    context.close()
    assert [e for e in errors if "status of 400" not in e] == [], errors


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)[:120]


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def hit_dates(page) -> list[date]:
    return [
        date.fromisoformat(d)
        for d in page.locator(".hit-meta time").evaluate_all(
            "els => els.map(e => e.getAttribute('datetime'))"
        )
    ]


def test_type_a_query_and_submit(page) -> None:
    page.goto("/")
    assert page.evaluate("document.activeElement.name") == "q"  # autofocus
    page.keyboard.type("sindaco")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cerca?q=sindaco")
    assert page.locator("#titolo-risultati").inner_text() == "«sindaco»"
    assert page.locator(".hit").count() == 1


def test_filter_by_date(page) -> None:
    page.goto("/cerca?q=data:2019..2025")
    page.locator("details.filters summary").click()
    page.locator("#dal").fill("marzo 2023")
    page.locator("#al").fill("31/12/2023")
    page.locator("form.search-form button").click()
    page.wait_for_url("**/cerca?**dal=**")
    # Empty filters stay out of the address (site.js), the rest is there.
    assert params(page.url) == {
        "q": ["data:2019..2025"],
        "dal": ["marzo 2023"],
        "al": ["31/12/2023"],
    }
    dates = hit_dates(page)
    assert dates and all(date(2023, 3, 1) <= d <= date(2023, 12, 31) for d in dates)


def test_a_bad_date_shows_the_message(page) -> None:
    response = page.goto("/cerca?q=sindaco&dal=31/02/2025")
    assert response.status == 400
    assert page.locator("#errore").inner_text().startswith("data non valida: 31/02/2025")
    assert page.locator("#dal").input_value() == "31/02/2025"


def test_click_a_timeline_bar(page) -> None:
    page.goto("/cerca")
    page.locator('a.bar-link[aria-label="2022: 15 articoli"]').click()
    page.wait_for_url("**dal=2022**")
    assert params(page.url) == {"dal": ["2022"], "al": ["2022"]}
    assert page.locator(".result-count strong").inner_text() == "15"
    assert all(d.year == 2022 for d in hit_dates(page))


def test_open_an_article_and_move_between_hits_with_the_keyboard(page) -> None:
    page.goto("/cerca?q=sindaco")
    page.locator(".hit-title a").first.click()
    page.wait_for_url("**/articolo/**")
    counter = page.locator("[data-hitnav-counter]")
    total = page.locator("mark").count()
    assert total >= 3
    assert counter.inner_text() == f"{total} occorrenze di «sindaco»"
    page.keyboard.press("n")
    assert counter.inner_text() == f"1 di {total}"
    assert page.locator("mark.current").get_attribute("id") == "hit-1"
    page.keyboard.press("n")
    assert counter.inner_text() == f"2 di {total}"
    assert page.locator("#hit-2").evaluate("m => m.classList.contains('current')")
    page.keyboard.press("p")
    assert counter.inner_text() == f"1 di {total}"
    page.keyboard.press("p")  # wraps round to the last
    assert counter.inner_text() == f"{total} di {total}"
    assert page.url.endswith(f"#hit-{total}")
    page.locator("[data-hitnav-next]").click()
    assert counter.inner_text() == f"1 di {total}"
    assert page.locator("#hit-1").is_visible()
    # Typing in the search box is typing, not navigating.
    page.locator("input[name=q]").type("n")
    assert counter.inner_text() == f"1 di {total}"
    page.locator(".breadcrumb a").click()
    page.wait_for_url("**/cerca?q=sindaco")


def test_the_hit_buttons_work_without_javascript(browser, server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=server.url)
    tab = context.new_page()
    tab.goto(CAPUA + "?q=sindaco")
    tab.locator("[data-hitnav-next]").click()
    assert tab.url.endswith("#hit-1")
    tab.locator("[data-hitnav-prev]").click()
    assert re.search(r"#hit-\d+$", tab.url) and not tab.url.endswith("#hit-1")
    tab.goto("/cerca?q=sindaco")
    tab.locator("details.filters summary").click()
    tab.locator("#dal").fill("2025")
    tab.locator("#dal").press("Enter")
    tab.wait_for_url("**dal=2025**")
    assert tab.locator(".hit").count() == 1
    context.close()


@pytest.mark.parametrize("name", ["risultati", "articolo", "aiuto", "errore"])
def test_every_page_works_with_the_keyboard_only(page, name: str) -> None:
    page.goto(PAGES[name])
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q":
            break
    else:
        pytest.fail("Tab never reached the search box")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "the focused search box shows no outline"
    page.keyboard.press("Control+a")
    page.keyboard.type("alluvione")
    if name == "errore":  # the bad date is still in the form: Tab on to it and clear it
        while page.evaluate("document.activeElement.id") != "dal":
            page.keyboard.press("Tab")
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cerca?q=alluvione**")
    assert page.locator(".hit").count() >= 1


def test_a_timeline_bar_is_reached_and_followed_with_the_keyboard(page) -> None:
    page.goto("/cerca?q=data:2024..2025")
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("aprile 2025"):
            break
    else:
        pytest.fail("Tab never reached the bar of April 2025")
    page.keyboard.press("Enter")
    page.wait_for_url("**dal=2025-04**")
    assert params(page.url)["al"] == ["2025-04"]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(browser, server: LiveServer, name: str) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `bash scripts/setup-system.sh` (npm axe-core)")
    # Injecting axe is an inline script, which the page's own CSP rightly forbids.
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


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAGES))
def test_phone_width_needs_no_sideways_scrolling(browser, server: LiveServer, name: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.url)
    tab = context.new_page()
    tab.goto(PAGES[name])
    width = tab.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"telefono-{name}.png"), full_page=True)
    context.close()
    assert width <= 390
