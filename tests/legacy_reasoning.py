"""Materialise what the ontology implies into ``GRAPH/inferred`` so plain SPARQL sees it.

Rules (read from the ontology graph, so a new subclass or inverse needs no code change):

- ``rdfs:subClassOf``: every instance gets the types of all its superclasses;
- ``rdfs:subPropertyOf``: a statement with a property also holds for its superproperties
  (``qh:memberOfRegion`` ⊂ ``qh:partOf``);
- ``owl:inverseOf``: each statement of a property holds reversed for its inverse;
- ``owl:TransitiveProperty``: the transitive closure (region ⊃ province ⊃ district through
  ``qh:partOf``);
- successor chains: ``qh:currentSuccessor`` links a unit (``qh:successor``) or an agency
  (``qh:successorAgency``) to the unit(s)/agency(ies) at the end of its chain, i.e. whoever
  holds its place today;
- plan conformity (Law on Planning 2017, art. 6): a provincial plan must conform to the regional
  plan of a region containing its province; regional, provincial and sectoral plans to the
  national master plan covering (or containing) what they cover (``qh:mustConformTo``), for
  overlapping periods.

Only statements not already asserted are written. The graph is rebuilt from scratch each time
(from every graph except itself and the findings), so rebuilding is idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from quyhoach.namespaces import FINDINGS_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, QH

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUCCESSOR_PROPERTIES = (str(QH.successor), str(QH.successorAgency))
CURRENT_SUCCESSOR = ox.NamedNode(str(QH.currentSuccessor))
MUST_CONFORM_TO = ox.NamedNode(str(QH.mustConformTo))

Edge = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode | ox.BlankNode | ox.Literal]

_AXIOMS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?kind ?a ?b WHERE {
  { ?a rdfs:subClassOf ?b BIND("sub-class" AS ?kind) }
  UNION { ?a rdfs:subPropertyOf ?b BIND("sub-property" AS ?kind) }
  UNION { ?a owl:inverseOf ?b BIND("inverse" AS ?kind) }
  UNION { ?a a owl:TransitiveProperty BIND("transitive" AS ?kind) }
  UNION { ?a a owl:SymmetricProperty BIND("symmetric" AS ?kind) }
  FILTER(isIRI(?a) && (!BOUND(?b) || isIRI(?b)))
}
"""

_PLANS = """
PREFIX qh: <https://w3id.org/quyhoach/ontology#>
SELECT ?plan ?level ?unit ?start ?end WHERE {
  VALUES (?cls ?level) { (qh:NationalMasterPlan "national") (qh:RegionalPlan "regional")
                         (qh:ProvincialPlan "provincial") (qh:SectoralPlan "sectoral") }
  ?plan a ?cls .
  OPTIONAL { ?plan qh:covers ?unit }
  OPTIONAL { ?plan qh:periodStart ?start }
  OPTIONAL { ?plan qh:periodEnd ?end }
}
"""


class Axioms:
    """The schema axioms that drive materialisation."""

    def __init__(self) -> None:
        self.superclasses: dict[str, set[str]] = defaultdict(set)
        self.superproperties: dict[str, set[str]] = defaultdict(set)
        self.inverses: dict[str, set[str]] = defaultdict(set)
        self.transitive: set[str] = set()

    @classmethod
    def from_store(cls, raw: ox.Store, graphs: list[ox.NamedNode]) -> Axioms:
        """Read the axioms from ``graphs`` (normally the ontology graph)."""
        axioms = cls()
        direct_classes: dict[str, set[str]] = defaultdict(set)
        direct_properties: dict[str, set[str]] = defaultdict(set)
        if not graphs:
            return axioms
        for row in raw.query(_AXIOMS, default_graph=graphs):
            kind, a = row["kind"].value, row["a"].value
            b = row["b"].value if row["b"] is not None else ""
            if kind == "sub-class" and a != b:
                direct_classes[a].add(b)
            elif kind == "sub-property" and a != b:
                direct_properties[a].add(b)
            elif kind == "inverse":
                axioms.inverses[a].add(b)
                axioms.inverses[b].add(a)
            elif kind == "transitive":
                axioms.transitive.add(a)
            elif kind == "symmetric":
                axioms.inverses[a].add(a)
        axioms.superclasses = _ancestors(direct_classes)
        axioms.superproperties = _ancestors(direct_properties)
        return axioms

    def properties(self) -> set[str]:
        """Every property some rule applies to."""
        props = set(self.superproperties) | set(self.inverses) | self.transitive
        return props | set(SUCCESSOR_PROPERTIES)


