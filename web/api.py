"""The JSON interface: the same shapes as `archivio search --json` and `archivio show --json`."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from search.errors import ArchivioError
from search.related import similar_articles
from search.results import search
from search.serialize import article_json, hit_json, result_json
from web.citations import citation_response, read_format
from web.openapi import openapi_document
from web.params import read_api_request, read_article_id
from web.state import get_archive, index_stats

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def api_search() -> Response:
    return jsonify(result_json(search(get_archive(), read_api_request(request.args))))


@bp.get("/api/articles")
def api_article_by_query() -> Response:
    """The form for ids a path cannot carry (`..`, `/abs`): see `web.links`."""
    return api_article(read_article_id(request.args))


@bp.get("/api/articles/<path:article_id>")
def api_article(article_id: str) -> Response:
    chosen = read_format(request.args.get("format"))
    archive = get_archive()
    article = archive.get(article_id)
    if chosen != "json":
        return citation_response(article, chosen)
    data = article_json(article)
    data["similar"] = [hit_json(hit) for hit in similar_articles(archive, article.id)]
    return jsonify(data)


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """For load balancers: 200 with the live generation, 503 when there is no usable index."""
    try:
        problems = get_archive().health()
        stats = index_stats()
    except ArchivioError as error:  # missing, stale, unreadable
        return jsonify(status="error", error=str(error)), 503
    if problems:
        return jsonify(status="error", error="; ".join(problems[:3])), 503
    return jsonify(status="ok", articles=stats.articles, generation=stats.generation), 200
