"""Datelines: the place that opens a news article («MODENA. Ieri sera…»), and readable titles.

Local papers open an article with its place: «CARPI. Ieri sera…», «SASSUOLO - Lunedì…»,
«MODENA, Il colpo…», «ROMA (ANSA) - …», often after the byline («Stefania Piscitello
FORMIGINE. È uscita…», «Mattia Vernelli Vignola. Nessuno…»), sometimes lowercased by the
dump («maranello. Clonava…», «camposanto «Le 55…»). 10,349 of the 10,371 DICE records
have no title, so their lists showed the dateline as a title (3,586 results titled
«MODENA», «CARPI»…).

Recognised at the start of the body:
  * 1-4 words in capitals (particles included: «SAN POLO D'ENZA»), at least three letters,
    not a kicker («FOTO», «VIDEO», an agency), then «.», «,» or «:» and a space, or a dash;
  * 1-2 words in lowercase or capitalised («Carpi.», «San Felice.», «maranello.») ended by a
    full stop and followed by a capital letter or a quote: a sentence of one or two words
    at the very start of an article is a dateline far more often than not; a lowercase
    word before a quote;
  * either one after a byline of two or three capitalised words.
A title is only a dateline when it is 1-4 words in capitals, or the same words as the
dateline opening the body; a one-word title in lowercase or capitalised is kept («Brexit»).

When the title is empty or a dateline, the title becomes the lead: the first sentence
after the dateline and byline, cut at a word boundary. The dateline becomes `place`, in
the usual spelling («SAN POLO D'ENZA» -> «San Polo d'Enza»).
"""

from __future__ import annotations

import dataclasses
import re

from search.model import Article

