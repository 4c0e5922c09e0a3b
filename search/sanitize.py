"""Text that every output can carry: HTML, JSON, CSV, Atom (XML 1.0) and a terminal.

XML 1.0 allows tab, newline, carriage return and the characters from U+0020 up, except lone
surrogates and U+FFFE/U+FFFF; a lone surrogate cannot be encoded as UTF-8 at all (one in a
JSONL title made every search that included it fail). C1 controls (U+0080-U+009F) and DEL
are allowed by XML but are never text and can drive a terminal, so they go too. Controls are
removed (they stand for nothing); a lone surrogate becomes U+FFFD, which shows that
something unreadable was there.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What may stay, as one negated class: the fastest single scan measured (6 ns a character).
_INVALID = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """`text` without NUL, controls other than tab/newline/CR, lone surrogates, U+FFFE/FFFF."""
    if _INVALID.search(text) is None:  # the usual case: one scan, no copy
        return text
    return _SURROGATE.sub("\ufffd", _CONTROLS.sub("", text))
