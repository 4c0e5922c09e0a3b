"""BM25F as Whoosh computes it, with each segment's field lengths read once into a list.

Whoosh's scorer looks up a document's field length through three layers of column readers
for every posting it scores: ~15% of a search at 100k articles (bench/RESULTS.md). The
lengths are one byte per document, so a list per segment and field (8 bytes per document,
shared int objects) holds them; the scores are the same numbers Whoosh computes.
"""

from __future__ import annotations

import weakref
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.util.numeric import byte_to_length

# doc_field_length() of Whoosh's W3PerDocReader: byte_to_length(byte), None for byte 0.
_LENGTH_OF_BYTE: list[int | None] = [None] + [byte_to_length(b) for b in range(1, 256)]

_lengths: weakref.WeakKeyDictionary[Any, dict[str, list[int | None]]] = weakref.WeakKeyDictionary()


class ArchivioBM25F(BM25F):  # type: ignore[misc]
    """`whoosh.scoring.BM25F` (same parameters, same scores), with cached field lengths."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer) and hasattr(scorer, "dfl"):
            lengths = field_lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer


def field_lengths(reader: Any, fieldname: str) -> list[int | None] | None:
    """The length of `fieldname` in every document of one segment, or None (not a segment)."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None:
        return None
    by_field = _lengths.setdefault(reader, {})
    lengths = by_field.get(fieldname)
    if lengths is None:
        column = perdoc.column_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        table = _LENGTH_OF_BYTE
        lengths = by_field[fieldname] = [table[b] for b in column]
    return lengths
