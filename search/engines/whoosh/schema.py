"""The Whoosh schema: fields hold the tokens the core analysed, never text to analyse.

Every indexed field takes a list the core computed (`search.analysis`): stems for title
and body (Whoosh numbers a list's tokens by their index: the positions phrases use),
surface words for `exact`, name words for authors, sources and places. The article itself
is one stored field, read back whole. Text given to a field is refused: nothing is ever
analysed twice, or differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from search.query.tree import NAME_FIELDS

SCHEMA = "whoosh-1"


class PretokenizedAnalyzer(Analyzer):  # type: ignore[misc]
    """Yields the tokens it is given: `(text, position)` pairs or plain texts."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PretokenizedAnalyzer)

    def __hash__(self) -> int:
        return hash(PretokenizedAnalyzer)

    def __call__(  # type: ignore[override]
        self,
        value: Any,
        positions: bool = False,
        chars: bool = False,
        boosts: bool = False,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        if isinstance(value, str):
            raise TypeError("Archivio's Whoosh fields take analysed tokens, not text")
        token = Token(positions, chars, boosts, mode)
        token.stopped = False
        token.boost = 1.0
        for n, item in enumerate(value):
            if isinstance(item, tuple):
                token.text, position = item
            else:
                token.text, position = item, n
            if positions:
                token.pos = position
            yield token


def build_schema() -> Schema:
    tokens = PretokenizedAnalyzer()
    fields: dict[str, object] = {
        "row": NUMERIC(int, bits=64, sortable=True),
        "id": ID(unique=True),
        "path": ID(),
        "url_key": ID(),
        "text_key": ID(),
        "title": TEXT(analyzer=tokens),
        "body": TEXT(analyzer=tokens),
        "exact": TEXT(analyzer=tokens, phrase=False),
        "doc": STORED(),
    }
    for name in NAME_FIELDS:
        fields[name] = TEXT(analyzer=tokens, phrase=False)
    return Schema(**fields)
