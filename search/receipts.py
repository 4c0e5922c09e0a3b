"""Citable result sets: which query, on which state of the index, gave which articles.

A receipt records the query and filters as typed, the order, the index generation and
when it was built, the engine, how many articles there are and a SHA-256 of their ids in
order: each id followed by a newline, in UTF-8, so anyone can recompute it from an export
(a second digest, of the ids sorted, tells a reordered set from a different one).
`verify` runs the search again on the current index and compares. Exports carry the
receipt of what they hold; `read_receipts` finds it again in any of them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import MISSING, asdict, dataclass, fields, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

from search.archive import Archive
from search.engines.base import Snapshot
from search.errors import ArchivioError, QueryError
from search.printable import printable, printable_data
from search.results import SearchRequest, result_rows
from search.store import read_manifest

VERSION = 1
# What a receipt came with. Exports list what `iter_hits` gives (the partial matches when
# nothing matches as written); trends and concordances only the matches as written.
KINDS = ("ricerca", "feed", "tendenze", "concordanza")
AS_WRITTEN_KINDS = ("tendenze", "concordanza")
CSV_PREFIX = "# ricevuta Archivio: "  # one quoted cell per receipt, after the rows
ATOM_NAMESPACE = "urn:archivio:ricevuta:1"
ATOM_TAG = f"{{{ATOM_NAMESPACE}}}ricevuta"
BATCH = 500


class ReceiptError(ArchivioError):
    """A receipt that cannot be read."""


@dataclass(frozen=True)
class Receipt:
    query: str
    filters: dict[str, str | bool]  # SearchRequest's names, only those given
    sort: str
    limit: int | None  # the first `limit` articles only (a feed); None: all of them
    kind: str
    partial: bool  # the set is of partial matches: nothing matched as written
    generation: str
    built_at: str | None  # when that generation was written (ISO 8601, UTC)
    engine: str
    articles: int
    sha256: str  # of the ids in order
    sha256_set: str  # of the ids sorted
    issued: str  # the day it was made: relative dates ("ultimi 7 giorni") are read from it
    version: int = VERSION

    def request(self) -> SearchRequest:
        """The search that gave the set, as it was typed and run."""
        values = {k: v for k, v in self.filters.items() if k in FILTER_FIELDS}
        return SearchRequest(
            query=self.query,
            sort=self.sort,
            expand=self.filters.get("expand", True) is not False,
            today=date.fromisoformat(self.issued),
            **values,  # type: ignore[arg-type]
        )

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Receipt:
        """A receipt's JSON read back, every field checked: a receipt that cannot be
        verified as written raises ReceiptError naming the field."""
        if not isinstance(data, dict) or "sha256" not in data:
            raise ReceiptError("non è una ricevuta di Archivio (manca sha256)")
        version = data.get("version", VERSION)
        if isinstance(version, int) and version > VERSION:
            raise ReceiptError(
                f"ricevuta della versione {version}: aggiorna Archivio per verificarla"
            )
        problem = _field_problem(data)
        if problem is not None:
            raise ReceiptError(f"ricevuta incompleta o illeggibile: {problem}")
        receipt = cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
        try:  # the search's own rules: the query's length, the order
            receipt.request().validated()
        except QueryError as error:
            raise ReceiptError(f"ricevuta incompleta o illeggibile: {error}") from None
        return receipt


FILTER_FIELDS = ("date_from", "date_to", "author", "source", "place", "undated")
FILTER_LABELS = {
    "date_from": "dal",
    "date_to": "al",
    "author": "autore",
    "source": "fonte",
    "place": "luogo",
    "undated": "solo senza data",
    "expand": "solo le parole scritte",
}


# -- Reading a receipt's JSON ------------------------------------------------------------------


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch("[0-9a-f]{64}", value) is not None


def _is_day(value: object) -> bool:
    try:
        return isinstance(value, str) and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _is_moment(value: object) -> bool:
    """An ISO 8601 date and time that can be shown in local time (not at year 1 or 9999)."""
    try:
        return isinstance(value, str) and bool(datetime.fromisoformat(value).astimezone())
    except (ValueError, OverflowError, OSError):
        return False


# What each field must hold, and how a message says it. The query and the order are
# strings here; which strings, SearchRequest.validated says.
_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "query": (_is_text, "un testo"),
    "filters": (lambda v: isinstance(v, dict), "un oggetto JSON {nome: valore}"),
    "sort": (_is_text, "un testo"),
    "limit": (lambda v: v is None or _is_count(v), "null o un numero intero da 0 in su"),
    "kind": (lambda v: isinstance(v, str) and v in KINDS, "uno tra " + ", ".join(KINDS)),
    "partial": (lambda v: isinstance(v, bool), "true o false"),
    "generation": (_is_text, "un testo"),
    "built_at": (
        lambda v: v is None or _is_moment(v),
        "null o una data e ora ISO 8601 (2025-04-12T08:30:00+00:00)",
    ),
    "engine": (_is_text, "un testo"),
    "articles": (_is_count, "un numero intero da 0 in su"),
    "sha256": (_is_digest, "64 cifre esadecimali minuscole"),
    "sha256_set": (_is_digest, "64 cifre esadecimali minuscole"),
    "issued": (_is_day, "una data ISO 8601 (2025-04-12)"),
    "version": (lambda v: _is_count(v) and v != 0, "un numero intero da 1 in su"),
}
_FLAGS = ("undated", "expand")  # true or false; the other filters are text


def _field_problem(data: dict[str, object]) -> str | None:
    """What is wrong with a receipt's fields (the first thing found), None if nothing."""
    for field in fields(Receipt):
        if field.name not in data:
            if field.default is MISSING:
                return f"manca il campo «{field.name}»"
            continue
        value = data[field.name]
        valid, expected = _FIELDS[field.name]
        if not valid(value):
            return f"il campo «{field.name}» dev'essere {expected}, non {_shown(value)}"
    filters = data["filters"]
    return _filter_problem(filters) if isinstance(filters, dict) else None


