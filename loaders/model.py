"""Shared model of the extraction pipeline: a cleaned document and an RDF emitter with provenance.

Every extractor receives a :class:`CleanDocument` (NFC text with page furniture removed; all
offsets refer to ``CleanDocument.text``) and writes into an :class:`Emitter`, which mints stable
IRIs and attaches a Web Annotation evidence node (quote, prefix/suffix, offsets) to each fact.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

from quyhoach.namespaces import DCTERMS, ID, OA, PREFIXES, PROV, QH

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Span:
    """A character range ``[start, end)`` of ``CleanDocument.text``."""

    start: int
    end: int


@dataclass
class CleanDocument:
    """A source document after reading, decoding, NFC normalisation and furniture removal."""

    text: str
    path: str = ""
    title: str = ""
    kind: str = ""
    publisher: str = ""
    published: date | None = None
    url: str = ""
    media_type: str = "text/plain"
    extra: dict = field(default_factory=dict)

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the normalised text: the key of the source's named graph."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def key(self) -> str:
        """Short stable key used in IRIs of things only this document defines."""
        return self.sha256[:16]

    @property
    def iri(self) -> URIRef:
        """IRI of the source document resource."""
        return ID[f"source/{self.sha256}"]


class Emitter:
    """Collects the RDF extracted from one document, with provenance on every fact."""

    def __init__(self, document: CleanDocument) -> None:
        self.document = document
        self.graph = Graph()
        for prefix, ns in PREFIXES.items():
            self.graph.bind(prefix, ns)
        self._evidence: dict[Span, URIRef] = {}

    # -- identifiers ---------------------------------------------------------------------
    def local_iri(self, kind: str, local_key: str) -> URIRef:
        """IRI of something only this document defines (a target, a task): source key + local key."""
        return ID[f"{kind}/{self.document.key}/{local_key}"]

    # -- provenance ----------------------------------------------------------------------
    def evidence(self, span: Span) -> URIRef:
        """The evidence node (Web Annotation selectors) for ``span``; created once per span."""
        if span in self._evidence:
            return self._evidence[span]
        text = self.document.text
        node = self.local_iri("evidence", f"{span.start}-{span.end}")
        g = self.graph
        g.add((node, RDF.type, QH.Evidence))
        g.add((node, OA.hasSource, self.document.iri))
        quote = BNode(f"q{self.document.key}{span.start}x{span.end}")
        g.add((node, OA.hasSelector, quote))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(text[span.start : span.end])))
        g.add((quote, OA.prefix, Literal(text[max(0, span.start - CONTEXT_CHARS) : span.start])))
        g.add((quote, OA.suffix, Literal(text[span.end : span.end + CONTEXT_CHARS])))
        pos = BNode(f"p{self.document.key}{span.start}x{span.end}")
        g.add((node, OA.hasSelector, pos))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(span.start, datatype=XSD.integer)))
        g.add((pos, OA.end, Literal(span.end, datatype=XSD.integer)))
        self._evidence[span] = node
        return node

    def cite(self, subject: URIRef, span: Span) -> None:
        """Record that ``subject`` was derived from the words at ``span``."""
        self.graph.add((subject, PROV.wasDerivedFrom, self.evidence(span)))

    # -- statements ----------------------------------------------------------------------
    def entity(
        self,
        iri: URIRef,
        rdf_type: URIRef,
        span: Span | None,
        label_vi: str | None = None,
        label_en: str | None = None,
    ) -> URIRef:
        """Declare an entity with its type, labels and the span it was found at."""
        g = self.graph
        g.add((iri, RDF.type, rdf_type))
        if label_vi:
            g.add((iri, RDFS.label, Literal(label_vi, lang="vi")))
        if label_en:
            g.add((iri, RDFS.label, Literal(label_en, lang="en")))
        if span is not None:
            self.cite(iri, span)
        return iri

    def add(self, subject: URIRef, predicate: URIRef, obj, span: Span | None = None) -> None:
        """Add a statement; with ``span``, also a qualified node linking it to its evidence.

        The qualified node is an ``rdf:Statement`` (subject, predicate, object) with
        ``prov:wasDerivedFrom`` the evidence, so one statement of an entity can be traced
        even when the entity itself was mentioned elsewhere.
        """
        self.graph.add((subject, predicate, obj))
        if span is not None:
            digest = hashlib.sha1(f"{subject}|{predicate}|{obj}".encode()).hexdigest()[:16]
            stmt = self.local_iri("statement", digest)
            g = self.graph
            g.add((stmt, RDF.type, RDF.Statement))
            g.add((stmt, RDF.subject, subject))
            g.add((stmt, RDF.predicate, predicate))
            g.add((stmt, RDF.object, obj))
            g.add((stmt, PROV.wasDerivedFrom, self.evidence(span)))

    def describe_source(self) -> URIRef:
        """Add the source document's metadata (title, publisher, address, date, sha256, text)."""
        doc = self.document
        g = self.graph
        node = doc.iri
        g.add((node, RDF.type, QH.SourceDocument))
        if doc.title:
            g.add((node, DCTERMS.title, Literal(doc.title, lang="vi")))
            g.add((node, RDFS.label, Literal(doc.title, lang="vi")))
        if doc.publisher:
            g.add((node, DCTERMS.publisher, Literal(doc.publisher)))
        if doc.url:
            g.add((node, DCTERMS.source, URIRef(doc.url)))
        if doc.published:
            g.add((node, DCTERMS.date, Literal(doc.published, datatype=XSD.date)))
        if doc.kind:
            g.add((node, QH.sourceKind, Literal(doc.kind)))
        if doc.path:
            g.add((node, QH.fileName, Literal(doc.path.rsplit("/", 1)[-1])))
        g.add((node, DCTERMS["format"], Literal(doc.media_type)))  # .format is str.format
        g.add((node, QH.sha256, Literal(doc.sha256)))
        g.add((node, QH.text, Literal(doc.text)))
        return node


@dataclass(frozen=True)
class Match:
    """A name that resolved to a reference resource (unit or agency)."""

    iri: URIRef
    label: str
    level: str  # 'region' | 'province' | 'district' | 'commune' | 'agency' | agency class name
    code: str = ""


@dataclass
class ExtractionContext:
    """What the extractors of one document share.

    Filled by the document pipeline before the thematic extractors run: the date the text
    speaks at (to pick the units and agencies valid then), the reference-name resolver,
    the legal document and plan the text is about, its geographic scope, and whether its
    figures are approved or only proposed (a meeting, a draft).
    """

    as_of: date | None = None
    resolver: object | None = None  # quyhoach.loaders.reference.resolver.Resolver
    main_document: URIRef | None = None
    main_plan: URIRef | None = None
    scope_unit: URIRef | None = None
    status: str = "approved"  # 'approved' | 'draft'
