"""Per-year partitions on two shard servers through `postgres_fdw`, for real on loopback.

Three throwaway clusters: a coordinator holding the index (2024-2025 and undated articles
in its local partition) and two shards (2019-2021, 2022-2023) named in its address with
`shard=`. The sharded index must answer exactly like the same corpus on one server (same
hits, scores, counts, facets, exports) and like Whoosh; an incremental reindex reaches the
shards; a shard that stops answering is said plainly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from flask import Flask

from search import engines
from search.archive import Archive
from search.engines import open_engine
from search.engines.postgres.shards import ShardError, drop_servers, shards_in
from search.errors import ArchivioError, BackendUnavailableError
from search.indexer import reindex
from search.model import ResultPage
from search.results import SearchRequest, search
from search.settings import Settings
from tests import postgres_cluster
from tests.corpus_facts import SAMPLE_ARTICLES, SAMPLE_CORPUS
from web import create_app

pytestmark = pytest.mark.medium

SCHEMA = "giornale"
REQUESTS = [
    SearchRequest(query="alluvione", limit=100),
    SearchRequest(query='"cessate il fuoco"', limit=100),
    SearchRequest(query="trump AND NOT putin", limit=100),
    SearchRequest(query="alluvione OR terremoto OR frana", limit=100),
    SearchRequest(query="titolo:sindaco", limit=100),
    SearchRequest(query="negozi*", limit=100),
    SearchRequest(query="governo", date_from="2020-01-01", date_to="2022-06-30", limit=100),
    SearchRequest(query="", date_from="2022-01-01", date_to="2023-12-31", limit=100),
    SearchRequest(query="", undated=True, limit=100),
    SearchRequest(query="scuola", sort="newest", limit=100),
    SearchRequest(query="", limit=100, page=2, collapse=False),
    SearchRequest(query='"gas russo"~5 OR "alluvione modena"~3', limit=100),
    SearchRequest(query="+alluvione modena", limit=100),
    SearchRequest(query="(Putin OR Xi) AND Macron", limit=100),
    SearchRequest(query="autore:Redazione fonte:italiasettegiorni", limit=100),
    SearchRequest(query="luogo:Modena -data:2024", limit=100),
    SearchRequest(query="trump~ OR =negoziati", limit=100),
    SearchRequest(query='governo -data:"senza data"', sort="oldest", limit=100),
    SearchRequest(query="aluvione", limit=100),  # a suggestion
]


def test_shards_are_named_plainly_or_refused_plainly() -> None:
    found = shards_in(
        "postgresql://a@h/db?schema=g&shard=2022-2023:postgresql://b:pw@s2:5436/archivio"
        "&shard=2019:postgresql://b@s1/archivio"
    )
    assert [(s.first, s.last, s.address) for s in found] == [
        (2019, 2019, "postgresql://b@s1/archivio"),
        (2022, 2023, "postgresql://b:***@s2:5436/archivio"),
    ]
    refused = {
        "2019-21:postgresql://s1/db": "shard=ANNI:INDIRIZZO",
        "2021-2019:postgresql://s1/db": "il primo anno viene dopo l'ultimo",
        "2019:s1:5432": "shard=ANNI:INDIRIZZO",
        "2019:postgresql://s1:5432,s2:5433/db": "un server solo per shard",
    }
    for value, message in refused.items():
        with pytest.raises(ShardError, match=message):
            shards_in(f"postgresql://a@h/db?schema=g&shard={value}")
    engines.BACKEND = "postgresql://a@h/db?schema=g&shard=2019:postgresql://b:pw@s1/db"
    assert engines.index_label("indice") == "postgresql://a@h/db?schema=g"  # in messages
    overlapping = "shard=2019-2021:postgresql://s1/db&shard=2021-2022:postgresql://s2/db"
    with pytest.raises(ShardError, match="hanno anni in comune"):
        shards_in(f"postgresql://a@h/db?schema=g&{overlapping}")


@dataclass
class Topology:
    coordinator: postgres_cluster.Cluster
    shards: tuple[postgres_cluster.Cluster, postgres_cluster.Cluster]
    corpus: Path
    whoosh: Path

    @property
    def sharded(self) -> str:
        first, second = self.shards
        return (
            f"{self.coordinator.url}?schema={SCHEMA}"
            f"&shard=2019-2021:{first.url}&shard=2022-2023:{second.url}"
        )

    @property
    def single(self) -> str:
        return f"{self.coordinator.url}?schema=singolo"

    @property
    def coordinator_only(self) -> str:
        """What searches need: the coordinator records where the shards are."""
        return f"{self.coordinator.url}?schema={SCHEMA}"

    def reindex_all(self) -> None:
        reindex(Settings(corpus_dir=self.corpus, index_dir=self.sharded))  # type: ignore[arg-type]
        reindex(Settings(corpus_dir=self.corpus, index_dir=self.single))  # type: ignore[arg-type]
        reindex(Settings(corpus_dir=self.corpus, index_dir=self.whoosh), engine="whoosh")


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    problem = postgres_cluster.available()
    if problem:
        pytest.skip(problem)
    clusters: list[postgres_cluster.Cluster] = []
    try:
        for _ in range(3):
            clusters.append(postgres_cluster.start_cluster())
        root = tmp_path_factory.mktemp("shards")
        corpus = root / "corpus"
        import shutil

        shutil.copytree(SAMPLE_CORPUS, corpus)
        found = Topology(clusters[0], (clusters[1], clusters[2]), corpus, root / "whoosh")
        found.reindex_all()
        yield found
    finally:
        for cluster in clusters:
            cluster.remove()


def shard_table(conn: psycopg.Connection, schema: str = SCHEMA) -> str:
    """The one table of articles on a shard (the previous placement's are gone)."""
    tables = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename ~ '^articles_'",
        (schema,),
    ).fetchall()
    assert len(tables) == 1, tables
    return f'"{schema}"."{tables[0][0]}"'


