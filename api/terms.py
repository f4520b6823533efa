"""A plain, picklable RDF term for pages: what query workers hand back to the web process."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Term:
    """An IRI, blank node, literal or (RDF 1.2) triple term, as plain strings."""

    kind: str  # 'iri' | 'bnode' | 'literal' | 'triple'
    value: str
    lang: str | None = None
    datatype: str | None = None

    @classmethod
    def from_ox(cls, term: object) -> Term:
        """Convert a pyoxigraph term."""
        if isinstance(term, ox.NamedNode):
            return cls("iri", term.value)
        if isinstance(term, ox.BlankNode):
            return cls("bnode", term.value)
        if isinstance(term, ox.Literal):
            return cls("literal", term.value, term.language or None, term.datatype.value)
        return cls("triple", str(term))

    @property
    def is_iri(self) -> bool:
        """Whether the term is an IRI."""
        return self.kind == "iri"

    @property
    def is_literal(self) -> bool:
        """Whether the term is a literal."""
        return self.kind == "literal"

    @property
    def short_datatype(self) -> str:
        """``xsd:date`` style datatype name, empty for plain strings and language strings."""
        if not self.datatype or self.lang or self.datatype == XSD + "string":
            return ""
        return "xsd:" + self.datatype[len(XSD):] if self.datatype.startswith(XSD) else self.datatype

    def __str__(self) -> str:
        return self.value
