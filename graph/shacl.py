"""SHACL validation of extracted data against ``ontology/shapes.ttl``.

The ontology and the concept schemes are mixed into (a copy of) the data graph and no
inference is run: ``sh:targetClass qh:LegalDocument`` then reaches a ``qh:Decision`` through
the ontology's ``rdfs:subClassOf`` triples, and the scheme checks (an indicator in
``qh:IndicatorScheme``) see the concepts, while domain/range inference cannot type resources
whose description lives in another graph (a unit linked by ``qh:scope`` is not required to
carry its label in a source graph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, Namespace
from rdflib.graph import ConjunctiveGraph, Dataset
from rdflib.term import Node

from quyhoach.graph.resources import concepts_graph, ontology_graph, ontology_path, shapes_graph, shapes_path

__all__ = ["ShaclReport", "ShaclResult", "ontology_path", "shapes_path", "validate"]

SH = Namespace("http://www.w3.org/ns/shacl#")
#: Namespace of the shapes (``qhsh:``).
QHSH = Namespace("https://w3id.org/quyhoach/shapes#")

_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ShaclResult:
    """One validation result, in plain fields."""

    focus_node: str
    shape: str  # the node shape (e.g. qhsh:TargetShape) the failing constraint belongs to
    source_shape: str  # the shape holding the constraint (often a property shape of ``shape``)
    path: str | None
    severity: str  # 'Violation' | 'Warning' | 'Info'
    message_vi: str
    message_en: str
    value: str | None = None
    constraint: str | None = None

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"[{self.severity}] {self.focus_node}{where}: {self.message_en} ({self.shape})"


@dataclass
class ShaclReport:
    """Outcome of a validation: ``conforms`` is False only when there is a Violation."""

    conforms: bool
    results: list[ShaclResult] = field(default_factory=list)

    @property
    def violations(self) -> list[ShaclResult]:
        """Results of severity Violation."""
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ShaclResult]:
        """Results of severity Warning."""
        return [r for r in self.results if r.severity == "Warning"]

    def shapes(self, severity: str | None = None) -> set[str]:
        """IRIs of the node shapes with results (optionally of one severity)."""
        return {r.shape for r in self.results if severity is None or r.severity == severity}

    def text(self) -> str:
        """Human-readable summary, one line per result."""
        head = "conforms" if self.conforms else f"{len(self.violations)} violation(s)"
        lines = [f"SHACL: {head}, {len(self.warnings)} warning(s)"]
        lines += [str(r) for r in self.results]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def _ontology_and_concepts() -> Graph:
    merged = Graph()
    for g in (ontology_graph(), concepts_graph()):
        for triple in g:
            merged.add(triple)
    return merged


@lru_cache(maxsize=1)
def _parent_shapes() -> dict[Node, Node]:
    """Map each property shape to the node shape that lists it with ``sh:property``."""
    shapes = shapes_graph()
    return {prop: node for node, prop in shapes.subject_objects(SH.property)}


def _with_ontology(data: Graph) -> Graph:
    """A new Graph: every triple of ``data`` (all named graphs of a Dataset) plus ontology and concepts.

    The mixing is done here rather than by pySHACL's ``ont_graph``, which copies only RDFS/OWL
    axioms and would leave out the SKOS concepts the scheme checks need.
    """
    merged = Graph()
    if isinstance(data, (Dataset, ConjunctiveGraph)):
        triples = ((s, p, o) for s, p, o, _ in data.quads((None, None, None, None)))
    else:
        triples = iter(data)
    for triple in triples:
        merged.add(triple)
    for triple in _ontology_and_concepts():
        merged.add(triple)
    return merged


_PLACEHOLDER = re.compile(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}")


def _template_regex(template: str) -> re.Pattern[str]:
    """A regex matching ``template`` with its ``{?var}`` placeholders filled by anything."""
    parts = _PLACEHOLDER.split(template)
    return re.compile("(?s)" + ".*?".join(re.escape(part) for part in parts) + "$")


def _messages(report: Graph, result: Node) -> tuple[str, str]:
    """The Vietnamese and English messages of a result.

    pySHACL drops the language tag of a message when it fills ``{?var}`` placeholders (SPARQL
    constraints), so an untagged message gets the language of the tagged template it matches.
    """
    shapes = shapes_graph()
    # (rank, language, template regex): the constraint's own messages (rank 0) are more
    # specific than the shape's general message (rank 1).
    templates: list[tuple[int, str, re.Pattern[str]]] = []
    holders = (report.value(result, SH.sourceConstraint), report.value(result, SH.sourceShape))
    for rank, holder in enumerate(holders):
        if holder is None:
            continue
        for m in shapes.objects(holder, SH.message):
            if isinstance(m, Literal) and m.language:
                templates.append((rank, m.language, _template_regex(str(m))))
    best: dict[str, tuple[int, str]] = {}
    plain = ""
    for msg in report.objects(result, SH.resultMessage):
        if not isinstance(msg, Literal):
            continue
        text = str(msg)
        if msg.language:
            candidates = [(1, msg.language)]
        else:
            candidates = [(rank, lang) for rank, lang, rx in templates if rx.match(text)]
        if not candidates:
            plain = plain or text
            continue
        rank, lang = min(candidates)
        if lang not in best or rank < best[lang][0]:
            best[lang] = (rank, text)
    vi = best.get("vi", (0, ""))[1]
    en = best.get("en", (0, ""))[1]
    return vi or plain or en, en or plain or vi


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def validate(data: Graph) -> ShaclReport:
    """Validate ``data`` against the project's SHACL shapes.

    ``data`` is an rdflib Graph (a Dataset or ConjunctiveGraph is merged first). The ontology
    and concept schemes are mixed into a copy of it (no inference); ``data`` itself is not modified.
    Warnings (e.g. a decision without a date) do not make the data non-conforming.
    """
    _, report, _ = pyshacl_validate(
        _with_ontology(data),
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    parents = _parent_shapes()
    results: list[ShaclResult] = []
    # Only the top-level results: nested ones (sh:detail) explain them and carry no new finding.
    top_level = [
        r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)
    ]
    for result in top_level:
        source = report.value(result, SH.sourceShape)
        node_shape = parents.get(source, source)
        vi, en = _messages(report, result)
        severity = _SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation")
        results.append(
            ShaclResult(
                focus_node=str(report.value(result, SH.focusNode)),
                shape=str(node_shape),
                source_shape=str(source),
                path=_text(report.value(result, SH.resultPath)),
                severity=severity,
                message_vi=vi,
                message_en=en,
                value=_text(report.value(result, SH.value)),
                constraint=_text(report.value(result, SH.sourceConstraintComponent)),
            )
        )
    results.sort(key=lambda r: (r.severity != "Violation", r.focus_node, r.shape, r.path or ""))
    conforms = not any(r.severity == "Violation" for r in results)
    return ShaclReport(conforms=conforms, results=results)
