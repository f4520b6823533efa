"""Materialise what the ontology implies, inside the store, with the SPARQL Update rules of ``graph/rules``.

The rules (``graph/rules/*.rq``, data rather than code) read their axioms from the ontology graph,
so a new subclass, subproperty or inverse needs no change here:

- ``rdfs:subClassOf``: every instance gets the types of all its superclasses;
- ``rdfs:subPropertyOf``: a statement with a property also holds for its superproperties
  (``qh:memberOfRegion`` ⊂ ``qh:partOf``);
- ``owl:inverseOf`` / ``owl:SymmetricProperty``: each statement holds reversed for the inverse;
- ``owl:TransitiveProperty``: the transitive closure (region ⊃ province ⊃ district via ``qh:partOf``);
- successor chains: ``qh:currentSuccessor`` links a unit (``qh:successor``) or an agency
  (``qh:successorAgency``) to the end(s) of its chain, whoever holds its place today;
- plan conformity (Law on Planning 2017, art. 6): ``qh:mustConformTo`` from plan levels,
  coverage and overlapping periods.

Where the results go, and why that makes reasoning incremental:

- **local rules** (subclass types, subproperties, inverses) need one statement of one graph
  and the ontology. What they derive from graph ``…/graph/X`` goes into ``…/graph/inferred/X``
  (:func:`inferred_graph_for`). Loading or replacing one source re-derives only its own
  inferred graph; removing it drops that graph.
- **cross-source rules** (transitive closure, successor chains, plan conformity) join
  statements that may sit in different graphs (a district's ``qh:partOf`` in the reference
  graph, a plan's ``qh:covers`` in a document). Each writes its own graph
  ``…/graph/inferred/global/{transitive,successor,conformity}``, rebuilt from inputs gathered
  into a work graph (only the containment, succession or plan statements). The local rules
  also mark in ``inferred/X`` which cross-source rules graph X feeds (``rx:feeds``); a change
  to X re-runs only the rules its old or new version feeds (a document with no plan, no
  containment and no succession re-runs none).

A local inferred graph holds what its source implies and does not itself state; a statement may
also be stated by another source (the sources stay independent). A cross-source graph holds what
no graph states. Changing the ontology graph re-derives everything (:func:`materialise`).

Only the store's public methods are used (``query``, ``update``, ``named_graphs``,
``graph_size``, ``remove_graph``): no pyoxigraph extension, no Python loop over statements.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from quyhoach.namespaces import FINDINGS_GRAPH, GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH

#: Prefix of every inferred graph.
INFERRED_PREFIX = str(INFERRED_GRAPH) + "/"
STAGING_PREFIX = str(GRAPH["staging/"])
#: The graphs of the cross-source rules.
GLOBAL_GRAPHS = {kind: f"{INFERRED_PREFIX}global/{kind}" for kind in ("transitive", "successor", "conformity")}
#: Namespace of the reasoning's own work vocabulary (``rx:feeds``, ``rx:implies``…).
RX = "https://w3id.org/quyhoach/reasoning#"
#: How many source graphs one local-rule update request covers (bounds the size of one transaction).
BATCH = 20
#: Safety bound on the fixpoint loops (the seed ontology needs two or three rounds).
MAX_ROUNDS = 32


@cache
def rule(name: str) -> str:
    """The text of rule ``graph/rules/{name}.rq``."""
    return (resources.files("quyhoach.graph.rules") / f"{name}.rq").read_text(encoding="utf-8")


def inferred_graph_for(graph_iri: str) -> str:
    """The inferred graph of one graph: ``…/graph/X`` → ``…/graph/inferred/X``.

    A graph outside the project's graph namespace (imported RDF) gets ``…/graph/inferred/other/{sha256}``.
    """
    base = str(GRAPH)
    if graph_iri.startswith(base):
        return INFERRED_PREFIX + graph_iri[len(base):]
    return INFERRED_PREFIX + "other/" + hashlib.sha256(graph_iri.encode("utf-8")).hexdigest()


def is_derived(graph_iri: str) -> bool:
    """Whether a graph is derived (inferred, findings, staging) rather than input to reasoning."""
    return (
        graph_iri == str(INFERRED_GRAPH)  # the single inferred graph of earlier versions
        or graph_iri.startswith(INFERRED_PREFIX)
        or graph_iri == str(FINDINGS_GRAPH)
        or graph_iri.startswith(STAGING_PREFIX)
    )


def input_graphs(store) -> list[str]:
    """The graphs reasoning reads: every named graph but the inferred, findings and staging ones."""
    return [g for g in store.named_graphs() if not is_derived(g)]


def inferred_graphs(store) -> list[str]:
    """Every inferred graph of the store (global and per source)."""
    return [g for g in store.named_graphs() if g == str(INFERRED_GRAPH) or g.startswith(INFERRED_PREFIX)]


# -- running rules ---------------------------------------------------------------------------------
def _bind(text: str, graphs: dict[str, str]) -> str:
    """Put graph IRIs in place of the rule's graph variables (``?axioms``, ``?source``…)."""
    for name, iri in graphs.items():
        text = re.sub(rf"\?{name}\b", lambda _, iri=iri: f"<{iri}>", text)
    return text


