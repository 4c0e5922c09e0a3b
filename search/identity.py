"""What makes two articles the same: their URL, or their words."""

from __future__ import annotations

import hashlib
import re

from search.analysis import fold
from search.model import Article

_NON_WORD = re.compile(r"[\W_]+")


def url_key(url: str) -> str:
    """The same page however it was linked: no scheme, no `www.`, no fragment or slash."""
    address = url.strip().split("#", 1)[0]
    address = address.split("://", 1)[-1]
    host, _, rest = address.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{host}/{rest}".rstrip("/")


def text_key(article: Article) -> str:
    """A hash of the article's words, blind to case, accents, spacing and punctuation.

    The body alone when it is long enough to be unmistakable (the same story saved with a
    site's title suffix is still one article), else title and body.
    """
    text = article.body if len(article.body) >= 200 else f"{article.title} {article.body}"
    words = _NON_WORD.sub(" ", fold(text)).strip()
    return hashlib.sha1(words.encode("utf-8")).hexdigest()
