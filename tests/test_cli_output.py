"""The CLI as a terminal shows it: exact output, Italian help and errors, plurals, wrapping,
highlights, no escape sequence from the archive, odd ids and bytes, `-Trump` words."""

from __future__ import annotations

import io
import json
import re
from functools import partial
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from tqdm import tqdm

from search.cli import _Progress, main
from search.cli_output import count, terminal_width
from search.indexer import reindex
from search.settings import Settings
from tests.hostile_outputs import FOREIGN_ESCAPE, ODD_IDS, OSC_TITLE
from tests.index_state import live_token

pytestmark = pytest.mark.engines  # the shared engine suite: runs on every engine

pytest_plugins = ["tests.web_fixtures"]

BODY = (
    "Il sindaco di Borgoratto ha chiesto aiuto alla regione dopo l'alluvione che ha colpito "
    "il centro storico nella notte tra sabato e domenica. Le strade sono ancora invase dal "
    "fango e decine di famiglie hanno lasciato le loro case.\n\n"
    "La protezione civile ha aperto un centro di accoglienza nella palestra comunale. "
    "Secondo i primi calcoli i danni superano i due milioni di euro."
)
RECORDS = [
    {
        "id": "alluvione-1",
        "title": "Alluvione a Borgoratto, il sindaco chiede aiuto alla regione per i danni "
        "del fango",
        "body": BODY,
        "date": "2024-03-02",
        "author": "Mario Rossi",
        "source": "Cronache di Borgoratto",
    },
    {  # a near-duplicate in another source: one copy, one "articolo simile"
        "id": "alluvione-2",
        "title": "Borgoratto, il sindaco chiede aiuto alla regione dopo l'alluvione",
        "body": BODY.replace("decine di famiglie", "molte famiglie"),
        "date": "2024-03-03",
        "author": "Redazione",
        "source": "Gazzetta del Volturno",
    },
]
SGR = re.compile(r"\x1b\[[0-9;]*m")
ELAPSED = re.compile(r"\(\d+ ms\)")