def live_rows_on(shard: postgres_cluster.Cluster, schema: str = SCHEMA) -> int:
    """Articles stored on a shard, counted there directly (not through the coordinator)."""
    with psycopg.connect(shard.url) as conn:
        table = shard_table(conn, schema)
        row = conn.execute(f"SELECT count(*) FROM {table} WHERE died IS NULL").fetchone()
    return int(row[0]) if row else 0


def articles_between(location: Path | str, first: str, last: str) -> int:
    request = SearchRequest(query="", date_from=first, date_to=last, collapse=False)
    return searched(location, request).total


def searched(location: Path | str, request: SearchRequest) -> ResultPage:
    """A search on an Archive of its own, closed after (an open one holds its tables:
    moving partitions waits for it)."""
    archive = Archive(location)
    try:
        return search(archive, request)
    finally:
        archive.close()


def answers(location: Path | str, request: SearchRequest) -> tuple[object, ...]:
    page = searched(location, request)
    return page.total, page.pages, page.hits, page.facets, page.partial, page.suggestion, page.also


def test_articles_live_on_the_shards_of_their_year(topology: Topology) -> None:
    first, second = topology.shards
    on_first = articles_between(topology.whoosh, "2019-01-01", "2021-12-31")
    on_second = articles_between(topology.whoosh, "2022-01-01", "2023-12-31")
    assert on_first > 20 and on_second > 20
    assert live_rows_on(first) == on_first
    assert live_rows_on(second) == on_second
    with psycopg.connect(topology.coordinator.url) as conn:
        local = conn.execute(f"SELECT count(*) FROM {SCHEMA}.articles_local").fetchone()
    assert local is not None and local[0] == SAMPLE_ARTICLES - on_first - on_second
    archive = Archive(topology.coordinator_only)
    assert archive.stats().articles == SAMPLE_ARTICLES
    archive.close()


def test_the_sharded_index_answers_like_one_server_and_like_whoosh(topology: Topology) -> None:
    for request in REQUESTS:
        sharded = answers(topology.coordinator_only, request)
        assert sharded[0] or sharded[5], request  # every request finds something, or suggests
        assert sharded == answers(topology.single, request), request
        whoosh = searched(topology.whoosh, request)
        assert sharded[0] == whoosh.total, request
        assert sharded[3] == whoosh.facets, request
        found = [(hit.id, hit.score) for hit in sharded[2]]  # type: ignore[attr-defined]
        assert found == [(hit.id, hit.score) for hit in whoosh.hits], request


