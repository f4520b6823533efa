"""Statistics of the store: triples per named graph and instances per class."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from quyhoach.graph.store import KnowledgeStore


@dataclass
class StoreStats:
    """Counts describing what the store holds."""

    path: str
    total_triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # source graph IRI -> file name

    def as_dict(self) -> dict:
        """A JSON-serialisable form."""
        return asdict(self)


GRAPH_COUNTS = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""

CLASS_COUNTS = """
SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } }
GROUP BY ?c ORDER BY DESC(?n) ?c
"""


SOURCE_FILES = """
PREFIX qh: <https://w3id.org/quyhoach/ontology#>
SELECT ?g ?file WHERE { GRAPH ?g { ?doc a qh:SourceDocument ; qh:fileName ?file } }
"""


def collect(store: KnowledgeStore) -> StoreStats:
    """Count triples per named graph and distinct instances per class."""
    stats = StoreStats(path=str(store.path))
    for row in store.query(GRAPH_COUNTS):
        stats.graphs[row["g"].value] = int(row["n"].value)
    stats.total_triples = sum(stats.graphs.values())
    for row in store.query(SOURCE_FILES):
        stats.sources[row["g"].value] = row["file"].value
    for row in store.query(CLASS_COUNTS):
        stats.classes[row["c"].value] = int(row["n"].value)
    return stats
