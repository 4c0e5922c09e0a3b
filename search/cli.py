"""The `archivio` command: a thin shell over the library.

Help, usage and errors are Italian (`search.cli_italian`); what is printed from the
archive is made safe for the terminal and wrapped to its width (`search.cli_output`).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from search import engines
from search.archive import Archive
from search.budget import QueryBudget
from search.cli_explain import also_searched_lines, explanation_lines
from search.cli_italian import (
    TEXT,
    VERSION_MESSAGE,
    VERSION_TEXT,
    Choice,
    Count,
    ItalianCommand,
    ItalianGroup,
    Number,
    PathType,
    QueryCommand,
)
from search.cli_output import count, heading, marked_pieces, one_line, terminal_width, wrap
from search.errors import ArchivioError, IndexLockedError, QueryError
from search.explain import Explanation, explanation_json
from search.explain import explain as explain_page
from search.model import Hit, ResultPage
from search.printable import printable_data, terminal_text
from search.related import related, similar_articles
from search.results import MAX_LIMIT, SearchRequest, highlight_article, iter_hits, search
from search.serialize import article_json, hit_json, result_json
from search.settings import Settings

if TYPE_CHECKING:
    from tqdm import tqdm

    from search.indexer import ReindexReport


def _flag_beats_environment(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """`--index FOLDER` on the command line holding a folder index wins over a PostgreSQL
    address that only the environment gives (ARCHIVIO_BACKEND): a flag beats a variable."""
    from_environment = ctx.get_parameter_source("backend") == ParameterSource.ENVIRONMENT
    typed = ctx.get_parameter_source(param.name or "") == ParameterSource.COMMANDLINE
    if from_environment and typed and engines.recorded_engine(value) in ("whoosh", "tantivy"):
        engines.BACKEND = None
    return value


_INDEX = click.option(
    "--index",
    "index_dir",
    envvar="ARCHIVIO_INDEX",
    default="index",
    metavar="CARTELLA",
    type=PathType(path_type=Path),
    callback=_flag_beats_environment,
    help="Cartella dell'indice (predefinita: index; variabile ARCHIVIO_INDEX).",
)


def _set_backend(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        if not engines.is_database(value):
            raise click.BadParameter("atteso un indirizzo postgresql://…", ctx, param)
        engines.BACKEND = value


_BACKEND = click.option(
    "--backend",
    envvar="ARCHIVIO_BACKEND",
    metavar="INDIRIZZO",
    expose_value=False,
    is_eager=True,
    callback=_set_backend,
    help="Server PostgreSQL dell'indice, postgresql://… (variabile ARCHIVIO_BACKEND): "
    "la cartella dell'indice ricorda il suo schema; ?schema=nome per sceglierlo.",
)


def INDEX_OPTION(command: Any) -> Any:
    """--index, and --backend for an index kept in PostgreSQL."""
    return _INDEX(_BACKEND(command))


JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Stampa JSON.")
INDENT = "   "
# Phases of a reindex after the files are read (`reindex(on_phase=…)`), as the bar says them.
PHASES = {"commit": "Scrittura dell'indice…"}


class Failure(click.ClickException):
    """A library error shown as `Errore: …` with exit code 1 (2 for usage errors)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance

    def format_message(self) -> str:
        return self.message

    def show(self, file: object = None) -> None:
        click.echo(f"Errore: {one_line(self.message)}", err=True)


