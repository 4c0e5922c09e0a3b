"""The Italian analysis written as a chain of Whoosh filters: the reference.

`search.analysis` computes the same steps in one loop (about twice as fast); the tests
compare the two on tricky strings and on real articles. Kept here, in the tests, so that
the library has one runtime version of each step.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token

from search.analysis import APOSTROPHES, ELIDED_ARTICLES, ITALIAN_TOKENS, STOPWORDS, fold, stem


def _split_apostrophes(text: str) -> list[str]:
    for mark in APOSTROPHES[1:]:
        text = text.replace(mark, "'")
    return text.split("'")


class ElisionFilter(Filter):  # type: ignore[misc]
    """Removes elided articles and splits other apostrophes, keeping positions and offsets."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
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


class FoldFilter(Filter):  # type: ignore[misc]
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


class StemFilter(Filter):  # type: ignore[misc]
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


def surface_chain() -> Analyzer:
    return (
        RegexTokenizer(ITALIAN_TOKENS)
        | ElisionFilter()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=STOPWORDS, minsize=1)
    )


def stem_chain() -> Analyzer:
    return surface_chain() | StemFilter()


def name_chain() -> Analyzer:
    return RegexTokenizer(ITALIAN_TOKENS) | ElisionFilter() | LowercaseFilter() | FoldFilter()


def chain_tokens(analyzer: Analyzer, text: str) -> list[tuple[str, int, int, int]]:
    return [
        (t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)
    ]
