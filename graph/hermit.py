"""OWL 2 DL consistency check with HermiT (through owlready2, which runs it in Java).

owlready2 does not read Turtle, so the inputs are merged with rdflib and handed over as
N-Triples. Before that, what is not OWL is set aside: ``rdf:Statement`` nodes (the emitter's
statement-level provenance uses reserved RDF vocabulary) and ontology headers. Dates and
years (``xsd:date``, ``xsd:gYear``) and WKT literals are outside the OWL 2 datatype map, so
HermiT runs with unsupported datatypes ignored; SHACL checks those values instead.

HermiT only says "inconsistent". To say *why* in plain words, :func:`explain_clashes` looks
for the usual cause: one resource that falls in two disjoint classes, by its asserted types
or through the domain and range of the properties it uses.
"""

from __future__ import annotations

import io
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ConjunctiveGraph, Dataset
from rdflib.term import Node

from quyhoach.graph.resources import concepts_path, ontology_path, shapes_path
from quyhoach.namespaces import PREFIXES, QH

__all__ = [
    "ConsistencyReport",
    "ReasonerUnavailable",
    "check_consistency",
    "concepts_path",
    "explain_clashes",
    "java_available",
    "ontology_path",
    "prepare_for_owl",
    "shapes_path",
]

#: Triples with these predicates are not handed to the reasoner.
_REIFICATION = {RDF.subject, RDF.predicate, RDF.object}
#: Large literals irrelevant to consistency (the full text of a source).
_SKIPPED_PREDICATES = {QH.text}
_MAX_CLASHES = 20


class ReasonerUnavailable(RuntimeError):
    """Java is missing or HermiT failed for a reason other than inconsistency."""


