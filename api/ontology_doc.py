"""The ontology documentation: classes and properties read from the ontology named graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from quyhoach.api.state import AppState
from quyhoach.namespaces import ONTOLOGY_GRAPH

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

PROPERTY_KINDS = {
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "AnnotationProperty": "annotation property",
    RDF + "Property": "property",
}

TERMS_QUERY = f"""
SELECT ?term ?kind ?rel ?value WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
  ?term a ?kind . FILTER(isIRI(?term))
  FILTER(?kind IN (<{OWL}Class>, <{RDFS}Class>, <{OWL}ObjectProperty>, <{OWL}DatatypeProperty>,
                   <{OWL}AnnotationProperty>, <{RDF}Property>))
  OPTIONAL {{
    ?term ?rel ?value .
    FILTER(?rel IN (<{RDFS}label>, <{RDFS}comment>, <{RDFS}subClassOf>, <{RDFS}subPropertyOf>,
                    <{RDFS}domain>, <{RDFS}range>, <{OWL}inverseOf>))
  }}
}} }}
"""


@dataclass
class OntologyTerm:
    """A class or property with what the documentation shows of it."""

    iri: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The fragment used on the page for this term."""
        return self.iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    @property
    def comment(self) -> str:
        """The English comment, else the Vietnamese one, else any."""
        return self.comments.get("en") or self.comments.get("vi") or next(iter(self.comments.values()), "")


async def ontology_terms(state: AppState) -> tuple[list[OntologyTerm], list[OntologyTerm]]:
    """Classes and properties of the ontology graph, each sorted by name."""
    result = await state.executor.rows(TERMS_QUERY, max_rows=100_000)
    terms: dict[str, OntologyTerm] = {}
    for term, kind, rel, value in result.rows:
        if term is None or kind is None:
            continue
        is_class = kind.value in (OWL + "Class", RDFS + "Class")
        entry = terms.setdefault(term.value, OntologyTerm(term.value, "class" if is_class else PROPERTY_KINDS[kind.value]))
        if not is_class and entry.kind == "property":
            entry.kind = PROPERTY_KINDS[kind.value]
        if rel is None or value is None:
            continue
        name = rel.value.rsplit("#", 1)[-1]
        if name == "label":
            entry.labels.setdefault(value.lang or "", value.value)
        elif name == "comment":
            entry.comments.setdefault(value.lang or "", value.value)
        elif value.kind == "iri":
            target = {"subClassOf": entry.parents, "subPropertyOf": entry.parents, "domain": entry.domains,
                      "range": entry.ranges, "inverseOf": entry.inverse}[name]
            if value.value not in target:
                target.append(value.value)
        elif name in ("domain", "range"):
            target = entry.domains if name == "domain" else entry.ranges
            if "(a union or restriction)" not in target:
                target.append("(a union or restriction)")
    ordered = sorted(terms.values(), key=lambda t: t.anchor.lower())
    return [t for t in ordered if t.kind == "class"], [t for t in ordered if t.kind != "class"]
