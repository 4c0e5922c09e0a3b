"""Queries mean what they say, on every index shape: a differential test.

Thousands of generated queries (words, phrases, proximity, AND/OR/NOT/E/O/NON, + and -,
fields, prefixes, fuzzy words, exact forms, dates, parentheses) run on indexes of several
segments with deleted and replaced articles; the articles each one finds must be exactly
those a brute-force reading of every article finds (`tests/reference_search.py`).
"""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from search.analysis import surface_tokens
from search.archive import Archive
from search.budget import QueryBudget
from search.errors import QueryError
from search.indexer import reindex
from search.results import SearchRequest, iter_hits, search
from search.settings import Settings
from tests.corpus_facts import SAMPLE_CORPUS
from tests.reference_search import Doc, partial_ids, strict_ids

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

TODAY = date(2026, 1, 15)
# Patterns may stand for many words here: the reference knows no budget.
GENEROUS = QueryBudget(max_expansions=100_000, max_expanded_terms=1_000_000, max_clauses=1000)
QUERIES = 1500


def build_in_steps(corpus: Path, index_dir: Path, steps: int = 3) -> None:
    """An index of several segments, with articles deleted and replaced along the way."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    live = index_dir.parent / "live-corpus"
    live.mkdir()
    for step in range(steps):
        for path in files[step::steps]:
            target = live / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        reindex(Settings(corpus_dir=live, index_dir=index_dir, procs=1))
    # A deletion and a replacement: segments with deleted documents.
    texts = [p for p in live.rglob("*.txt")]
    texts[0].unlink()
    changed = texts[1]
    changed.write_text(
        changed.read_text("utf-8") + "\n\nAggiunta: una frase nuova sul porto.\n", "utf-8"
    )
    reindex(Settings(corpus_dir=live, index_dir=index_dir, procs=1))


@pytest.fixture(scope="module")
def stepped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Archive, list[Doc]]:
    index_dir = tmp_path_factory.mktemp("stepped") / "index"
    build_in_steps(SAMPLE_CORPUS, index_dir)
    archive = Archive(index_dir, budget=GENEROUS)
    everything = list(iter_hits(archive, SearchRequest(query="", limit=100)))
    docs = [Doc.of(archive.get(hit.id)) for hit in everything]
    return archive, docs


def test_the_stepped_index_has_several_segments_and_deletions(
    stepped: tuple[Archive, list[Doc]], engine: str
) -> None:
    archive, docs = stepped
    with archive.snapshot() as snapshot:
        assert len(docs) == snapshot.doc_count()
        if engine == "whoosh":  # the shape this test exists for: Whoosh's own segments
            reader = snapshot._reader  # type: ignore[attr-defined]
            assert len(reader.leaf_readers()) >= 2
            assert reader.has_deletions()
        if engine == "tantivy":  # several segments (one per run until Tantivy merges them)
            searcher = snapshot._searcher  # type: ignore[attr-defined]
            assert searcher.num_segments >= 2
            assert snapshot.engine_doc_count() == len(docs)  # type: ignore[attr-defined]


class QueryGenerator:
    """Random queries in the whole syntax, from the words the articles really hold."""

    def __init__(self, docs: list[Doc], texts: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = sorted({w for d in docs for w in d.surfaces if len(w) > 2 and not w.isdigit()})
        self.texts = texts
        self.names = {
            field: sorted({w for d in docs for w in d.names[field] if len(w) > 2})
            for field in ("author", "source", "place")
        }

    def query(self) -> str:
        count = self.rng.choice([1, 1, 2, 2, 3, 4])
        return " ".join(self.clause(depth=0) for _ in range(count))

    def clause(self, depth: int) -> str:
        rng = self.rng
        kind = rng.choice(
            ["word"] * 6
            + ["phrase", "near", "field", "name", "prefix", "fuzzy", "exact", "date"]
            + (["and", "or", "not", "must", "minus", "group"] if depth < 2 else [])
        )
        match kind:
            case "word":
                return self.word()
            case "phrase" | "near":
                words = self.window(rng.choice([2, 2, 3]))
                tail = f"~{rng.choice([1, 2, 3, 5, 20])}" if kind == "near" else ""
                return f'"{" ".join(words)}"{tail}'
            case "field":
                return rng.choice(["titolo:", "title:", "testo:", "body:"]) + self.word()
            case "name":
                field = rng.choice(["author", "source", "place"])
                pool = self.names[field] or self.words
                alias = {"author": "autore:", "source": "fonte:", "place": "luogo:"}[field]
                return alias + rng.choice(pool)
            case "prefix":
                word = self.word()
                return word[: rng.randint(2, min(5, len(word)))] + "*"
            case "fuzzy":
                word = list(self.word())
                at = rng.randrange(1, len(word))
                word[at] = rng.choice("aeiourstnlc")
                return "".join(word) + rng.choice(["~", "~1", "~2"])
            case "exact":
                return "=" + self.word()
            case "date":
                year = rng.randint(2018, 2026)
                return rng.choice(
                    [
                        f"data:{year}",
                        f"data:{year}..{year + 1}",
                        'data:"senza data"',
                        f"data:{year}-0{rng.randint(1, 9)}",
                    ]
                )
            case "and" | "or":
                joint = rng.choice(["AND", "E"] if kind == "and" else ["OR", "O"])
                return f"{self.clause(depth + 1)} {joint} {self.clause(depth + 1)}"
            case "not":
                return f"{rng.choice(['NOT', 'NON'])} {self.clause(depth + 1)}"
            case "must":
                return "+" + self.atom(depth)
            case "minus":
                return "-" + self.atom(depth)
            case _:
                return (
                    "(" + " ".join(self.clause(depth + 1) for _ in range(rng.randint(1, 3))) + ")"
                )

    def atom(self, depth: int) -> str:
        return self.word() if self.rng.random() < 0.7 else "(" + self.clause(depth + 1) + ")"

    def word(self) -> str:
        return self.rng.choice(self.words)

    def window(self, size: int) -> list[str]:
        for _ in range(20):
            words = [w for w, _, _, _ in surface_tokens(self.rng.choice(self.texts))]
            if len(words) >= size:
                start = self.rng.randrange(len(words) - size + 1)
                return words[start : start + size]
        return [self.word() for _ in range(size)]


def _check(archive: Archive, docs: list[Doc], query: str) -> None:
    request = SearchRequest(query=query, limit=100, today=TODAY)
    try:
        page = search(archive, request)
    except QueryError as error:
        pytest.fail(f"{query!r} raised {error}")
    expected = strict_ids(query, docs, TODAY)
    assert page.total == len(expected), query
    found = {hit.id for hit in iter_hits(archive, request)} if page.total else set()
    assert found == expected, query
    # Query expansion adds partial matches (never strict ones): the reference knows the
    # words as written only.
    words_only = search(archive, replace(request, expand=False))
    assert words_only.total == page.total, query
    assert words_only.partial == len(partial_ids(query, docs, TODAY)), query


def test_generated_queries_find_what_the_reference_finds(
    stepped: tuple[Archive, list[Doc]],
) -> None:
    archive, docs = stepped
    texts = [archive.get(d.id).body for d in docs]
    generator = QueryGenerator(docs, texts, seed=20261204)
    for _ in range(QUERIES):
        _check(archive, docs, generator.query())


@pytest.mark.parametrize(
    "query",
    [
        "Umerov -Trump",
        "alluvione -Romagna",
        "sindaco comune",
        "+alluvione Romagna",
        "(Putin OR Xi) AND Macron",
        '"cessate il fuoco"',
        "a OR b c",
        "NOT alluvione",
        "Vitamina E",
        "comune AND",
        "titolo:(sindaco comune)",
        "negozi* -negozio",
        "data:2023 OR alluvione",
        '-data:"senza data" porto',
        "comune titolo:-sindaco",
        "comune titolo:+sindaco porto",
        'titolo:-"cessate il fuoco" Umerov',
        "data:-2024 porto",
        '"gas russo"~10000',
    ],
)
def test_written_queries_find_what_the_reference_finds(
    stepped: tuple[Archive, list[Doc]], query: str
) -> None:
    archive, docs = stepped
    _check(archive, docs, query)
