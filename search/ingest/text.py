"""Plain text shared by every reader: bytes decoded, HTML stripped, whitespace made uniform.

The house text form: Unicode NFC, single spaces inside a line, paragraphs separated by one
blank line, no leading or trailing whitespace.

One decoding policy for every text input (pages, `.txt`/`.md`, JSONL lines), `decode_bytes`:
a BOM (UTF-8, UTF-16, UTF-32); a NUL in the first 8,000 bytes means binary, as git decides;
UTF-8 when the bytes are valid UTF-8 (mislabelled UTF-8 is common, Latin-1 Italian that
happens to be valid UTF-8 is not); then the declared charsets (the HTTP charset, the page's
<meta charset>), each only if the bytes decode with it; then charset-normalizer limited to
Western encodings (unrestricted, it read the "è" of listing_pages/CorriereCronacaList and of
a Latin-1 `.txt` as cp1250 "č"), refusing bytes that read as garbage in all of them
(charset-normalizer's chaos over 0.2). ISO-8859-1 and ASCII mean windows-1252, as in browsers.

HTML fragments are stripped by lxml's parser feeding events to a small target, without a
tree: linear in the input at any nesting (BeautifulSoup took 16 s for 8,000 nested <div>,
quadratic; a tree would stop at libxml2's 256 levels and lose the text below).
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Iterable

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes
from lxml import etree

from search.errors import SkipInput
from search.sanitize import clean_text

# Tags whose content is never text a reader sees.
_INVISIBLE = frozenset(
    ("script", "style", "noscript", "template", "head", "iframe", "object", "svg")
)
# Tags that end a paragraph; <br> is one too, as feeds use it between paragraphs.
_BLOCKS = frozenset((
    "p", "div", "br", "li", "dd", "dt", "tr", "blockquote", "pre", "section", "article",
    "header", "footer", "aside", "figure", "figcaption", "table", "ul", "ol", "dl", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
))  # fmt: skip
# Invisible characters that would split or glue words in the index.
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WESTERN = ["cp1252", "iso8859_15", "latin_1"]


def strip_html(fragment: str) -> str:
    """Plain text of an HTML fragment: entities decoded, scripts dropped, blocks as paragraphs."""
    if "<" not in fragment and "&" not in fragment:
        return normalise_text(fragment)
    target = _TextTarget()
    parser = etree.HTMLParser(target=target, remove_comments=True, no_network=True)
    parser.feed(clean_text(fragment))  # libxml2 cannot take a lone surrogate
    return normalise_text(parser.close())


class _TextTarget:
    """Collects the visible text of parser events, a paragraph break around each block."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.hidden = 0  # how many invisible elements we are inside

    def start(self, tag: str, attrib: object) -> None:
        if tag in _INVISIBLE:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def end(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def data(self, text: str) -> None:
        if not self.hidden:
            self.parts.append(text)

    def close(self) -> str:
        return "".join(self.parts)


def normalise_text(text: str) -> str:
    """NFC, spaces collapsed inside lines, at most one blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE_CHARS)
    paragraphs: list[str] = []
    lines: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line:
            lines.append(line)
        elif lines:
            paragraphs.append("\n".join(lines))
            lines = []
    if lines:
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def decode_html(data: bytes, charset: str | None = None) -> str:
    """The text of a page's bytes, `charset` as the HTTP response declared it.

    Raises `SkipInput` for empty or binary data.
    """
    if not data.strip():
        raise SkipInput("pagina vuota")
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    return decode_bytes(data, (charset, declared))


def decode_bytes(data: bytes, declared: Iterable[str | None] = ()) -> str:
    """Text of bytes by the one decoding policy (module docstring); `SkipInput` for binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    if b"\x00" in data[:8000]:
        raise SkipInput("file binario, non testo")
    for label in filter(None, ("utf-8", *declared)):
        try:
            return data.decode(_browser_codec(label))
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(data, cp_isolation=_WESTERN).best()  # None: every reading is garbled
    if best is None:
        raise SkipInput("testo non decodificabile: non è UTF-8 né in una codifica occidentale")
    return str(best)


def _browser_codec(label: str) -> str:
    name = codecs.lookup(label.strip()).name
    if name in ("ascii", "iso8859-1"):
        return "cp1252"
    # Only a BOM makes a page UTF-16; a declared one is copied boilerplate, as browsers assume.
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else name
