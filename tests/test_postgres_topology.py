"""PostgreSQL with a streaming read replica, for real on loopback.

A primary and a replica made with `pg_basebackup -R`, each a throwaway cluster. The
index's address names both servers: the reindex writes on the primary, searches read
the replica; when the replica stops answering, searches fall back to the primary.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from search.archive import Archive
from search.engines import open_engine
from search.indexer import reindex
from search.results import SearchRequest, search
from search.settings import Settings
from tests import postgres_cluster
from tests.corpus_facts import SAMPLE_CORPUS

pytestmark = pytest.mark.medium


@pytest.fixture
def primary_and_replica() -> Iterator[tuple[postgres_cluster.Cluster, postgres_cluster.Cluster]]:
    problem = postgres_cluster.available()
    if problem:
        pytest.skip(problem)
    primary = postgres_cluster.start_cluster()
    replica = postgres_cluster.Cluster(primary.root, name="replica")
    try:
        replica.replicate(primary).start()
        replica.wait_ready()
        yield primary, replica
    finally:
        replica.stop()
        primary.remove()


def address(primary: postgres_cluster.Cluster, replica: postgres_cluster.Cluster) -> str:
    return (
        f"postgresql://{primary.user}@127.0.0.1:{primary.port},127.0.0.1:{replica.port}"
        f"/{postgres_cluster.DATABASE}?schema=giornale"
    )


def served_by(archive: Archive) -> int:
    with archive.snapshot() as snapshot:
        return int(snapshot._conn.info.port)  # type: ignore[attr-defined]


def titles(archive: Archive, query: str) -> list[str]:
    return [hit.title for hit in search(archive, SearchRequest(query=query, limit=10)).hits]


def wait_for(condition: object, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > end:
            raise TimeoutError("the replica did not catch up")
        time.sleep(0.1)


def test_searches_read_the_replica_and_fall_back_to_the_primary(
    primary_and_replica: tuple[postgres_cluster.Cluster, postgres_cluster.Cluster],
) -> None:
    primary, replica = primary_and_replica
    location = address(primary, replica)
    report = reindex(Settings(corpus_dir=SAMPLE_CORPUS, index_dir=location))  # type: ignore[arg-type]
    assert report.articles == 152
    engine = open_engine(location)
    wait_for(lambda: engine.token() is not None)  # the replica has replayed the commit
    archive = Archive(location)
    assert served_by(archive) == replica.port
    on_replica = titles(archive, "alluvione")
    assert len(on_replica) == 10
    replica.stop()
    # The same archive keeps answering: its snapshot reopens its generation on the primary.
    assert titles(archive, "alluvione") == on_replica
    assert served_by(archive) == primary.port
    archive.close()
    assert served_by(Archive(location)) == primary.port  # a new one goes there at once
