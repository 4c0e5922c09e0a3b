"""Near-duplicate groups: the band index gives the groups datasketch's LSH gave, across saves."""

from __future__ import annotations

import os
import re
import zlib
from itertools import islice
from pathlib import Path

import pytest
from datasketch import MinHash, MinHashLSH

from search.analysis import fold
from search.ingest import read_articles
from search.model import Article
from search.near_duplicates import BANDS, NUM_PERM, ROWS, THRESHOLD, NearDuplicates, minhash

CORPUS_FILES = ("dice-gazzetta-modena.jsonl", "facta.jsonl", "wikinews-it.jsonl")


def datasketch_minhash(text: str) -> MinHash | None:
    """The signature as search.near_duplicates computed it with datasketch (schema 5)."""
    words = re.findall(r"\w+", fold(text))
    if len(words) < 25:
        return None
    shingles = {" ".join(words[i : i + 3]).encode("utf-8") for i in range(len(words) - 2)}
    template = MinHash(num_perm=NUM_PERM, seed=1)
    signature = MinHash(
        num_perm=NUM_PERM,
        hashfunc=zlib.crc32,
        permutations=template.permutations,
        scheme=template.scheme,
    )
    signature.update_batch(list(shingles))
    return signature


class DatasketchGroups:
    """The grouping as it was before the band index: datasketch's MinHashLSH in memory."""

    def __init__(self) -> None:
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.groups: dict[str, str] = {}

    def assign(self, article_id: str, text: str) -> str:
        signature = datasketch_minhash(text)
        if signature is None:
            return article_id
        self.remove(article_id)
        candidates = sorted(c for c in self.lsh.query(signature) if c in self.groups)
        group = self.groups[candidates[0]] if candidates else article_id
        self.lsh.insert(article_id, signature, check_duplication=False)
        self.groups[article_id] = group
        return group

    def remove(self, article_id: str) -> None:
        if article_id in self.groups:
            del self.groups[article_id]
            self.lsh.remove(article_id)


def articles(corpus: Path, names: tuple[str, ...], limit: int | None = None) -> list[Article]:
    found = (
        item
        for name in names
        for item in read_articles(corpus / name, name)
        if isinstance(item, Article)
    )
    return list(islice(found, limit))


STORY = (
    "Ieri sera la compagnia dei carabinieri di Carpi ha denunciato nove persone sorprese "
    "all'interno di un appartamento durante i controlli per contenere i contagi; sei di loro "
    "risiedono in città e tre arrivavano da Modena, tutte senza un motivo valido per uscire. "
)


def copy_of(text: str, tail: str) -> str:
    return f"{text} {tail}"


@pytest.mark.medium
def test_signatures_are_datasketchs_minhash(shared_corpus: Path) -> None:
    checked = 0
    for article in articles(shared_corpus, CORPUS_FILES, limit=1500):
        values, expected = minhash(article.body), datasketch_minhash(article.body)
        assert (values is None) == (expected is None), article.id
        if values is not None and expected is not None:
            assert values.tolist() == expected.hashvalues.tolist(), article.id
            checked += 1
    assert checked > 1000


def test_bands_are_those_datasketch_picks_for_the_threshold() -> None:
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (BANDS, ROWS)


def assert_same_groups(corpus: Path, names: tuple[str, ...], limit: int | None) -> None:
    before, after = DatasketchGroups(), NearDuplicates()
    items = articles(corpus, names, limit)
    expected = {a.id: before.assign(a.id, a.body) for a in items}
    found = {a.id: after.assign(a.id, a.body) for a in items}
    assert found == expected
    assert sum(g != i for i, g in found.items()) > 20  # real copies were grouped


@pytest.mark.medium
def test_groups_are_those_of_datasketchs_lsh(shared_corpus: Path) -> None:
    assert_same_groups(shared_corpus, CORPUS_FILES[:1], limit=3000)


@pytest.mark.slow
def test_groups_are_those_of_datasketchs_lsh_on_the_whole_corpus(shared_corpus: Path) -> None:
    assert_same_groups(shared_corpus, CORPUS_FILES, limit=None)


@pytest.mark.medium
def test_incremental_runs_give_the_groups_of_one_run(shared_corpus: Path, tmp_path: Path) -> None:
    items = articles(shared_corpus, CORPUS_FILES[:1], limit=2400)
    batches = [items[:1500], items[1500:2000], items[2000:]]
    removed = [a.id for a in items[::7]]  # deleted or re-indexed articles, early and late
    reference = DatasketchGroups()
    expected = {}
    generation: Path | None = None
    found = {}
    for number, batch in enumerate(batches):
        near = NearDuplicates.load(generation)
        for article_id in removed[number::3]:
            near.remove(article_id)
            reference.remove(article_id)
        for article in batch:
            found[article.id] = near.assign(article.id, article.body)
            expected[article.id] = reference.assign(article.id, article.body)
        generation = tmp_path / f"gen-{number}"
        generation.mkdir()
        near.save(generation)
    assert found == expected
    final = NearDuplicates.load(generation)
    for article in items[:300]:  # re-indexed as they are: the same group as the reference
        assert final.assign(article.id, article.body) == reference.assign(article.id, article.body)


def test_a_removed_article_no_longer_attracts_copies(tmp_path: Path) -> None:
    near = NearDuplicates()
    assert near.assign("a", STORY) == "a"
    near.save(tmp_path)
    near = NearDuplicates.load(tmp_path)
    assert near.assign("b", copy_of(STORY, "Fonte: Ansa.")) == "a"
    near.remove("a")
    near.remove("b")
    assert near.assign("c", copy_of(STORY, "Fonte: Adnkronos.")) == "c"
    near.save(tmp_path)
    near = NearDuplicates.load(tmp_path)
    near.remove("c")
    assert near.assign("d", copy_of(STORY, "Fonte: Agi.")) == "d"


def test_a_group_keeps_its_name_after_its_first_article_is_removed(tmp_path: Path) -> None:
    near = NearDuplicates()
    near.assign("a", STORY)
    near.assign("b", copy_of(STORY, "Fonte: Ansa."))
    near.save(tmp_path)
    near = NearDuplicates.load(tmp_path)
    near.remove("a")
    near.save(tmp_path)
    near = NearDuplicates.load(tmp_path)
    assert near.assign("c", copy_of(STORY, "Fonte: Agi.")) == "a"
    assert near.members("a") == ["b", "c"]


def test_short_texts_are_never_grouped() -> None:
    near = NearDuplicates()
    assert near.assign("a", "Breve notizia di cronaca.") == "a"
    assert near.assign("b", "Breve notizia di cronaca.") == "b"


def test_save_never_writes_into_the_files_of_the_live_generation(tmp_path: Path) -> None:
    live, new = tmp_path / "live", tmp_path / "new"
    live.mkdir()
    new.mkdir()
    near = NearDuplicates()
    near.assign("a", STORY)
    near.save(live)
    before = {p.name: p.read_bytes() for p in live.iterdir()}
    for path in live.iterdir():
        os.link(path, new / path.name)
    near = NearDuplicates.load(new)
    near.assign("b", copy_of(STORY, "Fonte: Ansa."))
    near.save(new)
    assert {p.name: p.read_bytes() for p in live.iterdir()} == before
    assert NearDuplicates.load(live).members("a") == ["a"]
    assert NearDuplicates.load(new).members("a") == ["a", "b"]


def test_a_generation_without_the_index_starts_empty(tmp_path: Path) -> None:
    near = NearDuplicates.load(tmp_path)
    assert near.assign("a", STORY) == "a"
