"""How to cite one article: Italian style to copy, BibTeX and CSL-JSON to download.

Italian style, as for a newspaper article: author, title (in italics where the page can
show them), «source», date, address, consulted on:

    Mario Rossi, Titolo dell'articolo, in «La Gazzetta», 12 aprile 2025,
    https://… (consultato il 4 dicembre 2025).

The address is the original one when it is a web address, else the archive's own page of
the article (the caller gives it: the web knows its address, the CLI may not). A missing
author starts with the title, a missing date says «s.d.».
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from search.model import Article

FORMATS = ("testo", "bibtex", "csl-json")
MONTHS = (
    *("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno"),
    *("luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"),
)
# Words that make a family name with the next one: "Luigi Di Maio" is Di Maio, Luigi.
PARTICLES = frozenset({"di", "de", "da", "del", "della", "dello", "dei", "degli", "la", "lo"})
# Words of a newsroom or an agency, not of a person: "Redazione Web" stays as written.
NOT_PEOPLE = frozenset(
    {"redazione", "agenzia", "ufficio", "staff", "servizio", "comunicato", "stampa", "ansa"}
)
_AUTHORS_SEPARATOR = re.compile(r"\s*(?:,|;|\be\b|\band\b|&)\s*")
_PERSON_WORD = re.compile(r"[A-ZÀ-Ý][\w'’.-]*", re.UNICODE)
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}


@dataclass(frozen=True)
class ItalianCitation:
    """The citation in three parts, so that a page can set the title in italics."""

    before: str  # "Mario Rossi, " (or "")
    title: str
    after: str  # ", in «Fonte», 12 aprile 2025, https://… (consultato il …)."

    @property
    def text(self) -> str:
        return f"{self.before}{self.title}{self.after}"


def cited_address(article: Article, permalink: str | None) -> str | None:
    """The original address when it is a web address, else the archive's page."""
    return web_address(article.url) or permalink


def web_address(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def italian_citation(
    article: Article, *, title: str, accessed: date, permalink: str | None = None
) -> ItalianCitation:
    """`title`: the article's, or what the archive shows for an untitled one."""
    before = f"{article.author.strip()}, " if article.author and article.author.strip() else ""
    parts = []
    if article.source:
        parts.append(f"in «{article.source.strip()}»")
    parts.append(italian_date(article.date) if article.date else "s.d.")
    address = cited_address(article, permalink)
    if address:
        parts.append(address)
    after = ", " + ", ".join(parts) + f" (consultato il {italian_date(accessed)})."
    return ItalianCitation(before, title.strip(), after)


def italian_date(day: date) -> str:
    """12 aprile 2025; 1° maggio 2025."""
    number = "1°" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def people(author: str | None) -> list[dict[str, str]]:
    """The authors as CSL names: family and given for people, literal for the rest
    ("Redazione", "Agenzia Nova"), when a part does not look like a person's name."""
    if not author or not author.strip():
        return []
    parts = [p for p in _AUTHORS_SEPARATOR.split(author.strip()) if p]
    names = [_person(p) for p in parts]
    if any(name is None for name in names):
        return [{"literal": author.strip()}]
    return [name for name in names if name is not None]


def _person(text: str) -> dict[str, str] | None:
    words = text.split()
    if not 2 <= len(words) <= 4:
        return None
    if not all(_PERSON_WORD.fullmatch(w) or w.lower() in PARTICLES for w in words):
        return None
    if words[0].lower() in PARTICLES or words[-1].lower() in PARTICLES:
        return None
    if any(w.lower() in NOT_PEOPLE for w in words):
        return None
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in PARTICLES:
        cut -= 1
    return {"family": " ".join(words[cut:]), "given": " ".join(words[:cut])}


def citation_key(article: Article) -> str:
    """`rossi2025ucraina`: the first author's family name (or the source), the year,
    the first long word of the title; ASCII letters and digits only."""
    names = people(article.author)
    first = names[0] if names else {}
    who = first.get("family") or first.get("literal") or _host_word(article.source) or "anonimo"
    year = str(article.date.year) if article.date else "sd"
    words = [w for w in _ascii(article.title).split() if len(w) > 3]
    key = _ascii(who).replace(" ", "")[:24] + year + (words[0][:24] if words else "")
    return key if key != year else f"articolo{year}"


def _host_word(source: str | None) -> str:
    if not source:
        return ""
    words = [w for w in re.split(r"[^\w]+", source) if w and w.lower() not in ("www", "it", "com")]
    return words[0] if words else ""


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9 ]", "", decomposed.encode("ascii", "ignore").decode().lower())


def bibtex(article: Article, *, title: str, accessed: date, permalink: str | None = None) -> str:
    """One `@article` entry (BibTeX and biblatex fields: journal, date and year…)."""
    fields: list[tuple[str, str]] = []
    names = people(article.author)
    if names:
        fields.append(("author", " and ".join(_bibtex_name(n) for n in names)))
    fields.append(("title", _escape(title.strip())))
    if article.source:
        fields.append(("journal", _escape(article.source.strip())))
    if article.date:
        day = article.date
        fields += [
            ("date", day.isoformat()),
            ("year", str(day.year)),
            ("month", str(day.month)),
            ("day", str(day.day)),
        ]
    address = cited_address(article, permalink)
    if address:
        fields += [("url", _url(address)), ("urldate", accessed.isoformat())]
    fields.append(("langid", "italian"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@article{{{citation_key(article)},\n{body}\n}}\n"


def _bibtex_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + _escape(name["literal"]) + "}"  # braced: BibTeX keeps it whole
    return f"{_escape(name['family'])}, {_escape(name['given'])}"


def _escape(text: str) -> str:
    text = " ".join(text.split())
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text)


def _url(address: str) -> str:
    # Braces delimit the field: never let one through (they are not valid in a URL anyway).
    return address.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def csl_json(
    article: Article, *, title: str, accessed: date, permalink: str | None = None
) -> list[dict[str, object]]:
    """One item of CSL-JSON (what Zotero, Pandoc and citeproc read), in a list."""
    item: dict[str, object] = {
        "id": citation_key(article),
        "type": "article-newspaper",
        "title": title.strip(),
        "language": "it",
    }
    names = people(article.author)
    if names:
        item["author"] = names
    if article.source:
        item["container-title"] = article.source.strip()
    if article.date:
        item["issued"] = {"date-parts": [[article.date.year, article.date.month, article.date.day]]}
    address = cited_address(article, permalink)
    if address:
        item["URL"] = address
        item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    return [item]
