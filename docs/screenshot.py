"""Remake the README's screenshots from corpus/: a results page with its timeline
(docs/screenshot-risultati.png), trends compared (docs/screenshot-tendenze.png) and a
concordance (docs/screenshot-concordanza.png).

    .venv/bin/python docs/screenshot.py

Needs Debian's Chromium (scripts/setup-system.sh). Also leaves phone-width shots in
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

SHOTS = {
    "risultati": "/cerca?q=lavori",
    "tendenze": "/tendenze?q=alluvione&q=scuola&q=negozi*&vista=quota",
    "concordanza": "/concordanza?q=alluvione&ordina=prima",
}


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
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                ARTIFACTS.mkdir(exist_ok=True)
                for name, address in SHOTS.items():
                    target = REPO / "docs" / f"screenshot-{name}.png"
                    desktop.goto(base + address)  # the first search of a process warms it up
                    desktop.goto(base + address)
                    desktop.screenshot(path=str(target))
                    phone.goto(base + address)
                    phone.screenshot(path=str(ARTIFACTS / f"screenshot-{name}-390.png"))
                    print(f"{target.relative_to(REPO)}: {target.stat().st_size // 1024} KB")
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