@pytest.fixture(scope="module")
def flood_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("alluvione-corpus")
    (corpus / "jsonl").mkdir()
    lines = [json.dumps(record, ensure_ascii=False) for record in RECORDS]
    (corpus / "jsonl" / "alluvione.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return corpus


@pytest.fixture(scope="module")
def flood_index(flood_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("alluvione-index")
    reindex(Settings(corpus_dir=flood_corpus, index_dir=index_dir))
    return index_dir


def invoke(runner: CliRunner, *args: str, columns: int = 60, color: bool = False) -> Result:
    env = {"COLUMNS": str(columns)}
    return runner.invoke(main, list(args), env=env, color=color, prog_name="archivio")


# -- Exact output -------------------------------------------------------------------------


def test_search_counts_wraps_and_collapses_copies(runner: CliRunner, flood_index: Path) -> None:
    result = invoke(runner, "search", "alluvione", "--index", str(flood_index))
    assert result.exit_code == 0
    assert ELAPSED.sub("(N ms)", result.stdout) == (
        "2 risultati per «alluvione» (N ms) · pagina 1 di 1\n"
        "\n"
        "1. Borgoratto, il sindaco chiede aiuto alla regione dopo\n"
        "   l'alluvione\n"
        "   03/03/2024 · Redazione · Gazzetta del Volturno · id: alluvione-2\n"
        "   …sindaco di Borgoratto ha chiesto aiuto alla regione dopo\n"
        "   l'alluvione che ha colpito il centro storico nella notte\n"
        "   tra sabato e domenica. Le strade sono ancora invase dal\n"
        "   fango e molte famiglie hanno lasciato le loro case. La\n"
        "   protezione…\n"
        "   (+1 articolo simile)\n"
    )


def test_one_result_is_singular(runner: CliRunner, flood_index: Path) -> None:
    result = invoke(runner, "search", "decine", "--index", str(flood_index))
    assert ELAPSED.sub("(N ms)", result.stdout.splitlines()[0]) == (
        "1 risultato per «decine» (N ms) · pagina 1 di 1"
    )


def test_related_says_one_copy(runner: CliRunner, flood_index: Path) -> None:
    result = invoke(runner, "related", "alluvione-1", "--index", str(flood_index))
    assert result.stdout == (
        "Stessa notizia (1 copia):\n"
        "  - Borgoratto, il sindaco chiede aiuto alla regione dopo l'alluvione · 03/03/2024 · "
        "Redazione · Gazzetta del Volturno · id: alluvione-2\n"
        "Nessun articolo correlato.\n"
    )


SHOWN = (
    "Alluvione a Borgoratto, il sindaco chiede aiuto alla regione\n"
    "per i danni del fango\n"
    "02/03/2024 · Mario Rossi · Cronache di Borgoratto\n"
    "id: alluvione-1\n"
    "{matches}"
    "\n"
    "Il sindaco di Borgoratto ha chiesto aiuto alla regione dopo\n"
    "l'alluvione che ha colpito il centro storico nella notte tra\n"
    "sabato e domenica. Le strade sono ancora invase dal fango e\n"
    "decine di famiglie hanno lasciato le loro case.\n"
    "\n"
    "La protezione civile ha aperto un centro di accoglienza\n"
    "nella palestra comunale. Secondo i primi calcoli i danni\n"
    "superano i due milioni di euro.\n"
)


def test_show_prints_paragraphs_wrapped(runner: CliRunner, flood_index: Path) -> None:
    result = invoke(runner, "show", "alluvione-1", "--index", str(flood_index))
    assert (result.exit_code, result.stdout) == (0, SHOWN.format(matches=""))


def test_show_query_marks_the_words(runner: CliRunner, flood_index: Path) -> None:
    args = ("show", "alluvione-1", "-q", "sindaco alluvione", "--index", str(flood_index))
    plain = invoke(runner, *args)
    assert plain.stdout == SHOWN.format(matches="4 occorrenze di «sindaco alluvione»\n")
    coloured = invoke(runner, *args, color=True)
    assert SGR.sub("", coloured.stdout) == plain.stdout  # the same text, with styles
    marked = re.findall(r"\x1b\[33m\x1b\[1m(.*?)\x1b\[0m", coloured.stdout)
    assert [word.lower() for word in marked] == ["alluvione", "sindaco", "sindaco", "alluvione"]
    none = invoke(runner, "show", "alluvione-1", "--query", "zanzare", "--index", str(flood_index))
    assert none.stdout.splitlines()[4] == "Le parole di «zanzare» non compaiono nel testo."


def test_search_marks_in_colour_only_on_a_terminal(runner: CliRunner, flood_index: Path) -> None:
    coloured = invoke(runner, "search", "palestra", "--index", str(flood_index), color=True)
    assert "\x1b[33m\x1b[1mpalestra\x1b[0m" in coloured.stdout
    assert "\x1b[" not in invoke(runner, "search", "palestra", "--index", str(flood_index)).stdout


def test_counts_agree_with_their_noun() -> None:
    assert [count(n, "copia", "copie") for n in (0, 1, 2, 1234)] == [
        "0 copie",
        "1 copia",
        "2 copie",
        "1.234 copie",
    ]


@pytest.mark.parametrize(("columns", "width"), [("60", 60), ("200", 100), ("10", 30)])
def test_width_follows_the_terminal_within_bounds(
    columns: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert terminal_width() == width


# -- The terminal is safe -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("show", "veleno-1"),
        ("show", "veleno-1", "-q", "sindaco"),
        ("search", "sindaco"),
        ("search", "sindaco", "--json"),
        ("related", "veleno-1"),
        ("stats",),
    ],
)
def test_no_escape_sequence_from_the_archive_reaches_the_terminal(
    runner: CliRunner, poisoned_index: Path, args: tuple[str, ...]
) -> None:
    """A title with ESC]0;…BEL set the window title, ESC[2J cleared the screen."""
    result = invoke(runner, *args, "--index", str(poisoned_index), color=True)
    assert result.exit_code == 0, result.output
    assert OSC_TITLE not in result.output and "finestra rubata" not in result.output
    assert not FOREIGN_ESCAPE.search(result.output), repr(result.output)
    assert "\ud800" not in result.output and "\x00" not in result.output


@pytest.mark.parametrize("article_id", list(ODD_IDS))
def test_odd_ids_open(runner: CliRunner, poisoned_index: Path, article_id: str) -> None:
    result = invoke(runner, "show", article_id, "--index", str(poisoned_index))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{ODD_IDS[article_id]} sindaco\n")


@pytest.mark.parametrize(
    ("article_id", "shown"),
    [
        ("\udcff\udcfe", "\ufffd\ufffd"),  # $'\xff\xfe': bytes that are not UTF-8
        ("\x1b]0;x\x07..", ".."),
        ("", ""),
    ],
)
def test_any_odd_id_ends_with_an_error_line(
    runner: CliRunner, built_index: Path, article_id: str, shown: str
) -> None:
    result = invoke(runner, "show", article_id, "--index", str(built_index))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Errore: articolo non trovato: {shown}".strip() + "\n"


def test_an_unexpected_error_is_an_error_line_not_a_traceback(
    runner: CliRunner, built_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr("search.cli.search", broken)
    result = invoke(runner, "search", "modena~2/9", "--index", str(built_index))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Errore: errore inatteso (IndexError: list index out of range). È un difetto di "
        "Archivio: segnalalo"
    )
    assert "Traceback" not in result.output


# -- Words that look like options -----------------------------------------------------------


def test_a_minus_word_unquoted_is_part_of_the_query(runner: CliRunner, flood_index: Path) -> None:
    """README: `archivio search Umerov -Trump`; click read `-Trump` as the options -T -r…"""
    index = ("--index", str(flood_index))
    ways = [
        ("search", "alluvione", "-molte", *index),
        ("search", "-molte", "alluvione", *index),
        ("search", *index, "--json", "--", "alluvione -molte"),
        ("search", "alluvione -molte", *index),
    ]
    outputs = [
        invoke(runner, *way) if "--" in way else invoke(runner, *way, "--json") for way in ways
    ]
    assert all(output.exit_code == 0 for output in outputs)
    ids = [[hit["id"] for hit in json.loads(o.stdout)["results"]] for o in outputs]
    assert ids == [["alluvione-1"]] * 4


def test_options_keep_working_around_minus_words(runner: CliRunner, flood_index: Path) -> None:
    result = invoke(
        runner, "search", "sindaco", "-molte", "--limit", "1", "--page=1", "--json",
        "--index", str(flood_index), "-hamas",
    )  # fmt: skip
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["query"], data["page"], data["total"]) == ("sindaco -molte -hamas", 1, 1)