def _ancestors(direct: dict[str, set[str]]) -> dict[str, set[str]]:
    """All (transitive) ancestors of each node of a parent map (cycles tolerated)."""
    result: dict[str, set[str]] = {}
    for start in direct:
        seen: set[str] = set()
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            stack.extend(direct.get(node, ()))
        result[start] = seen
    return result


def input_graphs(raw: ox.Store) -> list[ox.NamedNode]:
    """The graphs reasoning reads: every named graph but the inferred, findings and staging ones."""
    skip = {str(INFERRED_GRAPH), str(FINDINGS_GRAPH)}
    return [
        g
        for g in raw.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value not in skip and "/graph/staging/" not in g.value
    ]


def infer(raw: ox.Store, graphs: list[ox.NamedNode] | None = None) -> list[ox.Triple]:
    """Compute the inferred statements (not already asserted) from ``graphs`` of ``raw``."""
    graphs = input_graphs(raw) if graphs is None else graphs
    if not graphs:
        return []
    ontology = [g for g in graphs if g.value == str(ONTOLOGY_GRAPH)] or graphs
    axioms = Axioms.from_store(raw, ontology)
    asserted = _edges(raw, graphs, axioms.properties())
    closed = _close_properties(asserted, axioms)
    out: list[ox.Triple] = []
    for prop, edges in closed.items():
        node = ox.NamedNode(prop)
        for s, o in edges - asserted.get(prop, set()):
            out.append(ox.Triple(s, node, o))
    out.extend(_types(raw, graphs, axioms, closed))
    out.extend(_current_successors(closed))
    out.extend(_conformity(raw, graphs, closed, asserted))
    return out


def _edges(raw: ox.Store, graphs: list[ox.NamedNode], props: Iterable[str]) -> dict[str, set[Edge]]:
    edges: dict[str, set[Edge]] = defaultdict(set)
    props = sorted(props)
    if not props:
        return edges
    values = " ".join(f"<{p}>" for p in props)
    for row in raw.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}", default_graph=graphs):
        edges[row["p"].value].add((row["s"], row["o"]))
    return edges


def _close_properties(asserted: dict[str, set[Edge]], axioms: Axioms) -> dict[str, set[Edge]]:
    """Apply subproperty, inverse and transitivity rules until nothing changes."""
    closed: dict[str, set[Edge]] = defaultdict(set, {p: set(e) for p, e in asserted.items()})
    changed = True
    while changed:
        changed = False
        for prop in list(closed):
            edges = closed[prop]
            for sup in axioms.superproperties.get(prop, ()):
                before = len(closed[sup])
                closed[sup] |= edges
                changed |= len(closed[sup]) != before
            for inv in axioms.inverses.get(prop, ()):
                reversed_edges = {(o, s) for s, o in edges if not isinstance(o, ox.Literal)}
                before = len(closed[inv])
                closed[inv] |= reversed_edges
                changed |= len(closed[inv]) != before
            if prop in axioms.transitive:
                before = len(edges)
                closed[prop] = _transitive_closure(edges)
                changed |= len(closed[prop]) != before
    return closed


