"""A synthetic news archive of any size, made of the real sentences of ../shared/corpus.

    python -m bench.synth --articles 100000 --seed 1 --out /tmp/synth-100k

Each new article is a resampled run of real sentences (the next sentence of the same real
article more often than not, so words keep their real company), with as many sentences as a
real article has, a realistic title (a real title, two real titles spliced, or the first words
of its first sentence), a date over 20 years, an author, a source and a URL. About 2% are
wire copies of an earlier article (one sentence changed, another source: near-duplicates) and
0.1% exact copies, as in a real archive. The same seed gives the same files, byte for byte.
Files hold `--per-file` articles each (`synth-0000.jsonl`, ...), in the corpus JSONL keys.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
REAL_FILES = ("wikinews-it.jsonl", "dice-gazzetta-modena.jsonl", "facta.jsonl")

FIRST_DAY = date(2006, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days
NEAR_COPIES = 0.02
EXACT_COPIES = 0.001
KEEP_GOING = 0.6  # chance that the next sentence is the real one that followed
MAX_SENTENCES = 60

# Plain text, not HTML: a sentence ends at . ! ? or a closing quote before a capital.
_SENTENCE_END = re.compile(r"(?<=[.!?»\"])\s+(?=[«\"A-ZÀ-Ý0-9])")


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


FIRST_NAMES = _names(
    "Marco, Giulia, Luca, Francesca, Andrea, Chiara, Alessandro, Sara, Matteo, Elena, "
    "Giovanni, Laura, Paolo, Valentina, Stefano, Federica, Roberto, Silvia, Davide, Martina, "
    "Simone, Anna, Fabio, Elisa, Lorenzo, Giorgia, Daniele, Alessia, Riccardo, Paola, "
    "Antonio, Serena, Massimo, Claudia, Giuseppe, Monica, Francesco, Ilaria, Nicola, Barbara"
)
SURNAMES = _names(
    "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, "
    "Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri, "
    "Fontana, Santoro, Mariani, Rinaldi, Caruso, Ferrara, Galli, Martini, Leone, Longo, "
    "Gentile, Vitale, Martinelli, Lombardo, Serra, Coppola, De Santis, D'Angelo, Marchetti, "
    "Parisi, Villa, Conte, Ferraro, Ferri, Fabbri, Bianco, Marini, Grasso, Valentini, "
    "Messina, Sala, De Angelis, Gatti, Pellegrini, Palumbo, Sanna, Farina, Rizzi, Monti"
)
# (source, domain, weight): fictional local and national papers.
SOURCES = (
    ("Gazzetta di Modena", "gazzettadimodena.example", 18),
    ("Corriere Emiliano", "corriereemiliano.example", 12),
    ("Il Giornale del Nord", "giornaledelnord.example", 10),
    ("La Voce di Bologna", "vocedibologna.example", 9),
    ("Cronache Romane", "cronacheromane.example", 8),
    ("Il Quotidiano del Sud", "quotidianodelsud.example", 8),
    ("Notizie Toscane", "notizietoscane.example", 7),
    ("Il Messaggero Adriatico", "messaggeroadriatico.example", 6),
    ("Wikinotizie", "it.wikinews.example", 6),
    ("Facta", "facta.example", 5),
    ("Agenzia Stampa Italia", "agenziastampa.example", 6),
    ("Eco di Sardegna", "ecodisardegna.example", 5),
)


@dataclass(frozen=True)
class Pool:
    """The material: real sentences in their order, and which of them open an article."""

    sentences: tuple[str, ...]
    continues: tuple[bool, ...]  # sentence i follows sentence i-1 in the same real article
    titles: tuple[tuple[str, ...], ...]  # real titles as word lists
    lengths: tuple[int, ...]  # sentences per real article
    authors: tuple[str, ...]


def split_sentences(body: str) -> list[str]:
    return [s.strip() for p in body.split("\n\n") for s in _SENTENCE_END.split(p) if s.strip()]


@lru_cache(maxsize=2)
def load_pool(corpus: Path = SHARED) -> Pool:
    """Every sentence and title of the real JSONL files, in file order (deterministic)."""
    sentences: list[str] = []
    continues: list[bool] = []
    titles: list[tuple[str, ...]] = []
    lengths: list[int] = []
    for name in REAL_FILES:
        with open(corpus / name, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                parts = split_sentences(record.get("body") or "")
                if parts:
                    lengths.append(min(len(parts), MAX_SENTENCES))
                for i, sentence in enumerate(parts):
                    sentences.append(sentence)
                    continues.append(i > 0)
                title = (record.get("title") or "").split()
                if len(title) >= 4:
                    titles.append(tuple(title))
    rng = random.Random("authors")
    names = {f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}" for _ in range(900)}
    return Pool(
        tuple(sentences), tuple(continues), tuple(titles), tuple(lengths), tuple(sorted(names))
    )


class Generator:
    """Articles of one file, from a random stream that depends on the seed and file only."""

    def __init__(self, pool: Pool, seed: int, file_number: int) -> None:
        self.pool = pool
        self.rng = random.Random(f"archivio-synth:{seed}:{file_number}")
        self.seed = seed
        self.made: list[dict[str, object]] = []

    def article(self, number: int) -> dict[str, object]:
        rng = self.rng
        roll = rng.random()
        if self.made and roll < EXACT_COPIES:
            record = dict(rng.choice(self.made))
            record.update(self._provenance(number))
        elif self.made and roll < EXACT_COPIES + NEAR_COPIES:
            record = self._wire_copy(number, rng.choice(self.made))
        else:
            sentences = self._sentences()
            record = {
                "id": "",
                "title": self._title(sentences[0]),
                "body": self._paragraphs(sentences),
                **self._provenance(number),
            }
        record["id"] = f"synth-{self.seed}-{number:07d}"
        self.made.append(record)
        if len(self.made) > 2000:  # copies come from recent articles, as wire stories do
            del self.made[:1000]
        return record

    def _sentences(self) -> list[str]:
        pool, rng = self.pool, self.rng
        count = rng.choice(pool.lengths)
        at = rng.randrange(len(pool.sentences))
        chosen = [pool.sentences[at]]
        while len(chosen) < count:
            following = at + 1 < len(pool.sentences) and pool.continues[at + 1]
            at = at + 1 if following and rng.random() < KEEP_GOING else self._any_sentence()
            chosen.append(pool.sentences[at])
        return chosen

    def _any_sentence(self) -> int:
        return self.rng.randrange(len(self.pool.sentences))

    def _paragraphs(self, sentences: list[str]) -> str:
        rng = self.rng
        if len(sentences) < 4 or rng.random() < 0.7:
            return " ".join(sentences)
        paragraphs, current = [], []
        for sentence in sentences:
            current.append(sentence)
            if len(current) >= rng.randint(2, 5):
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        return "\n\n".join(paragraphs)

    def _title(self, first_sentence: str) -> str:
        rng, titles = self.rng, self.pool.titles
        roll = rng.random()
        if roll < 0.03:
            return ""
        if roll < 0.10:
            return " ".join(rng.choice(titles))
        if roll < 0.55:
            a, b = rng.choice(titles), rng.choice(titles)
            return " ".join(a[: max(2, len(a) // 2)] + b[len(b) // 2 :])
        words = first_sentence.split()[: rng.randint(6, 14)]
        return " ".join(words).rstrip(',;:.-–«»"') or first_sentence[:80]

    def _provenance(self, number: int) -> dict[str, object]:
        rng = self.rng
        source, domain, _ = rng.choices(SOURCES, weights=[w for *_, w in SOURCES])[0]
        day = None
        if rng.random() >= 0.05:
            day = FIRST_DAY + timedelta(days=int(DAYS * rng.random() ** 0.8))  # more recent news
        author = None
        if rng.random() >= 0.15:
            authors = self.pool.authors
            author = authors[int(len(authors) * rng.random() ** 2)]  # a few prolific authors
        url = None
        if rng.random() < 0.85:
            stamp = day.strftime("%Y/%m/%d") if day else "archivio"
            url = f"https://www.{domain}/{stamp}/articolo-{self.seed}-{number}"
        return {
            "date": day.isoformat() if day else None,
            "author": author,
            "source": source,
            "url": url,
        }

    def _wire_copy(self, number: int, original: dict[str, object]) -> dict[str, object]:
        body = str(original["body"])
        sentences = split_sentences(body)
        if len(sentences) > 3:
            sentences[self.rng.randrange(len(sentences))] = self.pool.sentences[
                self._any_sentence()
            ]
            body = " ".join(sentences)
        return {
            "id": "",
            "title": original["title"],
            "body": body,
            **self._provenance(number),
        }


def write_file(
    out: Path, prefix: str, seed: int, file_number: int, first: int, count: int, corpus: Path
) -> Path:
    """One JSONL file of `count` articles numbered from `first`."""
    generator = Generator(load_pool(corpus), seed, file_number)
    path = out / f"{prefix}-{file_number:04d}.jsonl"
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        for number in range(first, first + count):
            handle.write(json.dumps(generator.article(number), ensure_ascii=False))
            handle.write("\n")
    temporary.replace(path)
    return path


def _write_job(job: tuple[Path, str, int, int, int, int, Path]) -> Path:
    return write_file(*job)


def generate(
    articles: int,
    seed: int,
    out: Path,
    *,
    per_file: int = 10_000,
    prefix: str = "synth",
    procs: int = 2,
    corpus: Path = SHARED,
) -> list[Path]:
    """Write `articles` synthetic articles into `out` (created); the list of files."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        (out, prefix, seed, n, first, min(per_file, articles - first), corpus)
        for n, first in enumerate(range(0, articles, per_file))
    ]
    if procs <= 1 or len(jobs) == 1:
        return [_write_job(job) for job in jobs]
    load_pool(corpus)  # loaded once, inherited by the forked workers
    with get_context("fork").Pool(procs) as workers:
        return workers.map(_write_job, jobs, chunksize=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument("--prefix", default="synth")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=SHARED, help="the real JSONL files")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.per_file < 1:
        parser.error("--articles and --per-file must be at least 1")
    started = time.perf_counter()
    files = generate(
        args.articles,
        args.seed,
        args.out,
        per_file=args.per_file,
        prefix=args.prefix,
        procs=args.procs,
        corpus=args.corpus,
    )
    size = sum(f.stat().st_size for f in files)
    print(
        f"{args.articles} articles in {len(files)} files, {size / 1e6:.0f} MB, "
        f"{args.out} ({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
