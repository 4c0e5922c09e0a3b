"""The fixed query mix of the latency benchmarks: 60 queries from the real corpus.

Words and phrases are chosen by rank from the document frequencies of ../shared/corpus (the
material of the synthetic archives), so the list is the same on every run and every word
has matches: 15 single words, 15 three-word queries (three words of one real sentence),
10 phrases (frequent adjacent word pairs), 10 date-filtered and 10 sorted by date.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlencode

from bench.synth import REAL_FILES, SHARED, split_sentences

_WORDS = re.compile(r"[^\W\d_]+")
SINGLE_RANKS = (5, 12, 20, 30, 45, 60, 80, 110, 150, 200, 300, 400, 600, 900, 1300)
DATE_RANKS = (3, 9, 16, 25, 38, 52, 70, 95, 130, 175)
DATE_SPANS = (
    ("2010", "2014"),
    ("2018", None),
    (None, "2009"),
    ("2015", "2015"),
    ("marzo 2020", "dicembre 2021"),
)


@dataclass(frozen=True)
class BenchQuery:
    kind: str  # single, three, phrase, dated, newest
    text: str
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"

    def params(self, suffix: str = "") -> str:
        """The same query as `/api/search` parameters (`suffix` appended to its text)."""
        values = {"q": self.text + suffix, "sort": self.sort, "limit": "10"}
        if self.date_from:
            values["from"] = self.date_from
        if self.date_to:
            values["to"] = self.date_to
        return urlencode(values)


def _content(word: str, stopwords: frozenset[str]) -> bool:
    from search.analysis import fold

    return len(word) >= 4 and fold(word) not in stopwords


@lru_cache(maxsize=1)
def query_mix(corpus: Path = SHARED) -> tuple[BenchQuery, ...]:
    from search.analysis import STOPWORDS

    frequency: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    sentences: list[str] = []
    for name in REAL_FILES:
        with open(corpus / name, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                text = f"{record.get('title') or ''} {record.get('body') or ''}"
                words = [w.lower() for w in _WORDS.findall(text)]
                frequency.update({w for w in words if _content(w, STOPWORDS)})
                pairs.update(
                    {
                        f"{a} {b}"
                        for a, b in pairwise(words)
                        if _content(a, STOPWORDS) and _content(b, STOPWORDS)
                    }
                )
                sentences.extend(split_sentences(record.get("body") or "")[:1])
    ranked = [w for w, _ in sorted(frequency.items(), key=lambda item: (-item[1], item[0]))]
    mix = [BenchQuery("single", ranked[r]) for r in SINGLE_RANKS]
    mix += [BenchQuery("three", q) for q in _three_word(sentences, frequency, STOPWORDS)]
    common_pairs = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    mix += [BenchQuery("phrase", f'"{p}"') for p, _ in common_pairs[0:20:2]]
    for n, rank in enumerate(DATE_RANKS):
        start, end = DATE_SPANS[n % len(DATE_SPANS)]
        mix.append(BenchQuery("dated", ranked[rank], date_from=start, date_to=end))
    for n, rank in enumerate(DATE_RANKS):
        text = ranked[rank + 1] if n % 2 else f"{ranked[rank + 1]} {ranked[rank + 40]}"
        mix.append(BenchQuery("newest", text, sort="newest"))
    return tuple(mix)


def _three_word(
    sentences: list[str], frequency: Counter[str], stopwords: frozenset[str], count: int = 15
) -> list[str]:
    """Three mid-frequency words of one real sentence, from sentences spread over the corpus."""
    found: list[str] = []
    step = max(1, len(sentences) // (count * 3))
    for sentence in sentences[::step]:
        words: list[str] = []
        for word in (w.lower() for w in _WORDS.findall(sentence)):
            if _content(word, stopwords) and 40 <= frequency[word] <= 3000 and word not in words:
                words.append(word)
        if len(words) >= 3:
            found.append(" ".join(words[:3]))
        if len(found) == count:
            break
    return found


if __name__ == "__main__":
    for query in query_mix():
        print(query)
