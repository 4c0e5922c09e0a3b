"""Hostile requests against a real gunicorn (`archivio serve` on a free port): a request
line over 4 KB, poisoned records in streamed exports, odd ids, a worker killed at its
timeout, a busy port. Never gunicorn's own English HTML, JSON under /api/."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.hostile_outputs import FORBIDDEN, ODD_IDS, browser_path
from tests.web_support import (
    ARCHIVIO,
    REPO,
    LiveServer,
    _wait_ready,
    free_port,
    live_server,
    soup,
    stop,
)
from web.security import TIMEOUT

pytest_plugins = ["tests.web_fixtures"]

GUNICORN_PAGE = b"<h1><p>"  # gunicorn's own error page (`gunicorn.util.write_error`)


@pytest.fixture(scope="module")
def server(poisoned_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(poisoned_index, tmp_path_factory.mktemp("log"), workers=1) as live:
        yield live


def raw_get(server: LiveServer, target: str) -> tuple[int, dict[str, str], bytes]:
    """One request written by hand (urllib refuses nothing, but hides gunicorn's bytes)."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize(
    ("length", "status"),
    [(5_000, 400), (8_100, 414), (20_000, 414)],  # Flask's 400, Flask's 414, the worker's 414
)
def test_long_request_lines_get_the_applications_answer(
    server: LiveServer, length: int, status: int
) -> None:
    for path in ("/api/search", "/cerca"):
        target = f"{path}?q=" + "a" * length
        code, headers, body = raw_get(server, target)
        assert code == status, (path, length)
        assert GUNICORN_PAGE not in body
        if path.startswith("/api/"):
            assert headers["Content-Type"] == "application/json"
            message = json.loads(body)["error"]
            expected = "ricerca troppo lunga" if status == 400 else "L'indirizzo è troppo lungo"
            assert message.startswith(expected)
        else:
            assert headers["Content-Type"].startswith("text/html")
            assert soup(body).select_one(".status, #errore") is not None
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_malformed_request_is_answered_in_italian(server: LiveServer) -> None:
    code, _, body = raw_get(server, "/api/search?q=a b")  # a space in the target
    assert code == 400 and GUNICORN_PAGE not in body
    assert json.loads(body) == {"error": "La richiesta non è valida: controlla l'indirizzo."}


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/export.csv", "csv"), ("/export.json", "json"), ("/feed.atom", "xml"), ("/cerca", "html")],
)
def test_poisoned_records_stream_whole_through_gunicorn(
    server: LiveServer, path: str, kind: str
) -> None:
    code, body = fetch(f"{server.url}{path}?q=sindaco")
    assert code == 200
    text = body.decode("utf-8")
    assert not FORBIDDEN.search(text)
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        # header, the poisoned record, the odd ids, the receipt of them all
        assert len(rows) == 1 + 1 + len(ODD_IDS) + 1
        assert rows[-1][0].startswith("# ricevuta Archivio: ")
    elif kind == "json":
        document = json.loads(text)
        assert len(document["results"]) == document["receipt"]["articles"] == 1 + len(ODD_IDS)
    elif kind == "xml":
        ET.fromstring(body)
    else:
        assert "Sindaco avvelenato" in text


def test_odd_ids_are_reachable_from_their_links_through_gunicorn(server: LiveServer) -> None:
    _, body = fetch(f"{server.url}/cerca?q=sindaco+articolo&ordina=recenti")
    links = {a.get_text(): a["href"] for a in soup(body).select(".hit-title a")}
    for title in ODD_IDS.values():
        code, page = fetch(server.url + browser_path(links[f"{title} sindaco"]))
        assert code == 200 and soup(page).h1.get_text() == f"{title} sindaco"


@contextmanager
def stubbed_server(index_dir: Path, log_dir: Path) -> Iterator[LiveServer]:
    """`tests.stubbed_serve`: searches that never end, gunicorn's timeout at 2 s."""
    port = free_port()
    log = log_dir / f"stubbed-{port}.log"
    command = [sys.executable, "-m", "tests.stubbed_serve", str(index_dir), str(port)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    live = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(live)
        yield live
    finally:
        stop(live)


def test_a_worker_killed_at_its_timeout_answers_json_under_api(
    built_index: Path, tmp_path: Path
) -> None:
    """gunicorn's own answer would be an English HTML 500; the worker renders ours."""
    with stubbed_server(built_index, tmp_path) as live:
        code, body = fetch(f"{live.url}/api/search?q=x")
        assert (code, json.loads(body)) == (503, {"error": TIMEOUT})
        code, body = fetch(f"{live.url}/cerca?q=x")
        assert code == 503 and GUNICORN_PAGE not in body
        page = soup(body)
        assert page.h1.get_text() == "Richiesta interrotta"
        assert page.select_one(".error-page").get_text().count(TIMEOUT) == 1
        # gunicorn starts a new worker: the server keeps answering.
        assert fetch(f"{live.url}/healthz")[0] == 200
    assert "WORKER TIMEOUT" in live.output()


def test_serve_on_a_busy_port_says_what_to_do(built_index: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        command = [str(ARCHIVIO), "serve", "--index", str(built_index), "--port", str(port)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Errore: la porta {port} è già in uso: un altro programma (forse un altro archivio "
        f"serve) ascolta su 127.0.0.1:{port}. Fermalo, oppure scegli un'altra porta con "
        f"--port (per esempio --port {port + 1})\n"
    )
