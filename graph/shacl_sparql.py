"""SHACL inside the engine: the shapes of ``ontology/shapes.ttl`` compiled to SPARQL SELECT queries.

The semantics are those of :mod:`quyhoach.graph.shacl_sources`: every source graph
(``…/graph/source/…``) is validated on its own, with the ontology and the concept schemes mixed
in and no inference. A focus node is a resource typed (in its source graph) with a target class
or one of its subclasses in the ontology, or an object of a ``sh:targetObjectsOf`` predicate;
its values are read from the same source graph. What the ontology and concepts contribute (the
subclass closure, the ``skos:inScheme`` of a concept) is read from the files and written into
the queries as ``VALUES``, so the store needs no copy of them.

Each targeted node shape gives at most three queries, generated from the shapes file at run time:

- *values*: one row per value that breaks a value constraint (datatype, node kind, ``sh:in``,
  pattern, length, range, ``sh:lessThan``, ``sh:node``, ``sh:or`` of value shapes…);
- *counts*: the focus nodes whose number of values (or of qualified values) is out of bounds,
  from one whole-predicate ``GROUP BY`` per counted path, hash-joined to the focus nodes;
- one per ``sh:sparql`` constraint, its ``SELECT`` evaluated in the focus node's graph.

A shapes file with a construct outside this subset is refused with :class:`UnsupportedShape`,
naming the construct and the shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from quyhoach.graph.resources import concepts_graph, ontology_graph, shapes_graph
from quyhoach.graph.shacl import ShaclResult
from quyhoach.namespaces import GRAPH

SH = Namespace("http://www.w3.org/ns/shacl#")
_SOURCE_PREFIX = str(GRAPH["source/"])
_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

#: Keys a shape may carry that this compiler understands (anything else in the sh: namespace is refused).
_KNOWN = {
    SH.targetClass, SH.targetObjectsOf, SH.property, SH.path, SH.message, SH.severity, SH.minCount,
    SH.maxCount, SH.datatype, SH.nodeKind, SH["class"], SH["in"], SH.hasValue, SH.pattern, SH.flags,
    SH.minLength, SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.lessThan, SH.lessThanOrEquals, SH.languageIn, SH["or"], SH.node, SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.sparql, SH.name, SH.description, SH.order, SH.group,
}


class UnsupportedShape(ValueError):
    """The shapes file uses a SHACL construct the SPARQL compiler does not translate."""


def _n3(term: Node) -> str:
    if isinstance(term, BNode):
        raise UnsupportedShape(f"a blank node as a constraint value ({term})")
    return term.n3()


def _component(name: str) -> str:
    return str(SH[f"{name}ConstraintComponent"])


class _Vars:
    """Fresh variable names for nested patterns."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, stem: str = "x") -> str:
        self.n += 1
        return f"?_{stem}{self.n}"


@dataclass
class _Context:
    shapes: Graph
    background: Graph  # ontology + concepts
    fresh: _Vars = field(default_factory=_Vars)

    def values(self, node: Node, pred: URIRef) -> list[Node]:
        return list(self.shapes.objects(node, pred))

    def one(self, node: Node, pred: URIRef) -> Node | None:
        return self.shapes.value(node, pred)

    def check_known(self, shape: Node) -> None:
        for pred in set(self.shapes.predicates(shape)):
            if str(pred).startswith(str(SH)) and pred not in _KNOWN:
                raise UnsupportedShape(f"{pred.n3(self.shapes.namespace_manager)} in shape {shape}")

    def path(self, shape: Node) -> URIRef:
        path = self.one(shape, SH.path)
        if not isinstance(path, URIRef):
            raise UnsupportedShape(f"a complex sh:path (only a predicate IRI) in shape {shape}")
        return path

    def subclasses(self, cls: Node) -> list[Node]:
        """``cls`` and its subclasses by ``rdfs:subClassOf*`` in the ontology and concepts."""
        return list(self.background.transitive_subjects(RDFS.subClassOf, cls))

    def background_subjects(self, pred: Node, obj: Node) -> list[Node]:
        return list(self.background.subjects(pred, obj))


