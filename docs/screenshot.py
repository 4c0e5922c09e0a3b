"""Remake docs/screenshot-risultati.png: a results page with its timeline, from corpus/.

    .venv/bin/python docs/screenshot.py

Needs Debian's Chromium (scripts/setup-system.sh). Also leaves a phone-width shot in
test-artifacts/ to look at.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from search.indexer import reindex  # noqa: E402
from search.settings import Settings  # noqa: E402
from tests.web_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from web import create_app  # noqa: E402

QUERY = "/cerca?q=lavori"
TARGET = REPO / "docs" / "screenshot-risultati.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        reindex(Settings(corpus_dir=REPO / "corpus", index_dir=index))
        server = make_server("127.0.0.1", 0, create_app({"INDEX_DIR": str(index)}))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                desktop = browser.new_page(viewport={"width": 1280, "height": 1100})
                desktop.goto(base + QUERY)  # the first search of a process warms it up
                desktop.goto(base + QUERY)
                desktop.screenshot(path=str(TARGET))
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                phone.goto(base + QUERY)
                ARTIFACTS.mkdir(exist_ok=True)
                phone.screenshot(path=str(ARTIFACTS / "screenshot-risultati-390.png"))
                browser.close()
        finally:
            server.shutdown()
    print(f"{TARGET.relative_to(REPO)}: {TARGET.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
