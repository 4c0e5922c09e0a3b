"""The research tools on the real archive in ../shared/corpus (slow: one full index, ~3 min).

Issue 17's acceptance: `archivio trends covid vaccino --by month --json` adds up against
direct counts; the concordance of "green pass" lists every occurrence, its CSV one row
each; an export's receipt verifies against its index and fails against a changed one.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.archive import Archive
from search.cli import main
from search.indexer import reindex
from search.receipts import read_receipts
from search.results import SearchRequest, count_of, iter_hits
from search.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.engines]

GREEN_PASS = re.compile(r"green\W+pass", re.IGNORECASE)  # the phrase as written, any case


@pytest.fixture(scope="module")
def real(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A private copy of the real corpus (a test adds to it) and its index."""
    root = tmp_path_factory.mktemp("real-tools")
    shutil.copytree(shared_corpus, root / "corpus")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    reindex(settings)
    yield settings


def cli(settings: Settings, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--index", str(settings.index_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def test_trends_of_covid_and_vaccino_by_month_add_up(real: Settings) -> None:
    data = json.loads(cli(real, "trends", "covid", "vaccino", "--by", "month", "--json"))
    archive = Archive(real.index_dir)

    def total(**request: object) -> int:
        return count_of(archive, SearchRequest(**request))[0]  # type: ignore[arg-type]

    assert data["by"] == "month" and [s["query"] for s in data["series"]] == ["covid", "vaccino"]
    assert data["total_articles"] == total()
    assert data["undated_articles"] == total(undated=True)
    for period, articles in zip(data["periods"], data["articles"], strict=True):
        assert articles == total(date_from=period, date_to=period), period
    for series in data["series"]:
        query = series["query"]
        assert series["total"] == total(query=query) > 100
        assert series["undated"] == total(query=query, undated=True)
        points = series["points"]
        assert sum(p["matches"] for p in points) + series["undated"] == series["total"]
        for point in points:
            assert point["matches"] == total(
                query=query, date_from=point["period"], date_to=point["period"]
            ), (query, point)
            assert point["share"] == (
                point["matches"] / point["articles"] if point["articles"] else None
            )
        assert series["receipt"]["articles"] == series["total"]


def test_the_concordance_of_green_pass_lists_every_occurrence(real: Settings) -> None:
    archive = Archive(real.index_dir)
    ids = [hit.id for hit in iter_hits(archive, SearchRequest(query='"green pass"'))]
    written = {
        article_id: len(GREEN_PASS.findall(a.title)) + len(GREEN_PASS.findall(a.body))
        for article_id in ids
        for a in [archive.get(article_id)]
    }
    data = json.loads(cli(real, "kwic", '"green pass"', "--json"))
    per_article: dict[str, int] = {}
    for line in data["lines"]:
        assert GREEN_PASS.fullmatch(line["match"]), line
        per_article[line["id"]] = per_article.get(line["id"], 0) + 1
    assert per_article == written  # every article, every occurrence, each once
    assert data["occurrences"] == sum(written.values()) > 100
    assert data["articles"] == len(ids)

    text = cli(real, "kwic", '"green pass"', "--csv")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[5:8] == ["left", "match", "right"]
    assert rows.pop()[0].startswith("# ricevuta Archivio: ")
    assert len(rows) == data["occurrences"]
    assert [row[0] for row in rows] == [line["id"] for line in data["lines"]]


def test_a_receipt_verifies_against_its_index_and_fails_against_a_changed_one(
    real: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "green-pass.csv"
    export.write_text(cli(real, "kwic", '"green pass"', "--csv"), "utf-8")
    (receipt,) = read_receipts(export.read_text("utf-8"))
    runner = CliRunner()
    verified = runner.invoke(main, ["verify", str(export), "--index", str(real.index_dir)])
    assert verified.exit_code == 0, verified.output
    assert f"dà gli stessi {receipt.articles} articoli, nello stesso ordine" in verified.output

    (real.corpus_dir / "nuovo-green-pass.txt").write_text(
        "Green pass, nuove regole dal lunedì\n\nDa lunedì il green pass serve anche in mensa.\n",
        "utf-8",
    )
    reindex(real)
    refused = runner.invoke(main, ["verify", str(export), "--index", str(real.index_dir)])
    assert refused.exit_code == 1
    assert f"{receipt.articles + 1} articoli (erano {receipt.articles})" in refused.output