# -- value constraints: a FILTER expression true when value ``v`` breaks the constraint ------------
def _value_expr(ctx: _Context, shape: Node, pred: URIRef, obj: Node, v: str) -> str | None:
    """The violation test of one value-level constraint, or None when ``pred`` is not one."""
    if pred == SH.datatype:
        return f"!(isLiteral({v}) && sameTerm(DATATYPE({v}), {_n3(obj)}))" + (
            "" if obj == RDF.langString else f" || LANG({v}) != \"\"")
    if pred == SH.nodeKind:
        kinds = {
            SH.IRI: f"isIRI({v})", SH.Literal: f"isLiteral({v})", SH.BlankNode: f"isBlank({v})",
            SH.BlankNodeOrIRI: f"(isBlank({v}) || isIRI({v}))", SH.IRIOrLiteral: f"(isIRI({v}) || isLiteral({v}))",
            SH.BlankNodeOrLiteral: f"(isBlank({v}) || isLiteral({v}))",
        }
        return f"!{kinds[obj]}"
    if pred == SH["in"]:
        members = list(Collection(ctx.shapes, obj))
        return "!(" + " || ".join(f"sameTerm({v}, {_n3(m)})" for m in members) + ")" if members else "true"
    if pred == SH.pattern:
        flags = ctx.one(shape, SH.flags)
        args = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        return f"(isBlank({v}) || !REGEX(STR({v}), {Literal(str(obj)).n3()}{args}))"
    if pred == SH.minLength:
        return f"(isBlank({v}) || STRLEN(STR({v})) < {int(obj)})"
    if pred == SH.maxLength:
        return f"(isBlank({v}) || STRLEN(STR({v})) > {int(obj)})"
    ops = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
    if pred in ops:
        return f"!COALESCE({v} {ops[pred]} {_n3(obj)}, false)"
    if pred == SH.languageIn:
        tags = list(Collection(ctx.shapes, obj))
        return "!(" + " || ".join(f"langMatches(LANG({v}), {Literal(str(t)).n3()})" for t in tags) + ")"
    return None


_VALUE_PREDS = (SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.minLength, SH.maxLength, SH.minInclusive,
                SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.languageIn)
_COMPONENTS = {
    SH.datatype: "Datatype", SH.nodeKind: "NodeKind", SH["in"]: "In", SH.pattern: "Pattern",
    SH.minLength: "MinLength", SH.maxLength: "MaxLength", SH.minInclusive: "MinInclusive",
    SH.maxInclusive: "MaxInclusive", SH.minExclusive: "MinExclusive", SH.maxExclusive: "MaxExclusive",
    SH.languageIn: "LanguageIn",
}


# -- nested shapes: a group pattern that has a solution iff node ``v`` violates ``shape`` ----------
def _violates(ctx: _Context, shape: Node, v: str) -> str:
    """A group pattern (evaluated with ``v`` and ``?g`` bound) matching when ``v`` violates ``shape``."""
    ctx.check_known(shape)
    branches: list[str] = []
    if ctx.one(shape, SH.path) is not None:
        # a property shape used on its own (a member of sh:or or sh:node's property)
        branches += _property_violations(ctx, shape, v)
    else:
        branches += _node_level_violations(ctx, shape, v)
        for prop in ctx.values(shape, SH.property):
            ctx.check_known(prop)
            branches += _property_violations(ctx, prop, v)
    if not branches:
        return "{ FILTER(false) }"
    return " UNION ".join("{ " + b + " }" for b in branches)


def _node_level_violations(ctx: _Context, shape: Node, v: str) -> list[str]:
    branches = []
    for pred, obj in ctx.shapes.predicate_objects(shape):
        found = _node_constraint(ctx, shape, pred, obj, v)
        if found is not None:
            branches.append(found)
        elif pred in (SH.sparql, SH.hasValue, SH.qualifiedValueShape, SH.lessThan, SH.lessThanOrEquals):
            raise UnsupportedShape(f"{pred.n3(ctx.shapes.namespace_manager)} in nested shape {shape}")
    return branches


def _node_constraint(ctx: _Context, shape: Node, pred: Node, obj: Node, v: str) -> str | None:
    """The violation pattern of one constraint whose value node is ``v``, or None if not such a constraint."""
    expr = _value_expr(ctx, shape, pred, obj, v)
    if expr is not None:
        return f"FILTER({expr})"
    if pred == SH["class"]:
        return _not_class(ctx, obj, v)
    if pred == SH.node:
        return f"FILTER EXISTS {{ {_violates(ctx, obj, v)} }}"
    if pred == SH["or"]:
        members = list(Collection(ctx.shapes, obj))
        pure = [_pure_violation(ctx, m, v) for m in members]
        if all(e is not None for e in pure):  # value tests only: one expression, evaluated on the row
            return "FILTER(" + " && ".join(f"({e})" for e in pure) + ")"
        return "FILTER(" + " && ".join(f"EXISTS {{ {_violates(ctx, m, v)} }}" for m in members) + ")"
    return None


