"""The archive export format of the seed article (`.txt`, `.md`).

    # Title
    Data: 12 aprile 2025 | Autore: Redazione
    ---
    body in Markdown (## headings, **bold**)
    ---
    Articolo scaricato da [www.site.it](http://www.site.it)
    <https://www.site.it/path/of/the/article>

Markdown is rendered by markdown-it and reduced to plain paragraphs (heading text kept).
A paragraph that starts in lowercase or with punctuation continues the previous one: saved
pages often break a sentence around a bold phrase. A text file without the header is still
indexed: its first line is the title.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from search.dates import parse_article_date
from search.errors import SkipInput
from search.ingest.text import strip_html
from search.model import Article

_markdown = MarkdownIt("commonmark")
_FOOTER = "articolo scaricato da"
_CONTINUATION = tuple(".,;:!?)»”’…")


def parse_export(text: str) -> Article:
    """Read one article in the archive export format; `id` is left to the indexer."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title = ""
    meta: dict[str, str] = {}
    body_lines: list[str] = []
    url = source = None
    for line in lines:
        stripped = line.strip()
        lowered = stripped.lower()
        if not title and stripped.startswith("# "):
            title = stripped[2:].strip()
        elif not body_lines and _is_meta_line(stripped):
            meta.update(_parse_meta(stripped))
        elif lowered.startswith(_FOOTER):
            source = _footer_source(stripped)
        elif stripped.startswith("<") and stripped.endswith(">") and "://" in stripped:
            url = stripped[1:-1].strip()
        elif stripped == "---" or (not stripped and not body_lines):
            continue
        else:
            body_lines.append(line)
    body = _plain_body("\n".join(body_lines))
    if not title:
        title, _, body = body.partition("\n\n")
    if not body.strip() and not title.strip():
        raise SkipInput("file vuoto: nessun titolo né testo")
    return Article(
        id="",
        title=title.strip(),
        body=body.strip(),
        url=url,
        author=meta.get("autore") or None,
        source=source,
        date=parse_article_date(meta["data"]) if meta.get("data") else None,
    )


def _is_meta_line(line: str) -> bool:
    head = line.split(":", 1)[0].strip().lower()
    return head in {"data", "autore", "fonte", "sezione"} and ":" in line


def _parse_meta(line: str) -> dict[str, str]:
    fields = {}
    for part in line.split("|"):
        key, _, value = part.partition(":")
        fields[key.strip().lower()] = value.strip()
    return fields


def _footer_source(line: str) -> str | None:
    tokens = _markdown.parseInline(line)[0].children or []
    texts = [t.content for t in tokens if t.type == "text" and t.content.strip()]
    # "Articolo scaricato da [www.site.it](…)": the link text is the source.
    return texts[-1].strip() if len(texts) > 1 else None


def _plain_body(markdown: str) -> str:
    paragraphs: list[str] = []
    for paragraph in strip_html(_markdown.render(markdown)).split("\n\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if paragraphs and (paragraph[0].islower() or paragraph.startswith(_CONTINUATION)):
            glue = "" if paragraph.startswith(_CONTINUATION) else " "
            paragraphs[-1] = paragraphs[-1] + glue + paragraph
        else:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)
