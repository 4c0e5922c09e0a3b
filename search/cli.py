"""The `archivio` command: a thin shell over the library."""

from __future__ import annotations

import html
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from search.archive import Archive
from search.errors import ArchivioError, IndexLockedError, QueryError
from search.model import Hit, ResultPage
from search.related import related, similar_articles
from search.results import MAX_LIMIT, SearchRequest, iter_hits, search
from search.serialize import article_json, hit_json, result_json
from search.settings import Settings

if TYPE_CHECKING:
    from search.indexer import ReindexReport

INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    envvar="ARCHIVIO_INDEX",
    default="index",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Cartella dell'indice (ARCHIVIO_INDEX).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Stampa JSON.")


class Failure(click.ClickException):
    """A library error shown as `Errore: …` with exit code 1 (2 for usage errors)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance

    def format_message(self) -> str:
        return self.message

    def show(self, file: object = None) -> None:
        click.echo(f"Errore: {self.message}", err=True)


def _fail(error: ArchivioError, exit_code: int = 1) -> Failure:
    return Failure(str(error), exit_code)


def _open(index_dir: Path) -> Archive:
    try:
        return Archive(index_dir)
    except ArchivioError as error:
        raise _fail(error) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="archivio")
def main() -> None:
    """Archivio: ricerca a testo pieno negli archivi di notizie italiane."""


@main.command("reindex")
@click.option(
    "--corpus",
    "corpus_dir",
    envvar="ARCHIVIO_CORPUS",
    default="corpus",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Cartella degli articoli (ARCHIVIO_CORPUS).",
)
@INDEX_OPTION
@click.option("--full", is_flag=True, help="Ricostruisce tutto accanto all'indice attivo.")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Legge anche i file raggiunti da collegamenti simbolici che escono dal corpus.",
)
@JSON_OPTION
def reindex_command(
    corpus_dir: Path, index_dir: Path, full: bool, follow_symlinks: bool, as_json: bool
) -> None:
    """Indicizza gli articoli nuovi o cambiati e toglie quelli cancellati."""
    from search.indexer import reindex  # the readers' libraries load only for a reindex

    settings = Settings(
        corpus_dir=corpus_dir, index_dir=index_dir, follow_symlinks_outside=follow_symlinks
    )
    progress = _Progress(enabled=not as_json)
    try:
        report = reindex(settings, full=full, on_start=progress.start, on_file=progress.file)
    except IndexLockedError as error:
        raise _fail(error, exit_code=3) from None
    except (ArchivioError, OSError) as error:
        raise _fail(ArchivioError(str(error))) from None
    finally:
        progress.close()
    if as_json:
        click.echo(json.dumps(_report_json(report), ensure_ascii=False, indent=2))
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
            self.bar = tqdm(total=size, unit="B", unit_scale=True, desc="Indicizzazione")
        else:
            click.echo(f"Da leggere: {files} file ({size / 1e6:.1f} MB)", err=True)

    def file(self, label: str, size: int, articles: int) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(size)
        else:
            click.echo(f"  {label}: {articles} articoli", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _report_json(report: ReindexReport) -> dict[str, object]:
    data = asdict(report)
    data["skipped"] = [{"path": s.path, "reason": s.reason} for s in report.skipped]
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
    click.echo(f"Articoli nell'indice: {report.articles}")
    for skipped in report.skipped:
        click.echo(f"  scartato {skipped.path}: {skipped.reason}")


@main.command("stats")
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
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
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
    for source, count in stats.sources.items():
        click.echo(f"  {count:>7}  {source}")


@main.command("show")
@click.argument("article_id")
@INDEX_OPTION
@JSON_OPTION
def show_command(article_id: str, index_dir: Path, as_json: bool) -> None:
    """Mostra un articolo (per id o URL)."""
    archive = _open(index_dir)
    try:
        article = archive.get(article_id)
    except ArchivioError as error:
        raise _fail(error) from None
    if as_json:
        click.echo(json.dumps(article_json(article), ensure_ascii=False, indent=2))
        return
    click.secho(article.title or "(senza titolo)", bold=True)
    details = [
        article.date.strftime("%d/%m/%Y") if article.date else "senza data",
        article.author or "autore non indicato",
        article.source or "fonte non indicata",
    ]
    click.echo(" · ".join(details))
    if article.url:
        click.echo(article.url)
    click.echo(f"id: {article.id}")
    click.echo()
    click.echo(article.body)


SORT_CHOICES = {"relevance": "relevance", "newest": "newest", "oldest": "oldest"}


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@INDEX_OPTION
@click.option("--from", "date_from", metavar="DATA", help="Dal giorno (2025-04-12, aprile 2025…).")
@click.option("--to", "date_to", metavar="DATA", help="Fino al giorno incluso.")
@click.option("--author", help="Solo articoli di questo autore.")
@click.option("--source", help="Solo articoli di questa fonte.")
@click.option(
    "--sort",
    type=click.Choice(list(SORT_CHOICES)),
    default="relevance",
    show_default=True,
    help="Ordine dei risultati.",
)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    default=10,
    show_default=True,
    help="Risultati per pagina.",
)
@click.option("--all", "all_pages", is_flag=True, help="Tutti i risultati, senza pagine.")
@JSON_OPTION
def search_command(
    query: tuple[str, ...],
    index_dir: Path,
    date_from: str | None,
    date_to: str | None,
    author: str | None,
    source: str | None,
    sort: str,
    page: int,
    limit: int,
    all_pages: bool,
    as_json: bool,
) -> None:
    """Cerca negli articoli (sintassi: README, «Sintassi di ricerca»)."""
    archive = _open(index_dir)
    request = SearchRequest(
        query=" ".join(query),
        date_from=date_from,
        date_to=date_to,
        author=author,
        source=source,
        sort=sort,
        page=page,
        limit=limit,
    )
    try:
        result = search(archive, request)
        hits = list(iter_hits(archive, request)) if all_pages else list(result.hits)
    except QueryError as error:
        raise _fail(error, exit_code=2) from None
    if all_pages:
        result = replace(result, page=1, pages=1 if hits else 0, limit=len(hits), hits=tuple(hits))
    if as_json:
        click.echo(json.dumps(result_json(result), ensure_ascii=False, indent=2))
        return
    _print_results(result)


def _print_results(result: ResultPage) -> None:
    colour = sys.stdout.isatty()
    for notice in result.notices:
        click.echo(f"Nota: {notice}", err=True)
    if not result.total:
        click.echo(f"Nessun risultato per «{result.query}».")
    else:
        click.echo(
            f"{result.total} risultati per «{result.query}» ({result.elapsed_ms:.0f} ms)"
            f" · pagina {result.page} di {result.pages}"
        )
    first = (result.page - 1) * result.limit
    for number, hit in enumerate(result.hits, start=first + 1):
        click.echo()
        click.secho(f"{number}. {hit.title}", bold=colour)
        click.echo("   " + " · ".join(_hit_details(hit)))
        click.echo("   " + render_snippet(hit.snippet, colour))
        if hit.similar:
            click.echo(f"   (+{hit.similar} articoli simili)")
    if result.suggestion:
        click.echo()
        click.echo(f"Forse cercavi: {result.suggestion}")


def _hit_details(hit: Hit) -> list[str]:
    details = [hit.date.strftime("%d/%m/%Y") if hit.date else "senza data"]
    details += [value for value in (hit.author, hit.source) if value]
    details.append(f"id: {hit.id}")
    return details


def render_snippet(snippet: str, colour: bool) -> str:
    """A snippet for the terminal: marks in colour, or plain text when piped."""
    start, end = ("\x1b[1;33m", "\x1b[0m") if colour else ("", "")
    text = snippet.replace("<mark>", start).replace("</mark>", end)
    return html.unescape(text)


@main.command("related")
@click.argument("article_id")
@INDEX_OPTION
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=5, show_default=True)
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
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if copies:
        click.echo(f"Stessa notizia ({len(copies)} copie):")
        for hit in copies:
            click.echo(f"  - {hit.title} · " + " · ".join(_hit_details(hit)))
    click.echo("Articoli correlati:" if hits else "Nessun articolo correlato.")
    for hit in hits:
        click.echo(f"  - {hit.title} · " + " · ".join(_hit_details(hit)))


@main.command("serve")
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ARCHIVIO_HOST")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, envvar="ARCHIVIO_PORT"
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processi gunicorn (predefinito: 2 × core + 1, al massimo 8).",
)
def serve_command(index_dir: Path, host: str, port: int, workers: int | None) -> None:
    """Serve la ricerca nel browser con gunicorn."""
    from web.server import serve

    _open(index_dir).close()  # a missing or stale index is said here, not in every worker
    serve(index_dir=index_dir, host=host, port=port, workers=workers)
