"""Coverage-guided fuzzing of the parsers with atheris (the long run; README, Affidabilità).

    python -m fuzz.run TARGET [--runs N]      # TARGET: query, dates, export, html, jsonl, warc
    python -m fuzz.run all --runs 10000

Seeds come from tests/fuzz_seeds/ and corpus/; a crash stops the run and leaves the input
in `crash-*` (libFuzzer's convention): fix it and add it as a regression test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def seeds(target: str) -> list[Path]:
    patterns = {
        "query": ["tests/fuzz_seeds/query*"],
        "dates": ["tests/fuzz_seeds/date*"],
        "export": ["corpus/**/*.txt", "corpus/**/*.md"],
        "html": ["corpus/**/*.html"],
        "jsonl": ["corpus/**/*.jsonl"],
        "warc": ["corpus/**/*.warc.gz"],
    }[target]
    return [p for pattern in patterns for p in sorted(ROOT.glob(pattern)) if p.is_file()]


def run_one(target: str, runs: int) -> int:
    import atheris

    with atheris.instrument_imports():
        from fuzz.targets import TARGETS
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder)
        for n, seed in enumerate(seeds(target)):
            (corpus / f"seed-{n}").write_bytes(seed.read_bytes())
        atheris.Setup(
            [sys.argv[0], f"-runs={runs}", "-max_len=65536", "-rss_limit_mb=4096", str(corpus)],
            TARGETS[target],
        )
        atheris.Fuzz()
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target")
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    if args.target != "all":
        run_one(args.target, args.runs)
        return
    failed = 0
    for target in ("query", "dates", "export", "html", "jsonl", "warc"):
        started = time.perf_counter()
        command = [sys.executable, "-m", "fuzz.run", target, "--runs", str(args.runs)]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        done = [line for line in result.stderr.splitlines() if line.startswith("Done ")]
        status = "ok" if result.returncode == 0 else f"FINDING (exit {result.returncode})"
        print(f"{target:<7} {status:<22} {done[-1] if done else ''} in {seconds:.0f} s", flush=True)
        if result.returncode:
            failed += 1
            print(result.stderr[-3000:], file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
