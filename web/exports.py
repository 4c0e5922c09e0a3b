"""Every match of a search as CSV or JSON (streamed), and the newest ones as an Atom feed.

They take the results page's parameters, so the page links to them with its own state.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for

from search.model import Hit
from search.results import SearchRequest, iter_hits
from search.serialize import hit_json
from web.formatting import safe_link
from web.params import SearchForm, read_search_form
from web.state import get_archive

bp = Blueprint("exports", __name__)

CSV_COLUMNS = ("id", "title", "date", "author", "source", "url", "score", "group")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ATOM_NS = "http://www.w3.org/2005/Atom"


@bp.get("/export.csv")
def export_csv() -> Response:
    form = read_search_form(request.args)
    hits = _all_hits(form.search_request(limit=1))

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for hit in hits:
            writer.writerow(csv_row(hit))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": _attachment("csv")},
    )


def csv_row(hit: Hit) -> list[str]:
    day = hit.date.isoformat() if hit.date else ""
    values = [hit.id, hit.title, day, hit.author or "", hit.source or "", hit.url or ""]
    return [guard_formula(value) for value in values] + [
        f"{hit.score:g}",
        guard_formula(hit.group or ""),
    ]


def guard_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


@bp.get("/export.json")
def export_json() -> Response:
    form = read_search_form(request.args)
    hits = _all_hits(form.search_request(limit=1))
    dumps = current_app.json.dumps

    def chunks() -> Iterator[str]:
        yield "["
        for n, hit in enumerate(hits):
            yield ("," if n else "") + "\n" + dumps(hit_json(hit))
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
    title = f"Archivio: {form.q}" if form.q.strip() else "Archivio: articoli più recenti"
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
        link = url_for("articles.article_page", article_id=hit.id, _external=True)
        ET.SubElement(entry, "id").text = link
        ET.SubElement(entry, "title").text = hit.title
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=link)
        original = safe_link(hit.url)
        if original:
            ET.SubElement(entry, "link", rel="related", href=original)
        ET.SubElement(entry, "updated").text = _timestamp(hit.date, default=updated)
        if hit.author:
            ET.SubElement(ET.SubElement(entry, "author"), "name").text = hit.author
        # The snippet is HTML; ElementTree escapes it once more, as type="html" requires.
        ET.SubElement(entry, "summary", type="html").text = hit.snippet
    return root


def _all_hits(search_request: SearchRequest) -> Iterator[Hit]:
    """Every hit, with a bad query raised now (a 400) rather than mid-stream."""
    hits = iter_hits(get_archive(), search_request)
    first = next(hits, None)
    return iter(()) if first is None else itertools.chain((first,), hits)


def _state(form: SearchForm) -> dict[str, Any]:
    return {k: v for k, v in form.url_args().items() if k != "pagina"}


def _timestamp(day: date | None, default: str = "") -> str:
    """RFC 3339 for Atom: an article's day at midnight UTC."""
    if day is None:
        return default or datetime.now(UTC).replace(microsecond=0).isoformat()
    return datetime.combine(day, time(), UTC).isoformat()


def _attachment(extension: str) -> str:
    return f'attachment; filename="archivio-ricerca.{extension}"'
