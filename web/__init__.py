"""The Archivio web application: a thin Flask shell over the `search` library.

`create_app` builds one application per call (tests build their own on a temporary
index); nothing opens the index or reads the environment at import time. Each worker
process opens one `Archive` lazily, on its first request (`web.state`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from web import formatting, state
from web.api import bp as api_bp
from web.articles import bp as articles_bp
from web.concordance import bp as concordance_bp
from web.exports import bp as exports_bp
from web.pages import bp as pages_bp
from web.results import bp as results_bp
from web.security import install_error_handlers, install_request_limits, install_security_headers
from web.tools_api import bp as tools_api_bp
from web.trends import bp as trends_bp


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The application: defaults, then `ARCHIVIO_*` variables, then `test_config`."""
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR="index", PAGE_SIZE=10, FEED_SIZE=50)
    app.config.from_prefixed_env("ARCHIVIO")
    if test_config is not None:
        app.config.from_mapping(test_config)
    # Article ids are often URLs ("https://host/a//b"): keep their slashes as they are.
    app.url_map.merge_slashes = False
    app.json = formatting.HtmlSafeJSONProvider(app)

    state.init_app(app)
    formatting.install(app)
    install_security_headers(app)
    install_error_handlers(app)
    install_request_limits(app)

    blueprints = (pages_bp, results_bp, articles_bp, exports_bp, api_bp)
    for blueprint in (*blueprints, trends_bp, concordance_bp, tools_api_bp):
        app.register_blueprint(blueprint)
    return app
