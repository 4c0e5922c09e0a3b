"""Citations of an article, for its page and for `/api/articles/<id>?format=…`."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app

from search.citations import bibtex, citation_key, csl_json, italian_citation
from search.model import Article
from search.printable import printable
from search.results import display_title
from web.links import api_article_url, article_url
from web.params import ParamError

FORMATS = ("json", "testo", "bibtex", "csl-json")


def read_format(value: str | None) -> str:
    """The `format` of `/api/articles/<id>`: json (the article), or a citation."""
    chosen = (value or "").strip() or "json"
    if chosen not in FORMATS:
        raise ParamError(f"formato sconosciuto: «{chosen}». Valori validi: {', '.join(FORMATS)}")
    return chosen


def citation_parts(article: Article) -> dict[str, object]:
    """What the article page shows: the citation, and where to download the others."""
    title = article.title or display_title(article.body)
    permalink = article_url(article.id, _external=True)
    return {
        "citation": italian_citation(
            article, title=title, accessed=date.today(), permalink=permalink
        ),
        "bibtex_url": api_article_url(article.id, format="bibtex"),
        "csl_url": api_article_url(article.id, format="csl-json"),
    }


def citation_response(article: Article, chosen: str) -> Response:
    """The citation as a download: BibTeX, CSL-JSON, or the Italian text."""
    title = article.title or display_title(article.body)
    today = date.today()
    permalink = article_url(article.id, _external=True)
    key = citation_key(article)
    if chosen == "bibtex":
        body = printable(bibtex(article, title=title, accessed=today, permalink=permalink))
        return _attachment(body, "application/x-bibtex", f"{key}.bib")
    if chosen == "csl-json":
        data = csl_json(article, title=title, accessed=today, permalink=permalink)
        body = current_app.json.dumps(data)
        return _attachment(body, "application/vnd.citationstyles.csl+json", f"{key}.json")
    text = italian_citation(article, title=title, accessed=today, permalink=permalink).text
    return Response(printable(text) + "\n", mimetype="text/plain")


def _attachment(body: str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
