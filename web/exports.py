"""Every match of a search as CSV or JSON (streamed), and the newest ones as an Atom feed.

They take the results page's parameters, so the page links to them with its own state.
Every text is `printable` (the feed is well-formed XML 1.0 whatever the index holds), and
a stream never dies half-way: a record that cannot be written is logged and skipped, and
a failure of the search itself mid-stream is logged and the document closed, so that the
client never gets a body cut inside a row (the log says what was lost).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for

from search.model import Hit
from search.printable import printable
from search.results import SearchRequest, iter_hits
from search.serialize import hit_json
from web.formatting import safe_link
from web.links import article_url
from web.params import SearchForm, read_search_form
from web.state import get_archive

bp = Blueprint("exports", __name__)

CSV_COLUMNS = ("id", "title", "date", "author", "source", "url", "score", "group")
# A spreadsheet runs a cell that starts with =, +, -, @, tab or CR as a formula (CSV
# injection): guard the cell's start, after any leading separators or spaces, and also
# after every ";" or line break inside it, because a spreadsheet that splits on ";"
# (Italian Excel) starts a cell there even inside our quotes. The guard is a `'` just
# before the formula character, which spreadsheets read as "this is text".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"(?:^[ ;,]*|[;\r\n] *)(?=[=+\-@\t\r])")
ATOM_NS = "http://www.w3.org/2005/Atom"
T = TypeVar("T")


@bp.get("/export.csv")
def export_csv() -> Response:
    form = read_search_form(request.args)
    hits = _all_hits(form.search_request(limit=1))

    def rows() -> Iterator[str]:
        # Every cell quoted: a spreadsheet that splits on ";" keeps a quoted ";" as text.
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        writer.writerow(CSV_COLUMNS)
        yield buffer.getvalue()
        for row in _each(hits, csv_row):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(row)
            yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": _attachment("csv")},
    )


def csv_row(hit: Hit) -> list[str]:
    day = hit.date.isoformat() if hit.date else ""
    values = [hit.id, hit.title, day, hit.author or "", hit.source or "", hit.url or ""]
    return [guard_formula(printable(value)) for value in values] + [
        f"{hit.score:g}",
        guard_formula(printable(hit.group or "")),
    ]


def guard_formula(value: str) -> str:
    """`value` with a `'` wherever a spreadsheet could start reading a formula."""
    return _FORMULA.sub(lambda match: match.group(0) + "'", value)


@bp.get("/export.json")
def export_json() -> Response:
    form = read_search_form(request.args)
    hits = _all_hits(form.search_request(limit=1))
    dumps = current_app.json.dumps

    def chunks() -> Iterator[str]:
        yield "["
        for n, item in enumerate(_each(hits, lambda hit: dumps(hit_json(hit)))):
            yield ("," if n else "") + "\n" + item
        yield "\n]\n"

    return Response(
        stream_with_context(chunks()),
        mimetype="application/json",
        headers={"Content-Disposition": _attachment("json")},
    )


@bp.get("/feed.atom")
def feed() -> Response:
    """The newest matches, for a feed reader to follow a search."""
    form = read_search_form(request.args)
    request_ = replace(form.search_request(limit=1), sort="newest")
    hits = list(itertools.islice(_all_hits(request_), current_app.config["FEED_SIZE"]))
    body = ET.tostring(atom_feed(form, hits), encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


def atom_feed(form: SearchForm, hits: list[Hit]) -> ET.Element:
    root = ET.Element("feed", xmlns=ATOM_NS)
    root.set("xml:lang", "it")
    title = f"Archivio: {printable(form.q)}" if form.q.strip() else "Archivio: articoli più recenti"
    ET.SubElement(root, "title").text = title
    self_url = url_for("exports.feed", _external=True, **_state(form))
    ET.SubElement(root, "id").text = self_url
    ET.SubElement(root, "link", rel="self", type="application/atom+xml", href=self_url)
    page_url = url_for("results.search_page", _external=True, **_state(form))
    ET.SubElement(root, "link", rel="alternate", type="text/html", href=page_url)
    dates = [hit.date for hit in hits if hit.date]
    updated = _timestamp(max(dates) if dates else None)
    ET.SubElement(root, "updated").text = updated
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "Archivio"
    ET.SubElement(root, "generator").text = "Archivio"
    for hit in hits:
        entry = ET.SubElement(root, "entry")
        link = article_url(hit.id, _external=True)
        ET.SubElement(entry, "id").text = link
        ET.SubElement(entry, "title").text = printable(hit.title)
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=link)
        original = safe_link(hit.url)
        if original:
            ET.SubElement(entry, "link", rel="related", href=printable(original))
        ET.SubElement(entry, "updated").text = _timestamp(hit.date, default=updated)
        if hit.author:
            ET.SubElement(ET.SubElement(entry, "author"), "name").text = printable(hit.author)
        # The snippet is HTML; ElementTree escapes it once more, as type="html" requires.
        ET.SubElement(entry, "summary", type="html").text = printable(hit.snippet)
    return root


def _all_hits(search_request: SearchRequest) -> Iterator[Hit]:
    """Every hit, with a bad query raised now (a 400) rather than mid-stream."""
    hits = iter_hits(get_archive(), search_request)
    first = next(hits, None)
    return iter(()) if first is None else itertools.chain((first,), hits)


def _each(hits: Iterator[Hit], write: Callable[[Hit], T]) -> Iterator[T]:
    """`write(hit)` for every hit; a hit that fails is skipped, a failing search ends it.

    Once the first bytes are sent the status cannot change any more: the document is
    better closed and the failure logged than the body cut.
    """
    while True:
        try:
            hit = next(hits)
        except StopIteration:
            return
        except Exception:
            current_app.logger.exception("esportazione interrotta su %s", request.full_path)
            return
        try:
            yield write(hit)
        except Exception:
            current_app.logger.exception("articolo %r non esportato", hit.id)


def _state(form: SearchForm) -> dict[str, Any]:
    return {k: v for k, v in form.url_args().items() if k != "pagina"}


def _timestamp(day: date | None, default: str = "") -> str:
    """RFC 3339 for Atom: an article's day at midnight UTC."""
    if day is None:
        return default or datetime.now(UTC).replace(microsecond=0).isoformat()
    return datetime.combine(day, time(), UTC).isoformat()


def _attachment(extension: str) -> str:
    return f'attachment; filename="archivio-ricerca.{extension}"'