def _pure_violation(ctx: _Context, shape: Node, v: str) -> str | None:
    """The violation test of a shape made of value constraints only (``[ sh:datatype X ]``), else None."""
    ctx.check_known(shape)
    tests = []
    for pred, obj in ctx.shapes.predicate_objects(shape):
        if not str(pred).startswith(str(SH)) or pred in (SH.message, SH.severity, SH.name, SH.description):
            continue
        expr = _value_expr(ctx, shape, pred, obj, v)
        if expr is None:
            return None
        tests.append(f"({expr})")
    return " || ".join(tests) if tests else None


def _pair(path: str, other: str, v: str, x: str, y: str) -> str:
    """``v path x`` and ``v other y`` in one graph, as two whole-predicate scans joined by hash."""
    return (f"{{ SELECT ?g {v} {x} WHERE {{ GRAPH ?g {{ {v} {path} {x} }} }} }} "
            f"{{ SELECT ?g {v} {y} WHERE {{ GRAPH ?g {{ {v} {other} {y} }} }} }}")


def _not_class(ctx: _Context, cls: Node, v: str) -> str:
    t = ctx.fresh("t")
    classes = " ".join(_n3(c) for c in ctx.subclasses(cls))
    instances = [i for c in ctx.subclasses(cls) for i in ctx.background_subjects(RDF.type, c)]
    extra = f" FILTER({v} NOT IN ({', '.join(_n3(i) for i in instances)}))" if instances else ""
    return (f"FILTER NOT EXISTS {{ GRAPH ?g {{ {v} a {t} }} VALUES {t} {{ {classes} }} }}{extra}")


def _property_violations(ctx: _Context, prop: Node, v: str) -> list[str]:
    """Violation branches of a property shape for focus ``v`` (nested use: all constraints)."""
    path = _n3(ctx.path(prop))
    branches = []
    x = ctx.fresh("v")
    for pred, obj in ctx.shapes.predicate_objects(prop):
        if pred == SH.minCount:
            if int(obj) > 1:
                raise UnsupportedShape(f"sh:minCount above 1 in nested shape {prop}")
            if int(obj) == 1:
                branches.append(f"FILTER NOT EXISTS {{ GRAPH ?g {{ {v} {path} {x} }} }}")
        elif pred == SH.maxCount:
            if int(obj) != 1:
                raise UnsupportedShape(f"sh:maxCount other than 1 in nested shape {prop}")
            y = ctx.fresh("w")
            branches.append(f"GRAPH ?g {{ {v} {path} {x} , {y} }} FILTER(!sameTerm({x}, {y}))")
        elif pred == SH.hasValue:
            holders = ctx.background_subjects(ctx.path(prop), obj)
            extra = f" FILTER({v} NOT IN ({', '.join(_n3(h) for h in holders)}))" if holders else ""
            branches.append(f"FILTER NOT EXISTS {{ GRAPH ?g {{ {v} {path} {_n3(obj)} }} }}{extra}")
        elif pred in (SH.lessThan, SH.lessThanOrEquals):
            y = ctx.fresh("w")
            op = "<" if pred == SH.lessThan else "<="
            branches.append(f"GRAPH ?g {{ {v} {path} {x} . {v} {_n3(obj)} {y} }} FILTER(!COALESCE({x} {op} {y}, false))")
        else:
            found = _node_constraint(ctx, prop, pred, obj, x)
            if found is not None:
                branches.append(f"GRAPH ?g {{ {v} {path} {x} }} {found}")
            elif pred in (SH.qualifiedValueShape, SH.sparql):
                raise UnsupportedShape(f"{pred.n3(ctx.shapes.namespace_manager)} in nested shape {prop}")
    return branches


