"""HermiT over the ontology plus everything loaded from the seed corpus: consistent."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import run_cli


@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java (.ci/run installs it)")
def test_ontology_and_seed_data_are_consistent(loaded_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(loaded_store, store)
    result = run_cli("reason", "--check", store=store)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Consistent" in result.stdout and "Inconsistent" not in result.stdout