TITLE_CHARS = 90  # as the result list shows an untitled article's first sentence

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_CAPS_WORD = rf"[{_UP}][{_UP}'’-]*[{_UP}'’]"  # two letters at least: «MODENA A giudicare»
_CAPS_PLACE = rf"{_CAPS_WORD}(?: (?:[EA] )?{_CAPS_WORD}){{0,3}}"  # «PAVULLO E POLINAGO»
_NAME = rf"[{_UP}][{_LOW}'’]+"
_PLAIN_PLACE = rf"[{_UP}{_LOW}][{_LOW}'’]+(?: {_NAME})?"
_BYLINE = rf"(?:{_NAME} ){{2,3}}?"
_AGENCY = r"(?: ?\([A-Za-z]{2,12}\))?"
_CAPS_DATELINE = re.compile(
    rf"(?:{_BYLINE})?(?P<place>{_CAPS_PLACE}){_AGENCY}"
    rf"(?:[.,:] +(?=[{_UP}«\"“'0-9])| *[-–—]+ +(?=\S)"
    rf"| +(?=[«\"“]|[{_UP}][{_LOW}'’]|[{_UP}] [{_LOW}]))"
)
_PLAIN_DATELINE = re.compile(rf"(?:{_BYLINE})?(?P<place>{_PLAIN_PLACE})\. +(?=[{_UP}«\"“'])")
# A lowercased dateline before a quote: «camposanto «Le 55 telecamere…».
_LOWER_DATELINE = re.compile(rf"(?P<place>[{_LOW}][{_LOW}'’]+) +(?=[«\"“])")
_CAPS_TITLE = re.compile(rf"(?P<place>{_CAPS_PLACE})\.?")
# Capitalised openings that are not places: kickers, agencies, section labels.
_NOT_PLACES = frozenset((
    "foto", "video", "audio", "aggiornamento", "aggiornato", "ultim'ora", "ultimora",
    "breaking", "esclusivo", "esclusiva", "intervista", "editoriale", "commento", "analisi",
    "lettera", "lettere", "opinione", "ansa", "agi", "adnkronos", "lapresse", "askanews",
    "dire", "italpress", "agenzia", "nova", "reuters", "afp", "ap", "news", "notizie",
    "comunicato", "avviso", "attenzione", "nota", "premessa", "sondaggio", "diretta", "live",
    "speciale", "dossier", "grazie", "basta", "ecco", "buongiorno", "buonasera", "allora",
    "oggi", "ieri", "domani", "ora", "già", "no", "sì", "si", "ok", "covid", "coronavirus",
    "ancora", "summit", "colpo", "caso", "storia", "indagini", "indagine", "retroscena",
))  # fmt: skip
# An article opens a kicker («IL CASO», «LA STORIA»), hardly ever a place.
_ARTICLES = ("il ", "lo ", "la ", "le ", "gli ", "i ", "l'", "un ", "una ", "uno ")
_ARTICLE_PLACES = frozenset(("la spezia", "l'aquila"))
_PARTICLES = frozenset((
    "di", "de", "del", "della", "delle", "dei", "degli", "dello", "d", "in", "sul", "sulla",
    "sull", "al", "alla", "e", "a", "da", "dal", "dell", "nel", "nell", "ne", "sopra", "sotto",
))  # fmt: skip
_ABBREVIATIONS = frozenset((
    "dott", "dr", "sig", "sigg", "avv", "prof", "ing", "geom", "arch", "rag", "on", "sen",
    "mons", "gen", "col", "magg", "cap", "ten", "don", "ss", "s", "st", "sant", "n", "nn",
    "art", "pag", "p", "c", "ca", "vs", "ecc",
))  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?…]+(?=[»”\"']?\s+[«\"“'(]?[" + _UP + r"0-9])")


def readable_title(article: Article) -> Article:
    """`article` with `place` from its dateline, and its lead as title if it had none."""
    title = article.title.strip()
    opening = _body_dateline(article.body)
    place = opening[0] if opening else None
    lead = article.body[opening[1] :] if opening else article.body
    title_place = _title_place(title, place)
    if title and title_place is None:
        return dataclasses.replace(article, place=_spelling(place)) if place else article
    place = title_place or place
    return dataclasses.replace(
        article, title=lead_title(lead) or title, place=_spelling(place) if place else None
    )


def lead_title(text: str, size: int = TITLE_CHARS) -> str:
    """The first sentence of `text`, cut at a word boundary to at most `size` characters."""
    paragraph = text.strip().split("\n", 1)[0].strip()
    sentence = paragraph
    for end in _SENTENCE_END.finditer(paragraph):
        word = paragraph[: end.start()].rsplit(None, 1)[-1].lower() if end.start() else ""
        if end.group().startswith(".") and (len(word) == 1 or word in _ABBREVIATIONS):
            continue
        sentence = paragraph[: end.end()]
        break
    sentence = sentence.rstrip(".").strip()
    if len(sentence) <= size:
        return sentence
    cut = sentence.rfind(" ", 0, size)
    return sentence[: cut if cut > 0 else size].rstrip(" ,;:–-") + "…"


def _body_dateline(body: str) -> tuple[str | None, int] | None:
    """The dateline opening `body`, if a place, and where the text after it starts.

    An opening that is not a place («IL CASO.», «FOTO -») is no title either: the lead
    starts after it all the same.
    """
    head = body[:200]
    for pattern in (_CAPS_DATELINE, _PLAIN_DATELINE, _LOWER_DATELINE):
        if found := pattern.match(head):
            return (found["place"] if _is_place(found["place"]) else None), found.end()
    return None


def _title_place(title: str, body_place: str | None) -> str | None:
    """The place a title names when it is nothing else, else None."""
    if not title:
        return None
    if body_place and title.rstrip(".").casefold() == body_place.casefold():
        return body_place
    found = _CAPS_TITLE.fullmatch(title)
    if found and _is_place(found["place"]):
        return found["place"]
    return None


def _is_place(words: str) -> bool:
    key = words.casefold().replace("’", "'")
    letters = sum(ch.isalpha() for ch in key)
    if key.startswith(_ARTICLES) and key not in _ARTICLE_PLACES:
        return False
    return letters >= 3 and key not in _NOT_PLACES and key.split()[0] not in _NOT_PLACES


def _spelling(place: str) -> str:
    """«SAN POLO D'ENZA», «san polo d'enza» -> «San Polo d'Enza»."""
    words = []
    for position, word in enumerate(place.lower().split()):
        if position and word in _PARTICLES:
            words.append(word)
            continue
        parts = re.split(r"(['’-])", word)
        words.append(
            "".join(
                part
                if (position or index)
                and part in _PARTICLES
                and parts[index + 1 : index + 2] != ["-"]
                and index + 1 < len(parts)
                else part[:1].upper() + part[1:]
                for index, part in enumerate(parts)
            )
        )
    return " ".join(words)
