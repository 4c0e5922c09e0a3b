"""Read the query language into a syntax tree (`search.query.syntax`).

Grammar, from the loosest binding to the tightest:

    query   := clause*                      clauses side by side (all required)
    clause  := and ( (OR | O) and )*
    and     := unary ( (AND | E) unary )*
    unary   := (NOT | NON) unary | "+" primary | "-" primary | primary
    primary := "(" query ")" | field ":" [ "+" | "-" ] [ "=" ] value | "=" word-or-phrase
             | word | phrase
    phrase  := '"' words '"' [ "~" N ]      word := letters, with "*"/"?" or "~N" ("~N/P")

A sign after a field belongs to the whole clause: `titolo:-x` is `-titolo:x`, `titolo:+x`
is `+titolo:x`. Whatever follows `~` as a number is the operator's number, never a word:
too large is capped later (`search.query.plan`), negative or decimal is an error.

So `a OR b c` is `(a OR b) c` and `a AND b OR c` is `(a AND b) OR c`. Operators are
uppercase and only count between two clauses: a trailing `E` or a lone `NOT` is a word.
Unbalanced quotes or parentheses never fail: the text is read as plain words, with a
notice. An unknown `campo:` is an error that lists the valid fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.errors import QueryError
from search.query.syntax import (
    AndOp,
    DateClause,
    Fuzzy,
    Must,
    NotOp,
    OrOp,
    Pattern,
    Phrase,
    Seq,
    Syntax,
    Word,
)

FIELD_NAMES = {
    "titolo": "title",
    "title": "title",
    "testo": "body",
    "body": "body",
    "autore": "author",
    "author": "author",
    "fonte": "source",
    "source": "source",
    "luogo": "place",
    "place": "place",
    "data": "date",
    "date": "date",
    "sezione": "section",
    "section": "section",
}
VALID_FIELDS = (
    "titolo/title, testo/body, autore/author, fonte/source, luogo/place, data/date, sezione/section"
)
OR_WORDS = {"OR", "O"}
AND_WORDS = {"AND", "E"}
NOT_WORDS = {"NOT", "NON"}
UNBALANCED = "Virgolette o parentesi non chiuse: la ricerca è stata letta come parole."

FIELD_EXAMPLES = {
    "title": "Trump",
    "body": "Orban",
    "author": "Redazione",
    "source": "italiasettegiorni",
    "place": "Modena",
    "date": "2024",
    "section": "esteri",
}
SIGNS = {"must": "+", "not": "-", "exact": "="}

_FIELD = re.compile(r"([^\W\d_]\w*):(.*)", re.DOTALL)
# The number after `~` (or `/`) as typed: a sign and a decimal part are read, then refused.
_NUMBER = r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_FUZZY = re.compile(rf"(.*?)~({_NUMBER})?(?:/({_NUMBER})?)?$", re.DOTALL)
_PROXIMITY = re.compile(rf"~({_NUMBER})")
_LARGE = 999_999_999  # a longer number only says "as far as allowed" (and int() of
# thousands of digits fails)
_STRAY = re.compile(r'["()]')
_PHRASE_DISTANCE = re.compile(rf'"~{_NUMBER}')


class _Unbalanced(Exception):
    pass


@dataclass(frozen=True)
class Lexeme:
    kind: str  # "(", ")", "word", "phrase", "field", "must", "not", "exact"
    text: str = ""
    distance: int | None = None


@dataclass
class ParsedSyntax:
    tree: Seq
    notices: list[str] = field(default_factory=list)


def parse(text: str) -> ParsedSyntax:
    """The syntax tree of a query.

    Raises QueryError for an unknown or empty field, two signs after one, or a number after
    `~` that is negative, decimal or apart from its word.
    """
    try:
        return ParsedSyntax(_Parser(_lex(text)).query())
    except _Unbalanced:
        plain = _STRAY.sub(" ", _PHRASE_DISTANCE.sub('"', text))  # words have no distance
        return ParsedSyntax(_Parser(_lex(plain)).query(), [UNBALANCED])


MAX_NESTING = 32  # parentheses inside parentheses: more is no query a person writes


def _lex(text: str) -> list[Lexeme]:
    out: list[Lexeme] = []
    i, n = 0, len(text)
    depth = 0
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            depth = depth + 1 if char == "(" else max(depth - 1, 0)
            if depth > MAX_NESTING:
                raise QueryError(
                    f"troppe parentesi una dentro l'altra: al massimo {MAX_NESTING} livelli"
                )
            out.append(Lexeme(char))
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _Unbalanced
            phrase = text[i + 1 : end]
            i = end + 1
            proximity = _PROXIMITY.match(text, i)
            distance = None
            if proximity:
                shown = f'"{phrase}"~{proximity.group(1)}'
                distance = _whole_number(proximity.group(1), shown, f'"{phrase}"~5')
                i = proximity.end()
            out.append(Lexeme("phrase", phrase, distance))
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '()"':
                i += 1
            out.extend(_run(text[start:i]))
    return out


def _whole_number(number: str, shown: str, example: str) -> int:
    """The number after `~` or `/`; a negative or decimal one is an error."""
    if number.startswith("-") or "." in number or "," in number:
        raise QueryError(
            f"«{shown}»: dopo ~ va un numero intero, senza segno né virgola, per esempio {example}"
        )
    digits = number.lstrip("+").lstrip("0") or "0"
    return int(digits) if len(digits) <= 9 else _LARGE


def _prefixes(run: str) -> tuple[list[Lexeme], str]:
    """The signs (`+ - =`) a run starts with, and what follows them."""
    out: list[Lexeme] = []
    while run[:1] in ("+", "-", "=") and len(run) >= 1:
        if len(run) == 1 and run in "+-":
            # A lone dash is punctuation ("Roma - Milano") unless a phrase or group follows,
            # which the caller cannot see: keep it as a marker, the parser drops it if idle.
            out.append(Lexeme("must" if run == "+" else "not", "lone"))
            return out, ""
        out.append(Lexeme({"+": "must", "-": "not", "=": "exact"}[run[0]]))
        run = run[1:]
    return out, run


def _run(run: str) -> list[Lexeme]:
    """A run of non-space characters: prefixes (`+ - =`), a field, then a word or nothing."""
    out, run = _prefixes(run)
    if not run:
        return out
    match = _FIELD.fullmatch(run)
    if match and match.group(1).lower() not in ("http", "https"):
        name = match.group(1).lower()
        if name not in FIELD_NAMES:
            if match.group(2):
                raise QueryError(
                    f"campo sconosciuto: {match.group(1)}. Campi validi: {VALID_FIELDS}"
                )
            out.append(Lexeme("word", run))
            return out
        out.append(Lexeme("field", match.group(1)))
        # The value's own signs (`titolo:-trump`, `titolo:-"…"`, `titolo:=(…)`): the parser
        # gives them to the whole clause.
        signs, value = _prefixes(match.group(2))
        out.extend(signs)
        if value:
            out.append(Lexeme("word", value))
        return out
    out.append(Lexeme("word", run))
    return out


class _Parser:
    def __init__(self, lexemes: list[Lexeme]) -> None:
        self.items = lexemes
        self.i = 0

    def peek(self, offset: int = 0) -> Lexeme | None:
        j = self.i + offset
        return self.items[j] if j < len(self.items) else None

    def take(self) -> Lexeme:
        item = self.items[self.i]
        self.i += 1
        return item

    def query(self) -> Seq:
        seq = self._seq(inside=False)
        if self.peek() is not None:
            raise _Unbalanced  # a stray ")"
        return seq

    def _seq(self, inside: bool) -> Seq:
        items: list[Syntax] = []
        while (lexeme := self.peek()) is not None:
            if lexeme.kind == ")":
                if not inside:
                    raise _Unbalanced
                break
            item = self._or()
            if item is not None:
                items.append(item)
        return Seq(tuple(items))

    def _operator(self, words: set[str]) -> bool:
        lexeme, after = self.peek(), self.peek(1)
        return (
            lexeme is not None
            and lexeme.kind == "word"
            and lexeme.text in words
            and self._starts_clause(after)
        )

    @staticmethod
    def _starts_clause(lexeme: Lexeme | None) -> bool:
        if lexeme is None or lexeme.kind == ")":
            return False
        return not (lexeme.kind == "word" and lexeme.text in OR_WORDS | AND_WORDS)

    def _or(self) -> Syntax | None:
        first = self._and()
        items = [first] if first is not None else []
        while items and self._operator(OR_WORDS):
            self.take()
            item = self._and()
            if item is not None:
                items.append(item)
        return items[0] if len(items) == 1 else OrOp(tuple(items)) if items else None

    def _and(self) -> Syntax | None:
        first = self._unary()
        items = [first] if first is not None else []
        while items and self._operator(AND_WORDS):
            self.take()
            item = self._unary()
            if item is not None:
                items.append(item)
        return items[0] if len(items) == 1 else AndOp(tuple(items)) if items else None

    def _unary(self) -> Syntax | None:
        lexeme = self.peek()
        if lexeme is None:
            return None
        if self._operator(NOT_WORDS):
            self.take()
            item = self._unary()
            return NotOp(item) if item is not None else None
        if lexeme.kind in ("must", "not"):
            self.take()
            following = self.peek()
            if (
                not self._starts_clause(following)
                or following.kind in ("must", "not")  # type: ignore[union-attr]
                or (lexeme.text == "lone" and following.kind not in ("phrase", "("))  # type: ignore[union-attr]
            ):
                return None  # a lone "+" or "-" before a word ("Roma - Milano"): punctuation
            item = self._primary()
            if item is None:
                return None
            return Must(item) if lexeme.kind == "must" else NotOp(item)
        return self._primary()

    def _primary(self, field: str | None = None, exact: bool = False) -> Syntax | None:
        lexeme = self.take()
        if lexeme.kind == "(":
            inner = self._seq(inside=True)
            if self.peek() is None:
                raise _Unbalanced
            self.take()  # ")"
            if field is not None or exact:
                inner = _with_field(inner, field, exact)  # type: ignore[assignment]
            return inner.items[0] if len(inner.items) == 1 else inner if inner.items else None
        if lexeme.kind == ")":
            raise _Unbalanced
        if lexeme.kind == "field":
            return self._field(lexeme.text, exact)
        if lexeme.kind == "exact":
            value = self.peek()
            # `=titolo:x` is `titolo:=x`
            if value is None or value.kind not in ("word", "phrase", "(", "field"):
                return None
            return self._primary(field, exact=True)
        if lexeme.kind == "phrase":
            return Phrase(lexeme.text, field, exact, lexeme.distance)
        if lexeme.kind in ("must", "not"):
            return self._primary(field, exact)
        return word(lexeme.text, field, exact)

    def _field(self, name: str, exact: bool) -> Syntax | None:
        """`field:value`, with the signs typed after the colon applied to the whole clause."""
        signs: list[str] = []
        while (sign := self.peek()) is not None and sign.kind in SIGNS:
            signs.append(self.take().kind)
        shown = f"{name}:" + "".join(SIGNS[kind] for kind in signs)
        canonical = FIELD_NAMES[name.lower()]
        value = self.peek()
        if value is None or value.kind not in ("word", "phrase", "("):
            example = shown.lower() + FIELD_EXAMPLES[canonical]
            raise QueryError(f"manca il valore dopo «{shown}»: per esempio {example}")
        marks = [kind for kind in signs if kind != "exact"]
        if len(marks) > 1:
            example = f"{name.lower()}:{{}}{FIELD_EXAMPLES[canonical]}"
            raise QueryError(
                f"«{shown}»: dopo il campo va un solo segno: {example.format('-')} (senza) "
                f"o {example.format('+')} (obbligatorio)"
            )
        exact = exact or "exact" in signs
        clause: Syntax | None
        if canonical == "date":
            self.take()
            if value.kind == "(":
                raise QueryError("data: vuole una data o un intervallo, non un gruppo")
            if exact:
                raise QueryError(
                    f"«{shown}»: la forma esatta (=) vale per le parole, non per le date: "
                    f"scrivi {name.lower()}:{value.text}"
                )
            clause = DateClause(value.text)
        else:
            clause = self._primary(canonical, exact)
        if clause is None or not marks:
            return clause
        return Must(clause) if marks[0] == "must" else NotOp(clause)


def word(text: str, field: str | None = None, exact: bool = False) -> Syntax:
    """A word as typed: plain, a pattern (`negozi*`), or fuzzy (`trump~2`, `trump~2/3`)."""
    fuzzy = _FUZZY.fullmatch(text)
    if fuzzy and not fuzzy.group(1) and fuzzy.group(2):  # `trump ~2`: not a word "2"
        raise QueryError(
            f"«{text}»: ~ va attaccato alla parola o alla frase, senza spazio: "
            'trump~2, "gas russo"~5'
        )
    if fuzzy and fuzzy.group(1):
        stem, number, prefix_number = fuzzy.groups()
        if exact:
            raise QueryError(
                f"«={text}»: la forma esatta (=) e la ricerca approssimata (~) non vanno "
                f"insieme: scrivi ={stem} oppure {stem}~{number or ''}"
            )
        distance = _whole_number(number, text, f"{stem}~2") if number else 1
        prefix = _whole_number(prefix_number, text, f"{stem}~2/3") if prefix_number else 1
        return Fuzzy(stem, field, distance, prefix)
    if ("*" in text or "?" in text) and not exact:
        return Pattern(text, field)
    return Word(text, field, exact)


def _with_field(node: Syntax, field: str | None, exact: bool) -> Syntax:
    match node:
        case Word(text, None, was_exact):
            return Word(text, field, exact or was_exact)
        case Phrase(text, None, was_exact, distance):
            return Phrase(text, field, exact or was_exact, distance)
        case Pattern(text, None):
            return Pattern(text, field)
        case Fuzzy(text, None, distance, prefix):
            return Fuzzy(text, field, distance, prefix)
        case Seq(items):
            return Seq(tuple(_with_field(i, field, exact) for i in items))
        case AndOp(items):
            return AndOp(tuple(_with_field(i, field, exact) for i in items))
        case OrOp(items):
            return OrOp(tuple(_with_field(i, field, exact) for i in items))
        case NotOp(item):
            return NotOp(_with_field(item, field, exact))
        case Must(item):
            return Must(_with_field(item, field, exact))
    return node