class ArchivioGroup(ItalianGroup):
    """Never a traceback: an unexpected error ends as `Errore: …` too (exit code 1);
    `ARCHIVIO_DEBUG=1` shows the traceback instead."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise Failure("interrotto (Ctrl-C)", exit_code=130) from None
        except BrokenPipeError:
            # The reader went away (`archivio search … | head`): stop quietly, as Unix
            # tools do; stdout goes to /dev/null so the final flush cannot fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except ArchivioError as error:  # said by the library, for a user: no "difetto"
            raise Failure(str(error)) from None
        except Exception as error:
            if os.environ.get("ARCHIVIO_DEBUG"):
                raise
            raise Failure(
                f"errore inatteso ({type(error).__name__}: {error}). È un difetto di Archivio: "
                "segnalalo con il comando che l'ha causato (ARCHIVIO_DEBUG=1 mostra i dettagli)"
            ) from None


def _fail(error: ArchivioError, exit_code: int = 1) -> Failure:
    return Failure(str(error), exit_code)


def _open(index_dir: Path, budget: QueryBudget | None = None) -> Archive:
    try:
        return Archive(index_dir, budget=budget)
    except ArchivioError as error:
        raise _fail(error) from None


def _echo_json(data: object) -> None:
    click.echo(json.dumps(printable_data(data), ensure_ascii=False, indent=2))


@click.group(cls=ArchivioGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="archivio", message=VERSION_MESSAGE, help=VERSION_TEXT)
def main() -> None:
    """Archivio: ricerca a testo pieno negli archivi di notizie italiane."""


@main.command("reindex", cls=ItalianCommand)
@click.option(
    "--corpus",
    "corpus_dir",
    envvar="ARCHIVIO_CORPUS",
    default="corpus",
    metavar="CARTELLA",
    type=PathType(path_type=Path),
    help="Cartella degli articoli (predefinita: corpus; variabile ARCHIVIO_CORPUS).",
)
@INDEX_OPTION
@click.option("--full", is_flag=True, help="Ricostruisce tutto accanto all'indice attivo.")
@click.option(
    "--engine",
    envvar="ARCHIVIO_ENGINE",
    type=Choice(("whoosh", "tantivy", "postgresql")),
    default=None,
    help="Motore di un indice nuovo o ricostruito con --full: whoosh (predefinito), "
    "tantivy o postgresql (variabile ARCHIVIO_ENGINE). Un indice esistente tiene il suo.",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Legge anche i file raggiunti da collegamenti simbolici che escono dal corpus.",
)
@JSON_OPTION
def reindex_command(
    corpus_dir: Path,
    index_dir: Path,
    full: bool,
    engine: str | None,
    follow_symlinks: bool,
    as_json: bool,
) -> None:
    """Indicizza gli articoli nuovi o cambiati e toglie quelli cancellati."""
    from search.indexer import EngineChoiceError, reindex  # readers' libraries load only here

    settings = Settings(
        corpus_dir=corpus_dir, index_dir=index_dir, follow_symlinks_outside=follow_symlinks
    )
    progress = _Progress(enabled=not as_json)
    try:
        report = reindex(
            settings,
            full=full,
            engine=engine,
            on_start=progress.start,
            on_file=progress.file,
            on_phase=progress.phase,
        )
    except IndexLockedError as error:
        raise _fail(error, exit_code=3) from None
    except EngineChoiceError as error:
        raise _fail(error, exit_code=2) from None
    except (ArchivioError, OSError) as error:
        raise _fail(ArchivioError(str(error))) from None
    finally:
        progress.close()
    if as_json:
        _echo_json(_report_json(report))
    else:
        _print_report(report)


class _Progress:
    """A bar on a terminal; plain lines, one a file, when the output is piped."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm | None = None
        self.interactive = sys.stderr.isatty()

    def start(self, files: int, size: int) -> None:
        if not self.enabled or not files:
            return
        if self.interactive:
            from tqdm import tqdm  # only a reindex on a terminal draws a bar

            self.bar = tqdm(total=size, unit="B", unit_scale=True, desc="Indicizzazione")
        else:
            files_text = count(files, "file", "file")
            click.echo(f"Da leggere: {files_text} ({size / 1e6:.1f} MB)", err=True)

    def file(self, label: str, size: int, articles: int) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(size)
        else:
            label = one_line(label)
            click.echo(f"  {label}: {count(articles, 'articolo', 'articoli')}", err=True)

    def phase(self, name: str) -> None:
        """A step after the last file (the commit can take a while): say it, not silence."""
        if not self.enabled:
            return
        text = PHASES.get(name, name)
        if self.bar is not None:
            self.bar.set_description(text)
            self.bar.refresh()
        else:
            click.echo(text, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _report_json(report: ReindexReport) -> dict[str, object]:
    data = asdict(report)
    data["skipped"] = [{"path": s.path, "reason": s.reason} for s in report.skipped]
    data["notices"] = [{"path": n.path, "reason": n.reason} for n in report.notices]
    data["seconds"] = round(report.seconds, 3)
    return data


def _print_report(report: ReindexReport) -> None:
    kind = "completa" if report.full else "incrementale"
    click.echo(f"Indicizzazione {kind} in {report.seconds:.1f} s")
    click.echo(f"  aggiunti:    {report.added}")
    click.echo(f"  aggiornati:  {report.updated}")
    click.echo(f"  rimossi:     {report.removed}")
    click.echo(f"  invariati:   {report.unchanged}")
    click.echo(f"  duplicati:   {report.duplicates}")
    click.echo(f"  scartati:    {len(report.skipped)}")
    if report.notices:
        click.echo(f"  avvisi:      {len(report.notices)}")
    click.echo(f"Articoli nell'indice: {report.articles}")
    for skipped in report.skipped:
        click.echo(f"  scartato {one_line(skipped.path)}: {one_line(skipped.reason)}")
    for notice in report.notices:
        click.echo(f"  avviso {one_line(notice.path)}: {one_line(notice.reason)}")


@main.command("stats", cls=ItalianCommand)
@INDEX_OPTION
@JSON_OPTION
def stats_command(index_dir: Path, as_json: bool) -> None:
    """Quanti articoli, di quali anni e fonti, quanto spazio."""
    archive = _open(index_dir)
    stats = archive.stats()
    if as_json:
        data = asdict(stats)
        data["first_date"] = stats.first_date.isoformat() if stats.first_date else None
        data["last_date"] = stats.last_date.isoformat() if stats.last_date else None
        _echo_json(data)
        return
    span = (
        f"dal {stats.first_date:%d/%m/%Y} al {stats.last_date:%d/%m/%Y}"
        if stats.first_date and stats.last_date
        else "nessuna data"
    )
    click.echo(f"Articoli: {stats.articles} ({span}; senza data: {stats.undated})")
    click.echo(f"Autori: {stats.authors}")
    click.echo(f"Indice: {stats.index_dir} ({stats.size_bytes / 1e6:.1f} MB)")
    click.echo("Fonti:")
    for source, number in stats.sources.items():
        click.echo(f"  {number:>7}  {one_line(source)}")


@main.command("check", cls=ItalianCommand)
@INDEX_OPTION
def check_command(index_dir: Path) -> None:
    """Verifica che l'indice sia integro (file, conteggi, una ricerca)."""
    from search.integrity import check_index

    problems = check_index(index_dir)
    if problems:
        for problem in problems:
            click.echo(f"  - {one_line(problem)}", err=True)
        raise Failure(
            f"l'indice in {engines.index_label(index_dir)} è danneggiato. Ricostruiscilo con "
            f"`archivio reindex --full --index {index_dir}` (il corpus non si tocca)"
        )
    click.echo(f"Indice integro: {engines.index_label(index_dir)}")


@main.command("show", cls=ItalianCommand)
@click.argument("article_id", metavar="ID", type=TEXT)
@INDEX_OPTION
@click.option(
    "--query",
    "-q",
    metavar="RICERCA",
    type=TEXT,
    default="",
    help="Evidenzia nel testo le parole di questa ricerca.",
)
@JSON_OPTION
def show_command(article_id: str, index_dir: Path, query: str, as_json: bool) -> None:
    """Mostra un articolo (per id o URL), diviso in paragrafi."""
    archive = _open(index_dir)
    try:
        shown = highlight_article(archive, article_id, query)
    except ArchivioError as error:
        raise _fail(error) from None
    article = shown.article
    if as_json:
        _echo_json(article_json(article))
        return
    width = terminal_width()
    for line in wrap(marked_pieces(shown.title_html), width):
        click.echo(click.style(line, bold=True))
    details = [
        article.date.strftime("%d/%m/%Y") if article.date else "senza data",
        one_line(article.author or "autore non indicato"),
        one_line(article.source or "fonte non indicata"),
    ]
    click.echo(" · ".join(details))
    if article.url:
        click.echo(one_line(article.url))
    click.echo(f"id: {one_line(article.id)}")
    if query.strip():
        click.echo(
            f"{count(shown.matches, 'occorrenza', 'occorrenze')} di «{one_line(query)}»"
            if shown.matches
            else f"Le parole di «{one_line(query)}» non compaiono nel testo."
        )
    for paragraph in shown.paragraphs_html:
        lines = wrap(marked_pieces(paragraph), width)
        if lines != [""]:
            click.echo()
            click.echo("\n".join(lines))


SORTS = ("relevance", "newest", "oldest")


@main.command(
    "search",
    cls=QueryCommand,
    epilog=(
        "Una parola con il meno si scrive così com'è: archivio search Umerov -Trump. "
        "Dopo -- tutto è ricerca, anche ciò che somiglia a un'opzione (le opzioni vanno "
        'prima): archivio search --json -- "Umerov -Trump".'
    ),
)
@click.argument("query", nargs=-1, required=True, metavar="RICERCA...", type=TEXT)
@INDEX_OPTION
@click.option(
    "--from", "date_from", metavar="DATA", type=TEXT, help="Dal giorno (2025-04-12, aprile 2025…)."
)
@click.option("--to", "date_to", metavar="DATA", type=TEXT, help="Fino al giorno incluso.")
@click.option("--author", metavar="AUTORE", type=TEXT, help="Solo articoli di questo autore.")
@click.option("--source", metavar="FONTE", type=TEXT, help="Solo articoli di questa fonte.")
@click.option(
    "--place",
    metavar="LUOGO",
    type=TEXT,
    help="Solo articoli con questo luogo (la riga del luogo: MODENA, CARPI…).",
)
@click.option("--undated", is_flag=True, help="Solo gli articoli senza data.")
@click.option(
    "--sort",
    type=Choice(SORTS),
    default="relevance",
    help="Ordine dei risultati: relevance (pertinenza, predefinito), newest, oldest.",
)
@click.option(
    "--page",
    type=Count(1),
    default=1,
    metavar="N",
    help="Pagina dei risultati da mostrare (predefinita: 1).",
)
@click.option(
    "--limit",
    type=Count(1, MAX_LIMIT),
    default=10,
    metavar="N",
    help=f"Risultati per pagina, da 1 a {MAX_LIMIT} (predefiniti: 10).",
)
@click.option(
    "--deadline",
    type=Number(0.1),
    default=QueryBudget.deadline_seconds,
    envvar="ARCHIVIO_SEARCH_DEADLINE",
    metavar="SECONDI",
    help=f"Tempo massimo di una ricerca (predefinito: {QueryBudget.deadline_seconds:g} s; "
    "variabile ARCHIVIO_SEARCH_DEADLINE).",
)
@click.option("--all", "all_pages", is_flag=True, help="Tutti i risultati, senza pagine.")
@click.option(
    "--no-expand",
    "no_expand",
    is_flag=True,
    help="Solo le parole scritte: niente sinonimi, luoghi compresi, parole degli articoli "
    "più pertinenti né riordino dei primi risultati.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Per ogni risultato, quali parole, espansioni e campi hanno contato e quanto.",
)
@JSON_OPTION
def search_command(
    query: tuple[str, ...],
    index_dir: Path,
    date_from: str | None,
    date_to: str | None,
    author: str | None,
    source: str | None,
    place: str | None,
    undated: bool,
    sort: str,
    page: int,
    limit: int,
    deadline: float,
    all_pages: bool,
    no_expand: bool,
    explain: bool,
    as_json: bool,
) -> None:
    """Cerca negli articoli (sintassi: README, «Sintassi di ricerca»)."""
    archive = _open(index_dir, QueryBudget(deadline_seconds=deadline))
    request = SearchRequest(
        query=" ".join(query),
        date_from=date_from,
        date_to=date_to,
        author=author,
        source=source,
        place=place,
        undated=undated,
        sort=sort,
        page=page,
        limit=limit,
        expand=not no_expand,
    )
    try:
        result = search(archive, request)
        hits = list(iter_hits(archive, request)) if all_pages else list(result.hits)
        reasons = explain_page(archive, request) if explain and not all_pages else []
    except QueryError as error:
        raise _fail(error, exit_code=2) from None
    if all_pages:
        result = replace(result, page=1, pages=1 if hits else 0, limit=len(hits), hits=tuple(hits))
    if as_json:
        data = result_json(result)
        if explain:
            data["explanations"] = [explanation_json(e) for e in reasons]
        _echo_json(data)
        return
    _print_results(result, {e.id: e for e in reasons})


def _print_results(result: ResultPage, reasons: dict[str, Explanation] | None = None) -> None:
    reasons = reasons or {}
    query = one_line(result.query)
    for notice in result.notices:
        click.echo(f"Nota: {one_line(notice)}", err=True)
    partial = (
        f" e altri {result.partial:,} che corrispondono solo in parte".replace(",", ".")
        if result.partial
        else ""
    )
    if not result.total and not result.partial:
        click.echo(f"Nessun risultato per «{query}».")
    else:
        click.echo(
            f"{count(result.total, 'risultato', 'risultati')} per «{query}»{partial}"
            f" ({result.elapsed_ms:.0f} ms) · pagina {result.page} di {result.pages}"
        )
    width = terminal_width()
    for line in also_searched_lines(result.also, width, explain=bool(reasons)):
        click.echo(line)
    first = (result.page - 1) * result.limit
    for number, hit in enumerate(result.hits, start=first + 1):
        click.echo()
        for line in heading(hit.title, width, first=f"{number}. ", indent=INDENT):
            click.echo(line)
        click.echo(INDENT + " · ".join(_hit_details(hit)))
        for line in wrap(marked_pieces(hit.snippet), width, first=INDENT, indent=INDENT):
            click.echo(line)
        if hit.missing:
            click.echo(f"{INDENT}(manca: {one_line(', '.join(hit.missing))})")
        if hit.similar:
            click.echo(f"{INDENT}(+{count(hit.similar, 'articolo simile', 'articoli simili')})")
        if hit.id in reasons:
            for line in explanation_lines(reasons[hit.id], width, INDENT):
                click.echo(line)
    if result.suggestion:
        click.echo()
        click.echo(f"Forse cercavi: {one_line(result.suggestion)}")


def _hit_details(hit: Hit) -> list[str]:
    details = [hit.date.strftime("%d/%m/%Y") if hit.date else "senza data"]
    details += [one_line(value) for value in (hit.author, hit.source) if value]
    details.append(f"id: {one_line(hit.id)}")
    return details


@main.command("related", cls=ItalianCommand)
@click.argument("article_id", metavar="ID", type=TEXT)
@INDEX_OPTION
@click.option(
    "--limit",
    type=Count(1, MAX_LIMIT),
    default=5,
    metavar="N",
    help=f"Quanti articoli correlati, da 1 a {MAX_LIMIT} (predefiniti: 5).",
)
@JSON_OPTION
def related_command(article_id: str, index_dir: Path, limit: int, as_json: bool) -> None:
    """Articoli sullo stesso argomento di ID."""
    archive = _open(index_dir)
    try:
        hits = related(archive, article_id, limit=limit)
        copies = similar_articles(archive, article_id)
    except ArchivioError as error:
        raise _fail(error) from None
    if as_json:
        data = {
            "id": article_id,
            "results": [hit_json(h) for h in hits],
            "similar": [hit_json(h) for h in copies],
        }
        _echo_json(data)
        return
    if copies:
        click.echo(f"Stessa notizia ({count(len(copies), 'copia', 'copie')}):")
        for hit in copies:
            click.echo(f"  - {one_line(hit.title)} · " + " · ".join(_hit_details(hit)))
    click.echo("Articoli correlati:" if hits else "Nessun articolo correlato.")
    for hit in hits:
        click.echo(f"  - {one_line(hit.title)} · " + " · ".join(_hit_details(hit)))


@main.command("serve", cls=ItalianCommand)
@INDEX_OPTION
@click.option(
    "--host",
    default="127.0.0.1",
    envvar="ARCHIVIO_HOST",
    metavar="INDIRIZZO",
    type=TEXT,
    help="Indirizzo su cui ascoltare (predefinito: 127.0.0.1, solo questa macchina; "
    "0.0.0.0 per tutta la rete; variabile ARCHIVIO_HOST).",
)
@click.option(
    "--port",
    type=Count(0, 65535),
    default=8000,
    envvar="ARCHIVIO_PORT",
    metavar="PORTA",
    help="Porta (predefinita: 8000; variabile ARCHIVIO_PORT).",
)
@click.option(
    "--workers",
    type=Count(1),
    default=None,
    metavar="N",
    help="Processi gunicorn (predefinito: 2 × core + 1, al massimo 8).",
)
def serve_command(index_dir: Path, host: str, port: int, workers: int | None) -> None:
    """Serve la ricerca nel browser con gunicorn."""
    from search.integrity import check_index
    from web.server import PortUnavailableError, serve

    _open(index_dir).close()  # a missing or stale index is said here, not in every worker
    problems = check_index(index_dir)
    if problems:
        raise Failure(
            f"l'indice in {index_dir} è danneggiato ({'; '.join(problems[:3])}): il server "
            f"non parte. Ricostruiscilo con `archivio reindex --full --index {index_dir}`"
        )
    try:
        serve(index_dir=index_dir, host=host, port=port, workers=workers)
    except PortUnavailableError as error:
        raise Failure(_address_problem(host, port, error)) from None


def _address_problem(host: str, port: int, error: OSError) -> str:
    import errno

    if error.errno == errno.EADDRINUSE:
        return (
            f"la porta {port} è già in uso: un altro programma (forse un altro archivio serve) "
            f"ascolta su {host}:{port}. Fermalo, oppure scegli un'altra porta con --port "
            f"(per esempio --port {port + 1 if port < 65535 else 8000})"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return (
            f"non hai il permesso di usare la porta {port}: le porte sotto 1024 sono riservate; "
            "scegline una più alta con --port (per esempio --port 8000)"
        )
    return (
        f"impossibile ascoltare su {host}:{port} ({error.strerror}): l'indirizzo non è di "
        "questa macchina. Usa --host 127.0.0.1 (solo questa macchina) o 0.0.0.0 (tutta la rete)"
    )


# -- Tools for studying an archive: trends, concordance, receipts, citations ---------------


def _filter_options(command: Any) -> Any:
    """--from, --to, --author, --source, --place, --undated: a search's filters."""
    for option in reversed(
        (
            click.option("--from", "date_from", metavar="DATA", type=TEXT, help="Dal giorno."),
            click.option("--to", "date_to", metavar="DATA", type=TEXT, help="Fino al giorno."),
            click.option("--author", metavar="AUTORE", type=TEXT, help="Solo di questo autore."),
            click.option("--source", metavar="FONTE", type=TEXT, help="Solo di questa fonte."),
            click.option("--place", metavar="LUOGO", type=TEXT, help="Solo con questo luogo."),
            click.option("--undated", is_flag=True, help="Solo gli articoli senza data."),
        )
    ):
        command = option(command)
    return command


def _filters(options: dict[str, Any]) -> SearchRequest:
    names = ("date_from", "date_to", "author", "source", "place", "undated")
    return SearchRequest(**{name: options[name] for name in names})


@main.command(
    "trends",
    cls=QueryCommand,
    epilog="Ogni argomento è una ricerca: archivio trends covid vaccino '\"green pass\"'.",
)
@click.argument("queries", nargs=-1, required=True, metavar="RICERCA...", type=TEXT)
@INDEX_OPTION
@_filter_options
@click.option(
    "--by",
    "unit",
    type=Choice(("year", "month")),
    default="year",
    help="Periodo: year (anno, predefinito) o month (mese).",
)
@JSON_OPTION
@click.option("--csv", "as_csv", is_flag=True, help="Stampa CSV (una riga per periodo e ricerca).")
def trends_command(
    queries: tuple[str, ...],
    index_dir: Path,
    unit: str,
    as_json: bool,
    as_csv: bool,
    **options: Any,
) -> None:
    """Fino a 6 ricerche nel tempo: trovati, pubblicati, quota."""
    from search.serialize_tools import trends_json, trends_rows
    from search.spreadsheet import csv_lines
    from search.trends import trends

    archive = _open(index_dir)
    try:
        found = trends(archive, queries, _filters(options), unit=unit)
    except QueryError as error:
        raise _fail(error, exit_code=2) from None
    if as_json:
        _echo_json(trends_json(found))
    elif as_csv:
        for line in csv_lines(trends_rows(found)):
            click.echo(line, nl=False)
    else:
        _print_trends(found)


def _print_trends(found: Any) -> None:
    unit = "anno" if found.unit == "year" else "mese"
    click.echo(f"Per {unit}: articoli trovati e quota sugli articoli pubblicati nel periodo")
    names = [one_line(series.query) for series in found.series]
    width = max(12, *(len(name) for name in names))
    click.echo(f"{'periodo':<10} {'articoli':>9}  " + "  ".join(f"{n:>{width}}" for n in names))
    rows = [
        (period, articles, [s.points[at].matches for s in found.series])
        for at, (period, articles) in enumerate(zip(found.periods, found.articles, strict=True))
    ]
    rows.append(("senza data", found.undated_articles, [s.undated for s in found.series]))
    for period, articles, matches in rows:
        cells = [_share_cell(m, articles, width) for m in matches]
        click.echo(f"{period:<10} {_number(articles):>9}  " + "  ".join(cells))
    totals = [f"{_number(s.total):>{width}}" for s in found.series]
    click.echo(f"{'totale':<10} {_number(found.total_articles):>9}  " + "  ".join(totals))
    for series in found.series:
        for notice in series.notices:
            click.echo(f"Nota («{one_line(series.query)}»): {one_line(notice)}", err=True)
        if series.partial:
            partial = count(series.partial, "articolo", "articoli")
            click.echo(
                f"«{one_line(series.query)}»: altri {partial} che corrispondono solo in parte, "
                "non contati"
            )


def _share_cell(matches: int, articles: int, width: int) -> str:
    share = f"{matches / articles * 100:.1f}%".replace(".", ",") if articles else "–"
    return f"{_number(matches)} {share:>6}".rjust(width)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@main.command(
    "kwic",
    cls=QueryCommand,
    epilog="Una frase conta come un'occorrenza: archivio kwic '\"green pass\"' --sort left.",
)
@click.argument("query", nargs=-1, required=True, metavar="RICERCA...", type=TEXT)
@INDEX_OPTION
@_filter_options
@click.option(
    "--width",
    type=Count(10, 200),
    default=60,
    metavar="N",
    help="Caratteri di contesto per lato, da 10 a 200 (predefiniti: 60).",
)
@click.option(
    "--sort",
    type=Choice(("date", "left", "right")),
    default="date",
    help="Ordine: date (data, predefinito), left (parola prima), right (parola dopo).",
)
@JSON_OPTION
@click.option("--csv", "as_csv", is_flag=True, help="Stampa CSV (una riga per occorrenza).")
def kwic_command(
    query: tuple[str, ...],
    index_dir: Path,
    width: int,
    sort: str,
    as_json: bool,
    as_csv: bool,
    **options: Any,
) -> None:
    """Ogni occorrenza delle parole cercate nel contesto (concordanza)."""
    from search.concordance import concordance, iter_lines
    from search.serialize_tools import LINE_COLUMNS, line_json, line_row, receipt_rows
    from search.spreadsheet import csv_lines

    archive = _open(index_dir)
    request = replace(_filters(options), query=" ".join(query))
    try:
        with archive.current() as view:
            summary = concordance(view, request, sort=sort, width=width, seconds=None)
            lines = iter_lines(view, request, sort=sort, width=width)
            if as_csv:
                rows = itertools.chain([LINE_COLUMNS], (line_row(line) for line in lines))
                for text in csv_lines(rows):
                    click.echo(text, nl=False)
                for text in csv_lines(receipt_rows([summary.receipt])):
                    click.echo(text, nl=False)
            elif as_json:
                data = {k: v for k, v in _concordance_json(summary).items() if k != "lines"}
                data["lines"] = [line_json(line) for line in lines]
                _echo_json(data)
            else:
                _print_concordance(summary, lines, width)
    except QueryError as error:
        raise _fail(error, exit_code=2) from None


def _concordance_json(page: Any) -> dict[str, Any]:
    from search.serialize_tools import concordance_json

    data = concordance_json(page)
    for key in ("page", "pages", "limit"):
        data.pop(key)
    return data


def _print_concordance(summary: Any, lines: Any, width: int) -> None:
    query = one_line(summary.query)
    for notice in summary.notices:
        click.echo(f"Nota: {one_line(notice)}", err=True)
    articles = count(summary.articles_with_occurrences, "articolo", "articoli")
    click.echo(f"«{query}»: {count(summary.occurrences, 'occorrenza', 'occorrenze')} in {articles}")
    if summary.articles > summary.articles_with_occurrences:
        others = summary.articles - summary.articles_with_occurrences
        click.echo(
            f"(altri {count(others, 'articolo corrisponde', 'articoli corrispondono')} "
            "senza le parole nel testo: per autore, fonte o data)"
        )
    for line in lines:
        day = line.date.isoformat() if line.date else "senza data"
        # The match starts in the same column on every line; the context keeps its spaces.
        left = _kwic_text(line.left)[-width:]
        right = _kwic_text(line.right)[:width]
        match = click.style(one_line(line.match), fg="yellow", bold=True)
        details = " · ".join(one_line(v) for v in (line.source, line.article_id) if v)
        click.echo(f"{day:<10}  {left:>{width}}{match}{right:<{width}}  {details}")


def _kwic_text(text: str) -> str:
    """`one_line`, keeping a space at either end (it separates the match)."""
    inner = one_line(text)
    if not inner:
        return " " if text[:1].isspace() else ""
    return (" " if text[:1].isspace() else "") + inner + (" " if text[-1:].isspace() else "")


@main.command("verify", cls=ItalianCommand)
@click.argument(
    "receipt_file",
    metavar="RICEVUTA",
    type=PathType(exists=True, dir_okay=False, allow_dash=True, path_type=str),
)
@INDEX_OPTION
def verify_command(receipt_file: str, index_dir: Path) -> None:
    """Se l'indice dà ancora gli articoli di una ricevuta.

    RICEVUTA: un'esportazione di Archivio (CSV, JSON, Atom, tendenze, concordanza) o
    la ricevuta in JSON; - legge da stdin. Esce con 0 se ogni insieme è lo stesso, 1 se no.
    """
    from search.receipts import ReceiptError, read_receipts, verify

    try:
        with click.open_file(receipt_file, encoding="utf-8", errors="replace") as handle:
            receipts = read_receipts(handle.read())
    except (ReceiptError, OSError) as error:
        raise Failure(f"{receipt_file}: {error}", exit_code=2) from None
    archive = _open(index_dir)
    different = 0
    for receipt in receipts:
        try:
            result = verify(archive, receipt)
        except QueryError as error:
            raise _fail(error, exit_code=2) from None
        different += not result.same_set
        _print_verification(result)
    if different:
        raise click.exceptions.Exit(1)


def _print_verification(result: Any) -> None:
    from search.receipts import filters_label

    receipt = result.receipt
    built = _when(receipt.built_at)
    click.echo(
        f"Ricevuta: «{one_line(receipt.query)}»"
        + (f" ({one_line(filters_label(receipt.filters))})" if receipt.filters else "")
        + f" · {count(receipt.articles, 'articolo', 'articoli')}"
        + f" · indice {receipt.generation}{built} · {receipt.engine}"
    )
    now = f"l'indice attuale ({result.generation}, {result.engine})"
    if result.confirmed:
        click.echo(
            f"  Confermata: {now} dà gli stessi {_number(result.articles)} articoli, "
            "nello stesso ordine."
        )
    elif result.same_set:
        click.echo(f"  Confermata: {now} dà gli stessi articoli, ma in un altro ordine.")
    else:
        click.echo(
            f"  NON confermata: {now} dà un insieme diverso: "
            f"{count(result.articles, 'articolo', 'articoli')} (erano {_number(receipt.articles)})."
        )


def _when(built_at: str | None) -> str:
    if not built_at:
        return ""
    from datetime import datetime

    moment = datetime.fromisoformat(built_at).astimezone()
    return f" del {moment:%d/%m/%Y %H:%M}"


@main.command("cite", cls=ItalianCommand)
@click.argument("article_id", metavar="ID", type=TEXT)
@INDEX_OPTION
@click.option(
    "--format",
    "kind",
    type=Choice(("testo", "bibtex", "csl-json")),
    default="testo",
    help="testo (stile italiano, predefinito), bibtex o csl-json.",
)
def cite_command(article_id: str, index_dir: Path, kind: str) -> None:
    """Come citare un articolo (per id o URL)."""
    from datetime import date

    from search.citations import bibtex, csl_json, italian_citation
    from search.results import display_title

    archive = _open(index_dir)
    try:
        article = archive.get(article_id)
    except ArchivioError as error:
        raise _fail(error) from None
    title = article.title or display_title(article.body)
    today = date.today()
    if kind == "bibtex":
        click.echo(terminal_text(bibtex(article, title=title, accessed=today)), nl=False)
    elif kind == "csl-json":
        _echo_json(csl_json(article, title=title, accessed=today))
    else:
        click.echo(one_line(italian_citation(article, title=title, accessed=today).text))
