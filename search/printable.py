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

# Terminal escape sequences, removed whole so that their parameters do not remain as text:
# CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings (ESC P|X|^|_ … ST),
# two-character escapes (ESC 7, ESC c, ESC ( B), and the 8-bit CSI and OSC. None of them
# ever swallows `<` or `>`: in escaped HTML (a snippet with `<mark>`) those are the tags,
# so cleaning never breaks markup; a sequence cut there loses its ESC all the same.
_ESCAPE = re.compile(
    r"""
      \x1b\[ [0-;=?]* [ -/]* [@-~]?
    | \x1b\] [^\x07\x1b\x9c<>]* (?:\x07|\x1b\\|\x9c)?
    | \x1b [PX^_] [^\x1b\x9c<>]* (?:\x1b\\|\x9c)?
    | \x1b [ -/]* [0-;=?-~]?
    | \x9b [0-;=?]* [ -/]* [@-~]?
    | \x9d [^\x07\x1b\x9c<>]* (?:\x07|\x1b\\|\x9c)?
    """,
    re.VERBOSE,
)
# What XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF) plus DEL and the C1
# controls, which XML allows but terminals obey (0x9B is CSI) and no article needs.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def printable(text: str) -> str:
    """`text` without escape sequences and forbidden controls; lone surrogates as U+FFFD."""
    if text.isprintable():  # the common case: one C-level scan, nothing to do
        return text
    text = _ESCAPE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub(REPLACEMENT, text)


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
