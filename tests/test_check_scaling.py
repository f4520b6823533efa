"""K disjoint copies of the seed store hold exactly K times the findings of one copy, check by check."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from quyhoach.graph.checks import run_checks
from quyhoach.graph.export import export
from quyhoach.graph.reasoning import materialise
from quyhoach.graph.replicate import replicate
from quyhoach.graph.store import KnowledgeStore

TODAY = {"today": "2026-01-01"}


def _copies(seed: Path, k: int, tmp: Path) -> KnowledgeStore:
    """A store of ``k`` disjoint copies of the seed's asserted graphs, reasoned from scratch."""
    out = tmp / f"x{k}.nq"
    replicate(seed, k, out)
    store = KnowledgeStore(tmp / f"store-{k}")
    store.raw.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    materialise(store)
    return store


def _per_check(store: KnowledgeStore) -> Counter:
    report = run_checks(store, params=TODAY)
    failed = [c for c in report.checks if c.error]
    assert not failed, [(c.name, c.error) for c in failed]
    return Counter(f.check for f in report.findings)


@pytest.fixture(scope="module")
def seed_export(loaded_store, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("scaling")
    shutil.copytree(loaded_store, tmp / "seed")
    out = tmp / "seed.nq"
    with KnowledgeStore(tmp / "seed") as store, out.open("wb") as fh:
        export(store, "nquads", fh, None)
    return out


def test_three_copies_hold_three_times_the_findings(seed_export, tmp_path):
    one = _copies(seed_export, 1, tmp_path)
    try:
        single = _per_check(one)
    finally:
        one.close()
    assert sum(single.values()) > 20, "the seed should give findings of several checks"
    three = _copies(seed_export, 3, tmp_path)
    try:
        triple = _per_check(three)
    finally:
        three.close()
    assert triple == Counter({check: 3 * n for check, n in single.items()})
