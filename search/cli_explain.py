"""`archivio search`: the words also searched, and `--explain`'s lines under each hit."""

from __future__ import annotations

from search.cli_output import plain_pieces, wrap
from search.explain import Explanation, also_searched, number

REORDERING = ("retroazione",)  # techniques that change the order only, never the list

SHOWN = 8  # contributions listed per hit; the rest are summed on one line


def also_searched_lines(
    also: tuple[tuple[str, tuple[str, ...]], ...], width: int, explain: bool = False
) -> list[str]:
    """«Cercato anche: sinonimi: pompieri, caschi rossi; …», wrapped.

    The words that only reorder (pseudo-relevance feedback) are listed with `--explain`:
    they never change what is listed, and a known-item search does not need them said.
    """
    widening = tuple((t, words) for t, words in also if t not in REORDERING)
    reordering = tuple((t, words) for t, words in also if t in REORDERING)
    lines = []
    if widening:
        text = "Cercato anche (senza espansioni: --no-expand): "
        lines += wrap(plain_pieces(text + "; ".join(also_searched(widening))), width, indent="  ")
    if explain and reordering:
        text = "Ordinati anche per: " + "; ".join(also_searched(reordering))
        lines += wrap(plain_pieces(text), width, indent="  ")
    return lines


def explanation_lines(explanation: Explanation, width: int, indent: str) -> list[str]:
    """«Perché: punteggio 12,34», then one line per word and field, largest first."""
    lines = [f"{indent}Perché: punteggio {number(explanation.score)}"]
    for part in explanation.contributions[:SHOWN]:
        text = f"{part.words} · {part.role} · {part.field}"
        first = f"{indent}  {number(part.score):>7}  "
        lines.extend(wrap(plain_pieces(text), width, first=first, indent=" " * len(first)))
    rest = explanation.contributions[SHOWN:]
    if rest:
        total = number(sum(part.score for part in rest))
        lines.append(f"{indent}  {total:>7}  altre {len(rest)} parole e campi")
    return lines
