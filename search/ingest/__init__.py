"""Turn the files of a corpus directory into `Article` records, whatever their format.

Formats by file name: archive export (`.txt`, `.md`), saved pages (`.html`, `.htm`),
JSON Lines (`.jsonl`, `.jsonl.gz`), web archives (`.warc`, `.warc.gz`). Other files and
hidden folders are not read; `discover` says which files are refused and why (links out of
the corpus, FIFOs). Whole-file problems raise `SkipInput`; problems inside a multi-article
file come back as `Skipped` records next to the good articles.

Every article leaves `read_articles` the same way, whatever its reader: text fields
cleaned of what no output can carry (`search.sanitize.clean_text`), a readable title and
its place when the record's title is empty or a dateline (`dateline.readable_title`),
within `IngestLimits.max_article_chars`, and dated only within `dates.article_date_range`
(any other date is dropped: the article is indexed undated, with a line in the report).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from search.dates import DateRange, article_date_range
from search.errors import SkipInput
from search.ingest.corpus import FORMATS, NOT_ARTICLES, discover, input_format
from search.ingest.dateline import readable_title
from search.ingest.limits import DEFAULT_LIMITS, IngestLimits, article_too_long, thousands
from search.model import Article, Notice, Skipped
from search.sanitize import clean_text

__all__ = ["FORMATS", "NOT_ARTICLES", "IngestLimits", "discover", "input_format", "read_articles"]


def read_articles(
    path: Path, label: str, limits: IngestLimits = DEFAULT_LIMITS
) -> Iterator[Article | Skipped]:
    """The articles of one file with their ids assigned; raises SkipInput for a bad file.

    An id is the record's own, else its URL, else the file's corpus path (`file#N` for
    the N-th article of a file that holds several): stable across reindexes. Only the first
    `limits.max_reasons_per_file` problems of a file are listed; one more line counts the rest.
    """
    # The readers' libraries (trafilatura, warcio, markdown-it) load only when a file is read:
    # every command imports this package, for `IngestLimits` in its settings.
    from search.ingest.readers import READERS

    kind = input_format(path)
    if kind is None:
        raise SkipInput("formato non supportato")
    position = 0
    problems = _Problems(label, limits.max_reasons_per_file)
    notices = _Problems(label, limits.max_reasons_per_file, Notice, "avvisi")
    plausible = article_date_range()
    try:
        for item in READERS[kind](path, label, limits):
            if isinstance(item, Skipped):
                yield from problems.add(item)
                continue
            position += 1
            fallback = label if kind in ("export", "html") else f"{label}#{position}"
            where = f"{label}#{item.url}" if kind == "warc" else fallback
            if reason := article_too_long(item, limits):
                yield from problems.add(Skipped(where, reason))
                continue
            article_id = item.id or item.url or fallback
            if item.date is not None and not plausible.contains(item.date):
                yield from notices.add(Notice(where, _implausible(item, article_id, plausible)))
                item = dataclasses.replace(item, date=None)
            yield _finished(item, article_id, label)
    except FileNotFoundError:
        raise SkipInput("il file non c'è più: cancellato durante la reindicizzazione") from None
    except OSError as error:
        raise SkipInput(f"file illeggibile: {error.strerror or error}") from None
    yield from problems.rest()
    yield from notices.rest()


def _finished(article: Article, article_id: str, label: str) -> Article:
    """Every text field clean and composed (NFC: `Núñez` written decomposed is the same
    author and facet as `Núñez` composed; the id stays as given, so that it is found as it
    was), then the title and place a reader can use."""
    fields = {name: _clean(v) for name, v in vars(article).items() if isinstance(v, str)}
    fields |= {"id": clean_text(article_id), "path": label}
    tags = tuple(filter(None, map(_clean, article.tags)))
    return readable_title(dataclasses.replace(article, **fields, tags=tags))  # type: ignore[arg-type]


def _clean(text: str) -> str:
    return clean_text(text if text.isascii() else unicodedata.normalize("NFC", text))


def _implausible(article: Article, article_id: str, plausible: DateRange) -> str:
    """The report's line for a date dropped by `dates.article_date_range`."""
    return (
        f"data {article.date} non plausibile per un articolo (fuori da {plausible.start} – "
        f"{plausible.end}): articolo «{clean_text(article_id)}» indicizzato senza data"
    )


class _Problems:
    """The first problems of a file as they come, then how many more there were."""

    def __init__(
        self, label: str, keep: int, kind: type[Skipped] = Skipped, words: str = "scartati"
    ) -> None:
        self.label = label
        self.keep = keep
        self.count = 0
        self.kind = kind
        self.words = words

    def add(self, problem: Skipped) -> Iterator[Skipped]:
        self.count += 1
        if self.count <= self.keep:
            yield problem

    def rest(self) -> Iterator[Skipped]:
        if (more := self.count - self.keep) > 0:
            yield self.kind(
                self.label,
                f"e altri {thousands(more)} {self.words} in questo file "
                f"(elencati solo i primi {self.keep}: max_reasons_per_file)",
            )
