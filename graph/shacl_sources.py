"""SHACL per source graph, incrementally: only new or changed source graphs are validated again.

pySHACL over every source graph at once holds the whole extraction in an rdflib graph (about
1.5 M triples and several minutes at 10 M quads). The shapes check what one extraction looks like
(``ontology/shapes.ttl``: links to other resources are checked by node kind, not by class), so
each source graph is validated on its own, with the ontology mixed in, and its results are kept
in a cache file in the store folder, keyed by the graph's IRI and triple count. A source graph's
IRI names the document it comes from (``…/graph/source/{sha256}``), so a graph is validated
again only when it is new or its content changed size. A store without a folder (a remote
store) validates every graph on each run.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from quyhoach.graph.shacl import ShaclResult, validate
from quyhoach.graph.shacl_kept import files_digest, read_versioned, store_file
from quyhoach.namespaces import GRAPH

#: The cache file inside the store folder.
CACHE_FILE = "shacl-cache.json"
#: Bump when the validation itself changes (a change to the shapes or ontology files is seen by itself).
CACHE_VERSION = 1

_SIZES = f"""
SELECT ?g (COUNT(*) AS ?n) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?g), "{GRAPH['source/']}"))
}} GROUP BY ?g
"""


def source_sizes(store) -> dict[str, int]:
    """Triple count of every source graph (one query)."""
    return {row["g"].value: int(row["n"].value) for row in store.query(_SIZES)}


def _graph_data(store, graph: str):
    from rdflib import Graph

    data = Graph()
    data.parse(data=store.dump_graph(graph), format="nt")
    return data


def _version() -> str:
    """What the cached results depend on: the validation, the shapes, the ontology and concepts."""
    return files_digest(str(CACHE_VERSION))


def _cache_path(store) -> Path | None:
    return store_file(store, CACHE_FILE)


def _read_cache(path: Path | None) -> dict:
    return read_versioned(path, _version(), "graphs")


def validate_sources(store) -> tuple[list[ShaclResult], int]:
    """SHACL results of every source graph; return them and how many graphs were validated anew."""
    path = _cache_path(store)
    cache = _read_cache(path)
    sizes = source_sizes(store)
    fresh: dict[str, dict] = {}
    validated = 0
    for graph, size in sorted(sizes.items()):
        entry = cache.get(graph)
        if entry is None or entry.get("size") != size:
            report = validate(_graph_data(store, graph))
            entry = {"size": size, "results": [asdict(r) for r in report.results]}
            validated += 1
        fresh[graph] = entry
    if path is not None and (validated or set(cache) != set(fresh)):
        try:
            path.write_text(json.dumps({"version": _version(), "graphs": fresh}, ensure_ascii=False),
                            encoding="utf-8")
        except OSError:
            pass  # a read-only store folder: validate again next time
    results = {ShaclResult(**r) for entry in fresh.values() for r in entry["results"]}
    ordered = sorted(results, key=lambda r: (r.severity != "Violation", r.focus_node, r.shape, r.path or ""))
    return ordered, validated
