"""Previews of cheaper indexing stages, timed against Archivio's own on the same articles.

    python -m bench.index_previews CORPUS [--limit 2000]

Not library code. Each preview claims the same output as the stage it would replace, and the
run checks that claim on every article before it reports a time:

* `fused_italian_tokens`: the Italian analysis chain (tokenizer, elision, lowercase, folding,
  stopwords, stemming) as one loop instead of six chained Whoosh generators: same tokens,
  same positions;
* `minhash_shared_permutations`: the MinHash of `search.near_duplicates` with the permutation
  parameters made once instead of drawn again (numpy RandomState) for every article: the
  same signature;
* `minhash_crc32`: the same with zlib.crc32 instead of sha1 per shingle (other signatures:
  a change of index format, needs `reindex --full`);
* `fold_once`: `text_key` and the MinHash words from one `fold()` of the body instead of
  two, with no whole-body entry in the per-word `lru_cache` of `search.analysis`.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=1)
def _chain_parts():
    import re

    from search.analysis import (
        APOSTROPHES,
        ELIDED_ARTICLES,
        ITALIAN_TOKENS,
        STOPWORDS,
        ItalianStemFilter,
        _fold_word,
    )

    split = re.compile("[" + APOSTROPHES + "]")
    return (
        re.compile(ITALIAN_TOKENS),
        split,
        ELIDED_ARTICLES,
        STOPWORDS,
        ItalianStemFilter(),
        _fold_word,
    )


def fused_italian_tokens(text: str) -> list[tuple[str, int]]:
    """(stem, position) of every indexed token, as `italian_analyzer()` gives them."""
    tokens_re, split, elided, stopwords, stemmer, fold_word = _chain_parts()
    stem = stemmer.stem
    out: list[tuple[str, int]] = []
    shift = 0
    position = None
    for raw, match in enumerate(tokens_re.finditer(text)):
        word = match.group()
        parts = (
            split.split(word)
            if ("'" in word or "’" in word or "`" in word or "´" in word)
            else None
        )
        if parts is None:
            candidates = ((word, raw + shift),)
        else:
            if parts[0].lower() in elided:
                parts = parts[1:]
            candidates = tuple((part, raw + shift + i) for i, part in enumerate(parts))
            shift += max(0, len(parts) - 1)
        for part, pos in candidates:
            low = part.lower()
            if not low.isascii():
                low = fold_word(low)
            if not low or low in stopwords:
                continue
            position = pos if position is None else position + 1
            out.append((stem(low), position))
    return out


def chain_tokens(text: str) -> list[tuple[str, int]]:

    analyzer = _analyzer()
    return [(t.text, t.pos) for t in analyzer(text, positions=True)]


@lru_cache(maxsize=1)
def _analyzer():
    from search.analysis import italian_analyzer

    return italian_analyzer()


@lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash

    from search.near_duplicates import NUM_PERM

    return MinHash(num_perm=NUM_PERM).permutations


def _shingles(text: str, folded: str | None = None) -> list[bytes] | None:
    from search.analysis import fold
    from search.near_duplicates import _WORDS, MIN_WORDS, SHINGLE

    words = _WORDS.findall(folded if folded is not None else fold(text))
    if len(words) < MIN_WORDS:
        return None
    return [
        s.encode("utf-8") for s in {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - 2)}
    ]


def minhash_shared_permutations(text: str, hashfunc=None, folded: str | None = None):
    from datasketch import MinHash

    from search.near_duplicates import NUM_PERM

    shingles = _shingles(text, folded)
    if shingles is None:
        return None
    options = {"hashfunc": hashfunc} if hashfunc else {}
    signature = MinHash(
        num_perm=NUM_PERM, permutations=_permutations(), scheme="affine32", **options
    )
    signature.update_batch(shingles)
    signature.hashvalues = signature.hashvalues.astype(np.uint64)
    return signature


def minhash_crc32(text: str):
    return minhash_shared_permutations(text, hashfunc=zlib.crc32)


def fold_once(article) -> tuple[str, object]:
    """text_key and MinHash from one fold of the text, without the per-word cache."""
    import hashlib
    import unicodedata

    from search.identity import _NON_WORD  # type: ignore[attr-defined]

    body = article.body
    text = body if len(body) >= 200 else f"{article.title} {body}"
    lowered = text.lower()
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = hashlib.sha1(_NON_WORD.sub(" ", lowered).strip().encode("utf-8")).hexdigest()
    signature = minhash_shared_permutations(body, folded=lowered if text is body else None)
    return key, signature


def run(corpus: Path, limit: int) -> list[str]:
    from search.identity import text_key
    from search.ingest import discover, read_articles
    from search.model import Article
    from search.near_duplicates import minhash

    articles: list[Article] = []
    for path in discover(corpus):
        articles.extend(a for a in read_articles(path, path.name) if isinstance(a, Article))
        if len(articles) >= limit:
            break
    articles = articles[:limit]
    lines = [f"{len(articles)} articles from {corpus}"]

    def timed(work, items):
        started = time.perf_counter()
        out = [work(item) for item in items]
        return out, 1000 * (time.perf_counter() - started) / len(items)

    texts = [a.body for a in articles]
    chain, chain_ms = timed(chain_tokens, texts)
    fused, fused_ms = timed(fused_italian_tokens, texts)
    same = sum(a == b for a, b in zip(chain, fused, strict=True))
    lines.append(
        f"analysis of body: chain {chain_ms:.3f} ms, fused {fused_ms:.3f} ms per article "
        f"({chain_ms / fused_ms:.1f}x); identical tokens and positions: {same}/{len(texts)}"
    )
    old, old_ms = timed(minhash, texts)
    shared, shared_ms = timed(minhash_shared_permutations, texts)
    _, crc_ms = timed(minhash_crc32, texts)
    equal = sum(
        (a is None and b is None)
        or (a is not None and b is not None and (a.hashvalues == b.hashvalues).all())
        for a, b in zip(old, shared, strict=True)
    )
    lines.append(
        f"MinHash: as-is {old_ms:.3f} ms, shared permutations {shared_ms:.3f} ms "
        f"(identical signatures {equal}/{len(texts)}), + crc32 {crc_ms:.3f} ms per article"
    )
    keys, keys_ms = timed(text_key, articles)
    once, once_ms = timed(fold_once, articles)
    same_keys = sum(k == o[0] for k, o in zip(keys, once, strict=True))
    lines.append(
        f"text_key + MinHash: as-is {keys_ms + old_ms:.3f} ms, one fold + shared permutations "
        f"{once_ms:.3f} ms per article (identical keys {same_keys}/{len(articles)})"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args(argv)
    for line in run(args.corpus, args.limit):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
