"""Articles like a given one ("more like this") and the members of its near-duplicate group."""

from __future__ import annotations

from whoosh import query as wq

from search.archive import Archive
from search.errors import ArticleNotFoundError
from search.highlight import MatchTerms
from search.model import Hit
from search.results import build_hit

KEY_TERMS = 12


def related(archive: Archive, article_id: str, limit: int = 5) -> list[Hit]:
    """Articles on the same subject, by the article's most distinctive words.

    Copies of the same story (its near-duplicate group) are left out: they are listed by
    `similar_articles`, not offered as further reading.
    """
    article_id = archive.get(article_id).id  # also accepts the original URL
    with archive.searcher() as searcher:
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(article_id)
        stored = searcher.stored_fields(docnum)
        words = [w for w, _ in searcher.key_terms([docnum], "body", numterms=KEY_TERMS)]
        words += [w for w, _ in searcher.key_terms([docnum], "title", numterms=4)]
        if not words:
            return []
        query = wq.Or([wq.Term("body", w) for w in words] + [wq.Term("title", w) for w in words])
        same_story = wq.Term("group", stored.get("group") or article_id)
        results = searcher.search(
            query, limit=limit, mask=same_story, collapse="group", collapse_limit=1
        )
        terms = MatchTerms(stems=frozenset(words))
        return [build_hit(searcher, hit.docnum, hit.score, terms) for hit in results]


def similar_articles(archive: Archive, article_id: str) -> list[Hit]:
    """The other copies of the article's story (its near-duplicate group), oldest first."""
    article_id = archive.get(article_id).id
    with archive.searcher() as searcher:
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(article_id)
        group = searcher.stored_fields(docnum).get("group") or article_id
        results = searcher.search(
            wq.Term("group", group), limit=None, sortedby="day", mask=wq.Term("id", article_id)
        )
        return [build_hit(searcher, hit.docnum, 0.0, MatchTerms()) for hit in results]
