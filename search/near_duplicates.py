"""Group near-identical articles (wire copies, republished stories) at index time.

Each article gets a MinHash of its word 3-shingles (datasketch); an LSH index finds earlier
articles whose estimated Jaccard similarity passes `THRESHOLD`, and the article joins the
group of the first of them. The group of an article is the id of the group's first member,
so results can show one story with "N articoli simili". The LSH index is saved with each
index generation, so incremental reindexes keep grouping against what is already there.
"""

from __future__ import annotations

import os
import pickle
import re
import zlib
from functools import lru_cache
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from search.analysis import fold

THRESHOLD = 0.45
NUM_PERM = 64
SHINGLE = 3
MIN_WORDS = 25  # shorter texts are too short to call two of them the same story
FILE = "near_duplicates.pickle"

_WORDS = re.compile(r"\w+")


class NearDuplicates:
    """The LSH index of every grouped article and the group each belongs to."""

    def __init__(self) -> None:
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.groups: dict[str, str] = {}

    @classmethod
    def load(cls, generation: Path | None) -> NearDuplicates:
        path = generation / FILE if generation else None
        if path is None or not path.exists():
            return cls()
        with open(path, "rb") as handle:
            loaded = pickle.load(handle)
        return loaded if isinstance(loaded, cls) else cls()

    def save(self, generation: Path) -> None:
        # A new file, never a rewrite: the old one may be a hard link of the live generation.
        temporary = generation / f".{FILE}.tmp"
        with open(temporary, "wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, generation / FILE)

    def assign(self, article_id: str, text: str) -> str:
        """The group of a new article (its own id when it resembles nothing indexed)."""
        signature = minhash(text)
        if signature is None:
            return article_id
        self.remove(article_id)
        candidates = sorted(c for c in self.lsh.query(signature) if c in self.groups)
        group = self.groups[candidates[0]] if candidates else article_id
        self.lsh.insert(article_id, signature, check_duplication=False)
        self.groups[article_id] = group
        return group

    def remove(self, article_id: str) -> None:
        if article_id in self.groups:
            del self.groups[article_id]
            self.lsh.remove(article_id)

    def members(self, group: str) -> list[str]:
        return sorted(i for i, g in self.groups.items() if g == group)


def minhash(text: str) -> MinHash | None:
    words = _WORDS.findall(fold(text))
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - 2)}
    permutations, scheme = _permutations()
    # crc32 (C) instead of the default sha1, and permutations made once: 6x faster (bench/).
    signature = MinHash(
        num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=permutations, scheme=scheme
    )
    signature.update_batch(list(shingles))
    return signature


@lru_cache(maxsize=1)
def _permutations() -> tuple[object, str]:
    template = MinHash(num_perm=NUM_PERM, seed=1)
    return template.permutations, template.scheme
