"""The keys of the articles on shards, held by the writer while it runs.

Before adding an article the core asks whether its id, URL or text is already in the
index (`Writer.original_of`). Through `postgres_fdw` each such lookup is a query to every
shard (a cursor opened, read and closed: three round trips each), for every article of
the run: on 12,427 articles that was most of the time a sharded build took. The writer
reads the shards' keys once instead, and keeps them up to date with what it adds and
removes; the local partition is still asked through its indexes.
"""

from __future__ import annotations

from collections import defaultdict

import psycopg

Key = tuple[str, str]  # (column, value)
Found = tuple[str, str]  # (article id, path)


class ShardKeys:
    def __init__(self, layout: list[dict[str, object]]) -> None:
        self._ranges = [(int(s["first"]), int(s["last"])) for s in layout]  # type: ignore[call-overload]
        self._tables = [f"articles_{s['first']}_{s['last']}" for s in layout]
        self._found: dict[Key, list[Found]] = defaultdict(list)
        self._by_path: dict[str, list[Key]] = defaultdict(list)

    def load(self, conn: psycopg.Connection, schema: str) -> None:
        """The live articles' keys, read from each shard in one scan."""
        for table in self._tables:
            with conn.cursor(name="archivio_shard_keys") as cursor:
                cursor.itersize = 10_000
                cursor.execute(
                    f'SELECT id, path, url_key, text_key FROM "{schema}".{table} '
                    "WHERE died IS NULL ORDER BY row"
                )
                for article_id, path, url, text in cursor:
                    self.remember(article_id, path, url, text)

    def holds(self, year: int | None) -> bool:
        """Whether an article of `year` goes to a shard."""
        return year is not None and any(first <= year <= last for first, last in self._ranges)

    def remember(self, article_id: str, path: str, url: str | None, text: str) -> None:
        for key in (("id", article_id), ("url_key", url), ("text_key", text)):
            if key[1] is not None:
                self._found[key].append((article_id, path))  # type: ignore[index]
                self._by_path[path].append(key)  # type: ignore[arg-type]

    def get(self, key: str, value: str) -> Found | None:
        found = self._found.get((key, value))
        return found[0] if found else None

    def forget_path(self, path: str) -> None:
        """The articles of `path` are removed (marked dead) by this run."""
        for key in self._by_path.pop(path, ()):
            kept = [item for item in self._found.get(key, ()) if item[1] != path]
            if kept:
                self._found[key] = kept
            else:
                self._found.pop(key, None)
