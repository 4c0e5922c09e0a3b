"""Relevance evaluation on ../shared/corpus with the judged topics in tests/relevance/.

    python -m bench.relevance [--index DIR] [--variants]

Builds (once, into --index) an index of the three JSONL files and the seed article, runs
every topic and prints nDCG@10, P@10, MRR and recall@100, one line per configuration.
Near-duplicate collapsing is off here: the judgments list every copy of a story.
`--variants` also tries the other default operators, title weights and proximity boosts;
the figures chose the defaults in `search/query.py` (see README).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from search import query as query_module
from search.archive import Archive
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ROOT / "tests" / "relevance" / "topics.jsonl"
SHARED = ROOT.parent / "shared" / "corpus"
FILES = ["wikinews-it.jsonl", "dice-gazzetta-modena.jsonl", "facta.jsonl", "seed"]


@dataclass(frozen=True)
class Scores:
    ndcg10: float
    p10: float
    mrr: float
    recall100: float

    def line(self, name: str) -> str:
        return (
            f"{name:<42} nDCG@10 {self.ndcg10:.3f}  P@10 {self.p10:.3f}  "
            f"MRR {self.mrr:.3f}  R@100 {self.recall100:.3f}"
        )


def load_topics() -> list[dict[str, object]]:
    return [json.loads(line) for line in TOPICS.read_text(encoding="utf-8").splitlines() if line]


def build_index(index_dir: Path) -> None:
    corpus = Path(tempfile.mkdtemp(prefix="archivio-relevance-"))
    try:
        for name in FILES:
            source = SHARED / name
            target = corpus / name
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                target.symlink_to(source)
        reindex(Settings(corpus_dir=corpus, index_dir=index_dir))
    finally:
        shutil.rmtree(corpus, ignore_errors=True)


def evaluate(archive: Archive, topics: list[dict[str, object]]) -> Scores:
    totals = [0.0, 0.0, 0.0, 0.0]
    for topic in topics:
        judged: dict[str, int] = topic["relevant"]  # type: ignore[assignment]
        page = search(archive, SearchRequest(query=str(topic["query"]), limit=100, collapse=False))
        ranked = [hit.id for hit in page.hits]
        gains = [judged.get(i, 0) for i in ranked]
        ideal = sorted(judged.values(), reverse=True)
        dcg = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(gains[:10]))
        idcg = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(ideal[:10]))
        totals[0] += dcg / idcg if idcg else 0.0
        totals[1] += sum(1 for g in gains[:10] if g) / 10
        first = next((r for r, g in enumerate(gains) if g), None)
        totals[2] += 1 / (first + 1) if first is not None else 0.0
        totals[3] += sum(1 for g in gains if g) / len(judged)
    n = len(topics)
    return Scores(*(t / n for t in totals))


@contextmanager
def configured(
    group: str, title_boost: float, phrase_boost: float, coordination: float
) -> Iterator[None]:
    saved = (
        query_module.DEFAULT_GROUP,
        dict(query_module.FIELD_BOOSTS),
        query_module.PHRASE_BOOST,
        query_module.COORDINATION,
    )
    query_module.DEFAULT_GROUP = group
    query_module.COORDINATION = coordination
    query_module.FIELD_BOOSTS["title"] = title_boost
    query_module.PHRASE_BOOST = phrase_boost
    query_module._parser.cache_clear()
    try:
        yield
    finally:
        query_module.DEFAULT_GROUP = saved[0]
        query_module.FIELD_BOOSTS.clear()
        query_module.FIELD_BOOSTS.update(saved[1])
        query_module.PHRASE_BOOST = saved[2]
        query_module.COORDINATION = saved[3]
        query_module._parser.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path(tempfile.gettempdir()) / "archivio-rel")
    parser.add_argument("--variants", action="store_true")
    args = parser.parse_args()
    if not (args.index / "CURRENT").exists():
        print(f"building the evaluation index in {args.index} …", flush=True)
        build_index(args.index)
    archive = Archive(args.index)
    topics = load_topics()
    print(f"{len(topics)} topics, {archive.stats().articles} articles")
    print(evaluate(archive, topics).line("default"))
    if not args.variants:
        return
    for group in ("and", "or", "mm-n-1", "mm-half"):
        for title_boost in (1.0, 1.5, 2.5):
            for phrase_boost in (0.0, 2.0):
                for coordination in (0.0, 0.5, 1.0):
                    if group in ("and", "or") and coordination:
                        continue
                    with configured(group, title_boost, phrase_boost, coordination):
                        name = f"{group} title×{title_boost} near×{phrase_boost} all×{coordination}"
                        print(evaluate(archive, topics).line(name), flush=True)


if __name__ == "__main__":
    main()
