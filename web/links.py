"""Links to an article that reach it whatever its id.

Ids are often URLs (`https://host/a//b`) and travel readably in the path:
`/articolo/<id>`. Some cannot: browsers (and the URL standard) remove the dot segments
`.` and `..` of a path before sending it, even percent-encoded (`%2e%2e`), so
`/articolo/../x` arrives as `/x`; and an id starting with `/` would make an empty first
segment that the route cannot tell apart. Those ids go in the query string instead,
`/articolo?id=../x`, which nothing normalises. Both forms are always accepted.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from search.printable import without_surrogates

DOT_SEGMENTS = frozenset({".", ".."})


def fits_in_path(article_id: str) -> bool:
    """Whether `/articolo/<id>` reaches `article_id` after a browser normalised the URL."""
    return (
        bool(article_id)
        and not article_id.startswith("/")
        and not DOT_SEGMENTS.intersection(article_id.split("/"))
    )


def article_url(article_id: str, **values: Any) -> str:
    """The article page of `article_id` (`values`: `q`, `_anchor`, `_external`)."""
    return _url("articles.article_page", "articles.article_by_query", article_id, values)


def api_article_url(article_id: str, **values: Any) -> str:
    """The JSON of `article_id`."""
    return _url("api.api_article", "api.api_article_by_query", article_id, values)


def _url(by_path: str, by_query: str, article_id: str, values: dict[str, Any]) -> str:
    values = {k: v for k, v in values.items() if v is not None}
    article_id = without_surrogates(article_id)  # cannot be in a URL (nor in the index)
    if fits_in_path(article_id):
        return url_for(by_path, article_id=article_id, **values)
    return url_for(by_query, id=article_id, **values)
