"""`archivio serve` for real: gunicorn workers on a free port, a reindex without restart."""

from __future__ import annotations

import subprocess
import urllib.parse
from pathlib import Path

import pytest

from tests.index_state import live_token
from tests.web_support import ARCHIVIO, copy_corpus, get_json, live_server, stop

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

NEW_ARTICLE = """# Zanzariere gratuite a Quarzolo, il comune le distribuisce in piazza

Data: 14 giugno 2025 | Autore: Ilaria Vetrano

---

Il comune di Quarzolo distribuirà zanzariere gratuite alle famiglie del centro storico.
La consegna avverrà sabato mattina in piazza, fino a esaurimento delle scorte.

---

Articolo scaricato da [www.gazzettadelvolturno.it](https://www.gazzettadelvolturno.it)

<https://www.gazzettadelvolturno.it/cronaca/2025/06/14/zanzariere-gratuite-a-quarzolo/>
"""


def reindex(corpus: Path, index: Path) -> None:
    command = [str(ARCHIVIO), "reindex", "--corpus", str(corpus), "--index", str(index)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def search_total(base: str, query: str) -> int:
    status, data = get_json(f"{base}/api/search?{urllib.parse.urlencode({'q': query})}")
    assert status == 200, data
    return int(data["total"])


@pytest.mark.medium
def test_a_reindex_is_served_without_restart(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    reindex(corpus, index)
    with live_server(index, tmp_path, workers=2) as server:
        assert f"Archivio in ascolto su {server.url}/" in server.output()
        assert search_total(server.url, "sindaco") == 1
        assert search_total(server.url, "zanzariere") == 0
        _, health = get_json(server.url + "/healthz")
        assert health["articles"] == 152

        (corpus / "2025" / "zanzariere-quarzolo.txt").write_text(NEW_ARTICLE, "utf-8")
        reindex(corpus, index)
        # Every search after the reindex returned finds it: each request checks which
        # generation is live. Eight, so that both workers answer.
        seen = [search_total(server.url, "zanzariere") for _ in range(8)]
        assert seen == [1] * 8, f"the new article was not served after the reindex: {seen}"
        _, health = get_json(server.url + "/healthz")
        assert health["articles"] == 153
        assert health["generation"] == live_token(index)
        # SIGTERM is a graceful stop with exit status 0.
        assert stop(server) == 0
    assert "Shutting down" in server.output()


def test_serve_refuses_a_missing_index(tmp_path: Path) -> None:
    command = [str(ARCHIVIO), "serve", "--index", str(tmp_path / "nessuno"), "--port", "0"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "nessun indice" in result.stderr


def test_default_workers_are_capped() -> None:
    from web.server import default_workers

    assert 3 <= default_workers() <= 8


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_bind_address(host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """IPv6 hosts need brackets in gunicorn's bind."""
    import web.server

    seen: dict = {}

    class Recorder:
        def __init__(self, index_dir: Path, options: dict) -> None:
            seen.update(options)

        def run(self) -> None:
            pass

    monkeypatch.setattr(web.server, "ArchivioServer", Recorder)
    web.server.serve(Path("index"), host=host, port=8123, workers=3)
    expected = "[::1]:8123" if host == "::1" else "127.0.0.1:8123"
    assert seen["bind"] == [expected] and seen["workers"] == 3
