"""IRIs of the project: ontology terms, data resources, named graphs, reused vocabularies."""

from rdflib import Namespace as _RdflibNamespace
from rdflib import URIRef


class Namespace(_RdflibNamespace):
    """An rdflib ``Namespace`` whose attribute terms (``QH.Plan``) are made once and kept on the
    instance: extractors name the same few terms tens of thousands of times per document."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term

#: Ontology terms (prefix ``qh:``).
QH = Namespace("https://w3id.org/quyhoach/ontology#")
#: Data resources: ``https://w3id.org/quyhoach/id/{kind}/{key}``.
ID = Namespace("https://w3id.org/quyhoach/id/")
#: Named graphs: ``…/graph/source/{sha256}``, ``…/graph/reference/{name}``, ``…/graph/inferred``.
GRAPH = Namespace("https://w3id.org/quyhoach/graph/")

ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")

ONTOLOGY_GRAPH = GRAPH["ontology"]
INFERRED_GRAPH = GRAPH["inferred"]
FINDINGS_GRAPH = GRAPH["findings"]


def reference_graph(name: str) -> str:
    """IRI of the named graph holding reference data ``name`` (e.g. ``units``)."""
    return str(GRAPH[f"reference/{name}"])


def source_graph(sha256: str) -> str:
    """IRI of the named graph holding what was extracted from one source document."""
    return str(GRAPH[f"source/{sha256}"])


PREFIXES = {
    "qh": str(QH),
    "id": str(ID),
    "eli": str(ELI),
    "org": str(ORG),
    "prov": str(PROV),
    "oa": str(OA),
    "time": str(TIME),
    "geo": str(GEO),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
