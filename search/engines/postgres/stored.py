"""Articles as the `doc` jsonb column keeps them, and back."""

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
    }


def stored_article(row: int, doc: dict[str, object], group: str) -> StoredArticle:
    when = doc.get("date")
    tags = doc.get("tags")
    article = Article(
        id=str(doc["id"]),
        title=str(doc.get("title") or ""),
        body=str(doc.get("body") or ""),
        url=_optional(doc.get("url")),
        author=_optional(doc.get("author")),
        source=_optional(doc.get("source")),
        date=date.fromisoformat(str(when)) if when else None,
        section=_optional(doc.get("section")),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
        path=_optional(doc.get("path")),
        place=_optional(doc.get("place")),
    )
    return StoredArticle(row, article, group or article.id)


def _optional(value: object) -> str | None:
    return str(value) if value else None