# -- nested shapes, set-wise: the values that conform to a shape ------------------------------------
def _conforming(ctx: _Context, shape: Node, v: str) -> str:
    """Group pattern parts that keep the (``?g``, ``v``) solutions conforming to ``shape``.

    Appended after a pattern binding ``?g`` and ``v``: every required value (a class, a minimum
    count, ``sh:hasValue``) is one ``DISTINCT`` sub-select over a whole predicate, hash-joined;
    every possible fault (a maximum count, a value of the wrong kind…) is removed by one
    ``MINUS``, so the engine evaluates each constraint once for the store, not once per node.
    """
    ctx.check_known(shape)
    required: list[str] = []
    filters: list[str] = []
    faults: list[str] = []
    nested = ctx.one(shape, SH.path) is None
    props = list(ctx.values(shape, SH.property)) if nested else [shape]
    if nested:
        for pred, obj in ctx.shapes.predicate_objects(shape):
            if pred == SH["class"]:
                t = ctx.fresh("t")
                classes = " ".join(_n3(c) for c in ctx.subclasses(obj))
                typed = f"{{ SELECT ?g {v} WHERE {{ GRAPH ?g {{ {v} a {t} }} VALUES {t} {{ {classes} }} }} }}"
                instances = [i for c in ctx.subclasses(obj) for i in ctx.background_subjects(RDF.type, c)]
                if instances:
                    typed = f"{{ {typed} UNION {{ VALUES {v} {{ {' '.join(_n3(i) for i in instances)} }} }} }}"
                required.append(typed)
            else:
                found = _node_constraint(ctx, shape, pred, obj, v)
                if found is not None:
                    filters.append(f"FILTER NOT EXISTS {{ {found} }}")
                elif pred in (SH.sparql, SH.hasValue, SH.qualifiedValueShape, SH.lessThan, SH.lessThanOrEquals):
                    raise UnsupportedShape(f"{pred.n3(ctx.shapes.namespace_manager)} in nested shape {shape}")
    for prop in props:
        ctx.check_known(prop)
        path = _n3(ctx.path(prop))
        x = ctx.fresh("v")
        tests: list[str] = []
        for pred, obj in ctx.shapes.predicate_objects(prop):
            if pred == SH.minCount:
                n = int(obj)
                if n == 1:
                    required.append(f"{{ SELECT ?g {v} WHERE {{ GRAPH ?g {{ {v} {path} {x} }} }} }}")
                elif n > 1:
                    required.append(f"{{ SELECT ?g {v} WHERE {{ GRAPH ?g {{ {v} {path} {x} }} }} "
                                    f"GROUP BY ?g {v} HAVING (COUNT(*) >= {n}) }}")
            elif pred == SH.maxCount:
                faults.append(f"{{ SELECT ?g {v} WHERE {{ GRAPH ?g {{ {v} {path} {x} }} }} "
                              f"GROUP BY ?g {v} HAVING (COUNT(*) > {int(obj)}) }}")
            elif pred == SH.hasValue:
                holding = f"{{ SELECT ?g {v} WHERE {{ GRAPH ?g {{ {v} {path} {_n3(obj)} }} }} }}"
                holders = ctx.background_subjects(ctx.path(prop), obj)
                if holders:
                    holding = f"{{ {holding} UNION {{ VALUES {v} {{ {' '.join(_n3(h) for h in holders)} }} }} }}"
                required.append(holding)
            elif pred in (SH.lessThan, SH.lessThanOrEquals):
                y = ctx.fresh("w")
                op = "<" if pred == SH.lessThan else "<="
                faults.append(f"{_pair(path, _n3(obj), v, x, y)} FILTER(!COALESCE({x} {op} {y}, false))")
            else:
                expr = _value_expr(ctx, prop, pred, obj, x)
                found = None if expr is not None else _node_constraint(ctx, prop, pred, obj, x)
                if expr is not None:
                    tests.append(expr)
                elif found is not None:
                    faults.append(f"GRAPH ?g {{ {v} {path} {x} }} {found}")
                elif pred in (SH.qualifiedValueShape, SH.sparql):
                    raise UnsupportedShape(f"{pred.n3(ctx.shapes.namespace_manager)} in nested shape {prop}")
        if tests:  # the value tests of one path: one scan of the predicate
            faults.append(f"GRAPH ?g {{ {v} {path} {x} }} FILTER({' || '.join(f'({t})' for t in tests)})")
    parts = required + filters
    if faults:
        parts.append("MINUS { " + " UNION ".join("{ " + f + " }" for f in faults) + " }")
    return " ".join(parts)


# -- top-level queries -------------------------------------------------------------------------------
#: Written after a sub-select so that the engine starts its join there (a row count far above any store's).
_START = "LIMIT 1000000000"


@dataclass
class Branch:
    """One constraint of a targeted shape: where its result rows come from."""

    source: str  # the shape holding the constraint
    component: str
    path: str | None
    severity: str
    message_vi: str
    message_en: str
    value_is_focus: bool = False  # a node-level result: the focus node is the value