def served(location: str, folder: Path) -> Flask:
    """The web app on an index in PostgreSQL (what `archivio serve --backend` does)."""
    engines.BACKEND = location  # put back after each test (conftest)
    return create_app({"INDEX_DIR": str(folder), "TESTING": True})


def test_exports_are_the_same_on_shards(topology: Topology, tmp_path: Path) -> None:
    exported = []
    for location in (topology.coordinator_only, topology.single):
        app = served(location, tmp_path)
        with app.test_client() as client:
            response = client.get("/export.csv?q=alluvione+OR+governo")
            assert response.status_code == 200
            # The receipt at the end names each index's own generation and build time.
            text = re.sub(r"gen-\d+", "gen-N", response.get_data(as_text=True))
            exported.append(re.sub(r'built_at"": ""[^"]+""', "", text))
    assert exported[0] == exported[1]
    assert exported[0].count("\n") > 20


def test_an_incremental_reindex_reaches_the_shards(topology: Topology) -> None:
    first, second = topology.shards
    before = live_rows_on(first), live_rows_on(second)
    added = topology.corpus / "2020" / "zanzara-tigre-bassano.txt"
    added.write_text(
        "# Bassano, la zanzara tigre arriva in centro\n\nData: 03/07/2020 | Autore: Redazione\n"
        "\n---\n\nLa zanzara tigre è arrivata nel centro di Bassano: il comune avvia la "
        "disinfestazione dei tombini lungo il Brenta.\n",
        encoding="utf-8",
    )
    changed = sorted(topology.corpus.glob("2022/*.txt"))[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nUna parola nuova: quokkamania.\n",
        encoding="utf-8",
    )
    removed = sorted(topology.corpus.glob("2021/*.txt"))[0]
    removed.unlink()
    copied = sorted(topology.corpus.glob("2020/*.txt"))[0]  # its original is on a shard
    (copied.parent / f"copia-{copied.name}").write_bytes(copied.read_bytes())
    report = reindex(Settings(corpus_dir=topology.corpus, index_dir=topology.sharded))  # type: ignore[arg-type]
    assert (report.full, report.added, report.updated, report.removed) == (False, 1, 1, 1)
    assert report.duplicates == 1
    reindex(Settings(corpus_dir=topology.corpus, index_dir=topology.single))  # type: ignore[arg-type]
    reindex(Settings(corpus_dir=topology.corpus, index_dir=topology.whoosh), engine="whoosh")
    assert (live_rows_on(first), live_rows_on(second)) == before  # +1 -1 on the first
    for query in ("zanzara tigre", "quokkamania"):
        page = searched(topology.coordinator_only, SearchRequest(query=query))
        assert page.total == 1, query
    for request in REQUESTS:
        sharded = answers(topology.coordinator_only, request)
        assert sharded == answers(topology.single, request), request
        assert sharded[0] == searched(topology.whoosh, request).total, request


