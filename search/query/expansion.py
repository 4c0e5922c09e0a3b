"""Query expansion: other words for what the reader means, weighted below the words typed.

Expansion never changes what matches the query *as written* (the total): it adds
alternatives that let more articles in as partial matches, and it changes scores.
Each technique can be switched off on its own (`DEFAULT_TECHNIQUES`, for measurement in
`bench.relevance`) and all of them per search (`SearchRequest.expand`, `--no-expand`,
`expand=false`, the checkbox on the results page). What was added is shown to the user
("cercato anche: pompieri") and counted in `--explain`.

* `sinonimi`: a thesaurus of news Italian (`search/data/sinonimi.txt`): every expression
  of a group stands for the others; a «classe: membri» line goes one way only.
* `luoghi`: a gazetteer (`search/data/luoghi_*.txt`): an area or a region stands for its
  countries, regions and towns (Sudamerica -> Brasile, Argentina…; Mezzogiorno -> Calabria…).
* `retroazione`: pseudo-relevance feedback (RM3 with an idf factor): the words that
  characterise the best articles of a first ranking, added to the score only
  (`search.expansion_feedback`).
* `riordino`: no words added; the best matches reordered by where the words (and their
  alternatives) are: close together, in the lead (`search.rerank`).

Alternatives of the first two attach to the plain words (clauses) they stand for: a key of
several words (`vigili del fuoco`) stands for each of its clauses, so an article saying
only «pompieri» holds them all *loosely* and comes in as a partial match, listed after the
articles that hold the words as written, with the words it lacks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from search.analysis import analyze
from search.engines.base import Snapshot
from search.query import tree as t

TECHNIQUES = ("sinonimi", "luoghi", "retroazione", "riordino")
DEFAULT_TECHNIQUES: frozenset[str] = frozenset(TECHNIQUES)
# What the user reads beside each technique's words ("cercato anche").
LABELS = {
    "sinonimi": "sinonimi",
    "luoghi": "luoghi compresi",
    "retroazione": "parole degli articoli più pertinenti",
    "riordino": "riordino dei primi risultati",
}
FILES = {
    "sinonimi": ("sinonimi.txt",),
    "luoghi": ("luoghi_mondo.txt", "luoghi_italia.txt"),
}
# Weights of an alternative relative to the word typed (1.0): chosen on the hard set.
WEIGHTS = {"sinonimi": 0.5, "luoghi": 0.3}
MAX_KEY_WORDS = 6

Key = tuple[str, ...]  # index tokens of an expression


@dataclass(frozen=True)
class Alternative:
    """Another way to say one or more clauses of the query, weighted below them."""

    technique: str
    text: str  # as shown to the user
    tokens: Key
    clauses: tuple[int, ...]  # positions of the plain clauses it stands for
    weight: float

    def node(self) -> t.Node:
        # Shared by the clauses it stands for: each gets its part, the sum is `weight`.
        share = self.weight / len(self.clauses)
        fields = tuple((name, weight * share) for name, weight in t.TEXT_FIELDS)
        if len(self.tokens) == 1:
            return t.Term(self.tokens[0], fields)
        # Its words anywhere in the article, not as a phrase: reading positions for every
        # article holding them cost more than the order adds (bench/RESULTS.md).
        return t.And(tuple(t.Term(token, fields) for token in dict.fromkeys(self.tokens)))


class Table:
    """Expressions (index tokens) -> what they stand for: (tokens, text as written).

    Only the keys are analysed when a table is read; what a key stands for is analysed
    the first time it is looked up. The gazetteer lists ~8,000 comuni under 130 areas:
    analysing every member up front cost 0.1 s at the start of every `archivio search`.
    """

    def __init__(self, members: dict[Key, list[str]]) -> None:
        self.members = members  # key -> the texts it stands for, in the order written
        self._found: dict[Key, tuple[tuple[Key, str], ...]] = {}

    def __contains__(self, key: Key) -> bool:
        """A key that stands for something (not only for itself or its own words)."""
        return key in self.members and bool(self.lookup(key))

    def lookup(self, key: Key) -> tuple[tuple[Key, str], ...]:
        if key not in self._found:
            alternatives: dict[Key, str] = {}
            for tokens, text in _expressions(",".join(self.members.get(key, ()))):
                if tokens != key and not set(tokens) <= set(key):
                    alternatives.setdefault(tokens, text)
            self._found[key] = tuple(alternatives.items())
        return self._found[key]


def parse_table(lines: list[str]) -> Table:
    """Read `a, b, c` groups (each stands for the others) and `class: a, b` lines."""
    members: dict[Key, list[str]] = defaultdict(list)
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        head, colon, tail = line.partition(":")
        keys = _expressions(head if colon else line)
        parts = [part.strip() for part in (tail if colon else line).split(",")]
        for key, _ in keys:
            members[key].extend(parts)
    return Table(dict(members))


def _expressions(text: str) -> list[tuple[Key, str]]:
    kept = []
    for part in text.split(","):
        words = part.strip()
        tokens = tuple(analyze(words))
        if tokens and len(tokens) <= MAX_KEY_WORDS:
            kept.append((tokens, words))
    return kept


@cache
def table(technique: str) -> Table:
    lines: list[str] = []
    for name in FILES[technique]:
        text = resources.files("search").joinpath("data", name).read_text("utf-8")
        lines.extend(text.splitlines())
    return parse_table(lines)


def clause_alternatives(
    tokens: list[str | None],
    techniques: frozenset[str],
    snapshot: Snapshot | None,
    *,
    per_key: int,
    total: int,
) -> list[Alternative]:
    """Alternatives for plain clauses, given each clause's token (None: not expandable).

    Keys are matched longest first over consecutive clauses, in the order typed; an
    alternative the archive does not hold is left out (it would only be noise to show).
    """
    found: list[Alternative] = []
    typed = {token for token in tokens if token}
    for technique in TECHNIQUES:
        if technique not in techniques or technique not in FILES:
            continue
        entries = table(technique)
        start = 0
        while start < len(tokens):
            span = _longest_key(tokens, start, entries)
            if not span:
                start += 1
                continue
            key = tuple(tokens[start : start + span])  # type: ignore[arg-type]
            clauses = tuple(range(start, start + span))
            kept = 0
            for alt_tokens, text in entries.lookup(key):  # type: ignore[arg-type]
                if kept >= per_key or len(found) >= total:
                    break
                if set(alt_tokens) <= typed or not _in_archive(snapshot, alt_tokens):
                    continue
                found.append(Alternative(technique, text, alt_tokens, clauses, WEIGHTS[technique]))
                kept += 1
            start += span
    return found


def _longest_key(tokens: list[str | None], start: int, entries: Table) -> int:
    for span in range(min(MAX_KEY_WORDS, len(tokens) - start), 0, -1):
        words = tokens[start : start + span]
        if all(words) and tuple(words) in entries:  # type: ignore[arg-type]
            return span
    return 0


def _in_archive(snapshot: Snapshot | None, tokens: Key) -> bool:
    if snapshot is None:
        return True
    return all(snapshot.doc_frequency("body", token) > 0 for token in tokens)


def shown(alternatives: list[Alternative]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(label, words) per technique, for "cercato anche"."""
    by_technique: dict[str, list[str]] = defaultdict(list)
    for alternative in alternatives:
        words = by_technique[alternative.technique]
        if alternative.text not in words:
            words.append(alternative.text)
    return tuple((technique, tuple(words)) for technique, words in by_technique.items())
