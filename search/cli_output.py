"""How the CLI writes to a terminal: counts with their noun, text wrapped to the width,
the query's words marked.

Marks and bold are always written as ANSI styles: `click.echo` removes them when the
output is not a terminal. Every text from the archive goes through `terminal_text`, so an
escape sequence stored in an article never reaches the terminal.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sys

import click

from search.printable import one_line, terminal_text

DEFAULT_WIDTH = 80  # when the output is not a terminal
MAX_WIDTH = 100  # longer lines are hard to read, however wide the window
MIN_WIDTH = 30
_MARK = re.compile(r"(</?mark>)")
_SPACE = re.compile(r"(\s+)")

Piece = tuple[str, bool]  # text, marked


def count(number: int, one: str, many: str) -> str:
    """«1 risultato», «2 risultati», «1.234 risultati»."""
    return f"{number:,}".replace(",", ".") + " " + (one if number == 1 else many)


def terminal_width() -> int:
    """`COLUMNS`, else the terminal's width, else 80; at most 100."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        width = int(columns)
    elif sys.stdout.isatty():
        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    else:
        width = DEFAULT_WIDTH
    return max(MIN_WIDTH, min(width, MAX_WIDTH))


def marked_pieces(fragment: str) -> list[Piece]:
    """The library's highlighted text (escaped, `<mark>` around matches) as plain pieces."""
    pieces: list[Piece] = []
    marked = False
    for token in _MARK.split(fragment):
        if token in ("<mark>", "</mark>"):
            marked = token == "<mark>"
        elif token:
            pieces.append((terminal_text(html.unescape(token)), marked))
    return pieces


def wrap(pieces: list[Piece], width: int, first: str = "", indent: str = "") -> list[str]:
    """Lines of at most `width` characters (a longer word gets a line of its own), the
    first starting with `first`, the others with `indent`; marked words styled."""
    lines: list[list[Piece]] = [[]]
    room = width - len(first)
    used = 0
    for word, space_marked in _words(pieces):
        size = sum(len(text) for text, _ in word)
        if lines[-1] and used + 1 + size > room:
            lines.append([])
            room, used = width - len(indent), 0
        if lines[-1]:
            lines[-1].append((" ", space_marked))  # inside a marked phrase, marked too
            used += 1
        lines[-1].extend(word)
        used += size
    return [(first if n == 0 else indent) + _styled(line) for n, line in enumerate(lines)]


def plain_pieces(text: str) -> list[Piece]:
    return [(terminal_text(text), False)]


def heading(text: str, width: int, first: str = "", indent: str = "") -> list[str]:
    """A title in bold, wrapped."""
    return [click.style(line, bold=True) for line in wrap(plain_pieces(text), width, first, indent)]


def _words(pieces: list[Piece]) -> list[tuple[list[Piece], bool]]:
    """The words, each with whether the space before it was marked."""
    words: list[tuple[list[Piece], bool]] = []
    current: list[Piece] = []
    space_marked = False
    for text, marked in pieces:
        for part in _SPACE.split(text):
            if not part:
                continue
            if not part.isspace():
                current.append((part, marked))
            elif current:
                words.append((current, space_marked))
                current, space_marked = [], marked
    if current:
        words.append((current, space_marked))
    return words


def _styled(line: list[Piece]) -> str:
    out = []
    for marked, run in _runs(line):
        out.append(click.style(run, fg="yellow", bold=True) if marked else run)
    return "".join(out)


def _runs(line: list[Piece]) -> list[tuple[bool, str]]:
    runs: list[tuple[bool, str]] = []
    for text, marked in line:
        if runs and runs[-1][0] == marked:
            runs[-1] = (marked, runs[-1][1] + text)
        else:
            runs.append((marked, text))
    return runs


__all__ = ["count", "heading", "marked_pieces", "one_line", "terminal_width", "wrap"]
