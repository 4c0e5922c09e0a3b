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


def surface_chain() -> Analyzer:
    """The chain of the module docstring (steps 1-4) as Whoosh filters: the reference."""
    return (
        RegexTokenizer(ITALIAN_TOKENS)
        | ElisionFilter()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=STOPWORDS, minsize=1)
    )


_TOKEN_RE = re.compile(ITALIAN_TOKENS)
_APOSTROPHE_RE = re.compile("[" + APOSTROPHES + "]")


def surface_tokens(text: str) -> Iterator[tuple[str, int, int, int]]:
    """(word, position, start, end) of every surface token: `surface_chain()` as one loop.

    Same tokens, positions and offsets as the chain (tests/test_analysis.py checks it on real
    articles), about twice as fast: indexing and highlighting spend most of their analysis
    time in the chain's generators, not in the steps themselves.
    """
    shift = 0  # positions added by splitting apostrophes (ElisionFilter)
    position = -1  # the first word kept keeps its place, the next ones follow (StopFilter)
    stopwords = STOPWORDS
    for raw, match in enumerate(_TOKEN_RE.finditer(text)):
        word = match.group()
        start = match.start()
        if "'" in word or "’" in word or "`" in word or "´" in word:
            parts = _APOSTROPHE_RE.split(word)
            if parts[0].lower() in ELIDED_ARTICLES:
                start += len(parts[0]) + 1
                parts = parts[1:]
        else:
            parts = [word]
        for i, part in enumerate(parts):
            low = part.lower()
            if not low.isascii():
                low = _fold_word(low)
            if low and low not in stopwords:
                position = raw + shift + i if position < 0 else position + 1
                yield low, position, start, start + len(part)
            start += len(part) + 1
        shift += len(parts) - 1


class ItalianAnalyzer(Analyzer):
    """`surface_chain()`, stemmed or not, computed by `surface_tokens` (Whoosh interface).

    Calls the fused loop cannot serve (stopwords kept, original text, start offsets) go to
    the chain of filters, which stays the reference.
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem
        # One stem filter, so the fused loop and the chain share its cache.
        self._stemmer = ItalianStemFilter() if stem else None
        self.chain = surface_chain() | self._stemmer if self._stemmer else surface_chain()

    def __getstate__(self) -> dict[str, object]:
        return {"stem": self.stem}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(bool(state["stem"]))  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ItalianAnalyzer) and other.stem == self.stem

    def __hash__(self) -> int:
        return hash((ItalianAnalyzer, self.stem))

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        if keeporiginal or not removestops or not tokenize or start_pos or start_char:
            return self.chain(
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                **kwargs,
            )
        return self._tokens(value, positions, chars, mode)

    def _tokens(self, value: str, positions: bool, chars: bool, mode: str) -> Iterator[Token]:
        token = Token(positions, chars, True, mode)
        token.stopped = False
        token.boost = 1.0
        stem = self._stemmer.stem if self._stemmer is not None else None
        for word, position, start, end in surface_tokens(value):
            token.text = stem(word) if stem is not None else word
            if positions:
                token.pos = position
            if chars:
                token.startchar = start
                token.endchar = end
            yield token


def surface_analyzer() -> Analyzer:
    """Tokens as written, elided, lowercased and folded: exact-form search and suggestions."""
    return ItalianAnalyzer(stem=False)


def italian_analyzer() -> Analyzer:
    """The analyzer of title and body: surface tokens, then Italian stems."""
    return ItalianAnalyzer(stem=True)


def name_analyzer() -> Analyzer:
    """Authors and sources: words folded, never stemmed (`Rossi` must not match `Rosso`)."""
    return RegexTokenizer(ITALIAN_TOKENS) | ElisionFilter() | LowercaseFilter() | FoldFilter()


def analyze(text: str, analyzer: Analyzer | None = None) -> list[str]:
    """The index tokens of `text`: what the golden tables and the highlighter compare."""
    return [t.text for t in (analyzer or _default())(text)]


@lru_cache(maxsize=1)
def _default() -> Analyzer:
    return italian_analyzer()
