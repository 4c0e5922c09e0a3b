"""An article as folder engines store it: one plain dict, written whole and read back whole.

Engine-neutral (no engine library): the Whoosh engine keeps the dict in a stored field, the
Tantivy engine as JSON bytes, the PostgreSQL engine as jsonb (with the group also in a
column of its own); all read it back with `stored_article`.
"""

from __future__ import annotations

from datetime import date

from search.engines.base import IndexDocument, StoredArticle
from search.model import Article


def stored_document(document: IndexDocument) -> dict[str, object]:
    article = document.article
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "url": article.url,
        "author": article.author,
        "source": article.source,
        "date": article.date.isoformat() if article.date else None,
        "section": article.section,
        "tags": list(article.tags),
        "place": article.place,
        "path": article.path,
        "group": document.group,
    }


def stored_article(row: int, doc: dict[str, object]) -> StoredArticle:
    when = doc.get("date")
    article = Article(
        id=str(doc["id"]),
        title=str(doc.get("title") or ""),
        body=str(doc.get("body") or ""),
        url=_optional(doc.get("url")),
        author=_optional(doc.get("author")),
        source=_optional(doc.get("source")),
        date=date.fromisoformat(str(when)) if when else None,
        section=_optional(doc.get("section")),
        tags=tuple(str(t) for t in _sequence(doc.get("tags"))),
        path=_optional(doc.get("path")),
        place=_optional(doc.get("place")),
    )
    return StoredArticle(row, article, str(doc.get("group") or article.id))


def _optional(value: object) -> str | None:
    return str(value) if value else None


def _sequence(value: object) -> list[object]:
    return list(value) if isinstance(value, (list, tuple)) else []
