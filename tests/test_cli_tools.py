"""`archivio trends`, `kwic`, `verify` and `cite`: exact output and exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.archive import Archive
from search.cli import main
from search.indexer import reindex
from search.receipts import read_receipts, receipt_for
from search.results import SearchRequest, count_of
from search.settings import Settings
from tests.corpus_facts import REPO, SAMPLE_CORPUS
from tests.index_state import live_token

pytestmark = pytest.mark.engines

TRENDS = """\
Per anno: articoli trovati e quota sugli articoli pubblicati nel periodo
periodo     articoli           alluvione  "cessate il fuoco"
2020              17            3  17,6%            0   0,0%
2021              15            0   0,0%            0   0,0%
2022              15            0   0,0%            0   0,0%
2023              17            3  17,6%            0   0,0%
2024              28            6  21,4%            0   0,0%
2025              34            3   8,8%            2   5,9%
senza data        12            4  33,3%            0   0,0%
totale           152                  19                   2
«alluvione»: altri 9 articoli che corrispondono solo in parte, non contati
"""
GEDDA = (
    "https://www.italiasettegiorni.it/esteri/"
    "ucraina-nuovo-giro-di-negoziati-a-gedda-trump-putin-e-pronto-a-trattare-81342"
)
TRUCE = (
    "https://www.italiasettegiorni.it/esteri/ucraina-l-europa-chiede-un-cessate-il-fuoco-di-73840"
)
SOURCE = "www.italiasettegiorni.it"
KWIC = f"""\
«"cessate il fuoco"»: 5 occorrenze in 2 articoli
2025-05-12        inaccettabile. «Un cessate il fuoco che permetta al nemico    {SOURCE} · {TRUCE}
2025-04-12   Mosca per arrivare a un cessate il fuoco di almeno trenta giorni,  {SOURCE} · {GEDDA}
2025-05-12        l'Europa chiede un cessate il fuoco di trenta giorni. Mosca   {SOURCE} · {TRUCE}
2025-05-12                        Un cessate il fuoco di trenta giorni, senza   {SOURCE} · {TRUCE}
2025-04-12       a Xi un impegno sul cessate il fuoco, mentre Bruxelles         {SOURCE} · {GEDDA}
"""


def run(runner: CliRunner, index: Path, *args: str) -> object:
    return runner.invoke(main, [*args, "--index", str(index)], env={"COLUMNS": "80"})


def test_trends_prints_a_table_of_counts_and_shares(runner: CliRunner, built_index: Path) -> None:
    result = run(runner, built_index, "trends", "alluvione", '"cessate il fuoco"')
    assert result.exit_code == 0, result.output
    assert result.output == TRENDS


def test_trends_json_adds_up(runner: CliRunner, built_index: Path) -> None:
    result = run(runner, built_index, "trends", "alluvione", "lavori", "--by", "month", "--json")
    data = json.loads(result.output)
    assert data["by"] == "month" and len(data["series"]) == 2
    archive = Archive(built_index)
    for series in data["series"]:
        points = series["points"]
        assert [p["period"] for p in points] == data["periods"]
        assert [p["articles"] for p in points] == data["articles"]
        assert sum(p["matches"] for p in points) + series["undated"] == series["total"]
        assert series["total"] == count_of(archive, SearchRequest(query=series["query"]))[0]
        assert series["receipt"]["articles"] == series["total"]


def test_trends_csv_has_a_row_per_period_and_query_then_the_receipts(
    runner: CliRunner, built_index: Path
) -> None:
    result = run(runner, built_index, "trends", "alluvione", '"gas russo"', "--csv")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["period", "query", "matches", "articles", "share"]
    assert rows[1] == ["2020", "alluvione", "3", "17", "0.176471"]
    assert rows[2] == ["2020", '"gas russo"', "0", "17", "0"]
    assert rows[-3] == ["senza data", '"gas russo"', "0", "12", "0"]
    receipts = read_receipts(result.output)
    assert [(r.query, r.articles) for r in receipts] == [("alluvione", 19), ('"gas russo"', 2)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trends"], "Errore: manca l'argomento RICERCA"),
        (["trends", "a", "--by", "week"], "«week»; valori validi: year, month"),
        (["trends", *"abcdefg"], "Errore: troppe ricerche: al massimo 6 in un grafico"),
        (["kwic", "xyz:abc"], "Errore: campo sconosciuto: xyz"),
        (["kwic", "alluvione", "--width", "5"], "5 è fuori dall'intervallo (da 10 a 200)"),
        (["kwic", "alluvione", "--sort", "middle"], "valori validi: date, left, right"),
    ],
)
def test_usage_errors_exit_with_2(
    runner: CliRunner, built_index: Path, args: list[str], message: str
) -> None:
    result = run(runner, built_index, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_kwic_aligns_every_occurrence(runner: CliRunner, built_index: Path) -> None:
    result = run(
        runner, built_index, "kwic", '"cessate il fuoco"', "--width", "25", "--sort", "right"
    )
    assert result.exit_code == 0, result.output
    assert result.output == KWIC
    columns = {line.index("cessate il fuoco") for line in result.output.splitlines()[1:]}
    assert columns == {37}  # the match in one column


def test_kwic_csv_has_one_row_per_occurrence_then_the_receipt(
    runner: CliRunner, built_index: Path
) -> None:
    result = run(runner, built_index, "kwic", "alluvione", "--csv")
    header, *rows = list(csv.reader(io.StringIO(result.output)))
    assert header == ["id", "date", "source", "title", "field", "left", "match", "right", "url"]
    receipt_row = rows.pop()
    assert receipt_row[0].startswith("# ricevuta Archivio: ")
    counted = json.loads(run(runner, built_index, "kwic", "alluvione", "--json").output)
    assert len(rows) == counted["occurrences"] == len(counted["lines"]) == 27
    assert [r[0] for r in rows] == [line["id"] for line in counted["lines"]]
    (receipt,) = read_receipts(result.output)
    assert receipt.articles == counted["articles"] == 19


def test_verify_confirms_then_refuses_after_a_change(runner: CliRunner, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    reindex(settings)
    export = tmp_path / "alluvione.csv"
    export.write_text(run(runner, settings.index_dir, "kwic", "alluvione", "--csv").output)
    first = live_token(settings.index_dir)

    result = run(runner, settings.index_dir, "verify", str(export))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Ricevuta: «alluvione» · 19 articoli · indice {first} del ")
    assert lines[1] == (
        f"  Confermata: l'indice attuale ({first}, {settings_engine(settings)}) "
        "dà gli stessi 19 articoli, nello stesso ordine."
    )

    (corpus / "nuova.txt").write_text("Alluvione a Bastiglia\n\nUna nuova alluvione.\n")
    reindex(settings)
    second = live_token(settings.index_dir)
    result = run(runner, settings.index_dir, "verify", str(export))
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == (
        f"  NON confermata: l'indice attuale ({second}, {settings_engine(settings)}) "
        "dà un insieme diverso: 20 articoli (erano 19)."
    )


def settings_engine(settings: Settings) -> str:
    return Archive(settings.index_dir).engine


def test_verify_reads_stdin_and_says_when_there_is_no_receipt(
    runner: CliRunner, built_index: Path, tmp_path: Path
) -> None:
    receipt = json.loads(run(runner, built_index, "trends", "alluvione", "--json").output)
    only = json.dumps(receipt["series"][0]["receipt"])
    result = runner.invoke(main, ["verify", "-", "--index", str(built_index)], input=only)
    assert result.exit_code == 0 and "Confermata" in result.output
    plain = tmp_path / "plain.csv"
    plain.write_text('"id"\r\n"a"\r\n')
    result = run(runner, built_index, "verify", str(plain))
    assert result.exit_code == 2
    assert "nessuna ricevuta trovata" in result.output


DROP = object()  # the field left out
NOT_A_TEXT = "dev'essere un testo, non"
NOT_A_COUNT = "dev'essere un numero intero da 0 in su, non"
MALFORMED = [
    ("query", None, f"il campo «query» {NOT_A_TEXT} null"),
    ("query", 123, f"il campo «query» {NOT_A_TEXT} 123"),
    ("query", "x" * 1001, "ricerca troppo lunga: al massimo 1000 caratteri"),
    ("query", DROP, "manca il campo «query»"),
    ("filters", "x", 'il campo «filters» dev\'essere un oggetto JSON {nome: valore}, non "x"'),
    ("filters", {"author": {}}, f"il filtro «author» {NOT_A_TEXT} {{}}"),
    ("filters", {"date_from": 123}, f"il filtro «date_from» {NOT_A_TEXT} 123"),
    ("filters", {"undated": "sì"}, 'il filtro «undated» dev\'essere true o false, non "sì"'),
    ("filters", {"autore": "Rossi"}, "filtro sconosciuto «autore» (validi: date_from, date_to, author, source, place, undated, expand)"),  # noqa: E501
    ("sort", "random", "ordinamento sconosciuto: random. Valori validi: relevance, newest, oldest"),
    ("limit", -5, "il campo «limit» dev'essere null o un numero intero da 0 in su, non -5"),
    ("limit", True, "il campo «limit» dev'essere null o un numero intero da 0 in su, non true"),
    ("kind", "libro", 'il campo «kind» dev\'essere uno tra ricerca, feed, tendenze, concordanza, non "libro"'),  # noqa: E501
    ("partial", "no", 'il campo «partial» dev\'essere true o false, non "no"'),
    ("articles", "many", f'il campo «articles» {NOT_A_COUNT} "many"'),
    ("articles", -1, f"il campo «articles» {NOT_A_COUNT} -1"),
    ("built_at", "not a date", 'il campo «built_at» dev\'essere null o una data e ora ISO 8601 (2025-04-12T08:30:00+00:00), non "not a date"'),  # noqa: E501
    ("built_at", "0001-01-01", 'il campo «built_at» dev\'essere null o una data e ora ISO 8601 (2025-04-12T08:30:00+00:00), non "0001-01-01"'),  # noqa: E501
    ("sha256_set", "abc", 'il campo «sha256_set» dev\'essere 64 cifre esadecimali minuscole, non "abc"'),  # noqa: E501
    ("issued", "2025-13-01", 'il campo «issued» dev\'essere una data ISO 8601 (2025-04-12), non "2025-13-01"'),  # noqa: E501
    ("engine", None, f"il campo «engine» {NOT_A_TEXT} null"),
    ("version", "1", 'il campo «version» dev\'essere un numero intero da 1 in su, non "1"'),
]  # fmt: skip


@pytest.fixture(scope="module")
def valid_receipt(sample_archive: Archive) -> dict[str, object]:
    request = SearchRequest(query="alluvione", source="La Voce del Panaro", date_from="2020")
    with sample_archive.snapshot() as snapshot:
        return receipt_for(sample_archive, snapshot, request).to_json()


@pytest.mark.parametrize(("field", "value", "message"), MALFORMED)
def test_verify_names_what_is_wrong_with_a_malformed_receipt(
    runner: CliRunner,
    built_index: Path,
    tmp_path: Path,
    valid_receipt: dict[str, object],
    field: str,
    value: object,
    message: str,
) -> None:
    receipt = {k: v for k, v in valid_receipt.items() if k != field}
    if value is not DROP:
        receipt[field] = value
    path = tmp_path / "ricevuta.json"
    path.write_text(json.dumps(receipt))
    result = run(runner, built_index, "verify", str(path))
    # 2: not a receipt that can be checked; 1 would say the set changed
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Errore: {path}: ricevuta incompleta o illeggibile: {message}\n"


def test_a_valid_receipt_with_filters_is_still_confirmed(
    runner: CliRunner, built_index: Path, tmp_path: Path, valid_receipt: dict[str, object]
) -> None:
    path = tmp_path / "ricevuta.json"
    path.write_text(json.dumps(valid_receipt))
    result = run(runner, built_index, "verify", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Ricevuta: «alluvione» (dal 2020 · fonte La Voce del Panaro) · "
    )
    assert "  Confermata: " in result.stdout


def test_cite(runner: CliRunner, built_index: Path) -> None:
    result = run(runner, built_index, "cite", "pna-2025-0318-041")
    assert result.output == (
        "Prigionieri, nuovo scambio tra Mosca e Kiev: tornano a casa 175 soldati ucraini, "
        "in «Penisola Notizie», 18 marzo 2025, "
        "https://www.penisolanotizie.it/lanci/pna-2025-0318-041 "
        f"(consultato il {_italian(date.today())}).\n"
    )
    bib = run(runner, built_index, "cite", "pna-2025-0318-041", "--format", "bibtex").output
    assert bib.startswith("@article{penisola2025prigionieri,\n")
    data = json.loads(
        run(runner, built_index, "cite", "pna-2025-0318-041", "--format", "csl-json").output
    )
    assert data[0]["container-title"] == "Penisola Notizie"
    missing = run(runner, built_index, "cite", "nessuno")
    assert missing.exit_code == 1 and "articolo non trovato: nessuno" in missing.output


def _italian(day: date) -> str:
    from search.citations import italian_date

    return italian_date(day)


def readme_examples() -> list[tuple[list[str], str]]:
    """The `archivio trends` and `archivio kwic` examples of the README, with their output."""
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("\n## Strumenti di studio\n", 1)[1].split("\n## ", 1)[0]
    examples = []
    for block in re.findall(r"```console\n(.*?)```", section, re.DOTALL):
        command, _, output = block.partition("\n")
        words = shlex.split(command.removeprefix("$ "))
        if words[1] in ("trends", "kwic") and ">" not in words:
            examples.append((words[1:], output))
    return examples


@pytest.mark.parametrize(("args", "output"), readme_examples())
def test_the_readme_examples_print_what_the_readme_shows(
    runner: CliRunner, built_index: Path, args: list[str], output: str
) -> None:
    result = run(runner, built_index, *args)
    assert result.exit_code == 0 and result.output == output
