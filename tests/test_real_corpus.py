"""The whole real archive in ../shared/corpus, as the issue's acceptance asks (slow: ~2 min)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search.archive import Archive
from search.indexer import reindex
from search.settings import Settings
from tests.corpus_facts import SEED_ID

pytestmark = [pytest.mark.slow, pytest.mark.engines]


def test_reindex_of_the_real_archive(shared_corpus: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(shared_corpus, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = reindex(settings)
    # 12,436 JSONL lines less exact duplicates and one empty record, the seed, 5 article pages
    assert 12_400 <= report.articles <= 12_436
    skipped = {s.path for s in report.skipped}
    assert sum(p.startswith("html/listing_pages/") for p in skipped) == 13
    assert not any(p.startswith("html/trafilatura") or p.startswith("html/dtk") for p in skipped)
    assert Archive(settings.index_dir).get(SEED_ID).author == "Redazione"

    again = reindex(settings)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)

    (corpus / "wikinews-it.jsonl").unlink()
    after_delete = reindex(settings)
    assert after_delete.removed == 976