@dataclass
class ConsistencyReport:
    """Result of a HermiT run.

    ``consistent`` is False when ontology + data have no model. ``unsatisfiable`` lists the
    classes that can have no member (the ontology can still be consistent). ``clashes`` are
    plain-word explanations found by :func:`explain_clashes` when inconsistent.
    """

    consistent: bool
    unsatisfiable: list[str]
    message: str
    clashes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when consistent and every class is satisfiable."""
        return self.consistent and not self.unsatisfiable


def java_available() -> bool:
    """Whether a ``java`` executable is on PATH (HermiT needs it)."""
    return shutil.which("java") is not None


def _short(node: Node) -> str:
    """``qh:Agency`` for a known namespace, else the full IRI."""
    text = str(node)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return text if not isinstance(node, BNode) else f"_:{text}"


def _load(paths: Iterable[Path | str], extra_graph: Graph | None) -> Graph:
    merged = Graph()
    for path in paths:
        path = Path(path)
        fmt = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".owl": "xml", ".jsonld": "json-ld"}.get(
            path.suffix.lower(), "turtle"
        )
        merged.parse(path, format=fmt)
    if extra_graph is not None:
        if isinstance(extra_graph, (Dataset, ConjunctiveGraph)):
            triples = ((s, p, o) for s, p, o, _ in extra_graph.quads((None, None, None, None)))
        else:
            triples = iter(extra_graph)
        for triple in triples:
            merged.add(triple)
    return merged


def prepare_for_owl(graph: Graph) -> Graph:
    """A copy of ``graph`` without what an OWL 2 DL reasoner must not see.

    Drops ``rdf:Statement`` nodes with all their triples (statement-level provenance),
    ontology headers and ``owl:imports`` (several files each declare a header; nothing is
    fetched), and source texts; carriage returns in literals become newlines (owlready2
    writes N-Triples without escaping them).
    """
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    statements |= set(graph.subjects(RDF.subject, None))
    headers = set(graph.subjects(RDF.type, OWL.Ontology))
    dropped = statements | headers
    out = Graph()
    for s, p, o in graph:
        if s in dropped or p in _REIFICATION or p == OWL.imports or p in _SKIPPED_PREDICATES:
            continue
        if isinstance(o, Literal) and "\r" in str(o):
            o = Literal(
                str(o).replace("\r\n", "\n").replace("\r", "\n"), lang=o.language, datatype=o.datatype
            )
        out.add((s, p, o))
    return out


# -- plain-word diagnosis --------------------------------------------------------------------


def _closure(direct: dict[Node, set[Node]], start: Node) -> set[Node]:
    """``start`` and everything reachable from it through ``direct``."""
    seen = {start}
    stack = [start]
    while stack:
        for nxt in direct.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _superclasses(graph: Graph) -> dict[Node, set[Node]]:
    """Reflexive-transitive closure of named ``rdfs:subClassOf``, for classes that have one."""
    direct: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            direct[sub].add(sup)
    return {cls: _closure(direct, cls) for cls in list(direct)}


def _disjoint_pairs(graph: Graph) -> set[frozenset[Node]]:
    pairs: set[frozenset[Node]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add(frozenset((a, b)))
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = graph.value(axiom, OWL.members)
        if members is None:
            continue
        items = list(Collection(graph, members))
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                pairs.add(frozenset((a, b)))
    return pairs


def _property_closure(graph: Graph) -> dict[Node, set[Node]]:
    """Each property with its named super-properties (reflexive-transitive)."""
    direct: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subPropertyOf):
        direct[sub].add(sup)
    return {prop: _closure(direct, prop) for prop in set(graph.predicates()) | set(direct)}


def explain_clashes(graph: Graph, limit: int = _MAX_CLASHES) -> list[str]:
    """Plain-word reasons why ``graph`` (ontology + data) is inconsistent, if simple ones exist.

    Looks for resources that belong to two disjoint classes, counting asserted types and the
    named ``rdfs:domain``/``rdfs:range`` of the properties used (also through
    ``owl:inverseOf`` and ``rdfs:subPropertyOf``). Returns at most ``limit`` sentences; an
    empty list means the cause is more subtle (cardinality, functional properties…).
    """
    supers = _superclasses(graph)
    disjoint = _disjoint_pairs(graph)
    if not disjoint:
        return []
    props = _property_closure(graph)
    domains: dict[Node, set[Node]] = defaultdict(set)
    ranges: dict[Node, set[Node]] = defaultdict(set)
    for p, c in graph.subject_objects(RDFS.domain):
        if isinstance(c, URIRef):
            domains[p].add(c)
    for p, c in graph.subject_objects(RDFS.range):
        if isinstance(c, URIRef):
            ranges[p].add(c)
    inverses: dict[Node, set[Node]] = defaultdict(set)
    for p, q in graph.subject_objects(OWL.inverseOf):
        inverses[p].add(q)
        inverses[q].add(p)
    object_props = set(graph.subjects(RDF.type, OWL.ObjectProperty))

    # reasons[resource][class] = why the resource is in that class
    reasons: dict[Node, dict[Node, str]] = defaultdict(dict)
    schema_subjects = set(graph.subjects(RDF.type, OWL.Class)) | set(graph.subjects(RDF.type, RDFS.Datatype))

    def note(resource: Node, cls: Node, why: str) -> None:
        for sup in supers.get(cls, {cls}):
            reasons[resource].setdefault(sup, why)

    for s, o in graph.subject_objects(RDF.type):
        if isinstance(o, URIRef) and not str(o).startswith(str(OWL)) and not str(o).startswith(str(RDF)):
            note(s, o, f"typed {_short(o)}")
    for s, p, o in graph:
        if p == RDF.type or s in schema_subjects:
            continue
        for q in props.get(p, {p}):
            for c in domains.get(q, ()):
                note(s, c, f"subject of {_short(p)}, whose domain is {_short(c)}")
            if q in object_props and not isinstance(o, Literal):
                for c in ranges.get(q, ()):
                    note(o, c, f"object of {_short(p)}, whose range is {_short(c)}")
            for inv in inverses.get(q, ()):
                if isinstance(o, Literal):
                    continue
                for c in ranges.get(inv, ()):
                    note(s, c, f"subject of {_short(p)}, whose inverse {_short(inv)} has range {_short(c)}")
                for c in domains.get(inv, ()):
                    note(o, c, f"object of {_short(p)}, whose inverse {_short(inv)} has domain {_short(c)}")

    out: list[str] = []
    for resource in sorted(reasons, key=str):
        classes = reasons[resource]
        for pair in sorted(disjoint, key=lambda pr: sorted(map(str, pr))):
            a, b = sorted(pair, key=str)
            if a in classes and b in classes:
                out.append(
                    f"{_short(resource)} is both a {_short(a)} ({classes[a]}) and a {_short(b)} "
                    f"({classes[b]}), which are disjoint."
                )
                if len(out) >= limit:
                    return out
    return out


# -- HermiT ----------------------------------------------------------------------------------


def check_consistency(turtle_paths: list[Path | str], extra_graph: Graph | None = None) -> ConsistencyReport:
    """Run HermiT on the union of ``turtle_paths`` and ``extra_graph``.

    Typical use: ``check_consistency([ontology_path(), concepts_path()], data_graph)``.
    Raises :class:`ReasonerUnavailable` when Java is missing or HermiT fails for another reason.
    """
    import owlready2  # imported here: it is heavy and only needed for reasoning
    from owlready2.base import OwlReadyInconsistentOntologyError, OwlReadyJavaError

    if shutil.which(owlready2.JAVA_EXE) is None:
        raise ReasonerUnavailable(f"'{owlready2.JAVA_EXE}' is not on PATH: HermiT needs Java (17 or later).")

    merged = prepare_for_owl(_load(turtle_paths, extra_graph))
    ntriples = merged.serialize(format="nt", encoding="utf-8")

    world = owlready2.World()
    try:
        onto = world.get_ontology("https://w3id.org/quyhoach/check/merged")
        onto.load(fileobj=io.BytesIO(ntriples), format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
        except OwlReadyInconsistentOntologyError:
            clashes = explain_clashes(merged)
            message = "Inconsistent: the ontology and data together have no model (HermiT)."
            if clashes:
                message += " Likely cause: " + " ".join(clashes[:3])
            else:
                message += " No simple disjointness clash was found; look at cardinalities and functional properties."
            return ConsistencyReport(consistent=False, unsatisfiable=[], message=message, clashes=clashes)
        except OwlReadyJavaError as exc:
            raise ReasonerUnavailable(f"HermiT failed: {exc}") from exc
        unsatisfiable = sorted(
            str(cls.iri)
            for cls in world.inconsistent_classes()
            if getattr(cls, "iri", None) and cls.iri != str(OWL.Nothing)
        )
    finally:
        world.close()

    triples = len(merged)
    if unsatisfiable:
        names = ", ".join(_short(URIRef(iri)) for iri in unsatisfiable)
        message = (
            f"Consistent ({triples} triples), but {len(unsatisfiable)} class(es) can have no member: {names}."
        )
    else:
        message = f"Consistent: {triples} triples, every class satisfiable (HermiT)."
    return ConsistencyReport(consistent=True, unsatisfiable=unsatisfiable, message=message)
