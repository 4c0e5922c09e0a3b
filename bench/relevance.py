"""Relevance evaluation on ../shared/corpus with the judged topics in tests/relevance/.

    python -m bench.relevance [--index DIR] [--engine whoosh|tantivy|postgresql] [--shared DIR]
                              [--set easy|hard|both] [--summary]
                              [--list-unjudged] [--variants]
                              [--compare VARIANT [--threshold 0.05]]

Builds (once, into --index) an index of the three JSONL files and the seed article and runs
the topics of one set or both: `easy` (topics.jsonl, 53 topics, most name a person, place or
event) and `hard` (hard_topics.jsonl, 48 needs written like TREC ad hoc topics: paraphrases,
classes and regions, claims; judged over deep pools). For each set it prints nDCG@10, P@10,
MRR and recall@100, overall and per kind, then one line per topic with nDCG@10, P@10 and the
number of unjudged documents in its top 10 (hard set only: the easy set lists only relevant
ids, so its unjudged documents cannot be told from non-relevant ones); `--list-unjudged`
prints their ids, to be judged with the kit (tests/relevance/README.md) when a change brings
new documents into a top 10.
Near-duplicate collapsing is off here: the judgments list every copy of a story.
`--variants` also tries the variants of `VARIANTS` (title weight, proximity bonus, BM25
parameters, query expansion one technique at a time…), each on both sets: the figures
chose the defaults (see README). `--compare VARIANT` prints one variant against the
defaults per kind and the topics whose nDCG@10 moved by at least `--threshold`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from search.archive import Archive
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "easy": ROOT / "tests" / "relevance" / "topics.jsonl",
    "hard": ROOT / "tests" / "relevance" / "hard_topics.jsonl",
}
TOPICS = SETS["easy"]
SHARED = ROOT.parent / "shared" / "corpus"
FILES = ["wikinews-it.jsonl", "dice-gazzetta-modena.jsonl", "facta.jsonl", "seed"]
DEPTH = 100


@dataclass(frozen=True)
class TopicScore:
    """One topic's figures; `unjudged` is None when the set records only relevant ids."""

    id: str
    kind: str
    query: str
    ndcg10: float
    p10: float
    rr: float
    recall100: float
    unjudged10: int | None
    unjudged_ids: tuple[str, ...] = ()

    def line(self) -> str:
        unjudged = "-" if self.unjudged10 is None else str(self.unjudged10)
        return (
            f"  {self.id:<4} {self.kind:<17} {self.query[:34]:<34} "
            f"nDCG@10 {self.ndcg10:.3f}  P@10 {self.p10:.1f}  unjudged@10 {unjudged}"
        )


@dataclass(frozen=True)
class Scores:
    ndcg10: float
    p10: float
    mrr: float
    recall100: float
    unjudged10: float | None = None

    @classmethod
    def mean(cls, topics: list[TopicScore]) -> Scores:
        n = len(topics)
        unjudged = [t.unjudged10 for t in topics if t.unjudged10 is not None]
        return cls(
            sum(t.ndcg10 for t in topics) / n,
            sum(t.p10 for t in topics) / n,
            sum(t.rr for t in topics) / n,
            sum(t.recall100 for t in topics) / n,
            sum(unjudged) / len(unjudged) if unjudged else None,
        )

    def line(self, name: str) -> str:
        text = (
            f"{name:<42} nDCG@10 {self.ndcg10:.3f}  P@10 {self.p10:.3f}  "
            f"MRR {self.mrr:.3f}  R@100 {self.recall100:.3f}"
        )
        if self.unjudged10 is not None:
            text += f"  unjudged@10 {self.unjudged10:.2f}"
        return text


def load_topics(path: Path = TOPICS) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def build_index(index_dir: Path, engine: str | None = None, shared: Path = SHARED) -> None:
    missing = [name for name in FILES if not (shared / name).exists()]
    if missing:  # an index without them would score 0.000 and look like a measurement
        raise SystemExit(f"{shared}: mancano {', '.join(missing)} (indica --shared CARTELLA)")
    corpus = Path(tempfile.mkdtemp(prefix="archivio-relevance-"))
    try:
        for name in FILES:
            source = shared / name
            target = corpus / name
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                target.symlink_to(source)
        settings = Settings(corpus_dir=corpus, index_dir=index_dir, follow_symlinks_outside=True)
        reindex(settings, engine=engine)  # the links leave the corpus folder: followed
    finally:
        shutil.rmtree(corpus, ignore_errors=True)


def dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(gains))


