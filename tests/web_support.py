"""Helpers for the web tests: a real `archivio serve` on a free port, a hostile archive,
HTML parsing, what the browser tests need (Chromium, axe-core). Fixtures: `web_fixtures`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
ARCHIVIO = Path(sys.executable).with_name("archivio")
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def soup(body: bytes | str) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get_json(url: str, timeout: float = 5.0) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


@contextmanager
def live_server(index_dir: Path, log_dir: Path, workers: int = 2) -> Iterator[LiveServer]:
    """`archivio serve` in a subprocess, ready when /healthz answers; stopped with SIGTERM."""
    if not ARCHIVIO.exists():
        raise RuntimeError(f"{ARCHIVIO} is missing: pip install -e . in the venv")
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    command = [str(ARCHIVIO), "serve", "--index", str(index_dir), "--port", str(port)]
    command += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        stop(server)


def _wait_ready(server: LiveServer, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"archivio serve exited:\n{server.output()}")
        try:
            status, _ = get_json(server.url + "/healthz", timeout=1.0)
            if status == 200:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"archivio serve did not answer in {seconds} s:\n{server.output()}")


def stop(server: LiveServer, seconds: float = 15.0) -> int | None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL if it hangs; the exit code."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(seconds)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    return server.process.returncode


def copy_corpus(target: Path) -> Path:
    shutil.copytree(REPO / "corpus", target)
    return target


# A JSONL record and a text export whose title, author, source and URL are hostile.
# The JSONL reader strips tags, so the markup there is written as entities.
HOSTILE_JSONL = {
    "id": "ostile-1",
    "title": "&lt;script&gt;alert(1)&lt;/script&gt; Rivolta &quot;&gt;&lt;img src=x "
    "onerror=alert(1)&gt;",
    "body": "Il consiglio comunale di Borgoratto discute la rivolta dei pendolari "
    "&lt;script&gt;alert(1)&lt;/script&gt; e il titolo &quot;&gt;&lt;img src=x "
    "onerror=alert(1)&gt; resta nel testo.\n\nSecondo paragrafo sulla rivolta dei pendolari.",
    "date": "2024-03-02",
    "author": "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    "source": '=HYPERLINK("http://example.org")',
    "url": "javascript:alert(1)",
}
HOSTILE_TEXT = """# <script>alert(1)</script> Rivolta dei pendolari a Borgoratto

Data: 3 marzo 2024 | Autore: "><img src=x onerror=alert(1)>

---

Rivolta dei pendolari a Borgoratto <script>alert(1)</script>:
il testo "><img src=x onerror=alert(1)> resta testo.

---

Articolo scaricato da [example.org](https://example.org)

<https://example.org/rivolta?a=1&b=<x>>
"""


# An id with every character a path can trip on: double slash, ?, #, %, space, accents.
ODD_ID = "cms://archivio//2024/rivolta pendolari?v=1&x=%41#paragrafo-è"
ODD_JSONL = {
    "id": ODD_ID,
    "title": "Rivolta dei pendolari, il seguito",
    "body": "Dopo la rivolta dei pendolari la regione promette treni nuovi entro l'estate.",
    "date": "2024-04-10",
    "author": "Mario Rossi",
    "source": "Cronache di Borgoratto",
    "url": "https://example.org/seguito",
}


def write_hostile_corpus(target: Path) -> Path:
    (target / "jsonl").mkdir(parents=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in (HOSTILE_JSONL, ODD_JSONL)]
    (target / "jsonl" / "ostile.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (target / "ostile.txt").write_text(HOSTILE_TEXT, "utf-8")
    return target


def csv_records(text: str, delimiter: str = ",") -> list[list[str]]:
    """The rows of a CSV export (header first), without the receipt rows after them."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [row for row in rows if not (row and row[0].startswith("# ricevuta Archivio: "))]
