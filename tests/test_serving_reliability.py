"""Serving while the index changes, under load, and with hostile articles in a real browser."""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.web_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    copy_corpus,
    live_server,
    write_hostile_corpus,
)

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

QUERIES = [
    "alluvione",
    "sindaco",
    '"cessate il fuoco"',
    "partita",
    "comune OR regione",
    "vaccino data:2021",
    "lavori notturni",
    "università",
]


def synthetic_articles(path: Path, count: int, seed: int = 5) -> None:
    """Bulk for the index (so that a reindex takes a few seconds), never matching QUERIES."""
    rng = random.Random(seed)
    words = [f"parola{n}" for n in range(3000)]
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(count):
            body = " ".join(rng.choice(words) for _ in range(250))
            record = {
                "id": f"sint-{n}",
                "title": f"Sintetico {n}",
                "body": body,
                "date": f"20{10 + n % 15}-0{1 + n % 9}-1{n % 9}",
            }
            handle.write(json.dumps(record) + "\n")


def get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}


@dataclass
class Clients:
    """N threads asking the server the same searches until stopped."""

    url: str
    query: str = "alluvione"
    totals: list[tuple[float, int]] = field(default_factory=list)  # (asked at, total)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    answered: set[int] = field(default_factory=set)  # clients that had a 200 answer
    stop: threading.Event = field(default_factory=threading.Event)
    pause: float = 0.0  # seconds between a client's requests

    def run(self, threads: int) -> list[threading.Thread]:
        workers = [threading.Thread(target=self._loop, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        return workers

    def _loop(self, number: int) -> None:
        n = number
        while not self.stop.wait(self.pause):
            query = self.query if n % 2 == 0 else QUERIES[n % len(QUERIES)]
            n += 1
            asked, started = time.monotonic(), time.perf_counter()
            try:
                status, data = get(f"{self.url}/api/search?q={urllib.parse.quote(query)}")
            except OSError as error:
                self.errors.append(repr(error))
                continue
            self.latencies.append(time.perf_counter() - started)
            if status != 200:
                self.errors.append(f"{status} for {query}")
                continue
            self.answered.add(number)
            if query == self.query:
                self.totals.append((asked, int(data["total"])))  # type: ignore[arg-type]


def reindex(corpus: Path, index: Path, *extra: str) -> float:
    """Run `archivio reindex`; the moment it returned (its commit is then live)."""
    command = [
        sys.executable,
        "-m",
        "search",
        "reindex",
        "--corpus",
        str(corpus),
        "--index",
        str(index),
        *extra,
    ]
    subprocess.run(command, check=True, capture_output=True)
    return time.monotonic()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path, Path]]:
    tmp_path = tmp_path_factory.mktemp("served")
    corpus = copy_corpus(tmp_path / "corpus")
    synthetic_articles(corpus / "sintetici.jsonl", 600)
    index = tmp_path / "index"
    reindex(corpus, index)
    with live_server(index, tmp_path, workers=3) as server:
        yield server, corpus, index


@pytest.mark.medium
def test_reindex_while_serving(served: tuple[LiveServer, Path, Path]) -> None:
    server, corpus, index = served
    clients = Clients(server.url, pause=0.02)
    threads = clients.run(4)
    try:
        deadline = time.monotonic() + 60  # against a hung server, not a speed claim
        while not clients.totals and time.monotonic() < deadline:
            time.sleep(0.05)
        before = clients.totals[-1][1]
        reindex(corpus, index, "--full")  # same content, a whole new generation
        time.sleep(0.5)
        (corpus / "nuova-alluvione.jsonl").write_text(
            json.dumps(
                {
                    "id": "nuova-1",
                    "title": "Nuova alluvione nel Polesine",
                    "body": "L'alluvione ha colpito il Polesine nella notte.",
                    "date": "2025-10-02",
                }
            )
        )
        committed = reindex(corpus, index)
        # Wait for answers to questions asked after the reindex returned (a bound against
        # a hung server, not a speed claim: each of those answers is checked below).
        deadline = committed + 60
        while sum(t > committed for t, _ in clients.totals) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        clients.stop.set()
        for thread in threads:
            thread.join()
    assert clients.errors == []
    # every answer came from a complete index: the old one or the new one
    assert {total for _, total in clients.totals} <= {before, before + 1}
    # and every search asked after the reindex returned found the new article, no restart
    after = [total for t, total in clients.totals if t > committed]
    assert len(after) >= 20
    assert after == [before + 1] * len(after)


