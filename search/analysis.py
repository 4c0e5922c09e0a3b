"""Italian analysis, declared once and used for indexing and querying alike.

The chain, in order (see README, "Analisi dell'italiano"):

1. `ITALIAN_TOKENS`: words with inner apostrophes kept together (so elision can see them),
   decimal numbers kept whole (`2,5`), hyphenated words split into their parts
   (`anti-Covid` -> `anti`, `covid`, so the phrase "anti Covid" matches too).
2. `ElisionFilter`: drops Lucene's 21 Italian elided articles (`l'Unione`, `dell’ospedale`),
   straight or curly apostrophe; any other apostrophe splits the word (`quest'anno`).
3. lowercase, then accent folding (`città` = `citta`, `Müller` = `Muller`): folding before
   stemming makes accented and unaccented spellings meet in one token both ways.
4. Italian stopwords (folded like the text).
5. `ItalianStemFilter`: protected words first (`protected_words.txt`), Snowball Italian
   through PyStemmer (C) otherwise, with a per-process cache.

Any change here changes the tokens in the index: bump `ANALYSIS_VERSION` so an old index
asks for `archivio reindex --full`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

import Stemmer
from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
)
from whoosh.lang import stopwords_for_language

ANALYSIS_VERSION = "it-1"

ELIDED_ARTICLES = frozenset(
    [
        "c",
        "l",
        "all",
        "dall",
        "dell",
        "nell",
        "sull",
        "coll",
        "pell",
        "gl",
        "agl",
        "dagl",
        "degl",
        "negl",
        "sugl",
        "un",
        "m",
        "t",
        "s",
        "v",
        "d",
    ]
)
APOSTROPHES = "'’`´"

# Decimal numbers first (2,5 / 1.200.000), then words with inner apostrophes.
ITALIAN_TOKENS = r"\d+(?:[.,]\d+)+|\w+(?:['’`´]\w+)*"


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lowercase and strip accents: `Città` -> `citta`, `Müller` -> `muller` (any length)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _COMBINING.sub("", unicodedata.normalize("NFKD", lowered))


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    """`fold` for one token: tokens repeat, so they are cached (texts are not)."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", word))


def _split_apostrophes(text: str) -> list[str]:
    for mark in APOSTROPHES[1:]:
        text = text.replace(mark, "'")
    return text.split("'")


class ElisionFilter(Filter):
    """Removes elided articles and splits other apostrophes, keeping positions and offsets."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0  # extra positions created by splitting earlier tokens
        for t in tokens:
            if t.positions:
                t.pos += shift
            text = t.text
            if not any(mark in text for mark in APOSTROPHES):
                yield t
                continue
            parts = _split_apostrophes(text)
            start = t.startchar if t.chars else 0
            if parts[0].lower() in ELIDED_ARTICLES:
                start += len(parts[0]) + 1
                parts = parts[1:]
            for i, part in enumerate(parts):
                if i:
                    shift += 1
                    if t.positions:
                        t.pos += 1
                t.text = part
                if t.chars:
                    t.startchar = start
                    t.endchar = start + len(part)
                start += len(part) + 1
                yield t


class FoldFilter(Filter):
    """Accent folding (the text is already lowercase)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.text.isascii():
                t.text = _fold_word(t.text)
            yield t


def load_protected_words() -> dict[str, str]:
    """Read `protected_words.txt`: `token: form form …` lines; forms map to that token."""
    table: dict[str, str] = {}
    text = resources.files("search").joinpath("protected_words.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        token, _, forms = line.partition(":")
        for form in forms.split():
            table[fold(form)] = token.strip()
    return table


class ItalianStemFilter(Filter):
    """Snowball Italian (PyStemmer) with a list of protected words and a cache."""

    def __init__(self) -> None:
        self.protected = load_protected_words()
        self._stemmer: Stemmer.Stemmer | None = None
        self._cache: dict[str, str] = {}

    def __getstate__(self) -> dict[str, object]:
        # The C stemmer cannot be pickled (Whoosh pickles the schema into the index).
        return {"protected": self.protected}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ItalianStemFilter) and other.protected == self.protected

    def stem(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        token = self.protected.get(word)
        if token is None:
            if self._stemmer is None:
                self._stemmer = Stemmer.Stemmer("italian")
            token = self._stemmer.stemWord(word)
        if len(self._cache) < 500_000:
            self._cache[word] = token
        return token

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stem
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


def _stopwords() -> frozenset[str]:
    words = {fold(w) for w in stopwords_for_language("it")}
    words.update("abcdefghijklmnopqrstuvwxyz")  # stray letters left by elision or initials
    words.update(("quest", "quell"))  # elided demonstratives: quest'anno, quell'uomo
    return frozenset(words)


STOPWORDS = _stopwords()


def surface_analyzer() -> Analyzer:
    """Tokens as written, elided, lowercased and folded: exact-form search and suggestions."""
    return (
        RegexTokenizer(ITALIAN_TOKENS)
        | ElisionFilter()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=STOPWORDS, minsize=1)
    )


def italian_analyzer() -> Analyzer:
    """The analyzer of title and body: surface tokens, then Italian stems."""
    return surface_analyzer() | ItalianStemFilter()


def name_analyzer() -> Analyzer:
    """Authors and sources: words folded, never stemmed (`Rossi` must not match `Rosso`)."""
    return RegexTokenizer(ITALIAN_TOKENS) | ElisionFilter() | LowercaseFilter() | FoldFilter()


def analyze(text: str, analyzer: Analyzer | None = None) -> list[str]:
    """The index tokens of `text`: what the golden tables and the highlighter compare."""
    return [t.text for t in (analyzer or _default())(text)]


@lru_cache(maxsize=1)
def _default() -> Analyzer:
    return italian_analyzer()
