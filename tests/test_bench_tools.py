"""The benchmarks under bench/ still run against today's library.

They are not timed here (figures belong to bench/RESULTS.md), but a benchmark that no
longer imports, or whose stages no longer exist, would silently stop measuring: an import
of every module, and the stage benchmark run for real on the sample archive.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bench
from bench.stages import measure_stages
from tests.corpus_facts import SAMPLE_CORPUS

pytestmark = pytest.mark.medium


@pytest.mark.parametrize("name", sorted(m.name for m in pkgutil.iter_modules(bench.__path__)))
def test_every_benchmark_imports(name: str) -> None:
    importlib.import_module(f"bench.{name}")


def test_stage_benchmark_times_every_stage_of_a_build() -> None:
    figures = measure_stages(SAMPLE_CORPUS, limit=40, engine_names=("whoosh", "tantivy"))
    stages = figures["ms_per_article"]
    assert figures["articles"]["n"] == 40
    for stage in ("read file -> Article", "MinHash + LSH assign", "analysis: whole document"):
        assert stages[stage] > 0
    for engine in ("whoosh", "tantivy"):
        assert stages[f"{engine}: writer add"] > 0 and stages[f"{engine}: commit"] > 0


def test_every_relevance_variant_turns_a_knob_that_exists() -> None:
    """`python -m bench.relevance --variants` sets each knob: one that moved away would
    stop the run (or, set on a module nobody reads, measure nothing)."""
    from bench.relevance import VARIANTS, configured

    for name, knobs in VARIANTS.items():
        with configured(**knobs):
            pass
        for dotted in knobs:
            module_name, attribute = dotted.rsplit(".", 1)
            assert hasattr(importlib.import_module(module_name), attribute), name
