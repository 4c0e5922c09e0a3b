"""Facts about the test data that several test modules check against."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
SAMPLE_CORPUS = REPO / "corpus"
SEED = "seed/000_4ed17658abb0b37c.txt"
SEED_ID = (
    "https://www.infooggi.it/articolo/guerra-russia-ucraina-segnali-di-apertura-nei-negoziati"
    "-trump-putin-vuole-fermare-la-guerra/149828"
)
