"""Export the store (or one named graph) as N-Quads, TriG, Turtle or JSON-LD."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from quyhoach.errors import UserError
from quyhoach.graph.store import KnowledgeStore, is_remote
from quyhoach.namespaces import PREFIXES

FORMATS: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def export(store: KnowledgeStore, fmt: str, output: BinaryIO | Path | str, graph: str | None = None) -> int:
    """Write the store to ``output`` in ``fmt``; return the number of quads or triples written.

    Dataset formats (``nquads``, ``trig``, ``jsonld``) keep the named graphs; ``turtle`` has no
    named graphs, so without ``graph`` it writes the union of all graphs.
    """
    if fmt not in FORMATS:
        raise UserError(f"unknown export format '{fmt}': choose one of {', '.join(FORMATS)}")
    rdf_format = FORMATS[fmt]
    if graph is not None and not store.has_graph(graph):
        raise UserError(f"no named graph <{graph}> in the store (see 'quyhoach stats')")
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE) else None
    remote = is_remote(store.path)
    if graph is not None:
        if remote:
            quads = list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
            items = quads if rdf_format.supports_datasets else [q.triple for q in quads]
            ox.serialize(items, output, rdf_format, prefixes=prefixes)
            return len(items)
        # one graph: written by the engine (no Python loop over the statements)
        store.raw.dump(output, rdf_format, from_graph=ox.NamedNode(graph), prefixes=prefixes)
        return store.graph_size(graph)
    if rdf_format.supports_datasets and not remote:
        # the whole dataset, by the engine (staging graphs are dropped whenever a store is opened for writing)
        store.raw.dump(output, rdf_format, prefixes=prefixes)
        return len(store.raw)
    if rdf_format.supports_datasets:
        items = list(store.quads_for_pattern(None, None, None, None))
    else:
        items = sorted({q.triple for q in store.quads_for_pattern(None, None, None, None)}, key=str)
    ox.serialize(items, output, rdf_format, prefixes=prefixes)
    return len(items)

