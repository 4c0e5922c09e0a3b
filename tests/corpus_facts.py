"""Facts about the test data that several test modules check against.

`corpus/` is the sample archive of invented articles (see corpus/README.md): every test of
the query language, the README and the interfaces runs on it. `../shared/corpus` holds the
real news, read only by the real-archive tier (`shared_corpus` fixture), which skips without it.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
SAMPLE_CORPUS = REPO / "corpus"

# The real seed article in ../shared/corpus (real-archive tier only).
SEED = "seed/000_4ed17658abb0b37c.txt"
SEED_ID = (
    "https://www.infooggi.it/articolo/guerra-russia-ucraina-segnali-di-apertura-nei-negoziati"
    "-trump-putin-vuole-fermare-la-guerra/149828"
)

# --- corpus/ in numbers ---------------------------------------------------------------------
SAMPLE_RECORDS = 153  # articles read from the files (one is an exact duplicate)
SAMPLE_ARTICLES = 152  # articles in the index
SAMPLE_STORIES = 149  # results of an empty search once near-duplicate copies are collapsed
SAMPLE_UNDATED = 12
SAMPLE_FIRST_DAY = "2019-01-29"
SAMPLE_LAST_DAY = "2025-12-12"

# --- the negotiations story: what the real seed used to provide -------------------------------
# An export file like the seed (two blank lines first, ## headings, a sentence broken around a
# bold phrase). It names Umerov (body only), Trump and Putin (title and body), Zelensky,
# Witkoff, Kushner, Macron, Xi, Orban (body, far from Umerov), "cessate il fuoco", "gas russo";
# it says "negoziati" and "negoziatori", never "negoziato". 12 April 2025, Redazione.
NEGOTIATIONS = "esteri/ucraina-negoziati-gedda-trump-putin.txt"
NEGOTIATIONS_ID = (
    "https://www.italiasettegiorni.it/esteri/ucraina-nuovo-giro-di-negoziati-a-gedda"
    "-trump-putin-e-pronto-a-trattare-81342"
)
NEGOTIATIONS_TITLE = "Ucraina, nuovo giro di negoziati a Gedda. Trump: «Putin è pronto a trattare»"
NEGOTIATIONS_SOURCE = "www.italiasettegiorni.it"
# The other two articles naming Umerov: one without Trump (18 March 2025), one undated with Trump.
UMEROV_WITHOUT_TRUMP = "pna-2025-0318-041"
UMEROV_UNDATED = "pna-nd-001"

# --- planted cases ----------------------------------------------------------------------------
TRUMP_MISSPELT = "pna-2025-0121-007"  # says "Trup", never "Trump"
TROOPS = "pna-2022-0224-009"  # "truppe": two letters from "trump"
ORBAN_IN_TITLE_ONLY = (
    "https://www.italiasettegiorni.it/esteri"
    "/orban-a-roma-colloquio-a-porte-chiuse-sui-fondi-europei-78015"
)
MACRON_WITHOUT_PUTIN_OR_XI = (
    "https://www.italiasettegiorni.it/esteri"
    "/macron-a-roma-intesa-sui-rimpatri-e-sui-controlli-alle-frontiere-80110"
)
GAS_THREE_WORDS_FROM_RUSSIAN = (
    "https://www.cronachedellambro.it/economia"
    "/bollette-in-brianza-la-dipendenza-dal-gas-di-origine-russa-e-scesa.html"
)
GAS_FAR_FROM_RUSSIAN = "pna-2024-0522-063"
FIRE_HAS_CEASED = "pna-2025-0716-049"  # "il fuoco è cessato": the words, not the phrase
# "negoziato" and "negozianti" (shops), never "negoziati"; and "negoziatori" only.
ONLY_NEGOZIATO = (
    "https://www.cronachedellambro.it/cronaca"
    "/lissone-il-negoziato-sulle-vetrine-vuote-del-centro.html"
)
ONLY_NEGOZIATORI = (
    "https://www.sentinelladelbrenta.it/notizie/economia/legno-arredo-il-contratto-si-sblocca-76102"
)
# The same agency story on the flood alert in three outlets (the agency's own copy is the first).
FLOOD_ALERT_COPIES = (
    "pna-2024-1019-112",
    "https://www.mattinoappennino.it/2024/10/19/piena-del-secchia-scatta-l-allerta-rossa-lunedi-niente-scuola/",
    "vdp-0008",
)
# Titles that are only a place dateline; the body starts with the place.
DATELINE_TITLES = {
    "vdp-0002": "NONANTOLA",
    "vdp-0004": "MODENA",
    "vdp-0005": "CARPI",
    "vdp-0007": "MIRANDOLA",
    "vdp-0010": "FINALE EMILIA",
    "vdp-0016": "MODENA",
    "vdp-0019": "SASSUOLO",
    "vdp-0023": "MODENA",
    "vdp-0024": "VIGNOLA",
    "vdp-0025": "CARPI",
    "vdp-0030": "MODENA",
}
# Text files in other encodings (the words to find in them are written with accents).
LATIN1_TEXT = "2020/san-felice-torre-orologio.txt"  # ISO-8859-1: "È arrivato in città"
CP1252_TEXT = "2021/carpi-mercato-del-giovedi.txt"  # Windows-1252: ’ “ ” € è à
# Day boundaries around the README's date examples.
LEAP_DAY = (
    "https://www.vocedelpanaro.it/carpi"
    "/carpi-i-nati-del-29-febbraio-festeggiano-il-compleanno-vero-35377"
)
FIRST_OF_MARCH_2024 = "vdp-0021"
LAST_OF_FEBRUARY_2025 = "pna-2025-0228-019"
FIRST_OF_MARCH_2025 = GAS_THREE_WORDS_FROM_RUSSIAN
FIFTEENTH_OF_APRIL_2025 = "pna-2025-0415-088"
SIXTEENTH_OF_APRIL_2025 = (
    "https://www.farodiortigia.it/articolo"
    "/settimana-santa-a-siracusa-tornano-le-processioni-in-ortigia/91203"
)
