"""Small stores built from the Turtle/TriG fixtures of ``tests/fixtures/checks`` (real ontology, real store)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from quyhoach.graph.reasoning import materialise
from quyhoach.graph.store import KnowledgeStore
from quyhoach.loading import ontology_graph
from quyhoach.namespaces import ONTOLOGY_GRAPH, reference_graph, source_graph

FIXTURES = Path(__file__).parent / "fixtures" / "checks"


def fixture_path(name: str) -> Path:
    """Path of a fixture by name (``overdue-deadlines.fire``), Turtle or TriG."""
    for suffix in (".ttl", ".trig"):
        path = FIXTURES / f"{name}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(name)


def load_fixture(store: KnowledgeStore, name: str) -> None:
    """Load one fixture: Turtle into its own source graph, TriG with its own graphs."""
    path = fixture_path(name)
    if path.suffix == ".trig":
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
        store.raw.extend(quads)
        return
    graph = ox.NamedNode(source_graph(f"fixture-{name}"))
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    store.raw.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)


def build_store(path: Path, *names: str, reason: bool = True) -> KnowledgeStore:
    """A store with the ontology, the reference sample (``base``) and the named fixtures."""
    store = KnowledgeStore(path)
    store.replace_graph(str(ONTOLOGY_GRAPH), ontology_graph())
    base = ox.parse(path=str(FIXTURES / "base.ttl"), format=ox.RdfFormat.TURTLE)
    store.replace_graph(reference_graph("sample"), list(base))
    for name in names:
        load_fixture(store, name)
    if reason:
        materialise(store)
    return store
