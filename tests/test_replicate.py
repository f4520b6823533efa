"""K disjoint copies of the seed store: valid N-Quads, disjoint, each copy the seed again."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from quyhoach.graph.replicate import ReplicateError, replicate
from quyhoach.namespaces import GRAPH, ID, ONTOLOGY_GRAPH
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def seed_export(loaded_store: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("replicate") / "seed.nq"
    result = run_cli("export", "--format", "nquads", "-o", str(out), store=loaded_store)
    assert result.returncode == 0, result.stderr
    return out


def _data_lines(path: Path) -> list[str]:
    derived = (f"<{GRAPH['inferred']}", f"<{GRAPH['findings']}")
    return [
        line for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.endswith(f"<{ONTOLOGY_GRAPH}> .") and not any(d in line for d in derived)
    ]


def test_copies_are_disjoint_and_each_is_the_seed(seed_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "copies.nq"
    written = replicate(seed_export, 3, out)
    seed = _data_lines(seed_export)
    onto = [line for line in seed_export.read_text(encoding="utf-8").splitlines() if line.endswith(f"<{ONTOLOGY_GRAPH}> .")]
    assert written == len(onto) + 3 * len(seed)

    store = ox.Store()
    store.bulk_load(path=str(out), format=ox.RdfFormat.N_QUADS)
    assert len(store) == written

    text = out.read_text(encoding="utf-8")
    for k in (1, 2, 3):
        copy = [line for line in text.splitlines() if f"-c{k}>" in line or f"-c{k} " in line]
        restored = sorted(re.sub(rf"-c{k}(?=[> ])", "", line) for line in copy)
        assert restored == sorted(seed)
    # no data IRI is shared between two copies: every id/ IRI of copy 1 carries its suffix
    iris = set(re.findall(rf"<{re.escape(str(ID))}[^>]*>", text))
    copied = {iri for iri in iris if iri.endswith("-c1>")}
    assert copied and not any(iri.replace("-c1>", "-c2>") in copied for iri in copied)


def test_ontology_terms_stay_shared(seed_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "copies.nq"
    replicate(seed_export, 2, out)
    text = out.read_text(encoding="utf-8")
    # concepts (defined in the ontology graph under id/) are never suffixed
    assert f"<{ID}indicator/" in text
    assert not re.search(rf"<{re.escape(str(ID))}indicator/[^>]*-c\d+>", text)
    assert text.count(f"<{ONTOLOGY_GRAPH}> .") == seed_export.read_text(encoding="utf-8").count(f"<{ONTOLOGY_GRAPH}> .")


def test_bad_input_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text('<http://a> <http://b> "c" <http://g> .\nnot a quad\n', encoding="utf-8")
    with pytest.raises(ReplicateError, match="line 2"):
        replicate(bad, 2, tmp_path / "out.nq")
