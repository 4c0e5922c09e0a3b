"""The `archivio` command as a user types it: exact output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from search.cli import main
from tests.corpus_facts import SEED_ID

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
    assert "  aggiunti:    45\n" in out
    assert "  scartato pagine/cronaca-elenco.html: non è un articolo" in out
    assert "Articoli nell'indice: 45\n" in out
    assert "2019/" in err  # plain progress lines when not on a terminal
    code, out, _ = run(runner, "reindex", "--corpus", str(corpus_dir), "--index", index, "--json")
    report = json.loads(out)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 45)


def test_reindex_reads_the_environment(runner: CliRunner, corpus_dir: Path, tmp_path: Path) -> None:
    env = {"ARCHIVIO_CORPUS": str(corpus_dir), "ARCHIVIO_INDEX": str(tmp_path / "i")}
    result = runner.invoke(main, ["reindex"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "i" / "CURRENT").exists()


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
    assert out.startswith("Articoli: 45 (dal 08/02/2019 al 30/09/2025; senza data: 1)\n")
    data = json.loads(run(runner, "stats", "--index", str(built_index), "--json")[1])
    assert data["articles"] == 45
    assert data["first_date"] == "2019-02-08" and data["undated"] == 1
    assert sum(data["sources"].values()) == 45


def test_show_the_seed_article(runner: CliRunner, seed_index: Path) -> None:
    code, out, _ = run(runner, "show", SEED_ID, "--index", str(seed_index), "--json")
    assert code == 0
    article = json.loads(out)
    assert article["title"].startswith("Guerra Russia–Ucraina: segnali di apertura nei negoziati?")
    assert (article["date"], article["author"], article["source"]) == (
        "2025-04-12",
        "Redazione",
        "www.infooggi.it",
    )
    assert article["url"] == SEED_ID
    result = runner.invoke(main, ["show", SEED_ID, "--index", str(seed_index)], env=WIDE)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Guerra Russia–Ucraina: segnali di apertura nei negoziati?")
    assert lines[1] == "12/04/2025 · Redazione · www.infooggi.it"
    assert (lines[2], lines[3], lines[4]) == (SEED_ID, f"id: {SEED_ID}", "")
    paragraphs = result.stdout.split("\n\n")[1:]
    assert len(paragraphs) > 3  # the body as paragraphs, not one line
    assert all(len(line) <= 100 for line in result.stdout.splitlines()[5:])


def test_show_unknown_id(runner: CliRunner, built_index: Path) -> None:
    code, _, err = run(runner, "show", "non-esiste", "--index", str(built_index))
    assert (code, err) == (1, "Errore: articolo non trovato: non-esiste\n")


def test_missing_index_says_what_to_do(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "search", "x", "--index", str(tmp_path / "vuoto"))
    assert code == 1
    assert "esegui prima `archivio reindex" in err


def test_search_json_shape(runner: CliRunner, seed_index: Path) -> None:
    code, out, _ = run(
        runner, "search", "negoziato", "Umerov", "--index", str(seed_index), "--json"
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
    assert first["id"] == SEED_ID and first["date"] == "2025-04-12"
    assert "<mark>" in first["snippet"]
    assert {"value": "2025", "count": 1} in page["facets"]["year"]


def test_search_plain_output_when_piped(runner: CliRunner, seed_index: Path) -> None:
    code, out, _ = run(runner, "search", "Umerov", "--index", str(seed_index))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("1 risultato per «Umerov» (")
    assert lines[2].startswith("1. Guerra Russia–Ucraina")
    assert "\x1b[" not in out and "<mark>" not in out
    details = next(n for n, line in enumerate(lines) if line.startswith("   12/04/2025 · "))
    assert "Umerov" in " ".join(lines[details + 1 :])
    assert all(len(line) <= 80 for n, line in enumerate(lines) if n != details)  # wrapped


def test_search_without_results_and_with_suggestion(runner: CliRunner, seed_index: Path) -> None:
    code, out, _ = run(runner, "search", "negozziati", "--index", str(seed_index))
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


def test_related(runner: CliRunner, seed_index: Path) -> None:
    code, out, _ = run(runner, "related", SEED_ID, "--index", str(seed_index), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == SEED_ID
    assert all(r["id"] != SEED_ID for r in data["results"])
