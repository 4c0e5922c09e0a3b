"""Group near-identical articles (wire copies, republished stories) at index time.

Each article gets a MinHash of its word 3-shingles; its 64 values are cut into 16 bands of 4
(the banding datasketch's `MinHashLSH` picks for a Jaccard threshold of 0.45), and an earlier
article with one band exactly equal is a candidate. The article joins the group of the
candidate with the smallest id; the group of an article is the id of the group's first member,
so results can show one story with "N articoli simili".

The band index is saved with each index generation as numpy arrays, sorted by band key, that
the next reindex maps read-only: loading sorts nothing and makes no Python object per article,
and a run holds in memory only what it adds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from search.analysis import fold

THRESHOLD = 0.45
NUM_PERM = 64
BANDS, ROWS = 16, 4  # what MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM) chooses
SHINGLE = 3
MIN_WORDS = 25  # shorter texts are too short to call two of them the same story
HEADER = "near_duplicates.json"
FORMAT = 1

_WORDS = re.compile(r"\w+")
_U32 = npt.NDArray[np.uint32]
_U64 = npt.NDArray[np.uint64]
_Rows = npt.NDArray[np.int64]


def minhash(text: str) -> _U32 | None:
    """The 64 MinHash values of the text's word 3-shingles; None for a text too short.

    The same values as datasketch's `MinHash(num_perm=64, seed=1, hashfunc=zlib.crc32)`
    (scheme "affine32"), without importing datasketch, which imports scipy (1.8 s).
    """
    words = _WORDS.findall(fold(text))
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - 2)}
    hashes = np.fromiter(
        (zlib.crc32(s.encode("utf-8")) for s in shingles), dtype=np.uint32, count=len(shingles)
    )
    a, b = _permutations()
    signature: _U32 = (_fmix32(hashes)[:, None] * a + b).min(axis=0)
    return signature


def band_keys(signatures: _U32) -> _U64:
    """One 64-bit key per band of 4 values (last axis 64 -> 16), the same in every process.

    Two bands share a key when their 4 values are equal; unequal bands collide with odds of
    1 in 2**64, so the candidates are those of datasketch's LSH, which keys on the values.
    """
    values = signatures.astype(np.uint64).reshape(*signatures.shape[:-1], BANDS, ROWS)
    high = (values[..., 0] << np.uint64(32)) | values[..., 1]
    low = (values[..., 2] << np.uint64(32)) | values[..., 3]
    keys: _U64 = _fmix64(_fmix64(high ^ _band_salts()) ^ low)
    return keys


class NearDuplicates:
    """The band keys of every grouped article and the group each belongs to.

    Rows loaded from a generation stay in read-only mapped arrays (`_Table`); the run's
    removals and additions are kept apart and merged into new files by `save`.
    """

    def __init__(self, base: _Table | None = None, source: Path | None = None) -> None:
        self._base = base if base is not None else _Table.empty()
        self._source = source
        self._removed: set[int] = set()  # base rows removed in this run
        self._ids: list[str] = []  # rows added in this run, numbered from 0
        self._groups: list[str] = []
        self._live = bytearray()
        self._row_of: dict[str, int] = {}  # the latest added row of each id
        self._bands = _RunBands()
        self._changed = False

    @classmethod
    def load(cls, generation: Path | None) -> NearDuplicates:
        table = _Table.read(generation) if generation is not None else None
        return cls(table, generation) if table is not None else cls()

    def save(self, generation: Path) -> None:
        if not self._changed and self._source == generation:
            return  # the generation already holds these files (hard links of the last one)
        self._merged().write(generation)

    def assign(self, article_id: str, text: str) -> str:
        """The group of a new article (its own id when it resembles nothing indexed)."""
        signature = minhash(text)
        return article_id if signature is None else self.assign_signature(article_id, signature)

    def assign_signature(self, article_id: str, signature: _U32) -> str:
        """The group of a new article, given its MinHash."""
        self.remove(article_id)
        keys = band_keys(signature)
        best: tuple[str, str] | None = None  # (id, group) of the smallest candidate
        for row in set(self._base.rows_with(keys).tolist()) - self._removed:
            if self._base.live[row] and (best is None or self._base.id(row) < best[0]):
                best = (self._base.id(row), self._base.id(int(self._base.groups[row])))
        for row in set(self._bands.rows_with(keys)):
            if self._live[row] and (best is None or self._ids[row] < best[0]):
                best = (self._ids[row], self._groups[row])
        group = best[1] if best else article_id
        row = len(self._ids)
        self._ids.append(article_id)
        self._groups.append(group)
        self._live.append(1)
        self._row_of[article_id] = row
        self._bands.add(row, keys)
        self._changed = True
        return group

    def remove(self, article_id: str) -> None:
        row = self._row_of.get(article_id)
        if row is not None and self._live[row]:
            self._live[row] = 0
            self._changed = True
        base_row = self._base.row_of(article_id)
        if base_row is not None and self._base.live[base_row] and base_row not in self._removed:
            self._removed.add(base_row)
            self._changed = True

    def members(self, group: str) -> list[str]:
        base = self._base
        found = [
            base.id(row)
            for row in range(len(base.live))
            if base.live[row] and row not in self._removed and base.id(base.groups[row]) == group
        ]
        found += [
            i for i, row in self._row_of.items() if self._live[row] and self._groups[row] == group
        ]
        return sorted(found)

    def _merged(self) -> _Table:
        """The table of the next generation: live rows, plus dead rows still naming a group."""
        alive, keep, added = self._surviving_rows()
        added_hashes = np.array([_id_hash(self._ids[row]) for row in added], dtype=np.uint64)
        # An id added in this run replaces its old row; groups naming that row follow it.
        replaced = self._replaced(added, added_hashes)
        replaced_rows = np.array([old for old, _ in replaced], dtype=np.int64)
        keep[replaced_rows] = False
        alive[replaced_rows] = False
        kept = np.flatnonzero(keep)
        remap = np.full(len(keep), -1, dtype=np.int64)  # base row -> row in the next table
        remap[kept] = np.arange(len(kept))
        for old, j in replaced:
            remap[old] = len(kept) + j
        final_of_added = {row: len(kept) + j for j, row in enumerate(added)}
        id_bytes, id_offsets, id_hashes, id_rows = self._merged_ids(
            keep, kept, remap, added, added_hashes
        )
        band_keys, band_rows = self._merged_bands(alive, remap, final_of_added)
        return _Table(
            band_keys=band_keys,
            band_rows=band_rows.astype(np.uint32),
            id_hashes=id_hashes,
            id_rows=id_rows.astype(np.uint32),
            id_bytes=id_bytes,
            id_offsets=id_offsets.astype(np.uint64),
            groups=self._merged_groups(alive, kept, remap, added, final_of_added).astype(np.uint32),
            live=np.concatenate(
                [alive[kept], np.array([self._live[row] for row in added], dtype=bool)]
            ),
        )

    def _surviving_rows(self) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], list[int]]:
        """Base rows still live, base rows to keep (live or naming a group), and the rows
        added in this run to write (the latest of each id, live or naming a group)."""
        base = self._base
        alive = np.array(base.live, dtype=bool)
        alive[np.fromiter(self._removed, dtype=np.int64, count=len(self._removed))] = False
        keep = alive.copy()
        keep[base.groups[alive]] = True
        latest = sorted(self._row_of.values())
        names = {self._groups[row] for row in latest if self._live[row]}
        added = [row for row in latest if self._live[row] or self._ids[row] in names]
        for name in names - {self._ids[row] for row in added}:
            keep[base.row_of(name)] = True  # type: ignore[index]
        return alive, keep, added

    def _replaced(self, added: list[int], added_hashes: _U64) -> list[tuple[int, int]]:
        """(base row, index in `added`) of each base id added again in this run."""
        base = self._base
        hits: list[int] = []  # added ids whose hash is that of an old row
        if len(base.id_hashes) and len(added_hashes):
            at = np.searchsorted(base.id_hashes, added_hashes).clip(max=len(base.id_hashes) - 1)
            hits = np.flatnonzero(base.id_hashes[at] == added_hashes).tolist()
        return [(old, j) for j in hits if (old := base.row_of(self._ids[added[j]])) is not None]

    def _merged_groups(
        self,
        alive: npt.NDArray[np.bool_],
        kept: _Rows,
        remap: _Rows,
        added: list[int],
        final_of_added: dict[int, int],
    ) -> _Rows:
        base = self._base

        def final_row(name: str) -> int:
            row = self._row_of.get(name)
            if row in final_of_added:
                return final_of_added[row]  # type: ignore[index]
            return int(remap[base.row_of(name)])  # type: ignore[index]

        groups = remap[base.groups[kept]]
        groups[~alive[kept]] = np.flatnonzero(~alive[kept])  # a dead row only names a group
        return np.concatenate(
            [groups, np.array([final_row(self._groups[row]) for row in added], dtype=np.int64)]
        )

    def _merged_ids(
        self,
        keep: npt.NDArray[np.bool_],
        kept: _Rows,
        remap: _Rows,
        added: list[int],
        added_hashes: _U64,
    ) -> tuple[npt.NDArray[np.uint8], _Rows, _U64, _Rows]:
        """The ids of the next table as bytes and offsets, and its sorted id hashes with rows."""
        base = self._base
        id_bytes, id_offsets = base.id_slices(kept)
        encoded = [self._ids[row].encode("utf-8") for row in added]
        id_offsets = np.concatenate(
            [id_offsets, id_offsets[-1] + np.cumsum([len(e) for e in encoded], dtype=np.int64)]
        )
        id_bytes = np.concatenate([id_bytes, np.frombuffer(b"".join(encoded), dtype=np.uint8)])
        in_base = keep[base.id_rows]
        id_hashes, id_rows = _merge_sorted(
            base.id_hashes[in_base],
            remap[base.id_rows[in_base]],
            added_hashes,
            np.arange(len(kept), len(kept) + len(added), dtype=np.int64),
        )
        return id_bytes, id_offsets, id_hashes, id_rows

    def _merged_bands(
        self, alive: npt.NDArray[np.bool_], remap: _Rows, final_of_added: dict[int, int]
    ) -> tuple[_U64, _Rows]:
        """The band keys of the live rows of the next table, sorted, with their rows."""
        base = self._base
        with_bands = alive[base.band_rows]
        run_keys, run_rows = self._bands.arrays()
        final_run_row = np.full(len(self._ids), -1, dtype=np.int64)
        for row, final in final_of_added.items():
            if self._live[row]:
                final_run_row[row] = final
        run_final = final_run_row[run_rows]
        return _merge_sorted(
            base.band_keys[with_bands],
            remap[base.band_rows[with_bands]],
            run_keys[run_final >= 0],
            run_final[run_final >= 0],
        )


@dataclass
class _Table:
    """The saved state: rows of articles (their ids, groups and whether they are still
    indexed), their band keys sorted with the row of each, and their id hashes likewise."""

    band_keys: _U64
    band_rows: npt.NDArray[np.uint32]
    id_hashes: _U64
    id_rows: npt.NDArray[np.uint32]
    id_bytes: npt.NDArray[np.uint8]  # the UTF-8 ids, one after another
    id_offsets: _U64  # row r's id is id_bytes[id_offsets[r] : id_offsets[r + 1]]
    groups: npt.NDArray[np.uint32]  # the row whose id names the group
    live: npt.NDArray[np.bool_]  # False: removed, kept only because it names a group

    @classmethod
    def empty(cls) -> _Table:
        arrays: dict[str, Any] = {f.name: np.zeros(0, dtype=_DTYPES[f.name]) for f in fields(cls)}
        arrays["id_offsets"] = np.zeros(1, dtype=np.uint64)
        return cls(**arrays)

    @classmethod
    def read(cls, generation: Path) -> _Table | None:
        try:
            header = json.loads((generation / HEADER).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        if header.get("format") != FORMAT or header.get("bands") != [BANDS, ROWS]:
            return None
        return cls(
            **{f.name: np.load(generation / _file(f.name), mmap_mode="r") for f in fields(cls)}
        )

    def write(self, generation: Path) -> None:
        # New files, never a rewrite: the old ones may be hard links of the live generation.
        for f in fields(self):
            temporary = generation / f".{_file(f.name)}.tmp"
            with open(temporary, "wb") as handle:
                np.save(handle, getattr(self, f.name).astype(_DTYPES[f.name], copy=False))
            os.replace(temporary, generation / _file(f.name))
        header = {"format": FORMAT, "bands": [BANDS, ROWS], "rows": len(self.live)}
        temporary = generation / f".{HEADER}.tmp"
        temporary.write_text(json.dumps(header), encoding="utf-8")
        os.replace(temporary, generation / HEADER)

    def id(self, row: int) -> str:
        start, end = int(self.id_offsets[row]), int(self.id_offsets[row + 1])
        return self.id_bytes[start:end].tobytes().decode("utf-8")

    def row_of(self, article_id: str) -> int | None:
        digest = np.uint64(_id_hash(article_id))
        start = int(np.searchsorted(self.id_hashes, digest, side="left"))
        for i in range(start, len(self.id_hashes)):
            if self.id_hashes[i] != digest:
                break
            if self.id(int(self.id_rows[i])) == article_id:
                return int(self.id_rows[i])
        return None

    def rows_with(self, keys: _U64) -> npt.NDArray[np.uint32]:
        starts = np.searchsorted(self.band_keys, keys, side="left")
        ends = np.searchsorted(self.band_keys, keys, side="right")
        spans = [
            self.band_rows[s:e]
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
            if e > s
        ]
        return np.concatenate(spans) if spans else np.zeros(0, dtype=np.uint32)

    def id_slices(self, rows: _Rows) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
        """The ids of `rows` as bytes and offsets, without a Python object per id."""
        offsets = self.id_offsets.astype(np.int64)
        lengths = offsets[1:] - offsets[:-1]
        chosen = np.zeros(len(lengths), dtype=bool)
        chosen[rows] = True
        kept = np.asarray(self.id_bytes)[np.repeat(chosen, lengths)]
        new_offsets = np.concatenate([[0], np.cumsum(lengths[rows])]).astype(np.int64)
        return kept, new_offsets


class _RunBands:
    """The band keys of the articles added in a run: a dict for the newest, sorted arrays
    for the others (halving in count as they double in size), 12 bytes a key."""

    FLUSH = 1024  # articles

    def __init__(self) -> None:
        self._recent: dict[int, list[int]] = {}
        self._recent_count = 0
        self._levels: list[tuple[_U64, _Rows]] = []

    def add(self, row: int, keys: _U64) -> None:
        for key in keys.tolist():
            self._recent.setdefault(key, []).append(row)
        self._recent_count += 1
        if self._recent_count >= self.FLUSH:
            self._flush()

    def rows_with(self, keys: _U64) -> list[int]:
        found = [row for key in keys.tolist() for row in self._recent.get(key, ())]
        for level_keys, level_rows in self._levels:
            starts = np.searchsorted(level_keys, keys, side="left")
            ends = np.searchsorted(level_keys, keys, side="right")
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                if e > s:
                    found.extend(level_rows[s:e].tolist())
        return found

    def arrays(self) -> tuple[_U64, _Rows]:
        self._flush()
        while len(self._levels) > 1:
            self._merge_last()
        if not self._levels:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        return self._levels[0]

    def _flush(self) -> None:
        if not self._recent:
            return
        pairs = [(key, row) for key, rows in self._recent.items() for row in rows]
        keys = np.array([k for k, _ in pairs], dtype=np.uint64)
        rows = np.array([r for _, r in pairs], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self._levels.append((keys[order], rows[order]))
        self._recent, self._recent_count = {}, 0
        while len(self._levels) > 1 and len(self._levels[-2][0]) <= 2 * len(self._levels[-1][0]):
            self._merge_last()

    def _merge_last(self) -> None:
        (k2, r2), (k1, r1) = self._levels.pop(), self._levels.pop()
        self._levels.append(_merge_sorted(k1, r1, k2, r2))


def _merge_sorted(
    keys: _U64, values: _Rows, more_keys: _U64, more_values: _Rows
) -> tuple[_U64, _Rows]:
    """Two key-sorted arrays (the second needing no order) merged without sorting the first."""
    order = np.argsort(more_keys, kind="stable")
    more_keys, more_values = more_keys[order], more_values[order]
    at = np.searchsorted(keys, more_keys, side="right")
    return np.insert(keys, at, more_keys), np.insert(values.astype(np.int64), at, more_values)


_DTYPES = {
    "band_keys": np.uint64,
    "band_rows": np.uint32,
    "id_hashes": np.uint64,
    "id_rows": np.uint32,
    "id_bytes": np.uint8,
    "id_offsets": np.uint64,
    "groups": np.uint32,
    "live": np.bool_,
}


def _file(name: str) -> str:
    return f"near_duplicates.{name}.npy"


def _id_hash(article_id: str) -> int:
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


@lru_cache(maxsize=1)
def _permutations() -> tuple[_U32, _U32]:
    # datasketch's MinHash(num_perm=64, seed=1), scheme "affine32": h -> a * h + b mod 2**32.
    generator = np.random.RandomState(1)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


@lru_cache(maxsize=1)
def _band_salts() -> _U64:
    return np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def _fmix32(h: _U32) -> _U32:
    # MurmurHash3's finalizer, as datasketch pre-mixes each shingle hash.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _fmix64(h: _U64) -> _U64:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))
