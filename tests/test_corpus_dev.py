"""Loading the whole development corpus (136 real markdown pages) through the command line: exit code 0,
and no page furniture as a label or title of anything extracted from it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quyhoach.graph.store import KnowledgeStore
from quyhoach.loaders.documents.structure import is_furniture_text

DEV = Path(__file__).parent / "fixtures" / "corpus-dev"

LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?l WHERE { GRAPH ?g { ?s rdfs:label|dcterms:title ?l } FILTER(CONTAINS(STR(?g), "/source/")) }
"""

#: Header words that a capture's layout used to turn into titles.
LAYOUT_WORDS = {"ỦY BAN NHÂN", "ỦY BAN NHÂN DÂN", "BỘ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "QUYẾT ĐỊNH", "NGHỊ QUYẾT"}


@pytest.mark.slow
def test_load_all_dev_pages(tmp_path):
    store_dir = tmp_path / "store"
    env = {**os.environ, "QUYHOACH_STORE": str(store_dir)}
    run = subprocess.run(
        [sys.executable, "-m", "quyhoach.cli", "load", str(DEV)], env=env, capture_output=True, text=True, timeout=1800
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "136 documents" in run.stdout + run.stderr
    store = KnowledgeStore(store_dir)
    try:
        labels = [str(row[0].value) for row in store.query(LABELS)]
    finally:
        store.close()
    assert len(labels) > 500
    bad = [
        label for label in labels
        if is_furniture_text(label) or label.strip() in LAYOUT_WORDS or label.startswith("#") or "**" in label
        or "Hình từ Internet" in label or "THƯ VIỆN PHÁP LUẬT" in label
    ]
    assert not bad, bad[:10]