def test_after_a_double_dash_everything_is_the_query(runner: CliRunner, flood_index: Path) -> None:
    result = invoke(runner, "search", "--index", str(flood_index), "--", "alluvione", "--json")
    assert result.exit_code == 0
    assert result.stdout.startswith("2 risultati per «alluvione --json» (")  # text, not JSON


# -- Help and usage errors in Italian -------------------------------------------------------

ENGLISH = re.compile(
    r"Usage|Options|Commands|Arguments|Show this|Show the|\[default|\[required|env var"
    r"|INTEGER|TEXT|PATH|DIRECTORY|RANGE|Error|Try '"
)
COMMANDS = [
    *("check", "reindex", "search", "show", "related", "stats", "serve"),
    *("trends", "kwic", "verify", "cite"),
]


def test_main_help(runner: CliRunner) -> None:
    result = invoke(runner, "--help", columns=80)
    assert result.stdout == (
        "Uso: archivio [OPZIONI] COMANDO [ARGOMENTI]...\n"
        "\n"
        "  Archivio: ricerca a testo pieno negli archivi di notizie italiane.\n"
        "\n"
        "Opzioni:\n"
        "  --version   Mostra la versione ed esce.\n"
        "  -h, --help  Mostra questo aiuto ed esce.\n"
        "\n"
        "Comandi:\n"
        "  check    Verifica che l'indice sia integro (file, conteggi, una ricerca).\n"
        "  cite     Come citare un articolo (per id o URL).\n"
        "  kwic     Ogni occorrenza delle parole cercate nel contesto (concordanza).\n"
        "  reindex  Indicizza gli articoli nuovi o cambiati e toglie quelli cancellati.\n"
        "  related  Articoli sullo stesso argomento di ID.\n"
        "  search   Cerca negli articoli (sintassi: README, «Sintassi di ricerca»).\n"
        "  serve    Serve la ricerca nel browser con gunicorn.\n"
        "  show     Mostra un articolo (per id o URL), diviso in paragrafi.\n"
        "  stats    Quanti articoli, di quali anni e fonti, quanto spazio.\n"
        "  trends   Fino a 6 ricerche nel tempo: trovati, pubblicati, quota.\n"
        "  verify   Se l'indice dà ancora gli articoli di una ricevuta.\n"
    )
    assert invoke(runner, "--version").stdout == "archivio, versione 0.1.0\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_is_italian_and_every_option_explained(
    runner: CliRunner, command: str
) -> None:
    result = invoke(runner, command, "-h", columns=100)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Uso: archivio {command} [OPZIONI]")
    assert not ENGLISH.search(result.stdout), ENGLISH.search(result.stdout)
    cli_command = main.commands[command]
    with click.Context(cli_command) as ctx:
        for param in cli_command.get_params(ctx):
            if isinstance(param, click.Option):
                record = param.get_help_record(ctx)
                assert record is not None and record[1], param.name