def test_a_schema_on_a_shard_that_is_not_archivios_is_never_touched(
    topology: Topology, tmp_path: Path
) -> None:
    first, second = topology.shards
    with psycopg.connect(first.url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA contabilita")
        conn.execute("CREATE TABLE contabilita.fatture (numero int)")
        conn.execute("INSERT INTO contabilita.fatture VALUES (7)")
    address = f"{topology.coordinator.url}?schema=contabilita&shard=2019-2021:{first.url}"
    with pytest.raises(ArchivioError, match="non è di Archivio: Archivio non lo tocca"):
        reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=address))  # type: ignore[arg-type]
    with psycopg.connect(first.url) as conn:
        assert conn.execute("SELECT numero FROM contabilita.fatture").fetchall() == [(7,)]
    with psycopg.connect(topology.coordinator.url) as conn:  # nothing left half-made there
        assert conn.execute("SELECT to_regnamespace('contabilita')").fetchone() == (None,)
    # Another index (its coordinator on the second shard's server) asking for this index's
    # shard schema, or for the second shard's own schema as its index: refused both times.
    before = live_rows_on(first), live_rows_on(second)
    other = f"{second.url}?schema=altro&shard=2019-2021:{first.url}"
    with psycopg.connect(first.url, autocommit=True) as conn:
        conn.execute(f"ALTER SCHEMA {SCHEMA} RENAME TO altro")
    try:
        with pytest.raises(ArchivioError, match="le partizioni di un altro indice"):
            reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=other), full=True)  # type: ignore[arg-type]
    finally:
        with psycopg.connect(first.url, autocommit=True) as conn:
            conn.execute(f"ALTER SCHEMA altro RENAME TO {SCHEMA}")
    inside = f"{second.url}?schema={SCHEMA}"
    with pytest.raises(ArchivioError, match="un indice che sta su un altro server"):
        reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=inside), full=True)  # type: ignore[arg-type]
    assert (live_rows_on(first), live_rows_on(second)) == before


