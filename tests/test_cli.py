"""The `archivio` command as a user types it: exact output and exit codes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main
from tests.corpus_facts import (
    NEGOTIATIONS_ID,
    NEGOTIATIONS_SOURCE,
    NEGOTIATIONS_TITLE,
    SAMPLE_ARTICLES,
    SAMPLE_UNDATED,
)
from tests.index_state import live_token

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

WIDE = {"COLUMNS": "100"}


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), env={"COLUMNS": "80"})  # whatever the shell says
    return result.exit_code, result.stdout, result.stderr


def test_reindex_prints_its_summary_and_skipped_files(
    runner: CliRunner, corpus_dir: Path, tmp_path: Path
) -> None:
    index = str(tmp_path / "index")
    code, out, err = run(runner, "reindex", "--corpus", str(corpus_dir), "--index", index)
    assert code == 0
    assert out.startswith("Indicizzazione completa in ")
    assert f"  aggiunti:    {SAMPLE_ARTICLES}\n" in out
    assert "  scartato pagine/cronaca-elenco.html: non è un articolo" in out
    assert f"Articoli nell'indice: {SAMPLE_ARTICLES}\n" in out
    assert "2019/" in err  # plain progress lines when not on a terminal
    code, out, _ = run(runner, "reindex", "--corpus", str(corpus_dir), "--index", index, "--json")
    report = json.loads(out)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, SAMPLE_ARTICLES)


def test_reindex_reads_the_environment(runner: CliRunner, corpus_dir: Path, tmp_path: Path) -> None:
    env = {"ARCHIVIO_CORPUS": str(corpus_dir), "ARCHIVIO_INDEX": str(tmp_path / "i")}
    result = runner.invoke(main, ["reindex"], env=env)
    assert result.exit_code == 0, result.output
    assert live_token(tmp_path / "i") is not None


def test_reindex_of_a_missing_folder_fails_with_a_message(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, _, err = run(
        runner, "reindex", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path)
    )
    assert code == 1
    assert err == f"Errore: la cartella del corpus {tmp_path / 'nope'} non esiste\n"


def test_stats(runner: CliRunner, built_index: Path) -> None:
    code, out, _ = run(runner, "stats", "--index", str(built_index))
    assert code == 0
    assert out.startswith("Articoli: 152 (dal 29/01/2019 al 12/12/2025; senza data: 12)\n")
    data = json.loads(run(runner, "stats", "--index", str(built_index), "--json")[1])
    assert data["articles"] == SAMPLE_ARTICLES
    assert data["first_date"] == "2019-01-29" and data["undated"] == SAMPLE_UNDATED
    assert sum(data["sources"].values()) == SAMPLE_ARTICLES


def test_show_an_article(runner: CliRunner, built_index: Path) -> None:
    code, out, _ = run(runner, "show", NEGOTIATIONS_ID, "--index", str(built_index), "--json")
    assert code == 0
    article = json.loads(out)
    assert article["title"] == NEGOTIATIONS_TITLE
    assert (article["date"], article["author"], article["source"]) == (
        "2025-04-12",
        "Redazione",
        NEGOTIATIONS_SOURCE,
    )
    assert article["url"] == NEGOTIATIONS_ID
    assert "Rustem Umerov" in article["body"]
    result = runner.invoke(main, ["show", NEGOTIATIONS_ID, "--index", str(built_index)], env=WIDE)
    lines = result.stdout.splitlines()
    assert NEGOTIATIONS_TITLE.startswith(lines[0])
    title_lines = next(n for n, line in enumerate(lines) if line.startswith("12/04/2025"))
    assert lines[title_lines] == f"12/04/2025 · Redazione · {NEGOTIATIONS_SOURCE}"
    following = lines[title_lines + 1 : title_lines + 4]
    assert following == [NEGOTIATIONS_ID, f"id: {NEGOTIATIONS_ID}", ""]
    paragraphs = result.stdout.split("\n\n")[1:]
    assert len(paragraphs) > 3  # the body as paragraphs, not one line
    assert all(len(line) <= 100 for line in lines[title_lines + 3 :])  # URLs are not cut


def test_show_unknown_id(runner: CliRunner, built_index: Path) -> None:
    code, _, err = run(runner, "show", "non-esiste", "--index", str(built_index))
    assert (code, err) == (1, "Errore: articolo non trovato: non-esiste\n")


def test_missing_index_says_what_to_do(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "search", "x", "--index", str(tmp_path / "vuoto"))
    assert code == 1
    assert "esegui prima `archivio reindex" in err


def test_search_json_shape(runner: CliRunner, built_index: Path) -> None:
    code, out, _ = run(
        runner, "search", "negoziato", "Umerov", "--index", str(built_index), "--json"
    )
    assert code == 0
    page = json.loads(out)
    assert set(page) >= {
        "query",
        "total",
        "page",
        "pages",
        "elapsed_ms",
        "results",
        "facets",
        "suggestion",
    }
    assert page["query"] == "negoziato Umerov"
    first = page["results"][0]
    assert set(first) == {
        "id",
        "title",
        "date",
        "author",
        "source",
        "url",
        "score",
        "group",
        "place",
        "missing",
        "snippet",
        "similar",
    }
    assert first["id"] == NEGOTIATIONS_ID and first["date"] == "2025-04-12"
    assert "<mark>" in first["snippet"]
    # The year facet counts the results themselves (no copies among these)
    every = json.loads(
        run(
            runner, "search", "negoziato", "Umerov", "--index", str(built_index), "--json", "--all"
        )[1]
    )
    years = Counter(r["date"][:4] for r in every["results"] if r["date"])
    assert {v["value"]: v["count"] for v in page["facets"]["year"]} == years
    assert years["2025"] >= 2


def test_search_plain_output_when_piped(runner: CliRunner, built_index: Path) -> None:
    code, out, _ = run(runner, "search", "Umerov", "--index", str(built_index))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("3 risultati per «Umerov» (")
    assert (
        lines[2] == "1. Aiuti militari, Kiev chiede a Washington tempi certi per le nuove forniture"
    )
    assert lines[3] == "   senza data · Penisola Notizie · id: pna-nd-001"
    assert "\x1b[" not in out and "<mark>" not in out
    details = next(n for n, line in enumerate(lines) if line.startswith("   12/04/2025 · "))
    assert "Umerov" in " ".join(lines[details + 1 :])
    assert all(len(line) <= 80 for n, line in enumerate(lines) if n != details)  # wrapped


def test_search_without_results_and_with_suggestion(runner: CliRunner, built_index: Path) -> None:
    code, out, _ = run(runner, "search", "negozziati", "--index", str(built_index))
    assert code == 0
    assert out == "Nessun risultato per «negozziati».\n\nForse cercavi: negoziati\n"


def test_usage_errors_exit_2_with_the_message_on_stderr(
    runner: CliRunner, built_index: Path
) -> None:
    code, out, err = run(runner, "search", "x", "--from", "31/02/2025", "--index", str(built_index))
    assert (code, out) == (2, "")
    assert err.startswith("Errore: data non valida: 31/02/2025")
    code, _, err = run(runner, "search", "giornale:x", "--index", str(built_index))
    assert code == 2 and "campo sconosciuto: giornale" in err
    code, _, err = run(runner, "search", "x", "--sort", "random", "--index", str(built_index))
    assert code == 2 and "random" in err


def test_paging_and_all(runner: CliRunner, built_index: Path) -> None:
    index = str(built_index)
    data = json.loads(
        run(
            runner,
            "search",
            "di",
            "OR",
            "il",
            "OR",
            "comune",
            "OR",
            "città",
            "--index",
            index,
            "--json",
            "--limit",
            "2",
        )[1]
    )
    assert data["pages"] >= 2
    every = json.loads(
        run(runner, "search", "comune", "OR", "città", "--index", index, "--json", "--all")[1]
    )
    assert every["pages"] == 1
    assert len(every["results"]) == len({r["id"] for r in every["results"]})


def test_related(runner: CliRunner, built_index: Path) -> None:
    code, out, _ = run(runner, "related", NEGOTIATIONS_ID, "--index", str(built_index), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == NEGOTIATIONS_ID
    assert data["results"] and all(r["id"] != NEGOTIATIONS_ID for r in data["results"])
