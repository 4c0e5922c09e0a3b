"""Pools and a judging kit for the hard relevance set (hard_topics.jsonl).

    .venv/bin/python -m tests.relevance.pooling [--index DIR] [--stock DIR] [--kit DIR] [--kit-only]

For every topic of `hard_topics.jsonl` the pool is the union of the top `DEPTH` of:

- `archivio`: Archivio as it is (`search.results.search`, collapse off), as bench/relevance.py;
- `or-bm25`: stock Whoosh BM25F over title and body with `LanguageAnalyzer("it")`, OR of
  the words (the baseline the issue names);
- `expanded-N`: Archivio on each alternative query of `hard_pools.jsonl` (`expansions`),
  written by the assessor before looking at any ranking: synonyms, members of a class,
  the articles' likely wording;
- `prf`: pseudo-relevance feedback on the stock index: the OR query plus the 10 most
  characteristic terms (Whoosh `key_terms`, Bo1) of its top 10 documents, weighted 0.5.

The pools are written back to `hard_pools.jsonl` (ids only, with the rankings that brought
each one) and a judging kit, one Markdown file per topic with each pooled article's title
and opening (and its grade, once judged), to `--kit` (outside the repository: the corpus
text stays out of git). The pools record the engine of the commit that built them: after a
change to search/, rebuild only the kit (`--kit-only`) and judge the new documents that
`python -m bench.relevance --list-unjudged` shows, rather than pooling again.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from whoosh import index as windex
from whoosh import qparser
from whoosh import query as wq
from whoosh.analysis import LanguageAnalyzer
from whoosh.fields import ID, TEXT, Schema

from bench.relevance import SHARED, build_index
from search.archive import Archive
from search.results import SearchRequest, search

HERE = Path(__file__).resolve().parent
TOPICS = HERE / "hard_topics.jsonl"
POOLS = HERE / "hard_pools.jsonl"
SOURCES = ["wikinews-it.jsonl", "dice-gazzetta-modena.jsonl", "facta.jsonl"]
DEPTH = 20
PRF_DOCS = 10
PRF_TERMS = 10
PRF_WEIGHT = 0.5
EXCERPT = 700


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def corpus() -> Iterator[dict]:
    for name in SOURCES:
        with open(SHARED / name, encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)


def stock_index(directory: Path) -> windex.Index:
    """Stock Whoosh with its Italian analyzer (stemming, stop words), body vectors for PRF."""
    if windex.exists_in(directory):
        return windex.open_dir(directory)
    directory.mkdir(parents=True, exist_ok=True)
    analyzer = LanguageAnalyzer("it")
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer),
        body=TEXT(analyzer=analyzer, vector=True),
    )
    ix = windex.create_in(directory, schema)
    with ix.writer(limitmb=256) as writer:
        for row in corpus():
            writer.add_document(id=row["id"], title=row["title"] or "", body=row["body"] or "")
    return ix


def stock_rankings(ix: windex.Index, text: str) -> tuple[list[str], list[str]]:
    """Top DEPTH of the plain OR ranking and of its pseudo-relevance-feedback expansion."""
    parser = qparser.MultifieldParser(["title", "body"], ix.schema, group=qparser.OrGroup)
    parser.remove_plugin_class(qparser.WildcardPlugin)
    query = parser.parse(text.replace("?", " "))
    with ix.searcher() as searcher:
        hits = searcher.search(query, limit=DEPTH)
        plain = [hit["id"] for hit in hits]
        top = [hit.docnum for hit in searcher.search(query, limit=PRF_DOCS)]
        words = {term for _field, term in query.iter_all_terms()}
        expansion = [
            wq.Term("body", term, boost=PRF_WEIGHT * weight)
            for term, weight in searcher.key_terms(top, "body", numterms=PRF_TERMS + len(words))
            if term not in words
        ][:PRF_TERMS]
        # key_terms weights are not normalised: scale them to the strongest one.
        strongest = max((t.boost for t in expansion), default=1.0) / PRF_WEIGHT
        for term in expansion:
            term.boost = term.boost / strongest
        prf = [hit["id"] for hit in searcher.search(wq.Or([query, *expansion]), limit=DEPTH)]
    return plain, prf


def archivio_ranking(archive: Archive, text: str) -> list[str]:
    page = search(archive, SearchRequest(query=text, limit=DEPTH, collapse=False))
    return [hit.id for hit in page.hits]


def make_pools(archive: Archive, stock: windex.Index) -> list[dict]:
    pools = {p["id"]: p for p in read_jsonl(POOLS)}
    out = []
    for topic in read_jsonl(TOPICS):
        entry = pools[topic["id"]]
        runs: dict[str, list[str]] = {"archivio": archivio_ranking(archive, topic["query"])}
        runs["or-bm25"], runs["prf"] = stock_rankings(stock, topic["query"])
        for n, alternative in enumerate(entry["expansions"], 1):
            runs[f"expanded-{n}"] = archivio_ranking(archive, alternative)
        pool: dict[str, list[str]] = {}
        for name, ranked in runs.items():
            for doc in ranked:
                pool.setdefault(doc, []).append(name)
        out.append(
            {
                "id": topic["id"],
                "query": topic["query"],
                "expansions": entry["expansions"],
                "depth": DEPTH,
                "pool": dict(sorted(pool.items())),
            }
        )
    return out


def write_kit(pools: list[dict], kit: Path) -> None:
    texts = {row["id"]: row for row in corpus()}
    topics = {t["id"]: t for t in read_jsonl(TOPICS)}
    kit.mkdir(parents=True, exist_ok=True)
    for old in kit.glob("H*.md"):
        old.unlink()
    for entry in pools:
        topic = topics[entry["id"]]
        lines = [
            f"# {topic['id']} · {topic['query']} ({topic['kind']})",
            "",
            f"**Descrizione.** {topic['description']}",
            "",
            f"**Narrativa.** {topic['narrative']}",
            "",
            f"Pool: {len(entry['pool'])} articoli (top {entry['depth']} di "
            "archivio, or-bm25, prf, expanded-N). Scrivi 0, 1 o 2 dopo `voto:`"
            + (" (i voti già dati sono quelli di hard_topics.jsonl)." if topic["judged"] else "."),
            "",
        ]
        judged = set(topic["judged"])
        for doc, runs in entry["pool"].items():
            row = texts.get(doc)
            title = (row or {}).get("title") or "(senza titolo)"
            body = " ".join(((row or {}).get("body") or "").split())
            lines += [
                f"## {doc} · voto: {topic['relevant'].get(doc, 0) if doc in judged else ''}",
                f"*{title}* — da: {', '.join(runs)}",
                "",
                body[:EXCERPT] + ("…" if len(body) > EXCERPT else ""),
                "",
            ]
        (kit / f"{entry['id']}.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    tmp = Path(tempfile.gettempdir())
    parser.add_argument("--index", type=Path, default=tmp / "archivio-rel")
    parser.add_argument("--stock", type=Path, default=tmp / "archivio-rel-stock")
    parser.add_argument("--kit", type=Path, default=Path("/work/helpers/judging"))
    parser.add_argument("--kit-only", action="store_true", help="keep the pools, rewrite the kit")
    args = parser.parse_args()
    if args.kit_only:
        write_kit(read_jsonl(POOLS), args.kit)
        return
    if not (args.index / "CURRENT").exists():
        build_index(args.index)
    pools = make_pools(Archive(args.index), stock_index(args.stock))
    POOLS.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pools), encoding="utf-8"
    )
    write_kit(pools, args.kit)
    sizes = [len(p["pool"]) for p in pools]
    print(f"{len(pools)} topics, pools of {min(sizes)}–{max(sizes)} (total {sum(sizes)})")


if __name__ == "__main__":
    main()