def _filter_problem(filters: dict[str, object]) -> str | None:
    for name, value in filters.items():
        if name not in FILTER_LABELS:  # the search would leave it out: another set
            return f"filtro sconosciuto «{printable(name)}» (validi: {', '.join(FILTER_LABELS)})"
        if name in _FLAGS and not isinstance(value, bool):
            return f"il filtro «{name}» dev'essere true o false, non {_shown(value)}"
        if name not in _FLAGS and not isinstance(value, str):
            return f"il filtro «{name}» dev'essere un testo, non {_shown(value)}"
    return None


def _shown(value: object) -> str:
    """A value of the JSON as a message quotes it: short, on one line."""
    text = printable(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= 40 else text[:39] + "…"


def filters_label(filters: dict[str, str | bool]) -> str:
    """A receipt's filters as the pages name them: "dal 2020 · fonte Ansa" ("" if none)."""
    parts = []
    for name, value in filters.items():
        label = FILTER_LABELS.get(name, name)
        parts.append(label if isinstance(value, bool) else f"{label} {value}")
    return " · ".join(parts)


def typed_filters(request: SearchRequest) -> dict[str, str | bool]:
    """The filters a request was given, under SearchRequest's names."""
    found: dict[str, str | bool] = {}
    for name in FILTER_FIELDS:
        value = getattr(request, name)
        if value:
            found[name] = value
    if not request.expand:  # the words as typed: no synonyms or places among partial matches
        found["expand"] = False
    return found


class ReceiptBuilder:
    """A receipt made while the ids go by (a streamed export): `add` each, then `receipt`."""

    def __init__(
        self,
        request: SearchRequest,
        snapshot: Snapshot,
        kind: str = "ricerca",
        limit: int | None = None,
        partial: bool = False,
    ) -> None:
        self.request = replace(request, today=request.today or date.today())
        self.snapshot = snapshot
        self.kind = kind
        self.limit = limit
        self.partial = partial
        self._ordered = hashlib.sha256()
        self._ids: list[str] = []

    def add(self, article_id: str) -> None:
        self._ordered.update(_line(article_id))
        self._ids.append(article_id)

    def extend(self, article_ids: Iterable[str]) -> None:
        for article_id in article_ids:
            self.add(article_id)

    def receipt(self) -> Receipt:
        request = self.request
        return Receipt(
            query=printable(request.query),  # what the search read (it cleans the same way)
            filters=printable_data(typed_filters(request)),
            sort=request.sort,
            limit=self.limit,
            kind=self.kind,
            partial=self.partial,
            generation=self.snapshot.generation,
            built_at=built_at(self.snapshot),
            engine=self.snapshot.engine,
            articles=len(self._ids),
            sha256=self._ordered.hexdigest(),
            sha256_set=digest(sorted(self._ids)),
            issued=(request.today or date.today()).isoformat(),
        )


def digest(article_ids: Iterable[str]) -> str:
    """SHA-256 of the ids, each followed by a newline, in UTF-8."""
    hashed = hashlib.sha256()
    for article_id in article_ids:
        hashed.update(_line(article_id))
    return hashed.hexdigest()


def _line(article_id: str) -> bytes:
    return (article_id + "\n").encode("utf-8", "surrogatepass")


def receipt_for(
    archive: Archive,
    snapshot: Snapshot,
    request: SearchRequest,
    *,
    kind: str = "ricerca",
    limit: int | None = None,
) -> Receipt:
    """The receipt of a search's whole set on `snapshot` (reads every id: ~50 µs each,
    once: kept in `archive.cache` for the generation)."""
    key = ("ricevuta", snapshot.generation, date.today(), replace(request, page=1, limit=1))
    cached = archive.cache.get((*key, kind, limit))
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found = result_rows(archive, snapshot, request)
    rows = found.as_written if kind in AS_WRITTEN_KINDS else found.rows
    if limit is not None:
        rows = rows[:limit]
    builder = ReceiptBuilder(
        request, snapshot, kind, limit, partial=bool(len(rows)) and not found.total
    )
    builder.extend(article_ids(snapshot, rows))
    receipt = builder.receipt()
    archive.cache.put((*key, kind, limit), receipt, cost=1)
    return receipt


def article_ids(snapshot: Snapshot, rows: np.ndarray) -> Iterator[str]:
    for start in range(0, len(rows), BATCH):
        for item in snapshot.stored(rows[start : start + BATCH].tolist()):
            yield item.article.id


@lru_cache(maxsize=16)
def _built_at(state_dir: str, generation: str) -> str | None:
    try:
        seconds = read_manifest(Path(state_dir)).built_at
    except (OSError, ValueError, TypeError):
        return None
    if not seconds:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def built_at(snapshot: Snapshot) -> str | None:
    """When the snapshot's generation was written (its manifest), None if unknown."""
    return _built_at(str(snapshot.state_dir), snapshot.generation)


@dataclass(frozen=True)
class Verification:
    receipt: Receipt
    generation: str  # what it was checked against
    engine: str
    articles: int
    same_set: bool
    same_order: bool

    @property
    def confirmed(self) -> bool:
        return self.same_set and self.same_order


def verify(archive: Archive, receipt: Receipt) -> Verification:
    """Run the receipt's search again on the current index and compare the sets."""
    request = receipt.request()
    with archive.snapshot() as snapshot:
        now = receipt_for(archive, snapshot, request, kind=receipt.kind, limit=receipt.limit)
    same_set = now.articles == receipt.articles and now.sha256_set == receipt.sha256_set
    return Verification(
        receipt=receipt,
        generation=now.generation,
        engine=now.engine,
        articles=now.articles,
        same_set=same_set,
        same_order=same_set and now.sha256 == receipt.sha256,
    )


# -- Receipts in exports ---------------------------------------------------------------------


# Written as \u escapes inside the receipt's JSON strings (the same JSON): `;` so that a
# spreadsheet splitting on it (Italian Excel) keeps the cell whole and no part of it can
# start a formula; `<`, `>`, `&`, `'` so that a query never appears as markup.
_ESCAPED = {ch: f"\\u{ord(ch):04x}" for ch in ";<>&'"}


def csv_cell(receipt: Receipt) -> str:
    """The receipt as one CSV cell: `# ricevuta Archivio: {json}`."""
    text = json.dumps(receipt.to_json(), ensure_ascii=False)
    return CSV_PREFIX + "".join(_ESCAPED.get(ch, ch) for ch in text)


def atom_element(receipt: Receipt) -> ET.Element:
    element = ET.Element(ATOM_TAG)
    element.text = json.dumps(receipt.to_json(), ensure_ascii=False)
    return element


def read_receipts(text: str) -> list[Receipt]:
    """Every receipt in an export (CSV, JSON, Atom) or a receipt's own JSON."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except ValueError as error:
            raise ReceiptError(f"JSON illeggibile: {error}") from None
        found = [Receipt.from_json(item) for item in _json_receipts(data)]
    elif stripped.startswith("<"):
        try:
            root = ET.fromstring(stripped)
        except ET.ParseError as error:
            raise ReceiptError(f"XML illeggibile: {error}") from None
        found = [_from_text(e.text or "") for e in root.iter(ATOM_TAG)]
    else:  # CSV, its receipt cells quoted; or the cells themselves, copied as lines
        lines = stripped.splitlines()
        cells = [line for line in lines if line.startswith(CSV_PREFIX)] or [
            cell for row in csv.reader(io.StringIO(stripped)) for cell in row
        ]
        found = [_from_text(c[len(CSV_PREFIX) :]) for c in cells if c.startswith(CSV_PREFIX)]
    if not found:
        raise ReceiptError(
            "nessuna ricevuta trovata: passa un'esportazione di Archivio (CSV, JSON, Atom) "
            "o la ricevuta stessa in JSON"
        )
    return found


def _json_receipts(data: object) -> Sequence[object]:
    if isinstance(data, dict):
        if "sha256" in data:
            return [data]
        if "receipt" in data:
            return [data["receipt"]]
        series = data.get("series")
        if isinstance(series, list):
            return [s["receipt"] for s in series if isinstance(s, dict) and "receipt" in s]
    return []


def _from_text(text: str) -> Receipt:
    try:
        return Receipt.from_json(json.loads(text))
    except ValueError as error:
        raise ReceiptError(f"ricevuta illeggibile: {error}") from None
