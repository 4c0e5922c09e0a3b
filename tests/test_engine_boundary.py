"""The engine boundary holds: only an engine's own package imports its library."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from search.engines import POINTER
from tests.corpus_facts import SAMPLE_CORPUS

REPO = Path(__file__).resolve().parents[1]
ENGINE_LIBRARIES = {
    "whoosh": "search/engines/whoosh",
    "tantivy": "search/engines/tantivy",
    "psycopg": "search/engines/postgres",
    "psycopg_pool": "search/engines/postgres",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("library", sorted(ENGINE_LIBRARIES))
def test_only_the_engine_package_imports_its_library(library: str) -> None:
    home = REPO / ENGINE_LIBRARIES[library]
    offenders = [
        path.relative_to(REPO).as_posix()
        for folder in ("search", "web")
        for path in sorted((REPO / folder).rglob("*.py"))
        if library in imported_modules(path) and home not in path.parents
    ]
    assert offenders == []


def test_the_core_never_imports_an_engine_package() -> None:
    core = [p for p in (REPO / "search").rglob("*.py") if "engines" not in p.parts]
    offenders = [
        p.relative_to(REPO).as_posix()
        for p in core
        if any(
            name.startswith("search.engines.")
            and name.split(".")[2] in ("whoosh", "tantivy", "postgres")
            for name in _full_imports(p)
        )
    ]
    assert offenders == []


def _full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_engine_packages_leave_each_other_alone() -> None:
    """An engine's package imports no other engine's library or package."""
    offenders = []
    for library, home in ENGINE_LIBRARIES.items():
        for other_home in set(ENGINE_LIBRARIES.values()) - {home}:
            for path in sorted((REPO / other_home).rglob("*.py")):
                imported = imported_modules(path) | _full_imports(path)
                if library in imported or home.replace("/", ".") in imported:
                    offenders.append(f"{path.relative_to(REPO).as_posix()} imports {library}")
    assert offenders == []


def test_a_tantivy_archive_is_searched_without_loading_whoosh(tmp_path: Path) -> None:
    """Built and searched with Tantivy, not one Whoosh module is loaded (and the reverse)."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from search.archive import Archive\n"
        "from search.indexer import reindex\n"
        "from search.results import SearchRequest, search\n"
        "from search.settings import Settings\n"
        f"index = Path({str(tmp_path / 'index')!r})\n"
        f"reindex(Settings(corpus_dir=Path({str(SAMPLE_CORPUS)!r}), index_dir=index),"
        " engine=sys.argv[1], full=True)\n"
        "page = search(Archive(index), SearchRequest(query='porto'))\n"
        "assert page.total > 0, page\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'whoosh', 'tantivy'}))\n"
    )
    for engine, loaded in (("tantivy", "['tantivy']"), ("whoosh", "['whoosh']")):
        done = subprocess.run(
            [sys.executable, "-c", script, engine],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "ARCHIVIO_ENGINE"},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip().splitlines()[-1] == loaded


def test_an_engine_library_loads_only_for_its_own_index(built_index: Path) -> None:
    """PostgreSQL's client is imported only when the index lives in PostgreSQL."""
    script = (
        "import sys; from search.archive import Archive; import search.cli; "
        f"Archive({str(built_index)!r}); "
        "print(' '.join(sorted(m for m in sys.modules if m in "
        "('whoosh', 'psycopg', 'psycopg_pool', 'tantivy'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    loaded = done.stdout.split()
    if (built_index / POINTER).is_file():
        assert loaded == ["psycopg", "psycopg_pool"]
    else:
        assert "psycopg" not in loaded and "psycopg_pool" not in loaded