def _staging(name: str) -> str:
    return f"{STAGING_PREFIX}reasoning-{name}-{os.getpid()}"


def _until_stable(store, update: str, graph: str) -> None:
    """Run ``update`` until ``graph`` stops growing."""
    size = store.graph_size(graph)
    for _ in range(MAX_ROUNDS):
        store.update(update)
        new = store.graph_size(graph)
        if new == size:
            return
        size = new


class _Axioms:
    """The work graph of composed axioms (property implications, subclass links), for one run."""

    def __init__(self, store) -> None:
        self.store = store
        self.graph = _staging("axioms")

    def __enter__(self) -> str:
        self.store.remove_graph(self.graph)
        names = {"ontology": str(ONTOLOGY_GRAPH), "axioms": self.graph}
        self.store.update(_bind(rule("axioms-seed"), names))
        _until_stable(self.store, _bind(rule("axioms-compose"), names), self.graph)
        return self.graph

    def __exit__(self, *exc) -> None:
        self.store.remove_graph(self.graph)


def _join(operations: list[str]) -> str:
    """One update request of several rule texts: their ``PREFIX`` lines first (once each), then
    the operations separated by ``;`` (Oxigraph takes no prologue after a ``;``)."""
    prefixes: dict[str, None] = {}
    bodies = []
    for text in operations:
        body = []
        for line in text.splitlines():
            if line.startswith("PREFIX "):
                prefixes[line] = None
            else:
                body.append(line)
        bodies.append("\n".join(body))
    return "\n".join(prefixes) + "\n" + " ;\n".join(bodies)


def _local(store, axioms: str, sources: list[str]) -> None:
    """The local rules (with their feeds markers) over each graph of ``sources``.

    Each rule runs on one graph at a time, that graph's IRI and its inferred graph's written into
    the rule: an index lookup per graph, and what one operation holds in memory is bounded by
    the size of one graph, not of the store. :data:`BATCH` graphs share one update request (one
    transaction) to spare the per-request cost.
    """
    names = ("local-properties", "local-types", "feeds")
    for start in range(0, len(sources), BATCH):
        store.update(_join([
            _bind(rule(name), {"axioms": axioms, "source": graph, "inferred": inferred_graph_for(graph)})
            for graph in sources[start:start + BATCH]
            for name in names
        ]))


def _transitive(store, axioms: str) -> None:
    """Rebuild the transitive closure graph (and what the closed statements imply), until stable."""
    glob, work = GLOBAL_GRAPHS["transitive"], _staging("work")
    names = {"axioms": axioms, "work": work, "global": glob}
    store.remove_graph(glob)
    chained = bool(store.query(_bind(rule("axioms-transitive-chained"), names)))
    try:
        size = -1
        for _ in range(MAX_ROUNDS):
            store.remove_graph(work)
            store.update(_bind(rule("global-transitive-gather"), names))
            _until_stable(store, _bind(rule("global-transitive-close"), names), work)
            store.update(_bind(rule("global-transitive-keep"), names))
            store.update(_bind(rule("global-transitive-imply"), names))
            new = store.graph_size(glob)
            if not chained or new == size:
                break
            size = new
    finally:
        store.remove_graph(work)