@dataclass
class CompiledShape:
    """The queries of one targeted node shape.

    ``values`` gives one row (``?g ?this ?value ?b``) per value breaking a value constraint,
    ``counts`` one row (``?g ?this ?b``) per focus node with too few or too many values, each of
    ``qualified`` the same for one qualified count (its own query: the costliest, run in parallel);
    ``?b`` is the index of the constraint in ``branches``.
    """

    shape: str
    values: str | None = None
    branches: list[Branch] = field(default_factory=list)
    counts: str | None = None
    qualified: list[str] = field(default_factory=list)  # one query per qualified count, rows as ``counts``
    sparql: list[tuple[str, Branch, dict[str, str]]] = field(default_factory=list)  # query, branch, messages


def _messages(ctx: _Context, node: Node, fallback: Node | None = None) -> tuple[str, str]:
    found: dict[str, str] = {}
    for holder in (node, fallback):
        if holder is None:
            continue
        for m in ctx.values(holder, SH.message):
            if isinstance(m, Literal):
                found.setdefault(m.language or "", str(m))
        if found:
            break
    plain = found.get("", "")
    vi, en = found.get("vi", ""), found.get("en", "")
    return vi or plain or en, en or plain or vi


def _severity(ctx: _Context, node: Node) -> str:
    return _SEVERITIES.get(ctx.one(node, SH.severity), "Violation")


def _focus_patterns(ctx: _Context, shape: Node) -> list[str]:
    """The patterns binding (``?g``, ``?this``) to the shape's targets, in any graph."""
    parts = []
    classes = [c for t in ctx.values(shape, SH.targetClass) for c in ctx.subclasses(t)]
    if classes:
        parts.append(f"GRAPH ?g {{ ?this a ?_class }} VALUES ?_class {{ {' '.join(_n3(c) for c in dict.fromkeys(classes))} }}")
    for pred in ctx.values(shape, SH.targetObjectsOf):
        parts.append(f"GRAPH ?g {{ ?_subject {_n3(pred)} ?this }}")
    return parts


def _all_focus(ctx: _Context, shape: Node) -> str:
    """Every (``?g``, ``?this``) target of the shape in any graph (one scan per target; repeats possible)."""
    return " UNION ".join(f"{{ {p} }}" for p in _focus_patterns(ctx, shape))


def _is_focus(ctx: _Context, shape: Node) -> str:
    """Filters keeping the rows whose (``?g``, ``?this``) is a target in a source graph.

    Applied to the candidate rows only: the graph's IRI is read once per candidate, an index
    look-up tells whether ``?this`` is a target there.
    """
    exists = " UNION ".join(f"{{ {p} }}" for p in _focus_patterns(ctx, shape))
    return f"FILTER(STRSTARTS(STR(?g), {Literal(_SOURCE_PREFIX).n3()})) FILTER EXISTS {{ {exists} }}"


def _candidates(ctx: _Context, shape: Node, head: str, branches: list[str]) -> str:
    """The query of ``branches`` (each one whole-store pass giving candidate rows), kept when a target."""
    union = " UNION ".join(f"{{ {b} }}" for b in branches)
    return (f"SELECT DISTINCT {head} WHERE {{ {{ SELECT {head} WHERE {{ {union} }} {_START} }} "
            f"{_is_focus(ctx, shape)} }}")


def _with_at_least(ctx: _Context, path: URIRef, least: int, qualified: Node | None) -> str:
    """A group of the (``?g``, ``?this``) with at least ``least`` values of ``path`` (conforming to ``qualified``)."""
    v = ctx.fresh("c")
    if qualified is None and least <= 1:
        return f"{{ GRAPH ?g {{ ?this {_n3(path)} {v} }} }}"
    if qualified is None:
        return (f"{{ SELECT ?g ?this WHERE {{ GRAPH ?g {{ ?this {_n3(path)} {v} }} }} "
                f"GROUP BY ?g ?this HAVING (COUNT(*) >= {least}) }}")
    values = f"{{ SELECT ?g ?this {v} WHERE {{ GRAPH ?g {{ ?this {_n3(path)} {v} }} }} }} {_conforming(ctx, qualified, v)}"
    if least <= 1:
        return f"{{ SELECT ?g ?this WHERE {{ {values} }} }}"
    return f"{{ SELECT ?g ?this WHERE {{ {values} }} GROUP BY ?g ?this HAVING (COUNT(DISTINCT {v}) >= {least}) }}"