def load(server: LiveServer, clients: int, seconds: float) -> tuple[dict[str, float], list[int]]:
    """Figures of `clients` asking for `seconds` (printed, for bench/), and their totals."""
    crowd = Clients(server.url, query="alluvione")
    threads = crowd.run(clients)
    time.sleep(seconds)
    crowd.stop.set()
    for thread in threads:
        thread.join()
    latencies = sorted(crowd.latencies)
    rss = worker_rss_mb(server)
    figures = {
        "requests": len(latencies),
        "errors": len(crowd.errors),
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": len(latencies) / seconds,
        "worker_rss_mb": max(rss) if rss else 0.0,
        "answered_clients": len(crowd.answered),
    }
    print("\nload:", json.dumps({k: round(v, 1) for k, v in figures.items()}))
    return figures, [total for _, total in crowd.totals]


def worker_rss_mb(server: LiveServer) -> list[float]:
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    sizes = []
    for pid in children.read_text().split() if children.exists() else []:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


@pytest.mark.medium
def test_load_of_eight_clients(served: tuple[LiveServer, Path, Path]) -> None:
    figures, totals = load(served[0], clients=8, seconds=5)
    assert figures["errors"] == 0
    # every client had answers, and each search for «alluvione» found the same articles
    _, data = get(f"{served[0].url}/api/search?q=alluvione")
    assert figures["answered_clients"] == 8
    assert totals and set(totals) == {data["total"]}


@pytest.mark.slow
def test_sustained_load(served: tuple[LiveServer, Path, Path]) -> None:
    figures, totals = load(served[0], clients=16, seconds=30)
    assert figures["errors"] == 0
    _, data = get(f"{served[0].url}/api/search?q=alluvione")
    assert figures["answered_clients"] == 16
    assert totals and set(totals) == {data["total"]}


# --- hostile articles in Chromium -------------------------------------------------------

HOSTILE_PAGE = """<!doctype html><html lang="it"><head><meta charset="utf-8">
<title>Alluvione &lt;svg onload=alert(2)&gt; nel Delta</title>
<meta property="og:type" content="article">
<meta property="og:title" content="Alluvione <svg/onload=alert(2)> nel Delta">
<meta property="article:published_time" content="2024-05-06">
<meta name="author" content="<img src=x onerror=alert(3)>">
<link rel="canonical" href="javascript:alert(4)">
</head><body><article><h1>Alluvione &lt;svg onload=alert(2)&gt; nel Delta</h1>
<p>Il Delta è sott'acqua dopo l'alluvione. &lt;script&gt;alert(5)&lt;/script&gt; resta testo,
<a href="javascript:alert(6)">un link</a> anche,
e <svg><script>alert(7)</script></svg> sparisce.</p>
<p>La protezione civile ha evacuato tre frazioni nella notte tra sabato e domenica, mentre
le idrovore lavoravano senza sosta per liberare le campagne dall'acqua.</p>
</article></body></html>"""


@pytest.fixture
def hostile_server(tmp_path: Path) -> Iterator[LiveServer]:
    corpus = write_hostile_corpus(tmp_path / "corpus")
    (corpus / "delta.html").write_text(HOSTILE_PAGE, "utf-8")
    index = tmp_path / "index"
    reindex(corpus, index)
    with live_server(index, tmp_path) as server:
        yield server


@pytest.mark.browser
def test_hostile_content_never_runs_in_the_browser(hostile_server: LiveServer) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `bash scripts/setup-system.sh`")
    status, data = get(f"{hostile_server.url}/api/search?q=rivolta+OR+alluvione&limit=50")
    assert status == 200 and data["total"] >= 3
    ids = [hit["id"] for hit in data["results"]]  # type: ignore[index]
    paths = [
        "/",
        "/aiuto",
        "/cerca?q=rivolta+OR+alluvione",
        "/cerca?q=" + urllib.parse.quote('<script>alert(8)</script> "><svg onload=alert(9)>'),
        "/feed.atom?q=rivolta",  # exports download: their escaping is test_web_safety's
    ]
    paths += ["/articolo/" + urllib.parse.quote(i, safe="/:") + "?q=rivolta" for i in ids]
    dialogs: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in paths:
            page.goto(hostile_server.url + path)
            page.wait_for_load_state("load")
            scripts = page.evaluate("[...document.scripts].map(s => s.src)")
            assert all(src.startswith(hostile_server.url + "/static/") for src in scripts), path
            handlers = page.evaluate(
                "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
                ".filter(a => a.name.startsWith('on')).map(a => a.name))"
            )
            assert handlers == [], (path, handlers)
            links = page.evaluate(
                "[...document.querySelectorAll('[href]')].map(a => a.getAttribute('href'))"
            )
            assert not [link for link in links if link.lower().startswith("javascript:")], path
        ARTIFACTS.mkdir(exist_ok=True)
        page.goto(hostile_server.url + "/cerca?q=rivolta+OR+alluvione")
        page.screenshot(path=str(ARTIFACTS / "hostile-results.png"), full_page=True)
        browser.close()
    assert dialogs == []
