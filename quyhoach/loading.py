"""Loading: put the ontology, the reference graph and documents into the store.

Each source goes into its own named graph, replaced atomically; a document that fails to read
or extract leaves nothing behind, and the other documents still load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rdflib import Graph

from quyhoach.graph.store import KnowledgeStore
from quyhoach.namespaces import ONTOLOGY_GRAPH, source_graph

ONTOLOGY_FILES = ("quyhoach.ttl", "concepts.ttl", "findings.ttl")


@dataclass
class LoadFailure:
    """One source that could not be loaded, with a one-line reason."""

    path: str
    reason: str


@dataclass
class LoadReport:
    """What a load did: graphs written (IRI -> triples) and sources that failed."""

    graphs: dict[str, int] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)  # path -> graph IRI
    failures: list[LoadFailure] = field(default_factory=list)
    imported: dict[str, int] = field(default_factory=dict)  # RDF file -> statements read
    imported_graphs: dict[str, int] = field(default_factory=dict)  # graph IRI -> statements, of RDF files


def ontology_graph() -> Graph:
    """The ontology and its SKOS concept schemes as one rdflib graph."""
    graph = Graph()
    folder = resources.files("quyhoach.ontology")
    for name in ONTOLOGY_FILES:
        resource = folder / name
        if resource.is_file():
            graph.parse(data=resource.read_text(encoding="utf-8"), format="turtle")
    return graph


def load_ontology(store: KnowledgeStore, report: LoadReport) -> None:
    """Load the ontology into ``…/graph/ontology``."""
    report.graphs[str(ONTOLOGY_GRAPH)] = store.replace_graph(str(ONTOLOGY_GRAPH), ontology_graph())


def load_reference(store: KnowledgeStore, report: LoadReport) -> None:
    """Build the reference graphs (units, regions, agencies) and load each into its named graph."""
    from quyhoach.loaders.reference import build_reference_graphs

    for graph_iri, graph in build_reference_graphs().items():
        report.graphs[graph_iri] = store.replace_graph(graph_iri, graph)


def bundled_corpus() -> Path:
    """Folder of the seed corpus shipped with the package."""
    return Path(str(resources.files("quyhoach.corpus")))


def load_documents(
    store: KnowledgeStore,
    paths: Iterable[Path],
    report: LoadReport,
    strict: bool = False,
    on_progress: Callable[[str], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> None:
    """Read, extract and load every document found under ``paths``.

    A failing document is recorded in ``report.failures`` and loads nothing; with ``strict``
    the first failure stops the load (documents already loaded stay loaded).
    """
    from quyhoach.loaders.documents.discover import discover
    from quyhoach.loaders.documents.errors import DocumentError
    from quyhoach.loaders.documents.pipeline import extract_triples, read_source
    from quyhoach.loaders.reference.resolver import get_resolver

    sources = discover(list(paths))
    if on_planned:
        on_planned(len(sources))
    resolver = get_resolver()
    written: list[str] = []
    for path, metadata in sources:
        try:
            document = read_source(path, metadata)
            triples = extract_triples(document, resolver)
        except DocumentError as exc:
            report.failures.append(LoadFailure(str(path), str(exc)))
            if strict:
                break
        except Exception as exc:  # an extractor bug must not half-load a document
            report.failures.append(LoadFailure(str(path), f"{path}: extraction failed: {exc!r}"))
            if strict:
                break
        else:
            graph_iri = source_graph(document.sha256)
            report.graphs[graph_iri] = store.replace_graph(graph_iri, triples)
            report.documents[str(path)] = graph_iri
            written.append(graph_iri)
        if on_progress:
            on_progress(str(path))
    from quyhoach.graph import shacl_kept

    shacl_kept.refresh(store, written)  # a store that keeps SHACL results keeps those of the new graphs
