"""Write a :class:`~quyhoach.graph.checks.CheckReport` as HTML, Markdown, JSON or Turtle.

HTML and Markdown come from the Jinja2 templates in ``graph/templates``; JSON is the report's
dictionary form (also the ``--baseline`` input); Turtle expresses the findings in the findings
vocabulary of ``ontology/findings.ttl`` so they can be loaded and queried.
"""

from __future__ import annotations

import json
from importlib import resources

from jinja2 import Environment, StrictUndefined
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

from quyhoach import __version__
from quyhoach.graph.checks import SEVERITIES, CheckReport
from quyhoach.namespaces import DCTERMS, ID, OA, PREFIXES, PROV, QH

FORMATS = ("html", "md", "json", "ttl")
SEVERITY_LABELS = {
    "error": ("Lỗi", "Error"),
    "warning": ("Cảnh báo", "Warning"),
    "info": ("Thông tin", "Info"),
}


def _environment(autoescape: bool) -> Environment:
    env = Environment(autoescape=autoescape, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["severity_labels"] = SEVERITY_LABELS
    env.filters["mdcell"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    return env


def _template(name: str, autoescape: bool):
    text = (resources.files("quyhoach.graph.templates") / name).read_text(encoding="utf-8")
    return _environment(autoescape).from_string(text)


def render(report: CheckReport, fmt: str) -> str:
    """The report in ``fmt`` (html, md, json, ttl)."""
    if fmt == "json":
        return json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "ttl":
        return to_graph(report).serialize(format="turtle")
    if fmt in ("html", "md"):
        name = "report.html.j2" if fmt == "html" else "report.md.j2"
        return _template(name, autoescape=fmt == "html").render(
            report=report,
            groups=report.grouped(),
            counts=report.counts(),
            status_counts=report.status_counts(),
            severities=SEVERITIES,
            version=__version__,
        )
    raise ValueError(f"unknown report format '{fmt}': choose one of {', '.join(FORMATS)}")


def to_graph(report: CheckReport) -> Graph:
    """The findings as RDF (one ``qh:Finding`` per finding, linked to its run, check and evidence)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    stamp = report.generated.replace(":", "").replace("+", "Z").replace("-", "")
    run = ID[f"check-run/{stamp}"]
    g.add((run, RDF.type, QH.CheckRun))
    g.add((run, RDFS.label, Literal(f"quyhoach check {report.generated}")))
    g.add((run, PROV.startedAtTime, Literal(report.generated, datatype=XSD.dateTime)))
    g.add((run, QH.referenceDate, Literal(report.today, datatype=XSD.date)))
    g.add((run, QH.findingCount, Literal(len(report.findings), datatype=XSD.integer)))
    for check in report.checks:
        node = ID[f"check/{check.name}"]
        g.add((node, RDF.type, QH.ConsistencyCheck))
        g.add((node, RDFS.label, Literal(check.title_vi, lang="vi")))
        g.add((node, RDFS.label, Literal(check.title_en, lang="en")))
        if check.question:
            g.add((node, DCTERMS.description, Literal(check.question, lang="en")))
    for finding in [*report.findings, *report.resolved]:
        node = ID[f"finding/{finding.id}"]
        g.add((node, RDF.type, QH.Finding))
        g.add((node, QH.check, ID[f"check/{finding.check}"]))
        g.add((node, QH.severity, ID[f"severity/{finding.severity}"]))
        g.add((node, QH.findingKey, Literal(finding.id)))
        g.add((node, QH.message, Literal(finding.message_vi, lang="vi")))
        g.add((node, QH.message, Literal(finding.message_en, lang="en")))
        g.add((node, PROV.wasGeneratedBy, run))
        if finding.status:
            g.add((node, QH.findingStatus, Literal(finding.status)))
        if finding.sparql:
            g.add((node, QH.reproducingQuery, Literal(finding.sparql)))
        for entity in finding.entities:
            iri = URIRef(entity.iri)
            g.add((node, QH.concerns, iri))
            if entity.label_vi:
                g.add((iri, RDFS.label, Literal(entity.label_vi, lang="vi")))
        for quote in finding.evidence:
            evidence = URIRef(quote.evidence) if quote.evidence else BNode()
            g.add((node, QH.hasEvidence, evidence))
            g.add((evidence, RDF.type, QH.Evidence))
            g.add((evidence, OA.hasSource, URIRef(quote.source)))
            selector = BNode()
            g.add((evidence, OA.hasSelector, selector))
            g.add((selector, RDF.type, OA.TextQuoteSelector))
            g.add((selector, OA.exact, Literal(quote.quote)))
            if quote.source_title:
                g.add((URIRef(quote.source), DCTERMS.title, Literal(quote.source_title, lang="vi")))
    return g
