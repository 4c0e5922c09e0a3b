"""Domain errors. User-facing wording lives here so CLI and web say the same thing."""

from __future__ import annotations


class ArchivioError(Exception):
    """Base class for every error Archivio reports to a user."""


class IndexMissingError(ArchivioError):
    def __init__(self, index_dir: str) -> None:
        super().__init__(
            f"nessun indice in {index_dir}: esegui prima `archivio reindex --index {index_dir}`"
        )


class StaleIndexError(ArchivioError):
    def __init__(self, index_dir: str, found: str, expected: str) -> None:
        super().__init__(
            f"l'indice in {index_dir} è stato scritto con la versione {found} dell'analisi "
            f"(attesa {expected}): esegui `archivio reindex --full --index {index_dir}`"
        )


class BackendUnavailableError(ArchivioError):
    """The server an index lives on does not answer (PostgreSQL down, wrong address)."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(
            f"il server dell'indice non risponde ({address}): {reason}. L'indice non è "
            "danneggiato: controlla che il server sia avviato e che l'indirizzo sia giusto"
        )


class QueryError(ArchivioError):
    """The query cannot be understood (unknown field, bad value)."""


class DateError(QueryError):
    """A date or date range that cannot be read."""

    def __init__(self, text: str, hint: str = "") -> None:
        self.text = text
        message = f"data non valida: {text}"
        super().__init__(f"{message} ({hint})" if hint else message)


class IndexLockedError(ArchivioError):
    """Another writer holds the index."""


class ArticleNotFoundError(ArchivioError):
    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(f"articolo non trovato: {article_id}")


class SkipInput(ArchivioError):
    """An input file, or a record inside one, that cannot be indexed; the message is the reason."""


class IndexWriteError(ArchivioError):
    """The index could not be written (full disk, read-only folder…); the old one is intact."""


class IndexCorruptError(ArchivioError):
    """The live index's files differ from what was committed, or cannot be read."""

    def __init__(self, index_dir: str, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:5]) + (
            f" (e altri {len(problems) - 5})" if len(problems) > 5 else ""
        )
        super().__init__(
            f"l'indice in {index_dir} è danneggiato: {shown}. Ricostruiscilo con "
            f"`archivio reindex --full --index {index_dir}` (il corpus non si tocca)"
        )


class SearchTimeout(QueryError):
    """A search went past its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"la ricerca ha superato il tempo massimo di {seconds:g} s: usa parole più "
            "specifiche, meno caratteri jolly o un periodo più stretto"
        )
