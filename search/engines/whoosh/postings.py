"""Read a term's postings from a Whoosh 2.7 segment as numpy arrays, a block at a time.

Whoosh's matchers walk postings one by one in Python (and its `AndNot` skips the first
exclusion when the excluded list starts earlier: `Umerov -Trump` kept the seed article on
a two-segment index). Archivio evaluates queries itself on arrays (`evaluate.py`), so it
needs only the raw postings: each block of up to 128 document numbers and frequencies
comes out of Whoosh's block format whole. Positions are decoded only for the documents a
phrase still needs. Pinned to whoosh==2.7.4 (`W3LeafMatcher` internals); the tests check
these readers against Whoosh's own matchers on multi-segment indexes.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import SegmentReader

from search.engines.evaluate import Timeout

Expired = Callable[[], bool]
EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_TFS = np.zeros(0, dtype=np.float32)


def _matcher(reader: SegmentReader, field: str, token: bytes) -> object | None:
    if (field, token) not in reader:
        return None
    fieldobj = reader.schema[field]
    return reader._terms.matcher(field, token, fieldobj.format)


def read_postings(
    reader: SegmentReader, field: str, token: bytes, expired: Expired
) -> tuple[np.ndarray, np.ndarray]:
    """(segment docnums, term frequencies) of a term in one segment, deleted ones included."""
    matcher = _matcher(reader, field, token)
    if matcher is None:
        return EMPTY_IDS, EMPTY_TFS
    if not isinstance(matcher, W3LeafMatcher):  # a single posting inlined in the term info
        ids, weights = [], []
        while matcher.is_active():  # type: ignore[attr-defined]
            ids.append(matcher.id())  # type: ignore[attr-defined]
            weights.append(matcher.weight())  # type: ignore[attr-defined]
            matcher.next()  # type: ignore[attr-defined]
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)
    id_parts: list[np.ndarray] = []
    tf_parts: list[np.ndarray] = []
    blocks = 0
    while True:
        matcher._read_data()
        deltas, weights = matcher._data[0], matcher._data[1]
        count = matcher._blocklength
        id_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if weights is None:
            tf_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            tf_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            tf_parts.append(np.frombuffer(_float_array(weights), dtype=np.float32))
        blocks += 1
        if blocks % 64 == 0 and expired():
            raise Timeout
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    if len(id_parts) == 1:
        return id_parts[0], tf_parts[0]
    return np.concatenate(id_parts), np.concatenate(tf_parts)


def read_positions(
    reader: SegmentReader, field: str, token: bytes, wanted: np.ndarray, expired: Expired
) -> dict[int, list[int]]:
    """Positions of a term in the segment docnums `wanted` (sorted): docnum -> positions."""
    matcher = _matcher(reader, field, token)
    found: dict[int, list[int]] = {}
    if matcher is None or not len(wanted):
        return found
    fmt = reader.schema[field].format
    if not isinstance(matcher, W3LeafMatcher):
        wanted_docs = set(wanted.tolist())
        while matcher.is_active():  # type: ignore[attr-defined]
            docnum = matcher.id()  # type: ignore[attr-defined]
            if docnum in wanted_docs:
                found[docnum] = list(matcher.value_as("positions"))  # type: ignore[attr-defined]
            matcher.next()  # type: ignore[attr-defined]
        return found
    blocks = 0
    low = int(wanted[0])
    while True:
        if matcher._maxid >= low:
            matcher._read_data()
            ids = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64))
            hit = np.flatnonzero(np.isin(ids, wanted, assume_unique=True))
            if len(hit):
                matcher._read_values()
                values = matcher._values
                for i in hit.tolist():
                    found[int(ids[i])] = fmt.decode_positions(values[i])
        blocks += 1
        if blocks % 64 == 0 and expired():
            raise Timeout
        if matcher._lastblock or matcher._maxid >= int(wanted[-1]):
            break
        matcher._goto(matcher._nextoffset)
    return found


def _float_array(weights: object) -> bytes:
    if isinstance(weights, array) and weights.typecode == "f":
        return weights.tobytes()
    return np.asarray(weights, dtype=np.float32).tobytes()
