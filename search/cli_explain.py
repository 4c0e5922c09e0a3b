"""`archivio search`: the words also searched, and `--explain`'s lines under each hit."""

from __future__ import annotations

from search.cli_output import plain_pieces, wrap
from search.explain import Explanation, also_searched, number

SHOWN = 8  # contributions listed per hit; the rest are summed on one line


def also_searched_lines(also: tuple[tuple[str, tuple[str, ...]], ...], width: int) -> list[str]:
    """«Cercato anche: sinonimi: pompieri, caschi rossi; …», wrapped."""
    parts = also_searched(also)
    if not parts:
        return []
    text = "Cercato anche (senza espansioni: --no-expand): " + "; ".join(parts)
    return wrap(plain_pieces(text), width, indent="  ")


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