def _grouped_counts(focus: str, paths: dict[URIRef, int], conditions: list[tuple[int, str]]) -> str:
    """One pass for every count of a shape: its targets and the values of the counted paths, grouped by node.

    Each row of the ``UNION`` is a target (``?_f`` 1) or a value of one path (its ``?_kI`` 1); the
    ``GROUP BY`` counts them per (``?g``, ``?this``) (a graph holds a triple once, so the rows of a
    path are its distinct values) and keeps the targets breaking a condition; ``?b`` then names
    each broken one.
    """
    zeros = {i: f"BIND(0 AS ?_k{i})" for i in paths.values()}
    rows = [f"{{ {{ {focus} }} BIND(1 AS ?_f) {' '.join(zeros.values())} }}"]
    for path, i in paths.items():
        flags = " ".join(f"BIND({1 if j == i else 0} AS ?_k{j})" for j in paths.values())
        rows.append(f"{{ GRAPH ?g {{ ?this {_n3(path)} ?_v }} BIND(0 AS ?_f) {flags} }}")
    sums = " ".join(f"(SUM(?_k{i}) AS ?n{i})" for i in paths.values())
    broken = " || ".join(f"({test})" for _, test in conditions)
    having = broken
    for i in paths.values():
        having = having.replace(f"?n{i} ", f"SUM(?_k{i}) ")
    tests = " || ".join(f"(?b = {b} && ({test}))" for b, test in conditions)
    return (f"{{ SELECT ?g ?this {sums} WHERE {{ {' UNION '.join(rows)} }} GROUP BY ?g ?this "
            f"HAVING (SUM(?_f) > 0 && ({having})) }} VALUES ?b {{ {' '.join(str(b) for b, _ in conditions)} }} "
            f"FILTER({tests})")


def _prefixes(ctx: _Context, holder: Node) -> str:
    lines = []
    for ont in ctx.values(holder, SH.prefixes):
        for decl in ctx.values(ont, SH.declare):
            lines.append(f"PREFIX {ctx.one(decl, SH.prefix)}: <{ctx.one(decl, SH.namespace)}>")
    return "\n".join(lines)


