"""The query syntax, shown on /aiuto: one list, so the page and the tests read the same."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SyntaxExample:
    query: str
    explanation: str


@dataclass(frozen=True)
class SyntaxSection:
    title: str
    examples: tuple[SyntaxExample, ...]


SYNTAX: tuple[SyntaxSection, ...] = (
    SyntaxSection(
        "Parole e frasi",
        (
            SyntaxExample(
                "negoziati", "Una parola trova anche le sue altre forme: negoziato, negoziare…"
            ),
            SyntaxExample(
                "Modena alluvione",
                "Più parole: il totale conta gli articoli che le hanno tutte; quelli con solo "
                "una parte delle parole si contano a parte e vengono dopo, con ciò che manca.",
            ),
            SyntaxExample('"cessate il fuoco"', "Tra virgolette: la frase, parola per parola."),
            SyntaxExample('"gas russo"~5', "Parole vicine: al massimo 5 parole di distanza."),
        ),
    ),
    SyntaxSection(
        "Operatori",
        (
            SyntaxExample("Umerov AND Trump", "Tutte e due le parole (come senza operatore)."),
            SyntaxExample("Umerov E Trump", "Lo stesso, in italiano."),
            SyntaxExample("Putin OR Zelensky", "Almeno una delle due parole."),
            SyntaxExample("Putin O Zelensky", "Lo stesso, in italiano."),
            SyntaxExample("Umerov NOT Trump", "La prima parola, ma non la seconda."),
            SyntaxExample("Umerov NON Trump", "Lo stesso, in italiano."),
            SyntaxExample("Umerov -Trump", "Lo stesso, con il segno meno."),
            SyntaxExample(
                "+Umerov Trump",
                "Il segno più rende obbligatoria una parola; le altre contano solo per l'ordine.",
            ),
            SyntaxExample("(Putin OR Xi) AND Macron", "Le parentesi raggruppano gli operatori."),
        ),
    ),
    SyntaxSection(
        "Campi",
        (
            SyntaxExample("titolo:Trump", "Solo nel titolo."),
            SyntaxExample("testo:Orban", "Solo nel testo dell'articolo."),
            SyntaxExample("autore:Redazione", "Articoli di un autore."),
            SyntaxExample("fonte:italiasettegiorni", "Articoli di una testata o di un sito."),
            SyntaxExample("luogo:Modena", "Articoli che si aprono con quel luogo («MODENA. …»)."),
        ),
    ),
    SyntaxSection(
        "Date",
        (
            SyntaxExample("data:2025-04", "Un mese (o un giorno: data:2025-04-12)."),
            SyntaxExample('data:"aprile 2025"', "Date in italiano, tra virgolette se hanno spazi."),
            SyntaxExample("data:2024..2025", "Un intervallo, estremi compresi."),
            SyntaxExample('data:"senza data"', "Solo gli articoli senza data."),
        ),
    ),
    SyntaxSection(
        "Varianti",
        (
            SyntaxExample("negozi*", "Tutte le parole che cominciano così."),
            SyntaxExample("trump~", "Parole scritte in modo simile (errori di battitura)."),
            SyntaxExample("=negoziati", "Solo questa forma della parola, senza le altre."),
        ),
    ),
)

EXAMPLES: tuple[str, ...] = tuple(e.query for s in SYNTAX for e in s.examples)

# The home page offers a few searches that say what the archive can do.
HOME_EXAMPLES: tuple[str, ...] = (
    '"cessate il fuoco"',
    "negoziati",
    "autore:Redazione",
    "data:2024..2025",
    "negozi*",
)

# What the date fields of the search form accept (the same as the CLI's --from/--to).
DATE_EXAMPLES: tuple[str, ...] = ("12/04/2025", "aprile 2025", "2024..2025", "ultimi 30 giorni")
