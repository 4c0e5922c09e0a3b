"""One value per article, by row: what facets, date filters, date sorting, collapsing and
BM25's field lengths read for every match.

Written by the core at index time, next to each committed state, as plain `.npy` files
that every search process maps read-only: opening an index reads no value one at a time,
and a million articles take a few MB per column shared through the page cache.

    day        yyyymmdd, 0 when undated
    group      64-bit key of the near-duplicate group
    live       False once the article left the index (rows are never reused in a state)
    len_title  tokens in the title, and in the body (BM25 length normalisation)
    len_body
    author, source, place   codes into labels (`labels.json`); code 0 is "no value"
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.model import Article

NO_VALUE = 0
TEXT_COLUMNS = ("author", "source", "place")
NUMBER_COLUMNS = {
    "day": np.int32,
    "group": np.int64,
    "live": np.bool_,
    "len_title": np.int32,
    "len_body": np.int32,
}
FOLDER = "columns"


def day_number(year: int, month: int, day: int) -> int:
    return year * 10000 + month * 100 + day


def group_key(group: str) -> int:
    """A group id as a signed 64-bit number (collisions: 1 in 2**64 per pair)."""
    return int.from_bytes(
        hashlib.blake2b(group.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


@dataclass(eq=False)
class Columns:
    numbers: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]
    labels: dict[str, list[str]]

    def __len__(self) -> int:
        return len(self.numbers["day"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.numbers[name] if name in self.numbers else self.codes[name]

    def label(self, name: str, code: int) -> str:
        return self.labels[name][code]

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.numbers["live"])

    @classmethod
    def empty(cls) -> Columns:
        numbers: dict[str, np.ndarray] = {
            name: np.zeros(0, dtype=dtype) for name, dtype in NUMBER_COLUMNS.items()
        }
        codes = {name: np.zeros(0, dtype=np.int32) for name in TEXT_COLUMNS}
        return cls(numbers, codes, {name: [""] for name in TEXT_COLUMNS})

    @classmethod
    def load(cls, state_dir: Path) -> Columns:
        folder = state_dir / FOLDER
        if not folder.is_dir():
            return cls.empty()
        numbers = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in NUMBER_COLUMNS}
        codes = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in TEXT_COLUMNS}
        labels = json.loads((folder / "labels.json").read_text("utf-8"))
        return cls(numbers, codes, labels)

    def save(self, state_dir: Path) -> None:
        folder = state_dir / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        for name, values in {**self.numbers, **self.codes}.items():
            target = folder / f"{name}.npy"
            target.unlink(missing_ok=True)  # never write through a link to the previous state
            np.save(target, np.ascontiguousarray(values))
        labels = folder / "labels.json"
        labels.unlink(missing_ok=True)
        labels.write_text(json.dumps(self.labels, ensure_ascii=False), "utf-8")


class ColumnsBuilder:
    """The columns of a new state: the previous state's, plus added rows, minus removed."""

    def __init__(self, base: Columns | None = None) -> None:
        base = base or Columns.empty()
        self.size = len(base)
        capacity = max(1024, self.size * 2)
        self.numbers = {name: _grown(values, capacity) for name, values in base.numbers.items()}
        self.codes = {name: _grown(values, capacity) for name, values in base.codes.items()}
        self.labels = {name: list(values) for name, values in base.labels.items()}
        self._code_of = {
            name: {label: code for code, label in enumerate(values)}
            for name, values in self.labels.items()
        }

    def next_row(self) -> int:
        return self.size

    def add(self, article: Article, group: str, len_title: int, len_body: int) -> int:
        """Append an article; returns its row."""
        row = self.size
        if row == len(self.numbers["day"]):
            capacity = row * 2
            self.numbers = {n: _grown(v, capacity) for n, v in self.numbers.items()}
            self.codes = {n: _grown(v, capacity) for n, v in self.codes.items()}
        when = article.date
        self.numbers["day"][row] = day_number(when.year, when.month, when.day) if when else 0
        self.numbers["group"][row] = group_key(group)
        self.numbers["live"][row] = True
        self.numbers["len_title"][row] = len_title
        self.numbers["len_body"][row] = len_body
        for name in TEXT_COLUMNS:
            self.codes[name][row] = self._code(name, getattr(article, name, None) or "")
        self.size += 1
        return row

    def remove(self, rows: list[int]) -> None:
        if rows:
            self.numbers["live"][np.asarray(rows, dtype=np.int64)] = False

    def build(self) -> Columns:
        numbers = {n: v[: self.size].copy() for n, v in self.numbers.items()}
        codes = {n: v[: self.size].copy() for n, v in self.codes.items()}
        return Columns(numbers, codes, self.labels)

    def _code(self, name: str, label: str) -> int:
        codes = self._code_of[name]
        code = codes.get(label)
        if code is None:
            code = codes[label] = len(self.labels[name])
            self.labels[name].append(label)
        return code


def _grown(values: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros(max(capacity, len(values)), dtype=values.dtype)
    grown[: len(values)] = values
    return grown