def compile_shape(ctx: _Context, shape: Node) -> CompiledShape:
    """The queries of one targeted node shape.

    Every query finds its candidates first, each constraint by one pass over its predicate (a
    filtered scan, a ``GROUP BY``, or the targets ``MINUS`` the nodes that have the values,
    joined by hash), and only then tests whether a candidate is a target of a source graph.
    """
    ctx.check_known(shape)
    out = CompiledShape(shape=str(shape))
    node_vi, node_en = _messages(ctx, shape)
    node_severity = _severity(ctx, shape)
    value_branches: list[str] = []
    count_branches: list[str] = []
    focus = _all_focus(ctx, shape)
    counted_paths: dict[URIRef, int] = {}  # the paths whose values are counted, each once
    conditions: list[tuple[int, str]] = []  # (branch, test on the counts ?n0 ?n1 … of a focus node)

    def counted(path: URIRef) -> int:
        return counted_paths.setdefault(path, len(counted_paths))

    def branch(source: Node, name: str, path: Node | None, severity: str, messages: tuple[str, str],
               value_is_focus: bool = False) -> int:
        out.branches.append(Branch(str(source), _component(name), str(path) if path is not None else None,
                                   severity, *messages, value_is_focus))
        return len(out.branches) - 1

    # node-level constraints of the targeted shape (the focus node is the value)
    for pred, obj in ctx.shapes.predicate_objects(shape):
        expr = _value_expr(ctx, shape, pred, obj, "?this")
        if expr is not None or pred == SH["class"]:
            b = branch(shape, _COMPONENTS.get(pred, "Class"), None, node_severity, (node_vi, node_en))
            test = f"FILTER({expr})" if expr is not None else _not_class(ctx, obj, "?this")
            value_branches.append(f"{{ {focus} }} {test} BIND(?this AS ?value) BIND({b} AS ?b)")
        elif pred == SH["or"]:
            members = list(Collection(ctx.shapes, obj))
            none = []
            for m in members:
                ctx.check_known(m)
                keys = {p for p in ctx.shapes.predicates(m) if p != SH.path}
                if ctx.one(m, SH.path) is None or keys != {SH.minCount} or int(ctx.one(m, SH.minCount)) != 1:
                    raise UnsupportedShape(f"sh:or on node shape {shape}: only members [ sh:path P ; sh:minCount 1 ]")
                none.append(f"?n{counted(ctx.path(m))} = 0")
            b = branch(shape, "Or", None, node_severity, (node_vi, node_en), value_is_focus=True)
            conditions.append((b, " && ".join(none)))
        elif pred == SH.sparql:
            select = str(ctx.one(obj, SH.select))
            vi, en = _messages(ctx, obj, shape)
            b = out.branches[branch(shape, "SPARQL", None, _severity(ctx, obj) if ctx.one(obj, SH.severity)
                                    else node_severity, (vi, en))]
            body = select.replace("$this", "?this")
            head, _, rest = body.partition("WHERE")
            inner = rest.strip()[1:].rstrip()[:-1]  # the group pattern of the select
            query = (f"{_prefixes(ctx, obj)}\n{head.strip()} ?g WHERE {{ {{ SELECT DISTINCT ?g ?this WHERE {{ "
                     f"{{ {focus} }} FILTER(STRSTARTS(STR(?g), {Literal(_SOURCE_PREFIX).n3()})) }} }} "
                     f"GRAPH ?g {{ {inner} }} }}")
            out.sparql.append((query, b, {"vi": vi, "en": en}))
        elif pred in (SH.node, SH.hasValue, SH.qualifiedValueShape, SH.lessThan, SH.lessThanOrEquals):
            raise UnsupportedShape(f"{pred.n3(ctx.shapes.namespace_manager)} on targeted node shape {shape}")

    for prop in ctx.values(shape, SH.property):
        ctx.check_known(prop)
        path = ctx.path(prop)
        messages = _messages(ctx, prop)
        severity = _severity(ctx, prop)
        low, high = ctx.one(prop, SH.minCount), ctx.one(prop, SH.maxCount)
        if low is not None and int(low) > 0:
            b = branch(prop, "MinCount", path, severity, messages)
            conditions.append((b, f"?n{counted(path)} < {int(low)}"))
        if high is not None:
            b = branch(prop, "MaxCount", path, severity, messages)
            conditions.append((b, f"?n{counted(path)} > {int(high)}"))
        qualified = ctx.one(prop, SH.qualifiedValueShape)
        if qualified is not None:
            least = ctx.one(prop, SH.qualifiedMinCount)
            if least is None:
                raise UnsupportedShape(f"sh:qualifiedValueShape without sh:qualifiedMinCount in {prop}")
            if int(least) > 0:
                b = branch(prop, "QualifiedMinCount", path, severity, messages)
                out.qualified.append(_candidates(ctx, shape, "?g ?this ?b", [
                    f"{{ {focus} }} MINUS {_with_at_least(ctx, path, int(least), qualified)} BIND({b} AS ?b)"]))
        for pred, obj in ctx.shapes.predicate_objects(prop):
            x = "?value"
            test: str | None = None
            name = _COMPONENTS.get(pred)
            expr = _value_expr(ctx, prop, pred, obj, x)
            if expr is not None:
                test = f"FILTER({expr})"
            elif pred == SH["class"]:
                test, name = _not_class(ctx, obj, x), "Class"
            elif pred == SH.node:
                w, o = ctx.fresh("n"), ctx.fresh("s")
                good = (f"{{ SELECT ?g ({w} AS ?value) WHERE {{ GRAPH ?g {{ {o} {_n3(path)} {w} }} "
                        f"{_conforming(ctx, obj, w)} }} }}")
                test, name = f"MINUS {good}", "Node"
            elif pred == SH["or"]:
                test = _node_constraint(ctx, prop, pred, obj, x)
                name = "Or"
            elif pred == SH.hasValue:
                raise UnsupportedShape(f"sh:hasValue on a targeted property shape {prop}")
            elif pred in (SH.lessThan, SH.lessThanOrEquals):
                y = ctx.fresh("w")
                op = "<" if pred == SH.lessThan else "<="
                name = "LessThan" if pred == SH.lessThan else "LessThanOrEquals"
                b = branch(prop, name, path, severity, messages)
                value_branches.append(f"{_pair(_n3(path), _n3(obj), '?this', '?value', y)} "
                                      f"FILTER(!COALESCE(?value {op} {y}, false)) BIND({b} AS ?b)")
                continue
            if test is None:
                continue
            b = branch(prop, name, path, severity, messages)
            value_branches.append(f"GRAPH ?g {{ ?this {_n3(path)} ?value }} {test} BIND({b} AS ?b)")

    if value_branches:
        out.values = _candidates(ctx, shape, "?g ?this ?value ?b", value_branches)
    if conditions:
        count_branches.insert(0, _grouped_counts(focus, counted_paths, conditions))
    if count_branches:
        out.counts = _candidates(ctx, shape, "?g ?this ?b", count_branches)
    return out


@lru_cache(maxsize=1)
def compiled() -> tuple[CompiledShape, ...]:
    """Every targeted node shape of the shapes file, compiled (cached: the files do not change in a run)."""
    background = Graph()
    for g in (ontology_graph(), concepts_graph()):
        for triple in g:
            background.add(triple)
    return compile_shapes(shapes_graph(), background)


