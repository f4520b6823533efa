"""SHACL shapes: valid data conforms, each kind of broken extraction is reported by the right
shape with Vietnamese and English messages, and the shapes themselves are well-formed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection

from quyhoach.graph.resources import ontology_graph, shapes_graph
from quyhoach.graph.shacl import QHSH, SH, validate
from quyhoach.loaders.model import CleanDocument, Emitter, Span
from quyhoach.namespaces import ELI, ID, QH

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def _load(name: str) -> Graph:
    return Graph().parse(FIXTURES / name, format="turtle")


def test_valid_fixture_conforms_without_any_result() -> None:
    report = validate(_load("valid.ttl"))
    assert report.conforms, report.text()
    assert report.results == [], report.text()


@pytest.mark.parametrize(
    ("fixture", "shape", "path"),
    [
        ("decision_without_number.ttl", QHSH.NumberedDocumentShape, ELI.id_local),
        ("target_without_scope.ttl", QHSH.TargetShape, QH.scope),
        ("target_without_value.ttl", QHSH.TargetShape, None),
        ("target_range_reversed.ttl", QHSH.TargetShape, QH.minValue),
        ("responsibility_without_agency.ttl", QHSH.ResponsibilityShape, QH.agency),
        ("unit_without_vi_label.ttl", QHSH.AdministrativeUnitShape, RDFS.label),
        ("agency_without_vi_label.ttl", QHSH.AgencyShape, RDFS.label),
        ("corridor_one_stop.ttl", QHSH.EconomicCorridorShape, QH.hasStop),
        ("corridor_duplicate_position.ttl", QHSH.EconomicCorridorShape, None),
        ("evidence_without_exact.ttl", QHSH.EvidenceShape, URIRef("http://www.w3.org/ns/oa#hasSelector")),
        ("plan_period_reversed.ttl", QHSH.PlanShape, None),
        ("meeting_without_date.ttl", QHSH.MeetingShape, QH.meetingDate),
        ("funding_without_total.ttl", QHSH.FundingRequirementShape, QH.totalAmount),
        ("task_without_text.ttl", QHSH.TaskShape, QH.taskText),
    ],
)
def test_invalid_fixture_reports_expected_shape(fixture: str, shape: URIRef, path: URIRef | None) -> None:
    report = validate(_load(fixture))
    assert not report.conforms
    # The fixture is otherwise valid: the expected shape is the only one violated.
    assert report.shapes("Violation") == {str(shape)}, report.text()
    violation = report.violations[0]
    assert violation.path == (str(path) if path else None)
    assert violation.message_vi and violation.message_en
    assert violation.message_vi != violation.message_en


def test_missing_date_is_only_a_warning() -> None:
    report = validate(_load("decision_without_date.ttl"))
    assert report.conforms
    assert [(w.shape, w.path) for w in report.warnings] == [
        (str(QHSH.NumberedDocumentShape), str(ELI.date_document))
    ]


def test_subclass_instances_are_targeted() -> None:
    """A resource typed only qh:Decision is checked by the qh:LegalDocument shape."""
    data = Graph()
    doc = ID["doc/qd-ttg/2024/1"]
    data.add((doc, RDF.type, QH.Decision))
    data.add((doc, ELI.id_local, Literal("1/QĐ-TTg")))
    data.add((doc, ELI.date_document, Literal("14/10/2024")))  # a string, not an xsd:date
    report = validate(data)
    assert report.shapes("Violation") == {str(QHSH.LegalDocumentShape)}


def test_numbers_accept_integer_and_decimal_but_not_strings() -> None:
    target = ID["target/x/1"]
    base = [
        (target, RDF.type, QH.Target),
        (target, QH.indicator, ID["indicator/population"]),
        (target, QH.scope, ID["unit/province/12"]),
        (target, QH.statedIn, ID["doc/qd-ttg/2024/1486"]),
    ]
    for value, ok in (
        (Literal(540000), True),
        (Literal("8.5", datatype=XSD_DECIMAL), True),
        (Literal("8,5"), False),
    ):
        data = Graph()
        for triple in base:
            data.add(triple)
        data.add((target, QH.value, value))
        assert validate(data).conforms is ok, value


def test_indicator_outside_scheme_is_a_warning() -> None:
    data = _load("target_without_scope.ttl")
    target = next(data.subjects(RDF.type, QH.Target))
    data.set((target, QH.indicator, ID["indicator/made-up-indicator"]))
    data.add((target, QH.scope, ID["unit/province/12"]))
    report = validate(data)
    assert report.conforms
    assert report.shapes("Warning") == {str(QHSH.TargetShape)}
    assert "IndicatorScheme" in report.warnings[0].message_en


def test_validate_leaves_input_untouched_and_merges_datasets() -> None:
    data = _load("unit_without_vi_label.ttl")
    size = len(data)
    validate(data)
    assert len(data) == size
    ds = Dataset()
    named = ds.graph(URIRef("https://w3id.org/quyhoach/graph/source/abc"))
    for triple in data:
        named.add(triple)
    assert validate(ds).shapes("Violation") == {str(QHSH.AdministrativeUnitShape)}


def test_emitter_output_conforms() -> None:
    """Evidence and statement nodes written by the shared Emitter satisfy the shapes."""
    text = "Quyết định số 1161/QĐ-TTg ngày 14/10/2024 phê duyệt kế hoạch."
    doc = CleanDocument(text=text, title="Tin", kind="news", published=date(2024, 10, 14))
    emitter = Emitter(doc)
    emitter.describe_source()
    decision = ID["doc/qd-ttg/2024/1161"]
    emitter.entity(decision, QH.Decision, Span(14, 25), label_vi="Quyết định 1161/QĐ-TTg")
    emitter.add(decision, ELI.id_local, Literal("1161/QĐ-TTg"), Span(14, 25))
    emitter.add(decision, ELI.date_document, Literal(date(2024, 10, 14)), Span(31, 41))
    report = validate(emitter.graph)
    assert report.conforms and not report.results, report.text()


# -- the shapes themselves ---------------------------------------------------------------------


def _named_shapes(shapes: Graph) -> set[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    found |= set(shapes.objects(None, SH.property))
    return {s for s in found if isinstance(s, URIRef)}


def test_every_named_shape_has_vi_en_label_and_message() -> None:
    shapes = shapes_graph()
    named = _named_shapes(shapes)
    assert len(named) > 60
    for shape in named:
        for prop in (RDFS.label, SH.message):
            langs = {o.language for o in shapes.objects(shape, prop) if isinstance(o, Literal)}
            assert {"vi", "en"} <= langs, f"{shape} {prop}: {langs}"


def test_node_shapes_for_every_main_class() -> None:
    targets = set(shapes_graph().objects(None, SH.targetClass))
    main = {
        QH.LegalDocument,
        QH.Decision,
        QH.Plan,
        QH.Target,
        QH.Responsibility,
        QH.Task,
        QH.AdministrativeUnit,
        QH.Province,
        QH.District,
        QH.Agency,
        QH.EconomicCorridor,
        QH.FundingRequirement,
        QH.FundingPart,
        QH.Evidence,
        QH.Meeting,
        QH.SourceDocument,
        QH.Person,
        QH.UnitChangeEvent,
        QH.Project,
    }
    assert main <= targets, main - targets


def test_shapes_refer_to_declared_terms() -> None:
    """A typo in a target class or path would silently validate nothing."""
    onto = ontology_graph()
    shapes = shapes_graph()
    classes = set(onto.subjects(RDF.type, OWL.Class))
    for cls in shapes.objects(None, SH.targetClass):
        assert cls in classes, cls
    properties = {
        s
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in onto.subjects(RDF.type, kind)
    } | {RDFS.label}
    for path in shapes.objects(None, SH.path):
        if isinstance(path, URIRef):
            assert path in properties, path
    for lst in shapes.objects(None, SH["in"]):
        for item in Collection(shapes, lst):
            assert isinstance(item, Literal) or item in {QH.Draft, QH.Approved, QH.Adjusted}, item
