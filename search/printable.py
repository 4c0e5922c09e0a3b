"""Text that every output can carry: HTML, JSON, CSV, Atom (XML 1.0) and the terminal.

Ingest cleans text before it is stored, but an index built before that (or a record that
slipped through) must not break an output: a lone surrogate makes UTF-8 encoding fail,
a NUL or a C0/C1 control makes XML not well-formed, and an escape sequence printed raw
takes over the terminal (window title, cleared screen). So the web and the CLI pass every
value through `printable` on the way out, whatever the index holds.
"""

from __future__ import annotations

import re
from typing import Any

from search.sanitize import clean_text

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def printable(text: str) -> str:
    """`text` without escape sequences and forbidden controls; lone surrogates as U+FFFD.

    The same cleaning as ingest (`search.sanitize.clean_text`): one definition of valid text.
    """
    return clean_text(text)


def without_surrogates(text: str) -> str:
    """`text` that encodes as UTF-8 (for a URL), every other character kept."""
    return _SURROGATE.sub(REPLACEMENT, text)


def printable_data(value: Any) -> Any:
    """`printable` on every string (keys included) of a JSON-like value."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable_data(item) for item in value]
    return value


def terminal_text(text: str) -> str:
    """Text for a terminal: `printable`, and a CR (which moves back over the line) as LF."""
    return printable(text).replace("\r\n", "\n").replace("\r", "\n")


def one_line(text: str) -> str:
    """A title, author or id for one terminal line: every run of whitespace as one space."""
    return " ".join(terminal_text(text).split())