def compile_shapes(shapes: Graph, background: Graph) -> tuple[CompiledShape, ...]:
    """Compile every targeted node shape of ``shapes``; ``background`` is the ontology and concepts.

    Raises :class:`UnsupportedShape` naming the first construct outside the supported subset.
    """
    ctx = _Context(shapes, background)
    targeted = sorted({s for p in (SH.targetClass, SH.targetObjectsOf) for s in ctx.shapes.subjects(p, None)},
                      key=str)
    for p in (SH.targetNode, SH.targetSubjectsOf, SH.target):
        for s in ctx.shapes.subjects(p, None):
            raise UnsupportedShape(f"{p.n3(ctx.shapes.namespace_manager)} in shape {s}")
    return tuple(compile_shape(ctx, s) for s in targeted)


def _term(value) -> str | None:
    if value is None:
        return None
    return value.value


def _get(row, name: str):
    """The value of ``name`` in a solution, None when unbound or not projected."""
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return None


def _fill(template: str, row) -> str:
    """A ``{?var}`` message template filled with the solution's values."""
    return _PLACEHOLDER.sub(lambda m: _term(_get(row, m.group(1))) or "", template)


def _result(shape: CompiledShape, b: Branch, focus: str, value: str | None,
            messages: tuple[str, str] | None = None) -> ShaclResult:
    vi, en = messages or (b.message_vi, b.message_en)
    return ShaclResult(focus_node=focus, shape=shape.shape, source_shape=b.source, path=b.path,
                       severity=b.severity, message_vi=vi, message_en=en, value=value, constraint=b.component)


def validate_store(store, shapes: tuple[CompiledShape, ...] | None = None, workers: int = 2,
                   profile: list[dict] | None = None,
                   by_graph: dict[str, set[ShaclResult]] | None = None) -> list[ShaclResult]:
    """SHACL results of every source graph of ``store``, computed by SPARQL queries in the engine.

    ``shapes``: compiled shapes (default: the project's shapes file, :func:`compiled`).
    ``workers`` queries run at a time on an embedded store (the engine lets go of the GIL); the
    longest queries start first. ``profile``, when given, receives one entry per query: its name
    (``Shape.values``, ``Shape.counts``, ``Shape.sparql``), wall and CPU seconds (of the thread
    that ran it) and the number of rows. ``by_graph``, when given, receives the results of each
    source graph that has some (graph IRI: results), what :mod:`quyhoach.graph.shacl_kept` keeps.
    """
    import time
    from concurrent.futures import ThreadPoolExecutor

    jobs = []
    for shape in compiled() if shapes is None else shapes:
        if shape.values:
            jobs.append((shape, "values", shape.values, None))
        if shape.counts:
            jobs.append((shape, "counts", shape.counts, None))
        for i, query in enumerate(shape.qualified):
            jobs.append((shape, f"qualified{i}", query, None))
        for query, b, templates in shape.sparql:
            jobs.append((shape, "sparql", query, (b, templates)))
    jobs.sort(key=lambda job: -len(job[2]))

    def run(job) -> list:
        started, cpu = time.perf_counter(), time.thread_time()
        rows = list(store.query(job[2]))
        if profile is not None:
            profile.append({"query": f"{job[0].shape.rsplit('#', 1)[-1]}.{job[1]}",
                            "seconds": round(time.perf_counter() - started, 3),
                            "cpu_seconds": round(time.thread_time() - cpu, 3), "rows": len(rows)})
        return rows

    workers = 1 if getattr(store, "remote", False) else max(1, workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(run, jobs))
    results: set[ShaclResult] = set()

    def add(row, result: ShaclResult) -> None:
        results.add(result)
        if by_graph is not None:
            by_graph.setdefault(row["g"].value, set()).add(result)

    for (shape, kind, _query, extra), rows in zip(jobs, answers, strict=True):
        if kind == "values" or kind == "counts" or kind.startswith("qualified"):
            for row in rows:
                b = shape.branches[int(row["b"].value)]
                focus = row["this"].value
                value = focus if b.value_is_focus else _term(_get(row, "value"))
                add(row, _result(shape, b, focus, value))
        else:
            b, templates = extra
            for row in rows:
                value = _term(_get(row, "value")) or row["this"].value
                messages = (_fill(templates["vi"], row), _fill(templates["en"], row))
                add(row, _result(shape, b, row["this"].value, value, messages))
    return sorted(results, key=lambda r: (r.severity != "Violation", r.focus_node, r.shape, r.path or ""))
