"""`archivio check`: is the live index what its last commit wrote, and does it answer?

The engine checks its files against the checksums recorded at commit and its own counts
(`Engine.check`); then articles of a sample must be found by words of their own, which
reads the postings, the vocabulary and the stored articles as every search does. `serve`
refuses to start on an index that fails, `/healthz` answers 503, and an incremental
reindex stops instead of building on it.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from search.analysis import index_tokens
from search.budget import Deadline
from search.engines import open_engine
from search.engines.base import Snapshot
from search.errors import ArchivioError
from search.query import tree as t


def check_index(location: Path | str) -> list[str]:
    """Problems found in the live index (empty when sound)."""
    try:
        engine = open_engine(location)
    except ArchivioError as error:
        return [str(error)]
    problems = engine.check()
    if problems:
        return problems
    try:
        snapshot = engine.snapshot()
    except Exception as error:
        return [f"l'indice non si apre: {error}"]
    try:
        return search_problems(snapshot, sample=20)
    finally:
        snapshot.close()


def search_problems(snapshot: Snapshot, sample: int) -> list[str]:
    """What goes wrong when `sample` articles are looked for by a word of their own."""
    try:
        everything = snapshot.evaluate(t.All(), scored=False, deadline=Deadline(30))
        if len(everything) != snapshot.doc_count():
            return [f"{len(everything)} articoli raggiungibili su {snapshot.doc_count()}"]
        step = max(1, len(everything) // sample)
        for item in snapshot.stored(everything.rows[::step][:sample].tolist()):
            text = f"{item.article.title}\n{item.article.body}"
            tokens = [token for token, _, _, _ in islice(index_tokens(text), 20)]
            if not tokens:
                continue
            found = snapshot.evaluate(t.Term(tokens[-1]), scored=True, deadline=Deadline(30))
            if item.row not in set(found.rows.tolist()):
                return [f"l'articolo {item.article.id} non si trova con la parola «{tokens[-1]}»"]
    except Exception as error:
        return [f"una ricerca di prova fallisce: {error}"]
    return []
