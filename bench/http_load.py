"""The HTTP benchmark: `archivio serve` (gunicorn) on loopback, 8 concurrent clients.

Each client is a thread sending the query mix to `/api/search` with `urllib`, a bounded number
of requests within a time limit; then the resident memory of every gunicorn worker is read
from /proc. The server is a subprocess on a free port of 127.0.0.1, stopped with SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.latency import summary
from bench.queries import BenchQuery, query_mix

ROOT = Path(__file__).resolve().parents[1]


# Stopwords that change a query's text, not its meaning: each request is a new search for
# the workers' ranking caches, as a stream of different users' searches would be.
VARIANTS = ("", " il", " la", " di", " che", " un", " per", " con", " del", " nel", " sul")


class ServerMissing(RuntimeError):
    """The server did not start, or has no `/api/search`."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start_server(
    index_dir: Path, log: Path, workers: int | None = None
) -> tuple[subprocess.Popen, str]:
    archivio = Path(sys.executable).parent / "archivio"
    port = free_port()
    command = [str(archivio), "serve", "--index", str(index_dir), "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    handle = open(log, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerMissing(f"`{' '.join(command)}` exited ({server.returncode}); see {log}")
        try:
            status, _ = _get(f"{base}/healthz", timeout=2)
            if status == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    else:
        stop_server(server)
        raise ServerMissing(f"no answer from {base}/healthz within 60 s; see {log}")
    status, _ = _get(f"{base}/api/search?q=polizia")
    if status == 404:
        stop_server(server)
        raise ServerMissing("the server has no /api/search yet (404): HTTP benchmark skipped")
    return server, base


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == master:
            pids.append(int(entry.name))
    return sorted(pids)


def memory_of(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM (peak), RssAnon (private heap), RssFile (mapped files, shared page
    cache) and PSS (shared pages divided among sharers), in MB."""
    figures: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            figures[key] = int(value.split()[0]) / 1024
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                figures["Pss"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return figures


def _client(
    base: str,
    queries: list[tuple[BenchQuery, str]],
    deadline: float,
    times: list[float],
    errors: list[str],
    unsent: list[int],
) -> None:
    for n, (query, suffix) in enumerate(queries):
        if time.monotonic() > deadline:
            unsent.append(len(queries) - n)  # bounded in time: the rest is not sent
            return
        started = time.perf_counter()
        try:
            status, body = _get(f"{base}/api/search?{query.params(suffix)}")
            if status != 200:
                errors.append(f"{status} for {query.text!r}")
            else:
                json.loads(body)
        except Exception as error:  # every failure is a counted error
            errors.append(f"{type(error).__name__}: {error} for {query.text!r}")
        times.append((time.perf_counter() - started) * 1000)


def load(
    base: str, clients: int, per_client: int, time_limit: float, warm_up: bool = False
) -> dict[str, object]:
    mix = list(query_mix())
    times: list[float] = []
    errors: list[str] = []
    unsent: list[int] = []
    deadline = time.monotonic() + time_limit
    threads = []
    for c in range(clients):
        # Each client walks the mix from its own starting point.
        queries = []
        for k in range(per_client):
            n = c * 7 + k
            suffix = " ed" if warm_up else VARIANTS[(n // len(mix) + c) % len(VARIANTS)]
            queries.append((mix[n % len(mix)], suffix))
        work = (base, queries, deadline, times, errors, unsent)
        thread = threading.Thread(target=_client, args=work)
        threads.append(thread)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        **summary(times),
        "requests": len(times),
        "errors": len(errors),
        "not_sent_in_time": sum(unsent),
        "error_examples": errors[:5],
        "seconds": wall,
        "requests_per_s": len(times) / wall if wall else 0.0,
    }


def measure_http(
    index_dir: Path,
    log: Path,
    *,
    clients: int = 8,
    per_client: int = 60,
    time_limit: float = 300.0,
    workers: int | None = None,
) -> dict[str, object]:
    """Latency under load, errors, and each worker's memory after the run."""
    server, base = start_server(index_dir, log, workers)
    try:
        warm = len(query_mix()) // clients + 1
        load(base, clients, warm, 120.0, warm_up=True)  # every worker opens the index
        result = load(base, clients, per_client, time_limit)
        pids = worker_pids(server.pid)
        result["workers"] = len(pids)
        result["worker_memory_mb"] = {str(pid): memory_of(pid) for pid in pids}
        result["server_memory_mb"] = memory_of(server.pid)
        result["load_average"] = os.getloadavg()[0]
    finally:
        stop_server(server)
    return result