def _two_step(kind: str, gather: str, derive: str, close: str | None = None):
    """A cross-source rule that gathers its inputs into a work graph, then derives from them
    (after running ``close`` on the work graph until it stops growing, when given)."""

    def run(store, axioms: str) -> None:
        glob, work = GLOBAL_GRAPHS[kind], _staging("work")
        names = {"axioms": axioms, "work": work, "global": glob}
        store.remove_graph(glob)
        store.remove_graph(work)
        try:
            store.update(_bind(rule(gather), names))
            if close:
                _until_stable(store, _bind(rule(close), names), work)
            store.update(_bind(rule(derive), names))
        finally:
            store.remove_graph(work)

    run.__doc__ = f"Rebuild the {kind} graph ({gather}.rq, then {derive}.rq)."
    return run


#: The cross-source rules, in the order they run (conformity reads the closed qh:partOf).
GLOBAL_RULES = {
    "transitive": _transitive,
    "successor": _two_step("successor", "global-successor-gather", "global-current-successor",
                           close="global-successor-close"),
    "conformity": _two_step("conformity", "global-conformity-gather", "global-conformity"),
}


def _feeds(store, graphs: list[str]) -> set[str]:
    """The cross-source rules the graphs feed, from the markers in their inferred graphs."""
    found: set[str] = set()
    for start in range(0, len(graphs), BATCH):
        pairs = " ".join(f"(<{g}> <{inferred_graph_for(g)}>)" for g in graphs[start:start + BATCH])
        rows = store.query(
            f"SELECT DISTINCT ?rule WHERE {{ VALUES (?source ?inferred) {{ {pairs} }} "
            f"GRAPH ?inferred {{ ?source <{RX}feeds> ?rule }} }}"
        )
        found |= {row["rule"].value[len(RX):] for row in rows}
    return found


def _run_global(store, axioms: str, kinds: Iterable[str]) -> None:
    kinds = set(kinds)
    if "transitive" in kinds:
        kinds.add("conformity")
    for kind, run in GLOBAL_RULES.items():
        if kind in kinds:
            run(store, axioms)


def materialise(store) -> int:
    """Rebuild every inferred graph from the other graphs of ``store``; return the inferred statement count.

    ``store`` is a :class:`~quyhoach.graph.store.KnowledgeStore`. Idempotent: the inferred
    graphs are dropped and derived again, never added to.
    """
    for graph in inferred_graphs(store):
        store.remove_graph(graph)
    with _Axioms(store) as axioms:
        _local(store, axioms, input_graphs(store))
        _run_global(store, axioms, GLOBAL_RULES)
    return sum(store.graph_size(g) for g in inferred_graphs(store))


def refresh(store, changed: Iterable[str]) -> int:
    """Re-derive after the graphs ``changed`` were loaded, replaced or removed; return the statements re-derived.

    Each changed graph's own inferred graph is rebuilt (or dropped when the graph is gone), then
    the global graph; the other sources' inferred graphs are left as they are. A change to the
    ontology graph rebuilds everything.
    """
    changed = sorted({g for g in changed if not is_derived(g)})
    if str(ONTOLOGY_GRAPH) in changed:
        return materialise(store)
    present = set(store.named_graphs())
    kinds = _feeds(store, changed)  # what the old versions fed
    for graph in changed:
        store.remove_graph(inferred_graph_for(graph))
    with _Axioms(store) as axioms:
        _local(store, axioms, [g for g in changed if g in present])
        kinds |= _feeds(store, changed)  # and what the new ones feed
        _run_global(store, axioms, kinds)
    now = set(store.named_graphs())
    touched = [inferred_graph_for(g) for g in changed] + list(GLOBAL_GRAPHS.values())
    return sum(store.graph_size(g) for g in touched if g in now)
