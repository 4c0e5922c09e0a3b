"""CSV that a spreadsheet opens safely: every cell quoted, no cell read as a formula.

A spreadsheet runs a cell that starts with =, +, -, @, tab or CR as a formula (CSV
injection): guard the cell's start, after any leading separators or spaces, and also
after every ";" or line break inside it, because a spreadsheet that splits on ";"
(Italian Excel) starts a cell there even inside our quotes. The guard is a `'` just
before the formula character, which spreadsheets read as "this is text".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from search.printable import printable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"(?:^[ ;,]*|[;\r\n] *)(?=[=+\-@\t\r])")


def guard_formula(value: str) -> str:
    """`value` with a `'` wherever a spreadsheet could start reading a formula."""
    return _FORMULA.sub(lambda match: match.group(0) + "'", value)


def safe_cell(value: object) -> str:
    """A cell from the archive or a query: printable, guarded; numbers as they are."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return guard_formula(printable("" if value is None else str(value)))


def csv_lines(rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """Each row as one CSV line (every cell quoted, CRLF), ready to stream."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()