def score_topic(archive: Archive, topic: dict[str, object]) -> TopicScore:
    relevant: dict[str, int] = topic["relevant"]  # type: ignore[assignment]
    listed: list[str] | None = topic.get("judged")  # type: ignore[assignment]
    judged = None if listed is None else set(listed)
    page = search(archive, SearchRequest(query=str(topic["query"]), limit=DEPTH, collapse=False))
    ranked = [hit.id for hit in page.hits]
    gains = [relevant.get(i, 0) for i in ranked]
    ideal = dcg(sorted(relevant.values(), reverse=True)[:10])
    first = next((r for r, g in enumerate(gains) if g), None)
    return TopicScore(
        id=str(topic["id"]),
        kind=str(topic.get("kind", "")),
        query=str(topic["query"]),
        ndcg10=dcg(gains[:10]) / ideal if ideal else 0.0,
        p10=sum(1 for g in gains[:10] if g) / 10,
        rr=1 / (first + 1) if first is not None else 0.0,
        recall100=sum(1 for g in gains if g) / len(relevant) if relevant else 0.0,
        unjudged10=None if judged is None else sum(1 for i in ranked[:10] if i not in judged),
        unjudged_ids=() if judged is None else tuple(i for i in ranked[:10] if i not in judged),
    )


def evaluate(archive: Archive, topics: list[dict[str, object]]) -> Scores:
    return Scores.mean(score_topics(archive, topics))


def score_topics(archive: Archive, topics: list[dict[str, object]]) -> list[TopicScore]:
    # The archive caches rankings by request: a variant of the defaults must not reuse them.
    archive.cache.clear()
    return [score_topic(archive, topic) for topic in topics]


def compare(
    archive: Archive, name: str, sets: dict[str, list[dict[str, object]]], threshold: float
) -> None:
    """A variant against the defaults: overall, per kind, and the topics that moved."""
    for set_name, topics in sets.items():
        base = score_topics(archive, topics)
        with configured(**VARIANTS[name]):
            other = score_topics(archive, topics)
        print(f"\n== {set_name}: {name} (defaults -> variant)")
        kinds = ["all", *sorted({t.kind for t in base})]
        for kind in kinds:
            a = [t for t in base if kind in ("all", t.kind)]
            b = [t for t in other if kind in ("all", t.kind)]
            before, after = Scores.mean(a), Scores.mean(b)
            print(
                f"  {kind:<18} nDCG@10 {before.ndcg10:.3f} -> {after.ndcg10:.3f} "
                f"({after.ndcg10 - before.ndcg10:+.3f})  P@10 {before.p10:.3f} -> {after.p10:.3f}"
            )
        for a, b in zip(base, other, strict=True):
            if abs(b.ndcg10 - a.ndcg10) >= threshold:
                print(
                    f"    {a.id:<4} {a.query[:34]:<34} {a.ndcg10:.3f} -> {b.ndcg10:.3f} "
                    f"({b.ndcg10 - a.ndcg10:+.3f})"
                )


def report(
    archive: Archive,
    name: str,
    topics: list[dict[str, object]],
    per_topic: bool,
    list_unjudged: bool = False,
) -> None:
    scored = [score_topic(archive, topic) for topic in topics]
    print(f"\n== {name}: {len(topics)} topics")
    print(Scores.mean(scored).line("default"))
    kinds = sorted({t.kind for t in scored})
    for kind in kinds:
        members = [t for t in scored if t.kind == kind]
        print(Scores.mean(members).line(f"  {kind} ({len(members)})"))
    if per_topic:
        for topic in scored:
            print(topic.line())
            if list_unjudged and topic.unjudged_ids:
                print(f"       to judge: {' '.join(topic.unjudged_ids)}")


@contextmanager
def configured(**knobs: object) -> Iterator[None]:
    """Ranking knobs set for one variant: `module.NAME` attributes, put back afterwards."""
    saved = []
    for dotted, value in knobs.items():
        module_name, name = dotted.rsplit(".", 1)
        module = importlib.import_module(module_name)
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)


