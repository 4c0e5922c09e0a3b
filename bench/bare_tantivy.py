"""Bare Tantivy, the baseline a user would pick instead of Archivio: its own analysis.

build: title and body through Tantivy's tokenizer, lowercase, ASCII folding and its
       Italian Snowball stemmer; one writer (Tantivy's default threads), one commit.
search: `parse_query` over title (x1.5) and body, top 10, stored titles read.
"""

from __future__ import annotations

import json
from pathlib import Path

import tantivy

ANALYZER = "it_stem"


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("italian"))
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("body", stored=True, tokenizer_name=ANALYZER)
    return builder.build()


def build(corpus: Path, index: Path, heap_mb: int = 256) -> int:
    index.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(_schema(), path=str(index), reuse=False)
    ix.register_tokenizer(ANALYZER, _analyzer())
    writer = ix.writer(heap_size=heap_mb * 1_000_000)
    count = 0
    for path in sorted(corpus.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                doc = tantivy.Document()
                doc.add_text("id", str(record["id"]))
                doc.add_text("title", record.get("title") or "")
                doc.add_text("body", record.get("body") or "")
                writer.add_document(doc)
                count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def open_index(index: Path) -> tantivy.Index:
    ix = tantivy.Index.open(str(index))
    ix.register_tokenizer(ANALYZER, _analyzer())
    return ix


def search(ix: tantivy.Index, text: str) -> list[str]:
    query, _ = ix.parse_query_lenient(text, ["title", "body"], field_boosts={"title": 1.5})
    searcher = ix.searcher()
    hits = searcher.search(query, limit=10).hits
    return [searcher.doc(address).get_first("title") or "" for _, address in hits]
