"""Italian analysis, declared once and used for indexing and querying by every engine.

The steps, in order (see README, "Analisi dell'italiano"):

1. `ITALIAN_TOKENS`: words with inner apostrophes kept together (so elision can see them),
   decimal numbers kept whole (`2,5`), hyphenated words split into their parts
   (`anti-Covid` -> `anti`, `covid`, so the phrase "anti Covid" matches too).
2. Elision: Lucene's 21 Italian elided articles are dropped (`l'Unione`, `dell’ospedale`),
   straight or curly apostrophe; any other apostrophe splits the word (`quest'anno`).
3. Lowercase, then accent folding (`città` = `citta`, `Müller` = `Muller`): folding before
   stemming makes accented and unaccented spellings meet in one token both ways.
4. Italian stopwords (Snowball's list, folded like the text); positions stay consecutive.
5. Stems: protected words first (`protected_words.txt`), Snowball Italian through
   PyStemmer (C) otherwise, with a per-process cache.

Engines never analyse text themselves: they index the tokens these functions give
(`index_tokens`, `surface_tokens`, `name_tokens`), so every engine holds the same terms.
The same steps written as a chain of Whoosh filters live in the tests, as the reference
this one loop is checked against. Any change here changes the tokens in the index: bump
`ANALYSIS_VERSION` so an old index asks for `archivio reindex --full`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

import Stemmer

ANALYSIS_VERSION = "it-1"

# Lucene's 21 Italian elided articles.
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

# Combining accents (what `fold` strips): a word written decomposed (NFD, `Mu\u0308ller`)
# stays one word, as its composed form does.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = rf"\w+(?:[{_MARKS}]+\w*)*"
# Decimal numbers first (2,5 / 1.200.000), then words with inner apostrophes.
ITALIAN_TOKENS = rf"\d+(?:[.,]\d+)+|{_WORD}(?:['’`´]{_WORD})*"

Token = tuple[str, int, int, int]  # (text, position, start, end)

_COMBINING = re.compile(f"[{_MARKS}]")
_TOKEN_RE = re.compile(ITALIAN_TOKENS)
_APOSTROPHE_RE = re.compile("[" + APOSTROPHES + "]")


def fold(text: str) -> str:
    """Lowercase and strip accents: `Città` -> `citta`, `Müller` -> `muller` (any length)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _COMBINING.sub("", unicodedata.normalize("NFKD", lowered))


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    """`fold` for one lowercase token: tokens repeat, so they are cached (texts are not)."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", word))


def _read_lines(name: str) -> list[str]:
    text = resources.files("search").joinpath(name).read_text("utf-8")
    return [line.split("#", 1)[0].strip() for line in text.splitlines()]


def _stopwords() -> frozenset[str]:
    words = {fold(w) for w in _read_lines("stopwords_it.txt") if w}
    words.update("abcdefghijklmnopqrstuvwxyz")  # stray letters left by elision or initials
    words.update(("quest", "quell"))  # elided demonstratives: quest'anno, quell'uomo
    return frozenset(words)


STOPWORDS = _stopwords()


def load_protected_words() -> dict[str, str]:
    """Read `protected_words.txt`: `token: form form …` lines; forms map to that token."""
    table: dict[str, str] = {}
    for line in _read_lines("protected_words.txt"):
        if not line:
            continue
        token, _, forms = line.partition(":")
        for form in forms.split():
            table[fold(form)] = token.strip()
    return table


class _Stems:
    """Snowball Italian (PyStemmer) behind the protected words, with a bounded cache."""

    def __init__(self) -> None:
        self.protected = load_protected_words()
        self._stemmer = Stemmer.Stemmer("italian")
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        token = self.protected.get(word) or self._stemmer.stemWord(word)
        if len(self._cache) < 500_000:
            self._cache[word] = token
        return token


@lru_cache(maxsize=1)
def _stems() -> _Stems:
    return _Stems()


def stem(word: str) -> str:
    """The index token of one folded surface word (`negoziatori` -> `negoziato`)."""
    return _stems()(word)


def _words(text: str, keep_stopwords: bool) -> Iterator[Token]:
    shift = 0  # positions added by splitting apostrophes
    position = -1  # the first word kept keeps its place, the next ones follow
    stopwords = frozenset() if keep_stopwords else STOPWORDS
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


def surface_tokens(text: str) -> Iterator[Token]:
    """(word, position, start, end) of every word as written: elided, folded, no stopwords.

    What the `exact` field holds (`=forma`, prefixes, fuzzy words, "Forse cercavi").
    """
    return _words(text, keep_stopwords=False)


def index_tokens(text: str) -> Iterator[Token]:
    """(stem, position, start, end) of every word of a title or body: the indexed terms."""
    stems = _stems()
    for word, position, start, end in _words(text, keep_stopwords=False):
        yield stems(word), position, start, end


def name_tokens(text: str) -> list[str]:
    """Authors, sources and places: words folded, never stemmed, stopwords kept.

    `Rossi` must not match `Rosso`, and `Di Maio` keeps its `di`.
    """
    return [word for word, _, _, _ in _words(text, keep_stopwords=True)]


def analyze(text: str) -> list[str]:
    """The index tokens of `text`: what the golden tables and the highlighter compare."""
    return [token for token, _, _, _ in index_tokens(text)]