BAD = "valore non valido per l'opzione"
USAGE_ERRORS = [
    (("search", "x", "--lmit", "3"), "search", "opzione sconosciuta: --lmit (forse --limit o --to?)"),  # noqa: E501
    (("search",), "search", "manca l'argomento RICERCA"),
    (("search", "x", "--page", "due"), "search", f"{BAD} --page: «due» non è un numero intero"),
    (("search", "x", "--page", "0"), "search", f"{BAD} --page: 0 è fuori dall'intervallo (da 1 in su)"),  # noqa: E501
    (("search", "x", "--limit", "500"), "search", f"{BAD} --limit: 500 è fuori dall'intervallo (da 1 a 100)"),  # noqa: E501
    (("search", "x", "--sort", "random"), "search", f"{BAD} --sort: «random»; valori validi: relevance, newest, oldest"),  # noqa: E501
    (("search", "x", "--page"), "search", "l'opzione --page vuole un valore"),
    (("search", "x", "--json=3"), "search", "l'opzione --json non vuole un valore"),
    (("show", "a", "b"), "show", "argomenti in più: b"),
    (("show",), "show", "manca l'argomento ID"),
    (("serve", "--port", "70000"), "serve", f"{BAD} --port: 70000 è fuori dall'intervallo (da 0 a 65535)"),  # noqa: E501
    (("nessuno",), None, "comando sconosciuto: nessuno"),
    (("search", "x", "--deadline", "presto"), "search", f"{BAD} --deadline: «presto» non è un numero (per esempio 2 o 0.5)"),  # noqa: E501
    (("search", "x", "--deadline", "0.01"), "search", f"{BAD} --deadline: 0.01 è fuori dall'intervallo (da 0.1 in su)"),  # noqa: E501
    (("verify",), "verify", "manca l'argomento RICEVUTA"),
    (("verify", "/nessuna/ricevuta.csv"), "verify", "valore non valido per l'argomento RICEVUTA: «/nessuna/ricevuta.csv» non esiste"),  # noqa: E501
    (("verify", "/"), "verify", "valore non valido per l'argomento RICEVUTA: «/» è una cartella, non un file"),  # noqa: E501
    (("verify", "--formato", "x.csv"), "verify", "opzione sconosciuta: --formato"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "command", "message"), USAGE_ERRORS)
def test_usage_errors_are_italian(
    runner: CliRunner, args: tuple[str, ...], command: str | None, message: str
) -> None:
    result = invoke(runner, *args)
    name = f"archivio {command}" if command else "archivio"
    usage = {
        None: "[OPZIONI] COMANDO [ARGOMENTI]...",
        "search": "[OPZIONI] RICERCA...",
        "show": "[OPZIONI] ID",
        "serve": "[OPZIONI]",
        "verify": "[OPZIONI] RICEVUTA",
    }[command]
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Uso: {name} {usage}\nAiuto: {name} -h\n\nErrore: {message}\n"


# click's types whose messages are English sentences (IntRange and FloatRange included).
ENGLISH_TYPES = (
    *(click.Path, click.File, click.Choice, click.DateTime),
    *(click.types.IntParamType, click.types.FloatParamType),
)


@pytest.mark.parametrize("command", COMMANDS)
def test_no_option_uses_a_click_type_that_fails_in_english(command: str) -> None:
    """Every parameter that click could reject uses a type of `search.cli_italian`."""
    cli_command = main.commands[command]
    with click.Context(cli_command) as ctx:
        for param in cli_command.get_params(ctx):
            english = isinstance(param.type, ENGLISH_TYPES)
            assert not english or type(param.type).__module__ == "search.cli_italian", param.name


# -- Reindex progress -----------------------------------------------------------------------


def test_reindex_says_it_is_writing_the_index(
    runner: CliRunner, flood_corpus: Path, tmp_path: Path
) -> None:
    args = ("reindex", "--corpus", str(flood_corpus), "--index", str(tmp_path / "i"))
    result = invoke(runner, *args)
    assert result.exit_code == 0
    assert result.stderr == (
        "Da leggere: 1 file (0.0 MB)\n  jsonl/alluvione.jsonl: 2 articoli\nScrittura dell'indice…\n"
    )


def test_the_commit_phase_comes_after_every_file_before_the_index_goes_live(
    flood_corpus: Path, tmp_path: Path
) -> None:
    events: list[str] = []
    index_dir = tmp_path / "index"

    def phase(name: str) -> None:
        events.append(f"{name}, live: {live_token(index_dir) is not None}")

    reindex(
        Settings(corpus_dir=flood_corpus, index_dir=index_dir),
        on_file=lambda label, size, articles: events.append(label),
        on_phase=phase,
    )
    assert events == ["jsonl/alluvione.jsonl", "commit, live: False"]
    assert live_token(index_dir) is not None


def test_the_bar_shows_the_phase_instead_of_going_silent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr("tqdm.tqdm", partial(tqdm, file=screen))  # imported when a bar starts
    progress = _Progress(enabled=True)
    progress.interactive = True
    progress.start(1, 2048)
    progress.file("a.jsonl", 2048, 3)
    progress.phase("commit")
    progress.close()
    last = screen.getvalue().rsplit("\r", 1)[-1]
    assert last.startswith("Scrittura dell'indice…: 100%")
