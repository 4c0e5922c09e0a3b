"""Stem-aware highlighting: mark every word of a text whose index token the query matched.

The text is read with the same analysis as the index, so `rapinatori` marks `rapinatore`
and a protected word marks only its own forms. Output is HTML-escaped text with
`<mark>…</mark>`: stored text is never trusted as markup. Snippets look at the first
`SNIPPET_SCAN` characters only, which bounds the cost of a long article.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from search.analysis import stem, surface_tokens

SNIPPET_CHARS = 240
SNIPPET_SCAN = 20_000


@dataclass(frozen=True)
class MatchTerms:
    """What to mark: stems (title and body), surface words (`=forma`, `negozi*`, `trump~`),
    and stems asked for in one field only (`titolo:alluvione` marks no body word)."""

    stems: frozenset[str] = frozenset()
    surfaces: frozenset[str] = frozenset()
    title_stems: frozenset[str] = frozenset()
    body_stems: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.stems or self.surfaces or self.title_stems or self.body_stems)

    def in_field(self, field: str) -> MatchTerms:
        """What to mark in the title (`field` "title") or in the body ("body")."""
        only = self.title_stems if field == "title" else self.body_stems
        return MatchTerms(self.stems | only, self.surfaces)


def find_matches(text: str, terms: MatchTerms) -> list[tuple[int, int]]:
    """Character spans of the words of `text` that the terms match."""
    if not terms or not text:
        return []
    surfaces, stems = terms.surfaces, terms.stems
    return [
        (start, end)
        for word, _, start, end in surface_tokens(text)
        if word in surfaces or stem(word) in stems
    ]


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape `text`, wrapping each span in <mark>."""
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start], quote=False))
        out.append(f"<mark>{escape(text[start:end], quote=False)}</mark>")
        last = end
    out.append(escape(text[last:], quote=False))
    return "".join(out)


def highlight_all(text: str, terms: MatchTerms) -> str:
    """The whole text, escaped, with every match marked (the article page)."""
    return mark(text, find_matches(text, terms))


def snippet(text: str, terms: MatchTerms, size: int = SNIPPET_CHARS) -> str:
    """The passage of a body of about `size` characters with the most distinct matches,
    marked."""
    scanned = text[:SNIPPET_SCAN]
    spans = find_matches(scanned, terms.in_field("body"))
    if not spans:
        return _excerpt(text, 0, size, [])
    best_start, best_score = spans[0][0], -1
    for i, (start, _) in enumerate(spans[:200]):
        inside = [s for s in spans[i:] if s[1] <= start + size]
        words = {scanned[a:b].lower() for a, b in inside}
        score = len(words) * 100 + len(inside)
        if score > best_score:
            best_start, best_score = start, score
    # Open a little before the first match so it reads as a sentence.
    start = max(0, best_start - size // 4)
    return _excerpt(text, start, size, spans)


def _excerpt(text: str, start: int, size: int, spans: list[tuple[int, int]]) -> str:
    end = min(len(text), start + size)
    if start > 0:
        space = text.find(" ", start, start + 30)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", end - 30, end)
        end = space if space > start else end
    inside = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    body = " ".join(mark(text[start:end], inside).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
