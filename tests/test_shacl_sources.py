"""SHACL per source graph: the same results as validating all sources at once, cached until a graph changes."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from quyhoach.graph.shacl import validate
from quyhoach.graph.shacl_sources import validate_sources
from quyhoach.namespaces import source_graph
from tests.graph_fixtures import build_store, load_fixture


def _all_at_once(store) -> set:
    data = Graph()
    for g in store.named_graphs():
        if "/graph/source/" in g:
            data.parse(data=store.raw.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)), format="nt")
    return set(validate(data).results)


def test_per_source_results_equal_whole_validation_and_are_cached(tmp_path):
    store = build_store(tmp_path / "s", "shacl.fire", "tasks-without-lead.fire")
    try:
        results, validated = validate_sources(store)
        assert validated == 2 and results, "the shacl fixture breaks a shape"
        assert set(results) == _all_at_once(store)
        again, validated = validate_sources(store)
        assert validated == 0 and again == results
        # a changed source is validated again, the other one comes from the cache
        load_fixture(store, "shacl.quiet")
        store.remove_graph(source_graph("fixture-shacl.fire"))
        now, validated = validate_sources(store)
        assert validated == 1
        assert set(now) == _all_at_once(store) and now != results
    finally:
        store.close()
