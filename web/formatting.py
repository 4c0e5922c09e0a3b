"""How values look on the pages (Italian dates and numbers) and in JSON answers.

Every value printed by a template (`finalize`) and every JSON answer goes through
`search.printable`: whatever the index or the query holds, the output is valid UTF-8
without control characters.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from search.printable import printable, printable_data
from web.links import article_url

MONTHS = (
    *("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno"),
    *("luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"),
)


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON as `json.dumps` writes it, but `<`, `>`, `&` and `'` as \\u escapes.

    The parsed value is unchanged (so `/api/search` still equals `archivio search --json`),
    while a hostile query or title never appears as raw markup in the body, whatever a
    browser or proxy makes of the content type. Strings are `printable` first.
    """

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return str(htmlsafe_json_dumps(printable_data(obj), dumps=super().dumps, **kwargs))


def long_date(day: date | None) -> str:
    """12 aprile 2025 (1° for the first of the month, as Italian writes it)."""
    if day is None:
        return "senza data"
    number = "1°" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def month_label(value: str) -> str:
    """ "2025-04" -> "aprile 2025"."""
    year, _, month = value.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return value
    return f"{MONTHS[int(month) - 1]} {year}"


def number(value: int | float) -> str:
    """1.234 with the Italian thousands separator."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else f"{value:.0f}"


def safe_link(url: str | None) -> str | None:
    """`url` if it is an http(s) address a page may link to, else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def host(url: str | None) -> str:
    try:
        return urlsplit(url or "").hostname or ""
    except ValueError:
        return ""


def printable_value(value: object) -> object:
    """Jinja's `finalize`: every `{{ … }}` of every template, before escaping."""
    if isinstance(value, Markup):
        return Markup(printable(str(value)))  # already escaped: only its text cleaned
    if isinstance(value, str):
        return printable(value)
    return value


def install(app: Flask) -> None:
    app.jinja_env.finalize = printable_value
    app.jinja_env.filters.update(
        long_date=long_date, month_label=month_label, number=number, host=host
    )
    app.jinja_env.globals.update(safe_link=safe_link, article_url=article_url)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
