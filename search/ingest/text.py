"""Plain text shared by every reader: bytes decoded, HTML stripped, whitespace made uniform.

The house text form: Unicode NFC, single spaces inside a line, paragraphs separated by one
blank line, no leading or trailing whitespace.

Decoding a page: a BOM; UTF-8 when the bytes are valid UTF-8 (mislabelled UTF-8 pages are
common, Latin-1 Italian that happens to be valid UTF-8 is not); the HTTP charset, then the
page's <meta charset>, each only if the bytes decode with it; charset-normalizer limited to
Western encodings (unrestricted, it read the "è" of listing_pages/CorriereCronacaList as
cp1250 "č"). ISO-8859-1 and ASCII mean windows-1252, as in browsers.
"""

from __future__ import annotations

import codecs
import unicodedata

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

from search.errors import SkipInput

# Tags whose content is never text a reader sees.
_INVISIBLE = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg")
# Tags that end a paragraph; <br> is one too, as feeds use it between paragraphs.
_BLOCKS = (
    "p", "div", "br", "li", "dd", "dt", "tr", "blockquote", "pre", "section", "article",
    "header", "footer", "aside", "figure", "figcaption", "table", "ul", "ol", "dl", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
)  # fmt: skip
# Invisible characters that would split or glue words in the index.
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WESTERN = ["cp1252", "iso8859_15", "latin_1"]


def strip_html(fragment: str) -> str:
    """Plain text of an HTML fragment: entities decoded, scripts dropped, blocks as paragraphs."""
    if "<" not in fragment and "&" not in fragment:
        return normalise_text(fragment)
    soup = BeautifulSoup(fragment, "lxml")
    for hidden in soup(_INVISIBLE):
        hidden.decompose()
    for block in soup(_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    return normalise_text(soup.get_text())


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
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    if b"\x00" in data:
        raise SkipInput("dati binari, non una pagina HTML")
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    for label in filter(None, ("utf-8", charset, declared)):
        try:
            return data.decode(_browser_codec(label))
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(data, cp_isolation=_WESTERN).best()
    return str(best) if best is not None else data.decode("cp1252", "replace")


def _browser_codec(label: str) -> str:
    name = codecs.lookup(label.strip()).name
    if name in ("ascii", "iso8859-1"):
        return "cp1252"
    # Only a BOM makes a page UTF-16; a declared one is copied boilerplate, as browsers assume.
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else name
