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

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

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

    @cached_property
    def structure(self):
        """The :class:`~quyhoach.loaders.documents.structure.DocumentStructure` of :attr:`text` (parsed once)."""
        from quyhoach.loaders.documents.structure import parse_structure

        return parse_structure(
            self.text,
            title_hint=str(self.extra.get("page_title") or ""),
            headings=tuple(self.extra.get("page_headings") or ()),
        )

    @property
    def iri(self) -> URIRef:
        """IRI of the source document resource."""
        return ID[f"source/{self.sha256}"]


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term of an rdflib term (same IRI, blank node label, lexical form, tag, type)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """The rdflib term of a pyoxigraph term (inverse of :func:`to_oxigraph`)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))


_XSD_STRING = str(XSD.string)
_ID = str(ID)


def _iri(value: str) -> str:
    """An IRI in N-Triples."""
    return f"<{value}>"


def quoted(value: str) -> str:
    """A string in N-Triples quotes (``"``, ``\\``, line feed and carriage return escaped)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if '"' in value:
        value = value.replace('"', '\\"')
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return f'"{value}"'


def to_ntriples(term: Node) -> str:
    """The N-Triples form of an rdflib term (IRIs and blank node labels checked as pyoxigraph checks them)."""
    if isinstance(term, URIRef):
        return _iri(ox.NamedNode(term).value)
    if isinstance(term, Literal):
        text = quoted(str(term))
        if term.language:
            return f"{text}@{ox.Literal('', language=term.language).language}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{text}^^{_iri(ox.NamedNode(term.datatype).value)}"
        return text
    if isinstance(term, BNode):
        return f"_:{ox.BlankNode(str(term)).value}"
    raise TypeError(f"not an RDF term: {term!r}")


# N-Triples terms the emitter writes for every piece of evidence and statement
_TYPE = _iri(RDF.type)
_EVIDENCE = _iri(QH.Evidence)
_HAS_SOURCE = _iri(OA.hasSource)
_HAS_SELECTOR = _iri(OA.hasSelector)
_QUOTE_SELECTOR = _iri(OA.TextQuoteSelector)
_EXACT = _iri(OA.exact)
_PREFIX = _iri(OA.prefix)
_SUFFIX = _iri(OA.suffix)
_POSITION_SELECTOR = _iri(OA.TextPositionSelector)
_START = _iri(OA.start)
_END = _iri(OA.end)
_INTEGER = _iri(XSD.integer)
_DERIVED_FROM = _iri(PROV.wasDerivedFrom)
_STATEMENT = _iri(RDF.Statement)
_SUBJECT = _iri(RDF.subject)
_PREDICATE = _iri(RDF.predicate)
_OBJECT = _iri(RDF.object)
_LABEL = _iri(RDFS.label)


class TripleSink:
    """Where extractors add plain triples of rdflib terms: ``emitter.triples.add((s, p, o))``."""

    def __init__(self, emitter: Emitter) -> None:
        self._emitter = emitter

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        """Add one triple (no provenance of its own)."""
        subject, predicate, obj = triple
        self._emitter._add(subject, predicate, obj)


class Emitter:
    """Collects the RDF extracted from one document, with provenance on every fact.

    Triples are kept as N-Triples statements in the order added (repeats allowed; an RDF graph
    is a set): :meth:`ntriples` hands the distinct ones to the store as one N-Triples document
    (parsed in the engine, no Python object per triple), :attr:`graph` gives the same triples as
    an rdflib graph. The statements of an evidence node (one per span, so never repeated) are
    kept apart and not compared with the others.
    """

    def __init__(self, document: CleanDocument) -> None:
        self.document = document
        self.triples = TripleSink(self)
        self._lines: list[str] = []
        self._unique: list[str] = []  # evidence blocks: made once per span
        self._evidence: dict[tuple[int, int], tuple[URIRef, str]] = {}
        self._subject_predicates: set[tuple[Node, Node]] = set()
        self._key = document.key
        self._source = to_ntriples(document.iri)
        self._graph: Graph | None = None
        self._in_graph = (0, 0)
        self._named: dict[URIRef, str] = {}

    # -- output --------------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        """The triples emitted so far as an rdflib graph (built on first use, then kept up to date)."""
        if self._graph is None:
            self._graph = Graph()
            for prefix, ns in PREFIXES.items():
                self._graph.bind(prefix, ns)
        lines, unique = self._in_graph
        if lines < len(self._lines) or unique < len(self._unique):
            add = self._graph.add
            new = [*dict.fromkeys(self._lines[lines:]), *self._unique[unique:]]
            for q in ox.parse("".join(new).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
                add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
            self._in_graph = (len(self._lines), len(self._unique))
        return self._graph

    def ntriples(self) -> bytes:
        """The distinct triples emitted so far as an N-Triples document (UTF-8), in first-added order
        (the statements, then the evidence blocks).

        About a third of the emitted triples repeat earlier ones (a type or label stated at every
        mention); an RDF graph is a set, so they are dropped here. The evidence blocks (never
        repeated, and most of the text: quotes and their context) follow, not compared.
        """
        # each line encoded on its own: most lines are ASCII (copied as they are) and no one string
        # of the whole document (two bytes a character once one line holds Vietnamese) is built
        return b"".join([line.encode("utf-8") for line in (*dict.fromkeys(self._lines), *self._unique)])

    def release(self) -> None:
        """Drop what the emitter holds (and its reference cycle with :attr:`triples`); it is empty after."""
        self.triples = None
        self._lines = []
        self._unique = []
        self._evidence = {}
        self._subject_predicates = set()
        self._graph = None
        self._in_graph = (0, 0)
        self._named = {}

    def has(self, subject: Node, predicate: Node) -> bool:
        """Whether a triple ``(subject, predicate, ·)`` was added through :meth:`add` or :attr:`triples`."""
        return (subject, predicate) in self._subject_predicates

    def _term(self, term: Node) -> str:
        """:func:`to_ntriples` of ``term``; an IRI converted (and checked) once per document (a few
        thousand distinct IRIs make up nine tenths of the terms emitted)."""
        if type(term) is URIRef:
            node = self._named.get(term)
            if node is None:
                node = self._named[term] = to_ntriples(term)
            return node
        return to_ntriples(term)

    def _add(self, subject: Node, predicate: Node, obj: Node) -> tuple[str, str, str]:
        term = self._term
        triple = s, p, o = term(subject), term(predicate), term(obj)
        self._lines.append(f"{s} {p} {o} .\n")
        self._subject_predicates.add((subject, predicate))
        return triple

    # -- identifiers ---------------------------------------------------------------------
    def local_iri(self, kind: str, local_key: str) -> URIRef:
        """IRI of something only this document defines (a target, a task): source key + local key."""
        return ID[f"{kind}/{self.document.key}/{local_key}"]

    # -- provenance ----------------------------------------------------------------------
    def evidence(self, span: Span) -> URIRef:
        """The evidence node (Web Annotation selectors) for ``span``; created once per span."""
        return self._evidence_node(span)[0]

    def _evidence_node(self, span: Span) -> tuple[URIRef, str]:
        start, end = span.start, span.end
        known = self._evidence.get((start, end))
        if known is not None:
            return known
        text = self.document.text
        key = self._key
        iri = f"{_ID}evidence/{key}/{start}-{end}"
        node = f"<{iri}>"
        quote = f"_:q{key}{start}x{end}"
        pos = f"_:p{key}{start}x{end}"
        self._unique.append(
            f"{node} {_TYPE} {_EVIDENCE} .\n"
            f"{node} {_HAS_SOURCE} {self._source} .\n"
            f"{node} {_HAS_SELECTOR} {quote} .\n"
            f"{quote} {_TYPE} {_QUOTE_SELECTOR} .\n"
            f"{quote} {_EXACT} {quoted(text[start:end])} .\n"
            f"{quote} {_PREFIX} {quoted(text[max(0, start - CONTEXT_CHARS) : start])} .\n"
            f"{quote} {_SUFFIX} {quoted(text[end : end + CONTEXT_CHARS])} .\n"
            f"{node} {_HAS_SELECTOR} {pos} .\n"
            f"{pos} {_TYPE} {_POSITION_SELECTOR} .\n"
            f'{pos} {_START} "{start}"^^{_INTEGER} .\n'
            f'{pos} {_END} "{end}"^^{_INTEGER} .\n'
        )
        known = self._evidence[(start, end)] = (URIRef(iri), node)
        return known

    def cite(self, subject: URIRef, span: Span) -> None:
        """Record that ``subject`` was derived from the words at ``span``."""
        evidence = self._evidence_node(span)[1]
        self._lines.append(f"{self._term(subject)} {_DERIVED_FROM} {evidence} .\n")
        self._subject_predicates.add((subject, PROV.wasDerivedFrom))

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
        node = self._add(iri, RDF.type, rdf_type)[0]
        if label_vi:
            self._lines.append(f"{node} {_LABEL} {quoted(label_vi)}@vi .\n")
        if label_en:
            self._lines.append(f"{node} {_LABEL} {quoted(label_en)}@en .\n")
        if label_vi or label_en:
            self._subject_predicates.add((iri, RDFS.label))
        if span is not None:
            self.cite(iri, span)
        return iri

    def add(self, subject: URIRef, predicate: URIRef, obj, span: Span | None = None) -> None:
        """Add a statement; with ``span``, also a qualified node linking it to its evidence.

        The qualified node is an ``rdf:Statement`` (subject, predicate, object) with
        ``prov:wasDerivedFrom`` the evidence, so one statement of an entity can be traced
        even when the entity itself was mentioned elsewhere.
        """
        s, p, o = self._add(subject, predicate, obj)
        if span is not None:
            digest = hashlib.sha1(f"{subject}|{predicate}|{obj}".encode()).hexdigest()[:16]
            stmt = f"<{_ID}statement/{self._key}/{digest}>"
            evidence = self._evidence_node(span)[1]
            self._lines.append(
                f"{stmt} {_TYPE} {_STATEMENT} .\n"
                f"{stmt} {_SUBJECT} {s} .\n"
                f"{stmt} {_PREDICATE} {p} .\n"
                f"{stmt} {_OBJECT} {o} .\n"
                f"{stmt} {_DERIVED_FROM} {evidence} .\n"
            )

    def describe_source(self) -> URIRef:
        """Add the source document's metadata (title, publisher, address, date, sha256, text)."""
        doc = self.document
        g = self.triples
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
    status: str = "approved"  # 'approved' | 'draft' | 'adjusted'
