"""Incremental reasoning equals a full rebuild: documents loaded one by one, one replaced, one removed.

On the seed corpus (the session's loaded seed store) and on a small synthetic corpus
(``benchmarks/generate.py``): after each step the inferred graphs of ``refresh`` are compared,
statement for statement, with those of ``materialise`` on the same data.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from quyhoach.graph.reasoning import inferred_graphs, input_graphs, materialise, refresh
from quyhoach.graph.store import KnowledgeStore
from quyhoach.namespaces import GRAPH

REPO = Path(__file__).resolve().parent.parent
SOURCES = str(GRAPH["source/"])
QH = "https://w3id.org/quyhoach/ontology#"


def _inferred(store: KnowledgeStore) -> set[str]:
    return {str(q) for g in inferred_graphs(store) for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(g))}


def _assert_rebuild_agrees(store: KnowledgeStore) -> set[str]:
    incremental = _inferred(store)
    materialise(store)
    rebuilt = _inferred(store)
    assert incremental == rebuilt, (sorted(rebuilt - incremental)[:5], sorted(incremental - rebuilt)[:5])
    return rebuilt


def _replay(data: KnowledgeStore, path: Path) -> None:
    """Load ``data``'s input graphs into a new store: everything but the documents first (reasoned
    whole), then each document with a refresh, then one replaced and one removed."""
    graphs = input_graphs(data)
    documents = [g for g in graphs if g.startswith(SOURCES)]
    assert len(documents) >= 3, documents

    def quads(graph: str) -> list[ox.Quad]:
        return list(data.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    with KnowledgeStore(path) as store:
        store.raw.extend(q for g in graphs if g not in documents for q in quads(g))
        materialise(store)
        for graph in documents:
            store.raw.extend(quads(graph))
            refresh(store, [graph])
        everything = _assert_rebuild_agrees(store)
        assert any(f"{QH}mustConformTo" in q for q in everything), "no conformity: the comparison proves little"
        # replace the document that feeds the most cross-source keys by half of itself
        fed = max(documents, key=lambda g: sum(1 for q in quads(g) if q.predicate.value.startswith(QH)
                                                and q.predicate.value[len(QH):] in ("covers", "partOf", "successor")))
        kept = quads(fed)[::2]
        store.remove_graph(fed)
        store.raw.extend(kept)
        refresh(store, [fed])
        _assert_rebuild_agrees(store)
        # remove another document, then put it back
        other = next(g for g in documents if g != fed)
        store.remove_graph(other)
        refresh(store, [other])
        _assert_rebuild_agrees(store)
        store.raw.extend(quads(other))
        refresh(store, [other])
        assert _assert_rebuild_agrees(store) - _inferred(store) == set()


def test_seed_corpus_one_by_one_equals_a_full_rebuild(loaded_store, tmp_path):
    with KnowledgeStore(loaded_store, read_only=True) as data:
        _replay(data, tmp_path / "replay")


@pytest.mark.slow
def test_synthetic_corpus_one_by_one_equals_a_full_rebuild(tmp_path):
    data = tmp_path / "national.nq"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--quads", "20k", "--seed", "5",
                    "-o", str(data)], check=True, capture_output=True)
    with KnowledgeStore(tmp_path / "data") as store:
        store.raw.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        _replay(store, tmp_path / "replay")
