"""The home page, the query syntax help and the OpenSearch description."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Blueprint, Response, render_template, url_for

from web.params import SearchForm
from web.state import index_stats
from web.syntax import DATE_EXAMPLES, HOME_EXAMPLES, SYNTAX

bp = Blueprint("pages", __name__)

OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"


@bp.get("/")
def home() -> str:
    return render_template(
        "home.html",
        stats=index_stats(),
        form=SearchForm(),
        examples=HOME_EXAMPLES,
        date_examples=DATE_EXAMPLES,
    )


@bp.get("/aiuto")
def help_page() -> str:
    return render_template("help.html", syntax=SYNTAX, date_examples=DATE_EXAMPLES)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets a browser add the archive as a search engine."""
    root = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH_NS)
    for tag, text in (
        ("ShortName", "Archivio"),
        ("Description", "Ricerca a testo pieno nell'archivio delle notizie"),
        ("InputEncoding", "UTF-8"),
        ("OutputEncoding", "UTF-8"),
        ("Language", "it"),
    ):
        ET.SubElement(root, tag).text = text
    pages = url_for("results.search_page", _external=True)
    feed = url_for("exports.feed", _external=True)
    api = url_for("api.api_search", _external=True)
    for kind, template in (
        ("text/html", f"{pages}?q={{searchTerms}}&pagina={{startPage?}}"),
        ("application/atom+xml", f"{feed}?q={{searchTerms}}"),
        ("application/json", f"{api}?q={{searchTerms}}&page={{startPage?}}"),
        ("application/opensearchdescription+xml", url_for("pages.opensearch", _external=True)),
    ):
        attributes = {"type": kind, "template": template}
        if kind.startswith("application/opensearch"):
            attributes["rel"] = "self"
        ET.SubElement(root, "Url", attributes)
    body = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/opensearchdescription+xml")
