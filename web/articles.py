"""/articolo/<id> (or /articolo?id=…, `web.links`): one article, every query word marked,
its copies and related reading."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup

from search.errors import QueryError
from search.explain import explain_article, number
from search.query.expansion import LABELS
from search.related import related, similar_articles
from search.results import SearchRequest, highlight_article
from web.citations import citation_parts
from web.params import read_article_id, read_expand, read_query
from web.state import get_archive

bp = Blueprint("articles", __name__)

MARK = "<mark>"


@bp.get("/articolo")
def article_by_query() -> str:
    """The form for ids a path cannot carry (`..`, `/abs`): see `web.links`."""
    return article_page(read_article_id(request.args))


@bp.get("/articolo/<path:article_id>")
def article_page(article_id: str) -> str:
    query = read_query(request.args)
    expand = read_expand(request.args)
    archive = get_archive()
    shown = highlight_article(archive, article_id, query, expand=expand)
    why = None
    if query.strip():
        request_ = SearchRequest(query=query, expand=expand)
        try:  # by the article's own id: the page may have been opened by its original URL
            why = explain_article(archive, request_, shown.article.id)
        except QueryError:  # the query cannot be searched: the page shows the article
            why = None
    article = shown.article
    title_html, *paragraphs = number_marks((shown.title_html, *shown.paragraphs_html))
    return render_template(
        "article.html",
        article=article,
        title_html=title_html,
        paragraphs=paragraphs,
        matches=shown.matches,
        q=query,
        why=why,
        expand=expand,
        also_labels=LABELS,
        copies=similar_articles(archive, article.id),
        related=related(archive, article.id),
        **citation_parts(article),
    )


@bp.app_template_filter("score")
def score_filter(value: float) -> str:
    """A score as the explanation shows it: 12,34."""
    return number(value)


def number_marks(fragments: tuple[str, ...]) -> list[Markup]:
    """Give each `<mark>` an id, `hit-1`, `hit-2`… in reading order, for the hit navigation.

    The library's highlighted text is escaped text in which the only markup is
    `<mark>…</mark>` (a `<` of the text itself arrives as `&lt;`), so the literal tag is
    an exact token to count, not HTML to parse.
    """
    numbered = []
    count = 0
    for fragment in fragments:
        pieces = fragment.split(MARK)
        out = [pieces[0]]
        for piece in pieces[1:]:
            count += 1
            out.append(f'<mark id="hit-{count}">{piece}')
        numbered.append(Markup("".join(out)))  # escaped by the library
    return numbered
