"""The Whoosh schema: one declaration, shared by the indexer and the searcher."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.analysis import ANALYSIS_VERSION, italian_analyzer, name_analyzer, surface_analyzer

# Bump on any change to fields or analysis: an index with another version asks for --full.
SCHEMA_VERSION = f"archivio-6/{ANALYSIS_VERSION}"


def build_schema() -> Schema:
    italian = italian_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),  # corpus-relative file: incremental reindex deletes by it
        url=STORED(),
        url_key=ID(),  # normalised URL: the same article reached twice is indexed once
        text_key=ID(),  # hash of the normalised text: identical copies are indexed once
        title=TEXT(analyzer=italian, stored=True, field_boost=1.0),
        body=TEXT(analyzer=italian, stored=True),
        # Unstemmed, folded words of title and body: `=parola` and "Forse cercavi".
        exact=TEXT(analyzer=surface_analyzer(), phrase=False),
        author=TEXT(analyzer=names, stored=True),
        author_key=ID(sortable=True),  # facet value: the author as written
        source=TEXT(analyzer=names, stored=True),
        source_key=ID(sortable=True),
        section=KEYWORD(stored=True, lowercase=True, commas=True),
        tags=KEYWORD(stored=True, lowercase=True, commas=True),
        date=DATETIME(stored=True, sortable=True),
        day=NUMERIC(sortable=True),  # yyyymmdd, 0 when undated: sorting and the date span
        year=NUMERIC(sortable=True),  # 0 when undated
        month=NUMERIC(sortable=True),  # yyyymm, 0 when undated
        group=ID(stored=True, sortable=True),  # near-duplicate group (id of its first member)
    )
