"""The hard relevance set is consistent: what it judges, what it pooled, what it grades."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.relevance import SETS, Scores, TopicScore, dcg, load_topics
from tests.corpus_facts import SHARED_CORPUS

HERE = Path(__file__).resolve().parent
KINDS = {"paraphrase", "class", "claim", "topical"}
TOPICS = load_topics(SETS["hard"])
POOLS = {p["id"]: p for p in load_topics(HERE / "hard_pools.jsonl")}


def test_the_hard_set_has_at_least_forty_topics_each_with_a_narrative() -> None:
    assert len(TOPICS) >= 40
    assert len({t["id"] for t in TOPICS}) == len(TOPICS)
    for topic in TOPICS:
        assert topic["kind"] in KINDS, topic["id"]
        assert "Grado 2" in str(topic["narrative"]), topic["id"]
        assert 2 <= len(str(topic["query"]).split()) <= 6, topic["id"]


@pytest.mark.parametrize("topic", TOPICS, ids=[str(t["id"]) for t in TOPICS])
def test_a_judged_topic_grades_its_whole_pool(topic: dict) -> None:
    pool = POOLS[topic["id"]]["pool"]
    if not topic["judged"]:
        pytest.skip("not judged yet (see tests/relevance/README.md)")
    # Documents judged later (new rankings' top 10s) may be added beyond the pool.
    assert set(pool) <= set(topic["judged"])
    assert set(topic["relevant"]) <= set(topic["judged"])
    assert set(topic["relevant"].values()) <= {1, 2}
    assert len(topic["relevant"]) >= 5


def test_every_pool_was_built_from_at_least_three_rankings_of_depth_twenty() -> None:
    for entry in POOLS.values():
        runs = {run for sources in entry["pool"].values() for run in sources}
        assert {"archivio", "or-bm25", "prf"} <= runs, entry["id"]
        assert any(run.startswith("expanded-") for run in runs), entry["id"]
        assert entry["depth"] == 20


def test_the_pools_hold_article_ids_only() -> None:
    text = (HERE / "hard_pools.jsonl").read_text(encoding="utf-8")
    assert "body" not in text and "title" not in text


def test_every_judged_id_is_an_article_of_the_shared_corpus() -> None:
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent (only CI and the team have the real data)")
    ids = set()
    for name in ("wikinews-it.jsonl", "dice-gazzetta-modena.jsonl", "facta.jsonl"):
        with open(SHARED_CORPUS / name, encoding="utf-8") as lines:
            ids.update(json.loads(line)["id"] for line in lines)
    judged = {i for topic in TOPICS for i in topic["judged"]}
    assert judged and judged <= ids


def test_ndcg_is_one_for_the_ideal_order_and_less_for_any_other() -> None:
    ideal = dcg([2, 2, 1])
    assert dcg([2, 2, 1]) / ideal == 1.0
    assert dcg([1, 2, 2]) / ideal < 1.0
    assert dcg([0, 2, 2, 1]) / ideal < 1.0


def test_unjudged_documents_are_averaged_only_over_sets_that_record_them() -> None:
    hard = TopicScore("H01", "class", "q", 1.0, 1.0, 1.0, 1.0, unjudged10=3)
    easy = TopicScore("T01", "phrase", "q", 0.0, 0.0, 0.0, 0.0, unjudged10=None)
    assert Scores.mean([hard, hard]).unjudged10 == 3
    assert Scores.mean([easy]).unjudged10 is None
    assert "unjudged" not in Scores.mean([easy]).line("easy")
