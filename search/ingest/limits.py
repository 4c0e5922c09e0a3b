"""What one corpus file may cost at ingest: every bound in one frozen value, with its default.

The defaults leave every real article in `../shared/corpus` far inside them (longest JSONL line
25 KB, longest body 24,205 characters, largest page 149 KB, deepest page 21 levels, most
elements 1,656) and keep a hostile file's cost small: a reindex holds the writer lock while it
reads, so one file must not take minutes or gigabytes. A file or record over a bound is
skipped with a reason that names the bound; the rest of the corpus is indexed.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.model import Article

MB = 1024 * 1024


@dataclass(frozen=True)
class IngestLimits:
    # Bytes a `.gz`/`.jsonl.gz`/`.warc.gz` may expand to; the articles before are kept.
    max_decompressed_bytes: int = 2048 * MB
    # Decompressed bytes per compressed byte, judged after the first MB: text compresses
    # 3-10 times (3.1 for the shared JSONL), a decompression bomb about 1,000 times.
    max_compression_ratio: int = 100
    # One JSONL line; longer lines are skipped without being held in memory. For a WARC,
    # the longest run of bytes without a newline (a header line can only be that long).
    max_line_bytes: int = 8 * MB
    # A file read whole (`.txt`, `.md`, `.html`) or one WARC response.
    max_file_bytes: int = 16 * MB
    # Characters of an article, all its text fields together. Longer articles are skipped,
    # not truncated: the index holds only whole texts (see README, "Limiti dei file").
    max_article_chars: int = 1_000_000
    # Nesting of a saved page; libxml2 stops reading at 256 levels, losing the rest.
    max_html_depth: int = 200
    # Elements of a saved page: trafilatura takes about 0.2 ms each.
    max_html_elements: int = 50_000
    # Reasons kept per file in the report and the manifest; the rest are counted.
    max_reasons_per_file: int = 20


DEFAULT_LIMITS = IngestLimits()


def size_text(size: int) -> str:
    """A size as reasons give it: «8 MB», «1.000 byte»."""
    if size >= MB and size % MB == 0:
        return f"{size // MB} MB"
    return f"{thousands(size)} byte"


def thousands(value: int) -> str:
    """«2.100.019», as Italian writes it."""
    return f"{value:,}".replace(",", ".")


def article_too_long(article: Article, limits: IngestLimits) -> str | None:
    """Why `article` is over `max_article_chars` (all its text fields), or None."""
    texts = [value for value in vars(article).values() if isinstance(value, str)]
    size = sum(map(len, texts)) + sum(map(len, article.tags))
    if size <= limits.max_article_chars:
        return None
    named = f" «{article.id}»" if article.id else ""
    return (
        f"articolo{named} troppo lungo: {thousands(size)} caratteri, oltre il limite di "
        f"{thousands(limits.max_article_chars)} (max_article_chars); non si indicizza a metà"
    )
