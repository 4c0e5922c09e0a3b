"""What the near-duplicate state costs per index generation: before (datasketch's MinHashLSH,
pickled) and after (the band index in numpy files).

    python -m bench.near_duplicates_state [--sizes 100000 1000000] [--before-max 100000]

For each size it builds the state from synthetic signatures (random MinHash values, 1 in 10
a near copy of an earlier one, through the real insertion code), then times a full save,
a load, and an incremental run (load, remove 100, add 100, save), and reports file size and
memory (RSS growth while building the state in memory, and while loading it). Then the cost
of `assign()` per real article (MinHash included) against the largest state, if the shared
corpus is present.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def signatures(count: int, seed: int = 0) -> np.ndarray:
    generator = np.random.default_rng(seed)
    values = generator.integers(0, 1 << 32, size=(count, 64), dtype=np.uint32)
    copies = np.flatnonzero(generator.random(count) < 0.1)
    copies = copies[copies > 0]
    originals = (generator.random(len(copies)) * copies).astype(np.int64)
    values[copies] = values[originals]
    changed = generator.random((len(copies), 64)) < 0.2  # a copy shares most bands
    values[copies] = np.where(changed, values[copies] ^ np.uint32(1), values[copies])
    return values


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


def timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def size_mb(directory: Path, pattern: str) -> float:
    return sum(p.stat().st_size for p in directory.glob(pattern)) / 1e6


def after(count: int, values: np.ndarray, directory: Path) -> dict[str, float]:
    from search.near_duplicates import NearDuplicates

    gc.collect()
    start_rss = rss_mb()
    near = NearDuplicates()
    build, _ = timed(lambda: [near.assign_signature(f"art-{i}", values[i]) for i in range(count)])
    memory = rss_mb() - start_rss
    save, _ = timed(lambda: near.save(directory))
    del near
    gc.collect()
    before_rss = rss_mb()
    load, near = timed(lambda: NearDuplicates.load(directory))
    load_rss = rss_mb() - before_rss
    extra = signatures(100, seed=count + 1)
    started = time.perf_counter()
    for i in range(0, 100 * 97, 97):
        near.remove(f"art-{i}")  # type: ignore[attr-defined]
    for i, signature in enumerate(extra):
        near.assign_signature(f"new-{i}", signature)  # type: ignore[attr-defined]
    assign = (time.perf_counter() - started) / 200 * 1000
    incremental_save, _ = timed(lambda: near.save(directory))  # type: ignore[attr-defined]
    return {
        "build s": build,
        "state in memory MB": memory,
        "save s": save,
        "file MB": size_mb(directory, "near_duplicates*"),
        "load s": load,
        "load RSS MB": load_rss,
        "remove+assign ms": assign,
        "incremental save s": incremental_save,
    }


def before(count: int, values: np.ndarray, directory: Path) -> dict[str, float]:
    from datasketch import MinHash, MinHashLSH

    permutations = MinHash(num_perm=64, seed=1).permutations
    path = directory / "near_duplicates.pickle"
    gc.collect()
    start_rss = rss_mb()
    state: list = [MinHashLSH(threshold=0.45, num_perm=64), {}]

    def build() -> None:
        for i in range(count):
            signature = MinHash(hashvalues=values[i], permutations=permutations, scheme="affine32")
            state[0].insert(f"art-{i}", signature, check_duplication=False)
            state[1][f"art-{i}"] = f"art-{i}"

    build_s, _ = timed(build)
    memory = rss_mb() - start_rss

    def save() -> None:
        with open(path, "wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)

    save_s, _ = timed(save)
    state.clear()
    gc.collect()
    before_rss = rss_mb()

    def load() -> object:
        with open(path, "rb") as handle:
            return pickle.load(handle)

    load_s, _state = timed(load)
    return {
        "build s": build_s,
        "state in memory MB": memory,
        "save s": save_s,
        "file MB": path.stat().st_size / 1e6,
        "load s": load_s,
        "load RSS MB": rss_mb() - before_rss,
    }


def assign_per_article(directory: Path, limit: int = 2000) -> str:
    from search.ingest import read_articles
    from search.model import Article
    from search.near_duplicates import NearDuplicates

    corpus = SHARED_CORPUS / "dice-gazzetta-modena.jsonl"
    if not corpus.exists():
        return "assign(): shared corpus absent, skipped"
    texts = [a for a in read_articles(corpus, corpus.name) if isinstance(a, Article)][:limit]
    near = NearDuplicates.load(directory)
    seconds, _ = timed(lambda: [near.assign(a.id, a.body) for a in texts])
    return f"assign() on real articles against that state: {1000 * seconds / len(texts):.3f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--before-max", type=int, default=100_000, help="largest size for before")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    import search.near_duplicates  # noqa: F401

    print(f"import search.near_duplicates: {time.perf_counter() - started:.2f} s")
    last: Path | None = None
    work = Path(tempfile.mkdtemp(prefix="near-bench-"))
    try:
        for count in args.sizes:
            values = signatures(count)
            runs = {"after": after}
            if count <= args.before_max:
                runs = {"before": before, "after": after}
            for label, run in runs.items():
                directory = work / f"{label}-{count}"
                directory.mkdir()
                figures = run(count, values, directory)
                shown = ", ".join(f"{k} {v:.2f}" for k, v in figures.items())
                print(f"{count:>9} {label:6}: {shown}", flush=True)
                if label == "after":
                    last = directory
                else:
                    shutil.rmtree(directory)
        if last is not None:
            print(assign_per_article(last))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
