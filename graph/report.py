"""Write a :class:`~quyhoach.graph.checks.CheckReport` as HTML, Markdown, JSON or Turtle.

HTML and Markdown come from the Jinja2 templates in ``graph/templates``; JSON is the report's
dictionary form (also the ``--baseline`` input); Turtle expresses the findings in the findings
vocabulary of ``ontology/findings.ttl`` so they can be loaded and queried.
"""

from __future__ import annotations

import json
from importlib import resources

import pyoxigraph as ox
from jinja2 import Environment, StrictUndefined
from rdflib import RDF, RDFS, XSD

from quyhoach import __version__
from quyhoach.graph.checks import SEVERITIES, CheckReport
from quyhoach.namespaces import DCTERMS, ID, PREFIXES, PROV, QH

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
        prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        return ox.serialize(to_triples(report), format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode("utf-8")
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


def to_triples(report: CheckReport) -> list[ox.Triple]:
    """The findings as RDF (one ``qh:Finding`` per finding, linked to its run, check and evidence).

    Union-safe: every subject is a node of the run (``id/finding/…``, ``id/check/…``,
    ``id/check-run/…``), and entities and evidence nodes of the data appear only as objects
    (``qh:concerns``, ``qh:hasEvidence``), never re-described. So the union of all named graphs,
    the findings graph included, answers every query about the data as the data graphs alone,
    and queries keep the engine's own union default graph (one index lookup per pattern) after a
    saved run. Labels, quotes and source titles are read from the data graphs when shown.

    pyoxigraph terms, each triple once, written with one ``extend`` (an rdflib graph in between
    took 13 s to build and 5 s to convert at 10 M quads).
    """
    out: dict[ox.Triple, None] = {}

    def add(s, p, o) -> None:
        out[ox.Triple(s, p, o)] = None

    def iri(value) -> ox.NamedNode:
        return ox.NamedNode(str(value))

    def lit(value: str, lang: str | None = None, datatype=None) -> ox.Literal:
        if lang:
            return ox.Literal(value, language=lang)
        return ox.Literal(value, datatype=iri(datatype)) if datatype else ox.Literal(value)

    a, label = iri(RDF.type), iri(RDFS.label)
    stamp = report.generated.replace(":", "").replace("+", "Z").replace("-", "")
    run = iri(ID[f"check-run/{stamp}"])
    add(run, a, iri(QH.CheckRun))
    add(run, label, lit(f"quyhoach check {report.generated}"))
    add(run, iri(PROV.startedAtTime), lit(report.generated, datatype=XSD.dateTime))
    add(run, iri(QH.referenceDate), lit(report.today, datatype=XSD.date))
    add(run, iri(QH.findingCount), lit(str(len(report.findings)), datatype=XSD.integer))
    for check in report.checks:
        node = iri(ID[f"check/{check.name}"])
        add(node, a, iri(QH.ConsistencyCheck))
        add(node, label, lit(check.title_vi, "vi"))
        add(node, label, lit(check.title_en, "en"))
        if check.question:
            add(node, iri(DCTERMS.description), lit(check.question, "en"))
    p_check, p_severity, p_key, p_message = iri(QH.check), iri(QH.severity), iri(QH.findingKey), iri(QH.message)
    p_generated, p_status, p_query = iri(PROV.wasGeneratedBy), iri(QH.findingStatus), iri(QH.reproducingQuery)
    p_concerns, p_evidence, finding_class = iri(QH.concerns), iri(QH.hasEvidence), iri(QH.Finding)
    for finding in [*report.findings, *report.resolved]:
        node = iri(ID[f"finding/{finding.id}"])
        add(node, a, finding_class)
        add(node, p_check, iri(ID[f"check/{finding.check}"]))
        add(node, p_severity, iri(ID[f"severity/{finding.severity}"]))
        add(node, p_key, lit(finding.id))
        add(node, p_message, lit(finding.message_vi, "vi"))
        add(node, p_message, lit(finding.message_en, "en"))
        add(node, p_generated, run)
        if finding.status:
            add(node, p_status, lit(finding.status))
        if finding.sparql:
            add(node, p_query, lit(finding.sparql))
        for entity in finding.entities:
            add(node, p_concerns, ox.NamedNode(entity.iri))
        for quote in finding.evidence:
            if ":" in quote.evidence:  # an IRI: the data's evidence node (a blank node id has no colon)
                add(node, p_evidence, ox.NamedNode(quote.evidence))
    return list(out)
