"""Golden table of the Italian analysis: what a word becomes in the index."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest

from search.analysis import (
    ELIDED_ARTICLES,
    analyze,
    index_tokens,
    load_protected_words,
    name_tokens,
    surface_tokens,
)
from tests.reference_analysis import chain_tokens, name_chain, stem_chain, surface_chain

GOLDEN = [
    # elision of Lucene's articles, straight and curly apostrophes
    ("l'Unione", ["union"]),
    ("l’Unione", ["union"]),
    ("dell’ospedale", ["ospedal"]),
    ("all'alba", ["alba"]),
    ("dall'Italia", ["ital"]),
    ("nell'aula", ["aul"]),
    ("sull'autostrada", ["autostrad"]),
    ("coll'aiuto", ["aiut"]),
    ("pell'anima", ["anim"]),
    ("gl'italiani", ["italian"]),
    ("agl'inizi", ["iniz"]),
    ("dagl'ultimi", ["ultim"]),
    ("degl'ospiti", ["ospit"]),
    ("negl'uffici", ["uffic"]),
    ("sugl'indici", ["indic"]),
    ("un'inchiesta", ["inchiest"]),
    ("t'amo", ["amo"]),
    ("d'Italia", ["ital"]),
    ("c'è", []),
    ("quest'anno", ["anno"]),  # any other apostrophe splits the word
    # lowercase and accent folding, both ways
    ("Città", ["citt"]),
    ("citta", ["citt"]),
    ("università", ["univers"]),
    ("universita", ["univers"]),
    ("Müller", ["muller"]),
    ("Muller", ["muller"]),
    # stopwords, accented or not
    ("il", []),
    ("della", []),
    ("perché", []),
    ("perche", []),
    ("più", []),
    # Snowball Italian stemming
    ("rapinatori", ["rapin"]),
    ("rapinatore", ["rapin"]),
    ("arrestati", ["arrest"]),
    ("arresto", ["arrest"]),
    # protected words: kept apart from what Snowball would merge them with
    ("sindaco", ["sindaco"]),
    ("sindaci", ["sindaco"]),
    ("sindacato", ["sindacato"]),
    ("sindacati", ["sindacato"]),
    ("partito", ["partito"]),
    ("partita", ["partita"]),
    ("parte", ["part"]),
    ("comune", ["comune"]),
    ("comunista", ["comunista"]),
    ("comunicazione", ["comunicazione"]),
    ("comunità", ["comunita"]),
    ("negozio", ["negozio"]),
    ("negozianti", ["negozio"]),
    ("negoziato", ["negoziato"]),
    ("negoziati", ["negoziato"]),
    ("negoziatori", ["negoziato"]),
    ("casa", ["casa"]),
    ("caso", ["caso"]),
    ("volto", ["volto"]),
    ("volta", ["volt"]),
    ("Mirandola", ["mirandola"]),
    # numbers and hyphenated words
    ("anti-Covid", ["anti", "covid"]),
    ("COVID-19", ["covid", "19"]),
    ("2,5", ["2,5"]),
    ("15%", ["15"]),
    ("A1", ["a1"]),
]


@pytest.mark.parametrize(("word", "tokens"), GOLDEN)
def test_golden_table(word: str, tokens: list[str]) -> None:
    assert analyze(word) == tokens


def test_all_21_elided_articles_are_removed() -> None:
    assert len(ELIDED_ARTICLES) == 21
    for article in ELIDED_ARTICLES:
        assert analyze(f"{article}'ospedale") == ["ospedal"], article
        assert analyze(f"{article}’ospedale") == ["ospedal"], article


def test_phrase_positions_survive_elision_and_stopwords() -> None:
    tokens = [(t, pos) for t, pos, _, _ in index_tokens("Il sindaco dell'Unione europea")]
    first = tokens[0][1]
    # consecutive positions: the phrase "sindaco Unione europea" matches this text
    assert tokens == [("sindaco", first), ("union", first + 1), ("europe", first + 2)]


def test_character_offsets_point_at_the_word_without_its_article() -> None:
    text = "Visita all'ospedale"
    spans = [(start, end) for _, _, start, end in index_tokens(text)]
    assert spans
    assert [text[a:b] for a, b in spans] == ["Visita", "ospedale"]


def test_a_word_written_decomposed_is_the_same_word() -> None:
    """NFD text (macOS file names, some editors): `Mu` + U+0308 + `ller` is `Müller`, one
    word with the same tokens, and highlighting marks all of it."""
    for composed, decomposed in (
        ("Müller a Zürich", "Mu\u0308ller a Zu\u0308rich"),
        ("l'università è chiusa", "l'universita\u0300 e\u0300 chiusa"),
        ("Núñez Hernández", "Nu\u0301n\u0303ez Herna\u0301ndez"),
    ):
        assert analyze(decomposed) == analyze(composed)
        assert name_tokens(decomposed) == name_tokens(composed)
        spans = [decomposed[a:b] for _, _, a, b in surface_tokens(decomposed)]
        assert spans[-1] == decomposed.split()[-1]  # the whole word, its accent included


def test_protected_words_cover_the_required_pairs() -> None:
    table = load_protected_words()
    for a, b in [
        ("sindaco", "sindacato"),
        ("partito", "partita"),
        ("comune", "comunista"),
        ("comune", "comunicazione"),
        ("negozio", "negoziato"),
    ]:
        assert table[a] != table[b]


TRICKY = [
    "",
    "il la di",
    "quest'il anno, quell'uno stesso",
    "L'Unione dell’ospedale quest'anno c'è un'inchiesta t'amo d'Italia",
    "all'all'alba l'l'x po' E' È' anti-Covid 2,5 1.200.000 3,14.15",
    "Città MÜLLER Ærø ﬁne straße ½ ²³ naïve café’s",
    "parola`accento´strano ’’ '' ` ´ fine.",
]


def _real_texts(shared_corpus: Path, per_file: int = 700) -> list[str]:
    texts = list(TRICKY)
    for name in ("wikinews-it.jsonl", "dice-gazzetta-modena.jsonl", "facta.jsonl"):
        with open(shared_corpus / name, encoding="utf-8") as handle:
            for line in islice(handle, per_file):
                record = json.loads(line)
                texts += [record.get("title") or "", record.get("body") or record.get("text") or ""]
    return texts


def _check_against_the_chains(texts: list[str]) -> None:
    stems, surfaces, names = stem_chain(), surface_chain(), name_chain()
    for text in texts:
        assert list(index_tokens(text)) == chain_tokens(stems, text), text[:80]
        assert list(surface_tokens(text)) == chain_tokens(surfaces, text), text[:80]
        assert name_tokens(text) == [t.text for t in names(text)], text[:80]


def test_the_one_loop_analysis_gives_the_chains_tokens_on_tricky_text() -> None:
    _check_against_the_chains(TRICKY + [word for word, _ in GOLDEN])


@pytest.mark.medium
def test_the_one_loop_analysis_gives_the_chains_tokens_on_real_articles(
    shared_corpus: Path,
) -> None:
    # search.analysis computes the whole chain in one loop (twice as fast): same output.
    _check_against_the_chains(_real_texts(shared_corpus))
