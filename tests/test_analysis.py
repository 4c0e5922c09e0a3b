"""Golden table of the Italian analysis: what a word becomes in the index."""

from __future__ import annotations

import json
import pickle
from itertools import islice
from pathlib import Path

import pytest

from search.analysis import (
    ELIDED_ARTICLES,
    ItalianAnalyzer,
    analyze,
    italian_analyzer,
    load_protected_words,
)

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
    analyzer = italian_analyzer()
    tokens = [(t.text, t.pos) for t in analyzer("Il sindaco dell'Unione europea", positions=True)]
    first = tokens[0][1]
    # consecutive positions: the phrase "sindaco Unione europea" matches this text
    assert tokens == [("sindaco", first), ("union", first + 1), ("europe", first + 2)]


def test_character_offsets_point_at_the_word_without_its_article() -> None:
    text = "Visita all'ospedale"
    spans = [(t.startchar, t.endchar) for t in italian_analyzer()(text, chars=True)]
    assert spans
    assert [text[a:b] for a, b in spans] == ["Visita", "ospedale"]


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


def _chain_tokens(analyzer: object, text: str) -> list[tuple[str, int, int, int]]:
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True)  # type: ignore[operator]
    ]


def _real_texts(shared_corpus: Path, per_file: int = 700) -> list[str]:
    texts = list(TRICKY)
    for name in ("wikinews-it.jsonl", "dice-gazzetta-modena.jsonl", "facta.jsonl"):
        with open(shared_corpus / name, encoding="utf-8") as handle:
            for line in islice(handle, per_file):
                record = json.loads(line)
                texts += [record.get("title") or "", record.get("body") or record.get("text") or ""]
    return texts


@pytest.mark.parametrize("stem", [True, False], ids=["stems", "surface"])
@pytest.mark.medium
def test_the_fused_analysis_gives_the_chains_tokens_on_real_articles(
    shared_corpus: Path, stem: bool
) -> None:
    # ItalianAnalyzer computes the whole chain in one loop (twice as fast): same output.
    fused = ItalianAnalyzer(stem=stem)
    chain = fused.chain
    for text in _real_texts(shared_corpus):
        assert _chain_tokens(fused, text) == _chain_tokens(chain, text), text[:80]
        assert [t.text for t in fused(text)] == [t.text for t in chain(text)]


def test_the_analyzers_survive_the_schema_pickle() -> None:
    analyzer = pickle.loads(pickle.dumps(italian_analyzer()))
    assert analyzer == italian_analyzer()
    assert analyze("Le città dell'Unione", analyzer) == ["citt", "union"]
