"""Read the dates people type and the dates articles carry.

`parse_date_range` reads user input (CLI ``--from/--to``, web date fields, ``data:`` in a
query) into an inclusive `DateRange` and raises `DateError` on anything it cannot read.
`parse_article_date` reads an article's date at ingest: lenient, never raises.

Why a small grammar and not `dateparser` (1.5.0, already installed through htmldate):
measured on the forms below it takes 1.3-2.7 ms a call, against 2-5 µs here for an
article date (about 11 µs for a byline with no date at all). It also gives one instant
instead of a range ("aprile 2025" -> 25 April, today's day filled in), reads "12 sett. 2025"
as 2 September 2026, and knows neither "1º maggio", "l'altro ieri", "ultimi N giorni" nor
any range form. Those gaps are most of the work, so a few compiled patterns and `calendar`
cover every form, exactly and fast enough for ingest.

Choices a user can notice:

* Open ranges (``2024..``, ``..2025-04``, ``dal 1 marzo 2025``) use ``date.min`` /
  ``date.max`` (`OPEN_START` / `OPEN_END`); `DateRange.open_start` / ``open_end`` tell.
* "ultimi N giorni/settimane/mesi/anni" are the N units ending today, today included, as
  "ultimi 7 giorni" = today-6..today. So "ultimo mese" starts the day after the same day
  last month (25 Nov -> from 26 Oct, i.e. today-30 after a 31-day month).
* A day or month without a year is the most recent one that has begun by today.
* In a range, a side without year (or month) takes it from the other side, as Italian
  does ("dal 1 marzo al 15 aprile 2025"); if that would put the start after the end, the
  borrowed year moves by one ("dal 20 dicembre al 6 gennaio 2025" starts in 2024).
* Two-digit years follow ``strptime``'s ``%y``: 69-99 -> 1900s, 00-68 -> 2000s.
* An article date is the calendar day as written: "2025-04-12T23:30-05:00" is 12 April.
* An article date outside `article_date_range` (before 1800, or more than a year after
  today) is not used: ingest indexes the article undated and reports it.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from search.errors import DateError

OPEN_START = date.min
OPEN_END = date.max

_MONTHS = (
    *("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno"),
    *("luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"),
)
# Every Italian month abbreviates to its first three letters; "sett." is the usual extra.
_MONTH_NUMBER = {name: n for n, name in enumerate(_MONTHS, 1)}
_MONTH_NUMBER |= {name[:3]: n for n, name in enumerate(_MONTHS, 1)} | {"sett": 9}
_MONTH = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
_WEEKDAY = "lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|lun|mar|mer|gio|ven|sab|dom"
_NUMBER_WORDS = {
    **{"un": 1, "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6},
    **{"sette": 7, "otto": 8, "nove": 9, "dieci": 10, "undici": 11, "dodici": 12},
}

_EXAMPLES = "esempi: 2025-04-12, aprile 2025, 12/04/2025, 2024..2025, ultimi 7 giorni"


@dataclass(frozen=True)
class DateRange:
    """The days from `start` to `end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise DateError(f"{self.start}..{self.end}", "l'inizio viene dopo la fine")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def open_start(self) -> bool:
        return self.start == OPEN_START

    @property
    def open_end(self) -> bool:
        return self.end == OPEN_END


class _Partial(NamedTuple):
    """A date as written, before a missing year or month is filled in."""

    year: int | None
    month: int | None
    day: int | None


_Side = _Partial | DateRange | None

# --- user input: patterns run on _normalize()d text (casefolded, accents stripped) ---

_ORDINAL = r"(?:\d{1,2}[°o]?|primo)"  # "1°"; "1º" is "1o" after NFKD
_LEAD = re.compile(rf"(?:(?:{_WEEKDAY})\.?,?\s+(?={_ORDINAL}\b))?(?:il\s+|l'\s*)?")
_POINTS = tuple(
    re.compile(p)
    for p in (
        r"(?P<year>\d{4})(?P<sep>[-/])(?P<month>\d{1,2})(?:(?P=sep)(?P<day>\d{1,2}))?",
        r"(?P<year>\d{4})",
        r"(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})",
        r"(?P<month>\d{1,2})[-/.](?P<year>\d{4})",
        rf"(?:(?P<day>{_ORDINAL})\s*)?(?P<month>{_MONTH})\.?(?:,?\s+(?:del\s+)?(?P<year>\d{{4}}))?",
        r"(?P<day>\d{1,2})[°o]?|(?P<first>primo)",
    )
)
_DOTS = re.compile(r"(?P<a>.*?)\s*\.\.\s*(?P<b>.*)")
_DASH = re.compile(r"\s*-\s*")
# A connector ends in a space or an apostrophe, so "a" never eats the start of "aprile".
_FROM = r"(?:a\s+partire\s+)?(?:dal\s+|dall'\s*|da\s+)(?P<a>.+?)"
_TO = r"(?:fino\s+)?(?:al\s+|all'\s*|a\s+|ad\s+)(?P<b>.+)"
# Closed forms first: "dal A" alone is an open range only when no "al B" follows.
_CONNECTORS = tuple(
    re.compile(p)
    for p in (
        rf"{_FROM}\s+{_TO}",
        r"(?:tra|fra)\s+(?P<a>.+?)\s+e\s+(?P<b>.+)",
        r"fino\s+(?:al\s+|all'\s*|a\s+|ad\s+)(?P<b>.+)",
        _FROM,
    )
)

_ART = r"(?:(?:nell|dell|l)'\s*|(?:negli|nelle|nella|nel|gli|le|la|il|lo|per)\s+)?"
_LAST_N = re.compile(
    rf"{_ART}ultim[aoie]\s+(?:(?P<n>\d+|{'|'.join(_NUMBER_WORDS)})\s+)?"
    r"(?P<unit>giorn[oi]|settiman[ae]|mes[ei]|ann[oi])"
)
_SINGULAR_UNITS = {"giorno", "settimana", "mese", "anno"}
# A unit is its stem, the word less its last vowel: giorn-o/i, settiman-a/e, mes-e/i, ann-o/i.
_DAYS_IN = {"giorn": 1, "settiman": 7}
_MONTHS_IN = {"mes": 1, "ann": 12}


def _day(d: date) -> tuple[date, date]:
    return d, d


def _previous_month(t: date) -> tuple[date, date]:
    last = t.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _previous_week(t: date) -> tuple[date, date]:
    monday = t - timedelta(days=t.weekday() + 7)  # Italian weeks start on Monday
    return monday, monday + timedelta(days=6)


_FIXED: tuple[tuple[re.Pattern[str], Callable[[date], tuple[date, date]]], ...] = tuple(
    (re.compile(_ART + pattern), span)
    for pattern, span in (
        (r"oggi", _day),
        (r"ieri", lambda t: _day(t - timedelta(days=1))),
        (r"altro\s*ieri", lambda t: _day(t - timedelta(days=2))),
        (r"questa\s+settimana", lambda t: (t - timedelta(days=t.weekday()), t)),
        (r"(?:settimana\s+(?:scorsa|passata)|scorsa\s+settimana)", _previous_week),
        (r"(?:questo\s+mese|mese\s+corrente)", lambda t: (t.replace(day=1), t)),
        (r"(?:mese\s+(?:scorso|passato)|scorso\s+mese)", _previous_month),
        (r"(?:quest'\s*anno|questo\s+anno|anno\s+corrente)", lambda t: (date(t.year, 1, 1), t)),
        (
            r"(?:anno\s+(?:scorso|passato)|scorso\s+anno)",
            lambda t: (date(t.year - 1, 1, 1), date(t.year - 1, 12, 31)),
        ),
    )
)

_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "–": "-", "—": "-"})
_SPACES = re.compile(r"\s+")


def parse_date_range(text: str, *, today: date | None = None) -> DateRange:
    """Read a day, month, year, range or relative period typed by a user.

    Relative forms count from `today` (default: the real today). Raises `DateError`
    naming `text` when it cannot be read or names a day that does not exist.
    """
    return _parse(text, today or date.today())[0]


def parse_date_bound(text: str, *, end: bool, today: date | None = None) -> date:
    """The first (or, with `end`, last) day of what a one-sided date field holds.

    A "Dal"/`--from` field takes the start of the period written, a "Al"/`--to` field its
    end. A range written in one field (`dal 1 marzo al 15 aprile 2021`) is refused with a
    message rather than half applied: it belongs in the two fields, or in `data:` clause.
    """
    span, kind = _parse(text, today or date.today())
    shown = text.strip()
    if kind == "interval" or (kind == "from" and end) or (kind == "to" and not end):
        raise DateError(
            shown,
            "è un intervallo: scrivi l'inizio nel campo «Dal» (--from) e la fine nel campo "
            '«Al» (--to), oppure usa data:"…" nella ricerca',
        )
    return span.end if end else span.start


def _parse(text: str, today: date) -> tuple[DateRange, str]:
    """The range and what kind of text wrote it: period, interval, from (open end), to."""
    shown = text.strip() or '""'
    s = _normalize(text)
    if not s:
        raise DateError(shown, "scrivi una data, per esempio 2025-04-12")
    if (relative := _relative(s, today, shown)) is not None:
        return relative, "period"
    if m := _DOTS.fullmatch(s):
        if not (m["a"] or m["b"]):
            raise DateError(shown, _EXAMPLES)
        span = _between(_side(m["a"], today, shown), _side(m["b"], today, shown), today, shown)
        return span, _sides(m["a"], m["b"])
    for pattern in _CONNECTORS:
        if m := pattern.fullmatch(s):
            found = m.groupdict()
            a, b = found.get("a") or "", found.get("b") or ""
            span = _between(_side(a, today, shown), _side(b, today, shown), today, shown)
            return span, _sides(a, b)
    if (point := _point(s)) is not None:
        return _single(point, today, shown), "period"
    for m in _DASH.finditer(s):  # "marzo-maggio 2024", "1-15 aprile"; after "12-04-2025"
        left, right = _point(s[: m.start()]), _point(s[m.end() :])
        if left is not None and right is not None:
            return _between(left, right, today, shown), "interval"
    raise DateError(shown, _EXAMPLES)


def _sides(a: str, b: str) -> str:
    return "interval" if a and b else "from" if a else "to"


def _normalize(text: str) -> str:
    s = unicodedata.normalize("NFKD", text.translate(_TRANSLATE).casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _SPACES.sub(" ", s).strip()


def _relative(s: str, today: date, shown: str) -> DateRange | None:
    for pattern, span in _FIXED:
        if pattern.fullmatch(s):
            return DateRange(*span(today))
    m = _LAST_N.fullmatch(s)
    if m is None:
        return None
    if m["n"] is None and m["unit"] not in _SINGULAR_UNITS:
        raise DateError(shown, "quanti? per esempio: ultimi 3 mesi")
    n = 1 if m["n"] is None else _NUMBER_WORDS.get(m["n"]) or int(m["n"])
    if n < 1:
        raise DateError(shown, "il numero deve essere almeno 1")
    unit = m["unit"][:-1]
    try:
        if unit in _DAYS_IN:
            start = today - timedelta(days=n * _DAYS_IN[unit] - 1)
        else:
            start = _add_months(today, -n * _MONTHS_IN[unit]) + timedelta(days=1)
    except (OverflowError, ValueError):
        raise DateError(shown, "troppo indietro nel tempo") from None
    return DateRange(start, today)


def _add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 March - 1 -> 28/29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _point(s: str) -> _Partial | None:
    s = _LEAD.sub("", s, count=1)
    for pattern in _POINTS:
        if m := pattern.fullmatch(s):
            found = m.groupdict()
            day = found.get("day") or found.get("first")
            return _partial(found.get("year"), found.get("month"), day)
    return None


def _partial(year: str | None, month: str | None, day: str | None) -> _Partial:
    return _Partial(
        None if year is None else _year(year),
        None if month is None else _month(month),
        None if day is None else (1 if day == "primo" else int(day.rstrip("°o"))),
    )


def _year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        year += 1900 if year >= 69 else 2000
    return year


def _month(word: str) -> int:
    return int(word) if word.isdigit() else _MONTH_NUMBER[word]


def _side(s: str, today: date, shown: str) -> _Side:
    """One side of a range: empty (open), a relative period, or a written date."""
    if not s:
        return None
    if (relative := _relative(s, today, shown)) is not None:
        return relative
    if (point := _point(s)) is not None:
        return point
    raise DateError(shown, _EXAMPLES)


def _between(a: _Side, b: _Side, today: date, shown: str) -> DateRange:
    if isinstance(a, _Partial) and isinstance(b, _Partial):
        a, b = _share(a, b, today, shown)
    start = OPEN_START if a is None else _as_range(a, today, shown).start
    end = OPEN_END if b is None else _as_range(b, today, shown).end
    if start > end:
        raise DateError(shown, "l'inizio viene dopo la fine")
    return DateRange(start, end)


def _as_range(side: _Partial | DateRange, today: date, shown: str) -> DateRange:
    return side if isinstance(side, DateRange) else _single(side, today, shown)


def _share(a: _Partial, b: _Partial, today: date, shown: str) -> tuple[DateRange, DateRange]:
    """Resolve two written sides, each taking from the other what it left out."""
    a_bare, b_bare = a.year is None and a.month is None, b.year is None and b.month is None
    if a_bare:  # "dal 1 al 15 aprile 2025"
        a = a._replace(month=b.month)
    elif b_bare:  # "dal 12 marzo al 15"
        b = b._replace(month=a.month)
    for p in (a, b):
        if p.month is None and p.day is not None:
            raise DateError(shown, "manca il mese")
        _check(p.year, p.month, p.day, shown)
    if b.year is not None:
        year_b = b.year
    elif a.year is not None:
        year_b = a.year
    elif b.month is not None:
        year_b = _latest_year(b.month, b.day, today)
    else:  # pragma: no cover - a side with neither month nor year was rejected above
        raise DateError(shown, "manca il mese")
    year_a = a.year if a.year is not None else year_b
    _check(year_a, a.month, a.day, shown)
    _check(year_b, b.month, b.day, shown)
    if _bounds(year_a, a.month, a.day)[0] > _bounds(year_b, b.month, b.day)[1]:
        # "dal 20 dicembre al 6 gennaio 2025": the written year belongs to one side only.
        # A bare day borrowed its month too, so moving its year would not help.
        if a.year is None and not a_bare:
            year_a -= 1
        elif b.year is None and a.year is not None and not b_bare:
            year_b += 1
        _check(year_a, a.month, a.day, shown)
        _check(year_b, b.month, b.day, shown)
    return DateRange(*_bounds(year_a, a.month, a.day)), DateRange(*_bounds(year_b, b.month, b.day))


def _single(p: _Partial, today: date, shown: str) -> DateRange:
    _check(p.year, p.month, p.day, shown)
    if p.year is not None:
        year = p.year
    elif p.month is not None:
        year = _latest_year(p.month, p.day, today)
    else:
        raise DateError(shown, "manca il mese")
    return DateRange(*_bounds(year, p.month, p.day))


def _check(year: int | None, month: int | None, day: int | None, shown: str) -> None:
    """Raise DateError for a year, month or day that does not exist."""
    if year is not None and not 1 <= year <= 9999:
        raise DateError(shown, "l'anno va da 1 a 9999")
    if month is not None and not 1 <= month <= 12:
        raise DateError(shown, "il mese va da 1 a 12")
    if day is not None and month is not None:
        days = calendar.monthrange(year or 2000, month)[1]  # no year: 29 Feb may exist
        if day < 1:
            raise DateError(shown, "il giorno 0 non esiste")
        if day > days:
            name = _MONTHS[month - 1]
            where = f"{name} {year} ha" if year else f"{name} ha al massimo"
            raise DateError(shown, f"{where} {days} giorni")


def _latest_year(month: int, day: int | None, today: date) -> int:
    """Year of the most recent `month` (and `day`) that has begun by `today`."""
    year = today.year if (month, day or 1) <= (today.month, today.day) else today.year - 1
    while day is not None and day > calendar.monthrange(year, month)[1]:
        year -= 1  # "29 febbraio": the last leap year
    return year


def _bounds(year: int, month: int | None, day: int | None) -> tuple[date, date]:
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if day is None:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, month, day), date(year, month, day)


# --- article dates: one search over the raw text, case-insensitive, first real day wins ---

# The one plausibility rule for every ingest path. From 1800: digitised 19th-century papers
# keep their dates. To a year after today: scheduled and embargoed pieces keep theirs. Outside
# lie the placeholders CMSs write for "no date" (Go's zero time 0001-01-01, 9999-12-31, "-0001"
# read as year 1): one of them made the timeline and trends fill every month from 0001 to 9999.
EARLIEST_ARTICLE_DAY = date(1800, 1, 1)


def article_date_range(today: date | None = None) -> DateRange:
    """The days an article may be dated: `EARLIEST_ARTICLE_DAY` to a year after `today`.

    Ingest drops any other date (the article is indexed undated, and the report says so);
    htmldate gets the same bounds, in place of its own (1995 to today).
    """
    return DateRange(EARLIEST_ARTICLE_DAY, _add_months(today or date.today(), 12))


_ARTICLE_SCAN = 200  # a date field or byline; a body's later dates are not the article's
_ARTICLE_DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?P<iy>\d{4})(?P<isep>[-/])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})"
    r"|(?P<nd>\d{1,2})(?P<nsep>[-/.])(?P<nm>\d{1,2})(?P=nsep)(?P<ny>\d{4}|\d{2})"
    rf"|(?:(?P<td>\d{{1,2}})[°º]?|\bprimo)\s*(?P<tm>{_MONTH})(?![a-z])\.?,?\s+(?:del\s+)?(?P<ty>\d{{4}})"
    r")(?!\d)",
    re.IGNORECASE,
)


def parse_article_date(text: str) -> date | None:
    """The first full day date in an article's date field or byline, else None.

    Reads ISO dates and datetimes, "12/04/2025", "12 aprile 2025 ore 10:30",
    "Notizia del 14 gennaio 2020"; a bare month or year, or no date at all, gives None.
    """
    if not text or not isinstance(text, str):
        return None
    for m in _ARTICLE_DATE.finditer(text, 0, _ARTICLE_SCAN):
        if m["iy"]:
            year, month, day = int(m["iy"]), int(m["im"]), int(m["id"])
        elif m["nd"]:
            year, month, day = _year(m["ny"]), int(m["nm"]), int(m["nd"])
        else:
            year, month, day = int(m["ty"]), _MONTH_NUMBER[m["tm"].lower()], int(m["td"] or 1)
        try:
            return date(year, month, day)
        except ValueError:
            continue  # "31/02/2025": not a day; a later match may be
    return None
