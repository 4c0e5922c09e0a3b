"""Every occurrence of a query in context (keyword in context), across all its articles.

One line per occurrence of the query's words or phrases (`search.occurrences`) in the
articles matching the query as written: the words before, the match, the words after,
and the article. Lines sort by date (oldest first, undated last, then in text order), by
the words before the match (nearest first) or by the words after it. Nothing is capped:
a page is cut from all the lines, and `iter_lines` gives every one (the CSV export).

The lines of a query are found once and kept (`Archive.cache`, per generation) as
offsets with their sort keys; a page reads again only the articles it shows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from search.analysis import fold
from search.archive import Archive, PinnedArchive
from search.budget import NO_DEADLINE, Deadline
from search.engines.base import Snapshot, StoredArticle
from search.errors import QueryError, SearchTimeout
from search.highlight import MatchTerms, find_matches
from search.occurrences import Pattern, find_occurrences, patterns_of
from search.query.plan import build_plan
from search.receipts import Receipt, receipt_for
from search.results import SearchRequest, display_title, match_terms, result_rows, search

SORTS = ("date", "left", "right")
DEFAULT_WIDTH = 60
MIN_WIDTH, MAX_WIDTH = 10, 200
MAX_LIMIT = 500
KEY_WORDS = 4  # words of context a sort looks at, on each side
PAGE_SECONDS = 30.0  # a page reads every matching article once: above a search's deadline
_BATCH = 200
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Line:
    article_id: str
    title: str
    date: date | None
    source: str | None
    url: str | None
    field: str  # "title" or "body"
    start: int  # where the match is in that field's text (characters)
    end: int
    left: str  # up to `width` characters before the match, spaces collapsed
    match: str
    right: str
    mark: int = 0  # its number among the marked words of the article page (`hit-N`); 0: unknown


@dataclass(frozen=True)
class ConcordancePage:
    query: str
    sort: str
    width: int
    occurrences: int
    articles: int  # articles matching the query as written
    articles_with_occurrences: int  # fewer when a match is by author, date… only
    partial: int  # articles holding only some of the words: not read
    page: int
    pages: int
    limit: int
    lines: tuple[Line, ...]
    notices: tuple[str, ...]
    receipt: Receipt


@dataclass(frozen=True)
class _Spot:
    """One occurrence, as kept between pages: where it is and how it sorts."""

    row: int
    field: int  # 0 title, 1 body
    start: int
    end: int
    day: int
    left_key: tuple[str, ...]
    right_key: tuple[str, ...]
    match_key: str


def check_options(sort: str, width: int) -> None:
    if sort not in SORTS:
        raise QueryError(f"ordinamento sconosciuto: {sort}. Valori validi: {', '.join(SORTS)}")
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise QueryError(f"l'ampiezza del contesto va da {MIN_WIDTH} a {MAX_WIDTH} caratteri")


def concordance(
    archive: Archive,
    request: SearchRequest,
    *,
    sort: str = "date",
    width: int = DEFAULT_WIDTH,
    page: int = 1,
    limit: int = 50,
    seconds: float | None = PAGE_SECONDS,
    marks: bool = False,
) -> ConcordancePage:
    """One page of the concordance of `request` (its query and filters); raises QueryError.

    `marks`: number each line as the article page numbers its marked words, so that a
    link can open the article at that occurrence.
    """
    check_options(sort, width)
    if page < 1 or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"pagina da 1 in su, righe per pagina da 1 a {MAX_LIMIT}")
    request = _as_written(request)
    deadline = Deadline(seconds) if seconds else NO_DEADLINE
    with archive.current() as view:
        snapshot = view.held
        found = search(view, replace(request, limit=1))
        spots = _spots(view, snapshot, request, sort, deadline)
        shown = spots[(page - 1) * limit : page * limit]
        stored = {item.row: item for item in snapshot.stored(sorted({s.row for s in shown}))}
        lines = tuple(_line(stored[s.row], s.field, s.start, s.end, width) for s in shown)
        if marks:
            terms = match_terms(view, request.query)
            lines = tuple(
                _numbered(line, stored[s.row], terms) for line, s in zip(lines, shown, strict=True)
            )
        receipt = receipt_for(view, snapshot, request, kind="concordanza")
    return ConcordancePage(
        query=request.query,
        sort=sort,
        width=width,
        occurrences=len(spots),
        articles=found.total,
        articles_with_occurrences=len({s.row for s in spots}),
        partial=found.partial,
        page=page,
        pages=math.ceil(len(spots) / limit),
        limit=limit,
        lines=lines,
        notices=found.notices,
        receipt=receipt,
    )


@dataclass
class LineStream:
    """Every line of a concordance (the CSV), and its receipt once they are all out."""

    lines: Iterator[Line]
    view: PinnedArchive
    request: SearchRequest

    def __iter__(self) -> Iterator[Line]:
        return self.lines

    def receipt(self) -> Receipt:
        return receipt_for(self.view, self.view.held, self.request, kind="concordanza")


def iter_lines(
    view: PinnedArchive, request: SearchRequest, *, sort: str = "date", width: int = DEFAULT_WIDTH
) -> LineStream:
    """Every line in order, read as it goes when sorted by date; raises QueryError now
    (before the first line) for a bad query. `view` fixes the snapshot they come from."""
    check_options(sort, width)
    request = _as_written(request)
    snapshot = view.held
    patterns = _patterns(view, snapshot, request)
    rows = result_rows(view, snapshot, request).as_written
    if sort == "date":
        lines = _lines_by_date(snapshot, rows, patterns, width)
    else:
        spots = _spots(view, snapshot, request, sort, NO_DEADLINE)
        lines = _lines_of(snapshot, spots, width)
    return LineStream(lines, view, request)


def _numbered(line: Line, item: StoredArticle, terms: MatchTerms) -> Line:
    """`line` with the number of its first word among the article page's marks (the
    title's first, then the body's: `search.results.highlight_article`)."""
    article = item.article
    title = article.title or display_title(article.body)
    before = [a for a, _ in find_matches(title, terms.in_field("title"))]
    if line.field == "body":
        spans = [a for a, _ in find_matches(article.body, terms.in_field("body"))]
        at = line.start
        number = len(before) + sum(1 for a in spans if a < at) + 1
        return replace(line, mark=number) if at in spans else line
    number = sum(1 for a in before if a < line.start) + 1
    return replace(line, mark=number) if line.start in before else line


def _as_written(request: SearchRequest) -> SearchRequest:
    # Oldest first: the order of the lines by date, and of the receipt's articles.
    return replace(request.validated(), sort="oldest", page=1, limit=1, collapse=False)


def _patterns(archive: Archive, snapshot: Snapshot, request: SearchRequest) -> tuple[Pattern, ...]:
    plan = build_plan(
        request.query,
        request.filters,
        snapshot,
        budget=archive.budget,
        proximity=False,  # the bonus for words near each other is no phrase of the query
        today=request.today,
    )
    return () if plan.empty else patterns_of(plan.match)


def _spots(
    archive: Archive, snapshot: Snapshot, request: SearchRequest, sort: str, deadline: Deadline
) -> list[_Spot]:
    key = ("concordanza", snapshot.generation, date.today(), request)
    ordered = archive.cache.get((*key, sort))
    if ordered is None:
        found = _found_spots(archive, snapshot, request, key, deadline)
        ordered = sorted(found, key=_SORT_KEYS[sort])
        archive.cache.put((*key, sort), ordered, cost=len(ordered))
    return ordered  # type: ignore[no-any-return]


def _found_spots(
    archive: Archive,
    snapshot: Snapshot,
    request: SearchRequest,
    key: tuple[object, ...],
    deadline: Deadline,
) -> list[_Spot]:
    """Every occurrence, in the order the articles come (oldest first), kept once."""
    cached = archive.cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    patterns = _patterns(archive, snapshot, request)
    rows = result_rows(archive, snapshot, request).as_written
    days = np.asarray(snapshot.columns["day"])
    spots: list[_Spot] = []
    for start in range(0, len(rows) if patterns else 0, _BATCH):
        if deadline.expired():
            raise SearchTimeout(deadline.seconds)
        for item in snapshot.stored(rows[start : start + _BATCH].tolist()):
            day = int(days[item.row])
            for field, text, span in _found(item, patterns):
                spots.append(_spot(item.row, field, text, span, day))
    archive.cache.put(key, spots, cost=len(spots) * 4)
    return spots


def _found(item: StoredArticle, patterns: tuple[Pattern, ...]) -> Iterator[tuple[int, str, Span]]:
    for field, text in enumerate(_texts(item)):
        for span in find_occurrences(text, patterns, ("title", "body")[field]):
            yield field, text, span


Span = tuple[int, int]


def _texts(item: StoredArticle) -> tuple[str, str]:
    return item.article.title, item.article.body


def _spot(row: int, field: int, text: str, span: Span, day: int) -> _Spot:
    start, end = span
    before = _WORD.findall(fold(text[max(0, start - 80 * KEY_WORDS) : start]))
    after = _WORD.findall(fold(text[end : end + 80 * KEY_WORDS]))
    return _Spot(
        row=row,
        field=field,
        start=start,
        end=end,
        day=day,
        left_key=tuple(reversed(before[-KEY_WORDS:])),
        right_key=tuple(after[:KEY_WORDS]),
        match_key=fold(text[start:end]),
    )


def _by_date(s: _Spot) -> tuple[object, ...]:
    return (s.day == 0, s.day, s.row, s.field, s.start)


_SORT_KEYS = {
    "date": _by_date,
    "left": lambda s: (s.left_key, s.match_key, *_by_date(s)),
    "right": lambda s: (s.right_key, s.match_key, *_by_date(s)),
}


def _line(item: StoredArticle, field: int, start: int, end: int, width: int) -> Line:
    text = _texts(item)[field]
    article = item.article
    return Line(
        article_id=article.id,
        title=article.title or display_title(article.body),
        date=article.date,
        source=article.source,
        url=article.url,
        field=("title", "body")[field],
        start=start,
        end=end,
        left=_left(text, start, width),
        match=_SPACE.sub(" ", text[start:end]),
        right=_right(text, end, width),
    )


def _left(text: str, start: int, width: int) -> str:
    """Up to `width` characters before `start`, spaces collapsed, no word cut in two."""
    origin = max(0, start - 3 * width)
    before = _SPACE.sub(" ", text[origin:start])
    if len(before) > width:
        cut_inside = not before[-width - 1].isspace()
        before = before[-width:]
    else:
        cut_inside = origin > 0 and not text[origin - 1].isspace()
    if cut_inside and not before[:1].isspace():
        space = before.find(" ")
        before = before[space + 1 :] if space >= 0 else before
    return before


def _right(text: str, end: int, width: int) -> str:
    """Up to `width` characters after `end`, spaces collapsed, no word cut in two."""
    stop = min(len(text), end + 3 * width)
    after = _SPACE.sub(" ", text[end:stop])
    if len(after) > width:
        cut_inside = not after[width].isspace()
        after = after[:width]
    else:
        cut_inside = stop < len(text) and not text[stop].isspace()
    if cut_inside and not after[-1:].isspace():
        space = after.rfind(" ")
        after = after[:space] if space >= 0 else after
    return after


def _lines_by_date(
    snapshot: Snapshot, rows: np.ndarray, patterns: tuple[Pattern, ...], width: int
) -> Iterator[Line]:
    """Article after article in date order (the ranking's): nothing held but a batch."""
    for start in range(0, len(rows) if patterns else 0, _BATCH):
        for item in snapshot.stored(rows[start : start + _BATCH].tolist()):
            for field, _, (start_at, end_at) in _found(item, patterns):
                yield _line(item, field, start_at, end_at, width)


def _lines_of(snapshot: Snapshot, spots: list[_Spot], width: int) -> Iterator[Line]:
    for start in range(0, len(spots), _BATCH):
        batch = spots[start : start + _BATCH]
        stored = {item.row: item for item in snapshot.stored(sorted({s.row for s in batch}))}
        for spot in batch:
            yield _line(stored[spot.row], spot.field, spot.start, spot.end, width)
