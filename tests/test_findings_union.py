"""A saved ``quyhoach check`` run leaves the data's answers, and the engine's union default graph, as they were."""

from __future__ import annotations

import pyoxigraph as ox

from quyhoach.graph import named_queries as nq
from quyhoach.graph.store import KnowledgeStore
from quyhoach.namespaces import FINDINGS_GRAPH, ID
from tests.graph_fixtures import build_store
from tests.test_queries import run_cli

#: Data questions whose answers a findings graph must not change: labels, titles, evidence quotes
#: (the run's own nodes, ``id/check/…`` and ``id/check-run/…``, have labels of their own).
COUNTS = {
    "labels": "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o "
              f"FILTER(!STRSTARTS(STR(?s), '{ID}check')) }}",
    "titles": "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://purl.org/dc/terms/title> ?o }",
    "selectors": "SELECT (COUNT(*) AS ?n) WHERE { ?e <http://www.w3.org/ns/oa#hasSelector> ?s }",
    "quotes": "SELECT (COUNT(*) AS ?n) WHERE { ?e <http://www.w3.org/ns/oa#hasSource> ?src ; "
              "<http://www.w3.org/ns/oa#hasSelector>/<http://www.w3.org/ns/oa#exact> ?q }",
    "evidence": "SELECT (COUNT(*) AS ?n) WHERE { ?e a <https://w3id.org/quyhoach/ontology#Evidence> }",
}
#: Checks whose fixtures fire, with entities that have labels and evidence quotes.
FIXTURES = ("conflicting-dates.fire", "obsolete-agency-duties.fire", "target-conflicts.fire", "funding-parts-total.fire")


def _union_counts(store: KnowledgeStore) -> dict[str, int]:
    """The answers over the engine's union of every named graph (findings graph included)."""
    return {name: int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value)
            for name, q in COUNTS.items()}


def test_saved_findings_are_union_safe(tmp_path):
    path = tmp_path / "store"
    build_store(path, *FIXTURES).close()
    with KnowledgeStore(path) as store:
        before = _union_counts(store)
        before_rows = nq.run(store, nq.find("obsolete-agency-duties"), {"today": "2026-01-01"}).rows
    assert before["quotes"] > 0 and before["labels"] > 0
    result = run_cli(path, "check", "--format", "json", "--fail-on", "never", "--no-shacl", "--param", "today=2026-01-01")
    assert result.returncode == 0, result.stderr
    with KnowledgeStore(path) as store:
        assert store.graph_size(str(FINDINGS_GRAPH)) > 0
        # the findings graph re-describes no entity, evidence node or source of the data ...
        assert _union_counts(store) == before
        run_nodes = tuple(str(ID) + kind for kind in ("finding/", "check/", "check-run/"))
        subjects = {q.subject.value for q in store.quads_for_pattern(graph=ox.NamedNode(str(FINDINGS_GRAPH)))}
        assert subjects and all(s.startswith(run_nodes) for s in subjects), sorted(subjects)[:5]
        # ... it links to them: every finding concerns an entity, the quotes are the data's evidence nodes
        linked = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{FINDINGS_GRAPH}> {{ ?f "
                             "<https://w3id.org/quyhoach/ontology#hasEvidence> ?e } ?e a "
                             "<https://w3id.org/quyhoach/ontology#Evidence> }", use_default_graph_as_union=True)
        assert int(next(iter(linked))["n"].value) > 0
        # so the library keeps the engine's own union default graph, and its answers
        assert nq.dataset(store) == {"use_default_graph_as_union": True}
        after_rows = nq.run(store, nq.find("obsolete-agency-duties"), {"today": "2026-01-01"}).rows
        assert after_rows == before_rows and before_rows


def test_a_findings_graph_written_before_it_was_union_safe_is_left_out(tmp_path):
    path = tmp_path / "store"
    build_store(path, "conflicting-dates.fire").close()
    with KnowledgeStore(path) as store:
        data = nq.data_graphs(store)
        evidence = ox.NamedNode(str(ID) + "evidence/legacy")
        store.replace_graph(str(FINDINGS_GRAPH), [
            ox.Triple(evidence, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("https://w3id.org/quyhoach/ontology#Evidence")),
        ])
        options = nq.dataset(store)
        assert "use_default_graph_as_union" not in options
        assert {g.value for g in options["default_graph"]} == {g.value for g in data}

