"""Known-item agreement between two indexes of the same articles (issue 16: at least 0.97).

    python -m bench.known_items INDEX_A INDEX_B [--shared ../shared/corpus]

For every Wikinews and Facta article of the real corpus, its title is searched on both
indexes (Archivio's whole search, collapsing off); an index finds the article when its id
is in the top 10. Prints how often each finds it, and the agreement: the share of articles
both find or both miss.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.synth import SHARED
from search.archive import Archive
from search.results import SearchRequest, search

FILES = ("wikinews-it.jsonl", "facta.jsonl")


def known_items(shared: Path) -> list[tuple[str, str]]:
    """(id, title) of the articles whose titles are the queries."""
    items = []
    for name in FILES:
        with open(shared / name, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                title = (record.get("title") or "").strip()
                if title:
                    items.append((str(record["id"]), title))
    return items


def found_in_top10(archive: Archive, article_id: str, title: str) -> bool:
    page = search(archive, SearchRequest(query=title, limit=10, collapse=False))
    return any(hit.id == article_id for hit in page.hits)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args(argv)
    items = known_items(args.shared)
    first, second = Archive(args.first), Archive(args.second)
    a_found = b_found = agree = 0
    for article_id, title in items:
        a = found_in_top10(first, article_id, title)
        b = found_in_top10(second, article_id, title)
        a_found += a
        b_found += b
        agree += a == b
    n = len(items)
    print(f"{n} known items (titles of {', '.join(FILES)})")
    print(f"  {args.first}: found in the top 10 {a_found / n:.3f}")
    print(f"  {args.second}: found in the top 10 {b_found / n:.3f}")
    print(f"  agreement {agree / n:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
