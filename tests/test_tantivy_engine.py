"""What only the Tantivy engine does: long proximity phrases and tokens Tantivy cannot split.

The shared suite (`-m engines`) defines what every engine must do; these tests reach the
Tantivy engine's own paths that the suite's queries never take.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from search.archive import Archive
from search.budget import Deadline
from search.engines.base import IndexDocument
from search.engines.tantivy import TantivyEngine
from search.engines.tantivy import translate as tantivy_translate
from search.engines.tantivy.snapshot import TantivySnapshot as TantivySnapshotClass
from search.indexer import reindex
from search.model import Article
from search.query import tree as t
from search.settings import Settings
from search.store import Manifest
from tests.corpus_facts import SAMPLE_CORPUS


@pytest.fixture(scope="module")
def tantivy_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("tantivy") / "index"
    reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=index_dir), engine="tantivy", full=True)
    return index_dir


def _rows(engine: TantivyEngine, node: t.Node) -> list[int]:
    snapshot = engine.snapshot()
    try:
        return sorted(snapshot.evaluate(node, scored=True, deadline=Deadline(60)).rows.tolist())
    finally:
        snapshot.close()


def test_long_proximity_phrases_checked_on_stored_tokens_match_the_same_articles(
    tantivy_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the spacing limit a phrase is checked on stored tokens: same articles found."""
    engine = TantivyEngine(tantivy_index)
    with Archive(tantivy_index).snapshot() as snapshot:
        first = snapshot.stored([int(snapshot.columns.live_rows()[0])])[0].article
    from search.analysis import index_tokens

    body = [token for token, _, _, _ in index_tokens(first.body)]
    phrases = [
        t.Phrase((body[0], body[2]), t.TEXT_FIELDS, 2),  # a gap of two: found
        t.Phrase((body[0], body[2]), t.TEXT_FIELDS, 1),  # adjacent: maybe not
        t.Phrase((body[2], body[0]), t.TEXT_FIELDS, 3),  # reversed: not by this article
        t.Phrase(tuple(body[0:6:2]), t.BODY, 2),
        t.Phrase(tuple(body[1:5]), t.BODY, 3),
    ]
    spaced = [_rows(engine, node) for node in phrases]
    monkeypatch.setattr(tantivy_translate, "MAX_SPACINGS", 1)
    checked = [_rows(engine, node) for node in phrases]
    assert checked == spaced
    assert spaced[0] and spaced[3] and spaced[4]  # the article's own words are found


def test_tokens_holding_spaces_keep_their_positions(tmp_path: Path) -> None:
    """A token Tantivy's whitespace split would break is indexed with its positions spelled out."""
    engine = TantivyEngine(tmp_path / "index")
    writer = engine.writer(full=True, procs=1, limit_mb=64)
    article = Article(id="a1", title="Titolo", body="corpo")
    odd = IndexDocument(
        row=0,
        article=article,
        group="a1",
        url_key=None,
        text_key="k1",
        title=["titol"],
        body=["porto", "new york", "", "genova"],
        exact=["titolo", "porto"],
    )
    writer.add(odd)
    writer.add(replace(odd, row=1, article=replace(article, id="a2"), text_key="k2"))
    writer.commit(Manifest())  # type: ignore[call-arg]
    assert _rows(engine, t.Term("new york", t.BODY)) == [0, 1]
    # "genova" is at position 3, two after "new york": the empty token kept its place.
    assert _rows(engine, t.Phrase(("new york", "genova"), t.BODY, 2)) == [0, 1]
    assert _rows(engine, t.Phrase(("new york", "genova"), t.BODY, 1)) == []
    assert _rows(engine, t.Phrase(("porto", "new york"), t.BODY, 1)) == [0, 1]


def test_feedback_asked_within_the_matches_ranks_exactly_as_over_the_whole_archive(
    tantivy_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feedback's extra scores, asked only for the main query's rows: the same ranking."""
    import search.results as results

    queries = ["alluvione", "sindaco comune", "comune", "alluvione argine"]
    rescored: list[int] = []
    add_scores = results.add_scores

    def counted(*args: object) -> object:
        rescored.append(1)
        return add_scores(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(results, "add_scores", counted)

    def rankings() -> list[list[tuple[str, float]]]:
        archive = Archive(tantivy_index)
        pages = [results.search(archive, results.SearchRequest(query=q, limit=30)) for q in queries]
        return [[(hit.id, round(hit.score, 4)) for hit in page.hits] for page in pages]

    restricted = rankings()
    assert len(rescored) >= 3  # the feedback re-scored most of these searches
    monkeypatch.setattr(TantivySnapshotClass, "restricts_in_one_pass", False)
    assert rankings() == restricted