def test_a_first_sharded_build_cut_short_leaves_nothing_in_the_way(
    topology: Topology, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shards commit their new tables before the coordinator commits: a first build
    killed in between leaves tables on the shards that no index ever published. The next
    reindex of the same address must build (not refuse the shards as another index's)
    and clear what the cut-short run left."""
    from search.engines.postgres.writer import PostgresWriter

    first, second = topology.shards
    address = (
        f"{topology.coordinator.url}?schema=prima"
        f"&shard=2019-2021:{first.url}&shard=2022-2023:{second.url}"
    )

    def cut_short(self: PostgresWriter, manifest: object) -> None:
        raise RuntimeError("processo ucciso prima del commit")

    with monkeypatch.context() as patched:
        patched.setattr(PostgresWriter, "_commit", cut_short)
        with pytest.raises(RuntimeError, match="ucciso"):
            reindex(Settings(corpus_dir=topology.corpus, index_dir=address))  # type: ignore[arg-type]
    with psycopg.connect(first.url) as conn:  # the cut-short run's table is on the shard
        assert shard_table(conn, "prima")
    report = reindex(Settings(corpus_dir=topology.corpus, index_dir=address))  # type: ignore[arg-type]
    assert report.added == SAMPLE_ARTICLES
    assert live_rows_on(first, "prima") == live_rows_on(first)  # one table each, as built
    assert live_rows_on(second, "prima") == live_rows_on(second)
    alone = f"{topology.coordinator.url}?schema=prima_sola"  # the same corpus, one server
    reindex(Settings(corpus_dir=topology.corpus, index_dir=alone))  # type: ignore[arg-type]
    assert [answers(address, r) for r in REQUESTS] == [answers(alone, r) for r in REQUESTS]
    with psycopg.connect(topology.coordinator.url, autocommit=True) as conn:  # for the others
        drop_servers(conn, "prima")
        conn.execute("DROP SCHEMA prima CASCADE")
        conn.execute("DROP SCHEMA prima_sola CASCADE")
    for shard in topology.shards:
        with psycopg.connect(shard.url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA prima CASCADE")


def with_password(url: str) -> str:
    return url.replace("postgres@", "postgres:segreto@")


def test_moving_partitions_needs_a_full_reindex(topology: Topology) -> None:
    first, second = topology.shards
    moved = f"{topology.coordinator.url}?schema={SCHEMA}&shard=2019-2023:{with_password(first.url)}"
    with pytest.raises(ArchivioError, match="reindex --full") as refused:
        reindex(Settings(corpus_dir=topology.corpus, index_dir=moved))  # type: ignore[arg-type]
    assert "segreto" not in str(refused.value) and "postgres:***@" in str(refused.value)
    assert live_rows_on(second) > 0  # still where it was


def test_a_shards_password_goes_to_the_user_mapping(topology: Topology) -> None:
    """Named again with the same shards, the address updates how the coordinator logs in
    to them (a password changed): kept in the user mapping, never in messages."""
    first, _ = topology.shards
    secret = topology.sharded.replace(first.url, with_password(first.url))
    report = reindex(Settings(corpus_dir=topology.corpus, index_dir=secret))  # type: ignore[arg-type]
    assert report.articles == SAMPLE_ARTICLES
    assert "segreto" not in open_engine(secret).location
    with psycopg.connect(topology.coordinator.url) as conn:
        options = conn.execute(
            "SELECT m.umoptions FROM pg_user_mappings m JOIN pg_foreign_server s "
            "ON s.oid = m.srvid WHERE obj_description(s.oid, 'pg_foreign_server') LIKE %s",
            (f"%di {SCHEMA}",),
        ).fetchall()
    assert sorted("password=segreto" in (found or []) for (found,) in options) == [False, True]


def test_what_an_unfinished_run_left_on_a_shard_is_invisible_then_undone(
    topology: Topology,
) -> None:
    """No two-phase commit: a shard may have committed its part of a run whose
    coordinator never did. Its rows stay invisible and the next reindex undoes them."""
    first, _ = topology.shards
    future = 9_000_000_000_000_000_000  # a generation above any live one
    expected = [answers(topology.single, request) for request in REQUESTS]
    with psycopg.connect(first.url) as conn:
        table = shard_table(conn)
        # A new article and the removal of a live one, by a run that never went live.
        conn.execute(
            f"CREATE TEMP TABLE orphan AS SELECT * FROM {table} WHERE died IS NULL "
            "ORDER BY row LIMIT 1"
        )
        conn.execute(
            "UPDATE orphan SET row = row + 1000000, id = id || '-orfano', "
            "path = path || '-orfano', born = %s",
            (future,),
        )
        conn.execute(f"INSERT INTO {table} SELECT * FROM orphan")
        conn.execute(
            f"UPDATE {table} SET died = %s WHERE row = (SELECT max(row) FROM {table} "
            "WHERE died IS NULL)",
            (future,),
        )
    assert [answers(topology.coordinator_only, r) for r in REQUESTS] == expected
    report = reindex(Settings(corpus_dir=topology.corpus, index_dir=topology.sharded))  # type: ignore[arg-type]
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    with psycopg.connect(first.url) as conn:
        table = shard_table(conn)
        left = conn.execute(
            f"SELECT count(*) FROM {table} WHERE born >= %s OR died >= %s", (future, future)
        ).fetchone()
    assert left == (0,)
    assert [answers(topology.coordinator_only, r) for r in REQUESTS] == expected


def test_a_full_rebuild_cut_short_between_shard_commits_is_found_by_check(
    topology: Topology,
) -> None:
    """A full rebuild on the same layout deletes and rewrites the shards' rows: a crash
    after one shard committed leaves those years empty (what the README says). `archivio
    check` finds it, and the next full reindex mends it."""
    first, _ = topology.shards
    engine = open_engine(topology.coordinator_only)
    assert engine.check() == []
    with psycopg.connect(first.url) as conn:
        conn.execute(f"DELETE FROM {shard_table(conn)}")
    problems = engine.check()
    assert len(problems) == 1 and "le colonne contano" in problems[0]
    reindex(Settings(corpus_dir=topology.corpus, index_dir=topology.sharded), full=True)  # type: ignore[arg-type]
    assert engine.check() == []
    assert live_rows_on(first) == articles_between(topology.whoosh, "2019-01-01", "2021-12-31")


def test_a_replica_of_the_coordinator_reads_the_shards_too(topology: Topology) -> None:
    """Primary + replica + shards (the README's recipe): the replica has the coordinator's
    catalog, user mappings included, and reaches the shards itself."""
    coordinator = topology.coordinator
    replica = postgres_cluster.Cluster(coordinator.root, name="replica")
    try:
        replica.replicate(coordinator).start()
        replica.wait_ready()
        address = (
            f"postgresql://{coordinator.user}@127.0.0.1:{coordinator.port},127.0.0.1:"
            f"{replica.port}/{postgres_cluster.DATABASE}?schema={SCHEMA}"
        )
        archive = Archive(address)
        try:
            with archive.snapshot() as snapshot:
                assert snapshot._conn.info.port == replica.port  # type: ignore[attr-defined]
            for request in REQUESTS:
                page = search(archive, request)
                found = (page.total, page.pages, page.hits, page.facets, page.partial)
                found += (page.suggestion, page.also)
                assert found == answers(topology.coordinator_only, request), request
        finally:
            archive.close()
    finally:
        replica.stop()


def test_a_shard_that_stops_is_said_plainly(topology: Topology, tmp_path: Path) -> None:
    _, second = topology.shards
    archive = Archive(topology.coordinator_only)
    request = SearchRequest(query="governo", limit=100)
    expected = answers(topology.coordinator_only, request)
    # The test clusters commit without waiting for the disk and stop like a crash: write
    # out what the shard committed first, or it comes back without the last reindex.
    with psycopg.connect(second.url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    second.stop()
    try:
        with pytest.raises(BackendUnavailableError, match="anni 2022-2023 sullo shard"):
            search(archive, request)
        with pytest.raises(BackendUnavailableError, match="non risponde"):
            reindex(Settings(corpus_dir=topology.corpus, index_dir=topology.sharded))  # type: ignore[arg-type]
        command = ["search", "governo", "--backend", topology.coordinator_only]
        done = subprocess.run(
            [sys.executable, "-m", "search", *command],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            env={**os.environ, "ARCHIVIO_DEBUG": ""},
        )
        assert done.returncode == 1, done.stderr
        assert "il server dell'indice non risponde" in done.stderr
        assert "anni 2022-2023 sullo shard" in done.stderr
        assert "Traceback" not in done.stderr and "errore inatteso" not in done.stderr
        app = served(topology.coordinator_only, tmp_path)
        with app.test_client() as client:
            assert client.get("/api/search?q=governo").status_code == 503
    finally:
        second.start()
    second.wait_ready()
    assert answers(topology.coordinator_only, request) == expected
    page = search(archive, request)  # the same Archive answers again
    assert page.hits == expected[2]
    archive.close()


def test_a_full_reindex_moves_the_partitions(topology: Topology) -> None:
    first, second = topology.shards
    coordinator = f"{topology.coordinator.url}?schema=spostato"
    # Compared with one server rebuilt from scratch too: equal scores are ordered by row,
    # and the incremental runs above gave the changed article a new row (any engine).
    reindex(Settings(corpus_dir=topology.corpus, index_dir=topology.single), full=True)  # type: ignore[arg-type]
    expected = [answers(topology.single, request) for request in REQUESTS]

    def years(start: int, end: int) -> int:
        return articles_between(topology.whoosh, f"{start}-01-01", f"{end}-12-31")

    for layout, on_first, on_second in (
        ("&shard=2019-2021:{first}&shard=2022-2023:{second}", years(2019, 2021), None),
        ("&shard=2019-2023:{first}", years(2019, 2023), None),  # 2022-2023 moves
        ("&shard=2019-2020:{first}&shard=2022-2023:{first}", None, None),  # one server
        (
            "&shard=2019-2020:{second}&shard=2021-2023:{first}",
            years(2021, 2023),
            years(2019, 2020),
        ),
    ):
        address = coordinator + layout.format(first=first.url, second=second.url)
        reindex(Settings(corpus_dir=topology.corpus, index_dir=address), full=True)  # type: ignore[arg-type]
        if on_first is None:  # two tables on the first shard
            with psycopg.connect(first.url) as conn:
                tables = conn.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'spostato' "
                    "AND tablename ~ '^articles_'"
                ).fetchone()
            assert tables == (2,)
        else:
            assert live_rows_on(first, "spostato") == on_first, layout
        if on_second is not None:
            assert live_rows_on(second, "spostato") == on_second, layout
        assert [answers(coordinator, r) for r in REQUESTS] == expected, layout
    with psycopg.connect(topology.coordinator.url) as conn:  # those of the last layout only
        servers = conn.execute(
            "SELECT count(*) FROM pg_foreign_server WHERE srvname LIKE 'archivio_shard_%'"
        ).fetchone()
    assert servers == (2 + 2,)  # giornale's and spostato's
