"""Every match of a search as CSV or JSON (streamed), and the newest ones as an Atom feed.

They take the results page's parameters, so the page links to them with its own state.
Every text is `printable` (the feed is well-formed XML 1.0 whatever the index holds), and
a stream never dies half-way: a record that cannot be written is logged and skipped, and
a failure of the search itself mid-stream is logged and the document closed, so that the
client never gets a body cut inside a row (the log says what was lost).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for

from search.archive import PinnedArchive
from search.model import Hit
from search.printable import printable
from search.receipts import ATOM_NAMESPACE, Receipt, ReceiptBuilder, atom_element, csv_cell
from search.results import SearchRequest, iter_hits, result_rows
from search.serialize import hit_json
from search.spreadsheet import FORMULA_START, csv_lines, guard_formula
from web.formatting import safe_link
from web.links import article_url
from web.params import SearchForm, read_search_form
from web.pinning import Pin, open_pin, pinned

bp = Blueprint("exports", __name__)

CSV_COLUMNS = ("id", "title", "date", "author", "source", "url", "score", "group")
ATOM_NS = "http://www.w3.org/2005/Atom"
ET.register_namespace("archivio", ATOM_NAMESPACE)
T = TypeVar("T")
__all__ = ["CSV_COLUMNS", "FORMULA_START", "csv_row", "guard_formula"]


@bp.get("/export.csv")
def export_csv() -> Response:
    pin, hits = _stream()

    def rows() -> Iterator[list[str]]:
        yield list(CSV_COLUMNS)
        yield from hits.each(csv_row)
        receipt = hits.receipt()
        if receipt is not None:  # after the rows: it counts them as they go
            yield [csv_cell(receipt)]

    return _download(csv_lines(rows()), pin, "text/csv", "csv")


def csv_row(hit: Hit) -> list[str]:
    day = hit.date.isoformat() if hit.date else ""
    values = [hit.id, hit.title, day, hit.author or "", hit.source or "", hit.url or ""]
    return [guard_formula(printable(value)) for value in values] + [
        f"{hit.score:g}",
        guard_formula(printable(hit.group or "")),
    ]


@bp.get("/export.json")
def export_json() -> Response:
    """`{"results": [every hit], "receipt": {…}}` (receipt null if the search failed)."""
    pin, hits = _stream()
    dumps = current_app.json.dumps

    def chunks() -> Iterator[str]:
        yield '{"results": ['
        for n, item in enumerate(hits.each(lambda hit: dumps(hit_json(hit)))):
            yield ("," if n else "") + "\n" + item
        receipt = hits.receipt()
        yield '\n], "receipt": ' + dumps(receipt.to_json() if receipt else None) + "}\n"

    return _download(chunks(), pin, "application/json", "json")


@bp.get("/feed.atom")
def feed() -> Response:
    """The newest matches, for a feed reader to follow a search."""
    form = read_search_form(request.args)
    request_ = replace(form.search_request(limit=1), sort="newest")
    size = current_app.config["FEED_SIZE"]
    with pinned(form.generazione) as pin:
        hits = HitStream(pin.view, request_, kind="feed", limit=size)
        listed = list(hits.each(lambda hit: hit))
        receipt = hits.receipt()
    root = atom_feed(form, listed)
    if receipt is not None:
        root.append(atom_element(receipt))
    body = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


class HitStream:
    """Every hit of a search read from one snapshot, and the receipt of what went by.

    A bad query raises QueryError here, before anything is sent (a 400).
    """

    def __init__(
        self,
        view: PinnedArchive,
        search_request: SearchRequest,
        *,
        kind: str = "ricerca",
        limit: int | None = None,
    ) -> None:
        found = result_rows(view, view.held, search_request)
        partial = not found.total and bool(len(found.rows))
        self.builder = ReceiptBuilder(search_request, view.held, kind, limit, partial)
        hits = iter_hits(view, search_request)
        self.hits = itertools.islice(hits, limit) if limit is not None else hits
        self.failed = False

    def each(self, write: Callable[[Hit], T]) -> Iterator[T]:
        """`write(hit)` for every hit; a hit that fails is skipped, a failing search ends it.

        Once the first bytes are sent the status cannot change any more: the document is
        better closed and the failure logged than the body cut.
        """
        while True:
            try:
                hit = next(self.hits)
            except StopIteration:
                return
            except Exception:
                current_app.logger.exception("esportazione interrotta su %s", request.full_path)
                self.failed = True
                return
            self.builder.add(hit.id)
            try:
                yield write(hit)
            except Exception:
                current_app.logger.exception("articolo %r non esportato", hit.id)

    def receipt(self) -> Receipt | None:
        """The receipt of the set, None when the search failed before its end."""
        return None if self.failed else self.builder.receipt()


def _stream() -> tuple[Pin, HitStream]:
    """The page's search on the generation it pins; the caller closes the pin."""
    form = read_search_form(request.args)
    pin = open_pin(form.generazione)
    try:
        return pin, HitStream(pin.view, form.search_request(limit=1))
    except BaseException:
        pin.close()
        raise


def _download(body: Iterator[str], pin: Pin, mimetype: str, extension: str) -> Response:
    """A streamed attachment that reads `pin`'s snapshot to its end, then lets it go."""
    response = Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": _attachment(extension)},
    )
    response.call_on_close(pin.close)
    return response


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


def _state(form: SearchForm) -> dict[str, Any]:
    return {k: v for k, v in form.url_args().items() if k != "pagina"}


def _timestamp(day: date | None, default: str = "") -> str:
    """RFC 3339 for Atom: an article's day at midnight UTC."""
    if day is None:
        return default or datetime.now(UTC).replace(microsecond=0).isoformat()
    return datetime.combine(day, time(), UTC).isoformat()


def _attachment(extension: str) -> str:
    return f'attachment; filename="archivio-ricerca.{extension}"'
