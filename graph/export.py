"""Export the store (or one named graph) as N-Quads, TriG, Turtle or JSON-LD."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from quyhoach.errors import UserError
from quyhoach.graph.store import KnowledgeStore
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
    raw = store.raw
    if graph is not None:
        # one graph: written by the engine (no Python loop over the statements)
        raw.dump(output, rdf_format, from_graph=ox.NamedNode(graph), prefixes=prefixes)
        return store.graph_size(graph)
    if rdf_format.supports_datasets:
        # the whole dataset, by the engine (staging graphs are dropped whenever a store is opened for writing)
        raw.dump(output, rdf_format, prefixes=prefixes)
        return len(raw)
    items = sorted({q.triple for q in raw.quads_for_pattern(None, None, None, None) if not _staging(q)}, key=str)
    ox.serialize(items, output, rdf_format, prefixes=prefixes)
    return len(items)


def _staging(quad: ox.Quad) -> bool:
    from quyhoach.graph.store import STAGING_PREFIX

    return isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(STAGING_PREFIX)
