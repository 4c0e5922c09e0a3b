"""`archivio check`: is the live index what its last commit wrote, and does it answer?"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from search.analysis import index_tokens
from search.budget import Deadline
from search.engines import open_engine
from search.errors import ArchivioError
from search.query import tree as t


def check_index(location: Path | str) -> list[str]:
    """Problems found in the live index (empty when sound).

    The engine checks its files against the checksums recorded at commit and its own
    counts; then a real search runs on it, as a reader would.
    """
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
        everything = snapshot.evaluate(t.All(), scored=False, deadline=Deadline(30))
        if len(everything) != snapshot.doc_count():
            return [f"{len(everything)} articoli raggiungibili su {snapshot.doc_count()}"]
        # A sample of articles must be found by a word of their own: reads the postings,
        # the vocabulary and the stored articles, as every search does.
        sample = snapshot.stored(everything.rows[:: max(1, len(everything) // 20)][:20].tolist())
        for item in sample:
            text = f"{item.article.title}\n{item.article.body}"
            tokens = [token for token, _, _, _ in islice(index_tokens(text), 20)]
            if not tokens:
                continue
            found = snapshot.evaluate(t.Term(tokens[-1]), scored=True, deadline=Deadline(30))
            if item.row not in set(found.rows.tolist()):
                return [f"l'articolo {item.article.id} non si trova con la parola «{tokens[-1]}»"]
    except Exception as error:
        return [f"una ricerca di prova fallisce: {error}"]
    finally:
        snapshot.close()
    return []
