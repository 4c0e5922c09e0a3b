"""The JSON shapes of results and articles: one definition for the CLI and the web API."""

from __future__ import annotations

from dataclasses import asdict

from search.model import Article, Hit, ResultPage


def result_json(result: ResultPage) -> dict[str, object]:
    """A result page, as `archivio search --json` and `/api/search` print it."""
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "elapsed_ms": result.elapsed_ms,
        "results": [hit_json(hit) for hit in result.hits],
        "facets": {
            name: [{"value": v.value, "count": v.count} for v in facet.values]
            for name, facet in result.facets.items()
        },
        "suggestion": result.suggestion,
        "notices": list(result.notices),
        "partial": result.partial,
        "expansions": {typed: list(words) for typed, words in result.expansions},
        "also_searched": {technique: list(words) for technique, words in result.also},
    }


def hit_json(hit: Hit) -> dict[str, object]:
    return {
        "id": hit.id,
        "title": hit.title,
        "date": hit.date.isoformat() if hit.date else None,
        "author": hit.author,
        "source": hit.source,
        "url": hit.url,
        "score": hit.score,
        "snippet": hit.snippet,
        "similar": hit.similar,
        "group": hit.group,
        "place": hit.place,
        "missing": list(hit.missing),
    }


def article_json(article: Article) -> dict[str, object]:
    data = asdict(article)
    data["date"] = article.date.isoformat() if article.date else None
    data["tags"] = list(article.tags)
    return data