def _transitive_closure(edges: set[Edge]) -> set[Edge]:
    successors: dict = defaultdict(set)
    for s, o in edges:
        successors[s].add(o)
    result: set[Edge] = set()
    for start in list(successors):
        seen: set = set()
        stack = list(successors[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(successors.get(node, ()))
        result.update((start, node) for node in seen)
    return result


def _types(raw: ox.Store, graphs: list[ox.NamedNode], axioms: Axioms, closed) -> list[ox.Triple]:
    """Superclass types of every typed resource (asserted types are not repeated)."""
    if not axioms.superclasses:
        return []
    types: dict = defaultdict(set)
    wanted = {g.value for g in graphs}
    for quad in raw.quads_for_pattern(None, RDF_TYPE, None, None):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value in wanted and isinstance(quad.object, ox.NamedNode):
            types[quad.subject].add(quad.object.value)
    # rdf:type statements produced by the property rules count as asserted too
    for s, o in closed.get(RDF_TYPE.value, ()):
        if isinstance(o, ox.NamedNode):
            types[s].add(o.value)
    out = []
    for subject, classes in types.items():
        implied = set().union(*(axioms.superclasses.get(c, set()) for c in classes)) - classes
        out.extend(ox.Triple(subject, RDF_TYPE, ox.NamedNode(c)) for c in sorted(implied))
    return out


def _current_successors(closed: dict[str, set[Edge]]) -> list[ox.Triple]:
    """``qh:currentSuccessor``: the end(s) of each successor chain (units and agencies)."""
    out = []
    for prop in SUCCESSOR_PROPERTIES:
        nxt: dict = defaultdict(set)
        for s, o in closed.get(prop, ()):
            if s != o and not isinstance(o, ox.Literal):
                nxt[s].add(o)
        for start in list(nxt):
            ends, seen, stack = set(), {start}, list(nxt[start])
            while stack:
                node = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                if nxt.get(node):
                    stack.extend(nxt[node])
                else:
                    ends.add(node)
            out.extend(ox.Triple(start, CURRENT_SUCCESSOR, end) for end in ends)
    return out


def _conformity(raw, graphs, closed, asserted) -> list[ox.Triple]:
    """``qh:mustConformTo`` from plan levels, coverage and periods (asserted ones are kept as is)."""
    plans: dict = {}
    for row in raw.query(_PLANS, default_graph=graphs):
        plan = plans.setdefault(row["plan"], {"levels": set(), "units": set(), "start": None, "end": None})
        plan["levels"].add(row["level"].value)
        if row["unit"] is not None:
            plan["units"].add(row["unit"])
        for key in ("start", "end"):
            if row[key] is not None:
                plan[key] = _year(row[key].value)
    part_of: dict = defaultdict(set)
    for s, o in closed.get(str(QH.partOf), ()):
        part_of[s].add(o)
    existing = asserted.get(MUST_CONFORM_TO.value, set())
    out = []
    for lower, info in plans.items():
        for upper, up in plans.items():
            if lower == upper or not _periods_overlap(info, up) or (lower, upper) in existing:
                continue
            if _must_conform(info, up, part_of):
                out.append(ox.Triple(lower, MUST_CONFORM_TO, upper))
    return out


def _must_conform(lower: dict, upper: dict, part_of: dict) -> bool:
    containers = set().union(*(part_of.get(u, set()) for u in lower["units"])) if lower["units"] else set()
    if "national" in upper["levels"]:
        return (bool(lower["levels"] & {"regional", "provincial", "sectoral"}) and "national" not in lower["levels"]
                and bool((containers | lower["units"]) & upper["units"]))
    if "regional" in upper["levels"] and "provincial" in lower["levels"]:
        return bool(containers & upper["units"])
    return False


def _periods_overlap(a: dict, b: dict) -> bool:
    if None in (a["start"], a["end"], b["start"], b["end"]):
        return True
    return a["start"] <= b["end"] and b["start"] <= a["end"]


def _year(value: str) -> int | None:
    digits = value[:4]
    return int(digits) if digits.isdigit() else None


def materialise(store) -> int:
    """Rebuild ``GRAPH/inferred`` from the other graphs of ``store``; return its triple count.

    ``store`` is a :class:`~quyhoach.graph.store.KnowledgeStore` (the lead calls this at the
    end of ``quyhoach load``). Idempotent: the graph is replaced, never added to.
    """
    triples = infer(store.raw)
    return store.replace_graph(str(INFERRED_GRAPH), triples)