NONE: frozenset[str] = frozenset()
EXPANSION = "search.query.expansion.DEFAULT_TECHNIQUES"
WEIGHTS = "search.query.expansion.WEIGHTS"
FEEDBACK = "search.expansion_feedback"
RERANK = "search.rerank"
ALL_BUT_RERANK = frozenset({"sinonimi", "luoghi", "retroazione"})
# Variants of the defaults, each measured on both sets (`--variants`): what chose them.
# Query expansion, one technique at a time (`search.query.expansion`), then the others.
VARIANTS: dict[str, dict[str, object]] = {
    "no expansion": {EXPANSION: NONE},
    "only sinonimi": {EXPANSION: frozenset({"sinonimi"})},
    "only luoghi": {EXPANSION: frozenset({"luoghi"})},
    "only retroazione": {EXPANSION: frozenset({"retroazione"})},
    "all but sinonimi": {EXPANSION: frozenset({"luoghi", "retroazione", "riordino"})},
    "all but luoghi": {EXPANSION: frozenset({"sinonimi", "retroazione", "riordino"})},
    "all but retroazione": {EXPANSION: frozenset({"sinonimi", "luoghi", "riordino"})},
    # The re-ranking of the best matches (`search.rerank`), one feature at a time.
    "all but riordino": {EXPANSION: ALL_BUT_RERANK},
    "riordino only vicinanza": {f"{RERANK}.WEIGHTS": {"vicinanza": 0.2}},
    "riordino only attacco": {f"{RERANK}.WEIGHTS": {"attacco": 0.1}},
    "riordino vicinanza 0.4": {f"{RERANK}.WEIGHTS": {"vicinanza": 0.4, "attacco": 0.1}},
    "riordino attacco 0.3": {f"{RERANK}.WEIGHTS": {"vicinanza": 0.2, "attacco": 0.3}},
    "riordino window 8": {f"{RERANK}.WINDOW": 8},
    "riordino lead 60 words": {f"{RERANK}.LEAD_WORDS": 60},
    "riordino first 100": {f"{RERANK}.DEPTH": 100},
    "sinonimi weight 0.3": {WEIGHTS: {"sinonimi": 0.3, "luoghi": 0.3}},
    "sinonimi weight 0.8": {WEIGHTS: {"sinonimi": 0.8, "luoghi": 0.3}},
    "luoghi weight 0.15": {WEIGHTS: {"sinonimi": 0.5, "luoghi": 0.15}},
    "luoghi weight 0.5": {WEIGHTS: {"sinonimi": 0.5, "luoghi": 0.5}},
    "feedback weight 0.15": {f"{FEEDBACK}.FEEDBACK_WEIGHT": 0.15},
    "feedback weight 0.5": {f"{FEEDBACK}.FEEDBACK_WEIGHT": 0.5},
    "feedback from partial matches too": {f"{FEEDBACK}.FROM_STRICT": False},
    "feedback 5 articles": {f"{FEEDBACK}.FEEDBACK_DOCS": 5},
    "feedback 20 words": {f"{FEEDBACK}.FEEDBACK_TERMS": 20},
    "no proximity bonus": {"search.query.plan.PHRASE_BOOST": 0.0},
    "title weight 1": {"search.query.tree.TEXT_FIELDS": (("title", 1.0), ("body", 1.0))},
    "title weight 2.5": {"search.query.tree.TEXT_FIELDS": (("title", 2.5), ("body", 1.0))},
    "bm25 b 0.5": {"search.engines.evaluate.B": 0.5},
    "bm25 k1 0.9": {"search.engines.evaluate.K1": 0.9},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path(tempfile.gettempdir()) / "archivio-rel")
    parser.add_argument("--engine", help="engine of a new evaluation index (default: whoosh)")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the real corpus folder")
    parser.add_argument("--set", choices=["easy", "hard", "both"], default="both")
    parser.add_argument("--summary", action="store_true", help="no per-topic lines")
    parser.add_argument(
        "--list-unjudged", action="store_true", help="print the unjudged ids of each top 10"
    )
    parser.add_argument("--variants", action="store_true")
    parser.add_argument(
        "--compare",
        metavar="VARIANT",
        choices=sorted(VARIANTS),
        help="per-kind and per-topic deltas of one variant against the defaults",
    )
    parser.add_argument(
        "--threshold", type=float, default=0.05, help="smallest per-topic delta printed"
    )
    args = parser.parse_args()
    if not any((args.index / name).exists() for name in ("CURRENT", "postgresql.url")):
        print(f"building the evaluation index in {args.index} …", flush=True)
        build_index(args.index, args.engine, args.shared)
    archive = Archive(args.index)
    names = ["easy", "hard"] if args.set == "both" else [args.set]
    sets = {name: load_topics(SETS[name]) for name in names}
    print(f"{archive.stats().articles} articles")
    if args.compare:
        compare(archive, args.compare, sets, args.threshold)
        return
    for name, topics in sets.items():
        report(archive, name, topics, not args.summary, args.list_unjudged)
    if not args.variants:
        return
    print()
    for name, knobs in VARIANTS.items():
        with configured(**knobs):
            for set_name, topics in sets.items():
                print(evaluate(archive, topics).line(f"{set_name}: {name}"), flush=True)


if __name__ == "__main__":
    main()
