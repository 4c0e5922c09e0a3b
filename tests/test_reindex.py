"""`archivio reindex`: incremental by default, every broken input skipped with its reason."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from search.archive import Archive
from search.engines import open_engine
from search.errors import IndexLockedError, StaleIndexError
from search.indexer import reindex
from search.results import SearchRequest, iter_hits, search
from search.settings import Settings
from search.store import live_generation
from tests.index_state import live_token, rewrite_manifest

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

EXPORT = """# {title}

Data: 3 marzo 2024 | Autore: Carla Neri

---

{body}

---

Articolo scaricato da [www.esempio.it](https://www.esempio.it)

<https://www.esempio.it/{slug}>
"""


def _article(corpus: Path, name: str, title: str, body: str) -> Path:
    path = corpus / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(EXPORT.format(title=title, body=body, slug=path.stem), encoding="utf-8")
    return path


def _ids(index_dir: Path) -> set[str]:
    archive = Archive(index_dir)
    ids = {hit.id for hit in iter_hits(archive, SearchRequest(query=""))}
    archive.close()
    return ids


def test_second_run_adds_and_updates_nothing(corpus_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    first = reindex(settings)
    assert first.full and first.added == first.articles >= 40
    live = live_generation(settings.index_dir)
    second = reindex(settings)
    assert live_generation(settings.index_dir) == live  # nothing to do: no new generation
    assert not second.full
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.articles
    assert second.files_read == 0


def test_add_change_delete_and_rename(corpus_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    reindex(settings)
    before = _ids(settings.index_dir)

    new = _article(corpus_dir, "nuovi/frana.txt", "Frana sulla statale", "Una frana ha " * 30)
    report = reindex(settings)
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    assert _ids(settings.index_dir) == before | {"https://www.esempio.it/frana"}

    _article(corpus_dir, "nuovi/frana.txt", "Frana sulla statale 16", "Riaperta la strada " * 30)
    report = reindex(settings)
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    archive = Archive(settings.index_dir)
    assert archive.get("https://www.esempio.it/frana").title == "Frana sulla statale 16"

    new.rename(corpus_dir / "nuovi" / "frana-statale.txt")
    report = reindex(settings)
    # the URL inside names the article: a renamed file keeps its id and is simply re-read
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert archive.get("https://www.esempio.it/frana").path == "nuovi/frana-statale.txt"

    (corpus_dir / "nuovi" / "frana-statale.txt").unlink()
    report = reindex(settings)
    assert (report.added, report.updated, report.removed) == (0, 0, 1)
    assert _ids(settings.index_dir) == before


def test_touched_but_unchanged_file_is_not_reindexed(corpus_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    reindex(settings)
    some_file = next(corpus_dir.rglob("*.txt"))
    os.utime(some_file, ns=(1, 1))
    report = reindex(settings)
    assert (report.added, report.updated, report.files_read) == (0, 0, 0)


def test_broken_inputs_are_named_with_their_reason(corpus_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    good = reindex(settings).articles
    broken = corpus_dir / "rotti"
    broken.mkdir()
    (broken / "vuoto.txt").write_text("")
    (broken / "immagine.html").write_bytes(b"\x00\x01\x02GIF89a" * 50)
    (broken / "latin.txt").write_bytes(bytes(range(128, 256)) * 4)
    (broken / "righe.jsonl").write_text(
        json.dumps({"id": "ok-1", "title": "Buona", "body": "Una riga valida."}) + "\n{rotta\n"
    )
    (broken / "menu.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    data = gzip.compress(
        b"\n".join(json.dumps({"id": f"z{i}", "body": "x " * 500}).encode() for i in range(300))
    )
    (broken / "tronco.jsonl.gz").write_bytes(data[: len(data) // 2])
    report = reindex(settings)
    reasons = {s.path: s.reason for s in report.skipped}
    assert "vuoto" in reasons["rotti/vuoto.txt"]
    assert "binario" in reasons["rotti/immagine.html"]
    assert "rotti/latin.txt" in reasons
    assert "JSON" in reasons["rotti/righe.jsonl#2"]
    assert "rotti/menu.html" in reasons
    assert "troncato" in reasons["rotti/tronco.jsonl.gz"]
    assert report.articles > good  # the good line and the lines before the damage
    assert "ok-1" in _ids(settings.index_dir)


def test_duplicates_are_indexed_once_and_come_back_when_the_original_goes(
    corpus_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    body = "Il consiglio comunale ha approvato il bilancio. " * 20
    _article(corpus_dir, "a/bilancio.txt", "Bilancio approvato", body)
    copy = corpus_dir / "b" / "bilancio.txt"
    copy.parent.mkdir()
    shutil.copy(corpus_dir / "a" / "bilancio.txt", copy)
    report = reindex(settings)
    assert report.duplicates >= 1
    assert "https://www.esempio.it/bilancio" in _ids(settings.index_dir)
    (corpus_dir / "a" / "bilancio.txt").unlink()
    reindex(settings)
    assert "https://www.esempio.it/bilancio" in _ids(settings.index_dir)


def test_full_rebuild_goes_live_only_when_complete(corpus_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    reindex(settings)
    live = live_token(settings.index_dir)
    report = reindex(settings, full=True)
    assert report.full
    assert live_token(settings.index_dir) != live
    assert _ids(settings.index_dir)


def test_index_of_another_version_asks_for_a_full_reindex(corpus_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    reindex(settings)
    rewrite_manifest(settings.index_dir, lambda data: data.update(version="archivio-0/it-0"))
    with pytest.raises(StaleIndexError, match="--full"):
        Archive(settings.index_dir)
    with pytest.raises(StaleIndexError, match="--full"):
        reindex(settings)
    assert reindex(settings, full=True).full
    Archive(settings.index_dir)


def test_a_second_writer_is_refused_with_a_clear_message(corpus_dir: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    holder = open_engine(settings.index_dir).writer(full=False, procs=1, limit_mb=64)
    try:
        with pytest.raises(IndexLockedError, match="attendi"):
            reindex(settings)
    finally:
        holder.cancel()
    reindex(settings)  # the lock went with its holder


def test_an_added_article_without_author_or_source_is_searchable(
    corpus_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    reindex(settings)
    (corpus_dir / "breve.jsonl").write_text(
        json.dumps({"id": "n1", "title": "Zibaldone", "body": "x"})
    )
    reindex(settings)
    page = search(Archive(settings.index_dir), SearchRequest(query="zibaldone"))
    assert [h.id for h in page.hits] == ["n1"]
    assert page.facets["author"].values == ()  # no author: nothing to count, no crash


def test_a_corpus_without_articles_gives_an_empty_index_that_answers(tmp_path: Path) -> None:
    """Only broken files (or none at all): an empty index, not a crash; articles come later."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rotto.jsonl").write_text('{"title": "senza fine\n', encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = reindex(settings)
    assert (report.articles, len(report.skipped)) == (0, 1)
    archive = Archive(settings.index_dir)
    assert search(archive, SearchRequest(query="porto")).total == 0
    archive.close()
    _article(corpus, "porto.md", "Il porto riapre", "Il porto di Ravenna riapre dopo i lavori.")
    assert reindex(settings).added == 1
    assert _ids(settings.index_dir) == {"https://www.esempio.it/porto"}


def test_a_corpus_emptied_later_leaves_an_empty_index(corpus_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "da-svuotare"
    shutil.copytree(corpus_dir, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    assert reindex(settings).articles >= 40
    for path in list(corpus.iterdir()):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    report = reindex(settings)
    assert report.removed >= 40
    assert _ids(settings.index_dir) == set()
    assert reindex(settings, full=True).articles == 0
    assert _ids(settings.index_dir) == set()


def test_words_of_deleted_articles_are_neither_suggested_nor_expanded(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """An engine may keep the words of deleted articles in its files until it merges them:
    suggestions, patterns and fuzzy words must offer only words that still find articles."""
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    gone = "Lo zampognaro e le zampognate di Natale suonano in piazza. " * 5
    _article(corpus_dir, "natale/zampognaro.txt", "Arriva lo zampognaro", gone)
    kept = "La zampogna e le zampognate tornano al museo della musica. " * 5
    _article(corpus_dir, "natale/museo.txt", "Una zampogna al museo", kept)
    reindex(settings)
    archive = Archive(settings.index_dir)
    assert search(archive, SearchRequest(query="zampognari")).suggestion == "zampognaro"
    archive.close()

    (corpus_dir / "natale" / "zampognaro.txt").unlink()
    assert reindex(settings).removed == 1
    archive = Archive(settings.index_dir)
    for typed in ("zampognari", "zampognaro", "zampognsro"):
        suggestion = search(archive, SearchRequest(query=typed)).suggestion
        assert suggestion != "zampognaro"
        assert suggestion is None or search(archive, SearchRequest(query=suggestion)).total > 0
    assert search(archive, SearchRequest(query="zampogn*")).total == 1
    with archive.snapshot() as snapshot:
        expansion = snapshot.vocabulary("exact", prefix="zampogn", limit=10, scan_limit=1000)
        assert expansion.words == (("zampogna", 1), ("zampognate", 1))
        assert expansion.found == 2
        assert snapshot.doc_frequency("exact", "zampognaro") == 0
        assert snapshot.doc_frequency("exact", "zampognate") == 1
        fuzzy = snapshot.vocabulary(
            "exact", prefix="z", fuzzy=("zampognari", 1), limit=10, scan_limit=1000
        )
        assert fuzzy.words == ()
        pattern = snapshot.vocabulary(
            "exact", prefix="zampogn", pattern="zampogn.r.", limit=10, scan_limit=1000
        )
        assert pattern.words == ()
    archive.close()


def test_a_rebuild_with_helper_processes_gives_the_same_index(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """Articles prepared in helper processes (a large rebuild) come back in reading order:
    the same rows, groups, copies, counts and ranking as a rebuild without helpers."""
    for copy in range(3):  # copies and near-copies: groups and duplicates must agree too
        shutil.copytree(corpus_dir / "2023", corpus_dir / f"copia-{copy}", dirs_exist_ok=True)
    results = []
    for procs in (1, 2):
        index = tmp_path / f"index-{procs}"
        report = reindex(Settings(corpus_dir=corpus_dir, index_dir=index, procs=procs), full=True)
        archive = Archive(index)
        listed = [
            [(hit.id, round(hit.score or 0.0, 6), hit.similar) for hit in page.hits]
            for page in (
                search(archive, SearchRequest(query=query, limit=50))
                for query in ("alluvione", "Modena alluvione", "sindaco -Bologna", "")
            )
        ]
        archive.close()
        results.append((report.articles, report.duplicates, len(report.skipped), listed))
    assert results[0] == results[1]
    assert results[0][1] > 0  # the copies were met and skipped as such
