"""The OWL ontology and concept schemes: they parse, every term is documented, the binding
vocabulary is defined, the file stays OWL 2 DL, and HermiT finds it (and valid data) consistent
while catching data that breaks its axioms."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection

from quyhoach.graph.hermit import check_consistency, concepts_path, explain_clashes, ontology_path
from quyhoach.graph.resources import shapes_path
from quyhoach.loaders.model import CleanDocument, Emitter, Span
from quyhoach.namespaces import ELI, ID, ORG, QH, SKOS

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"

requires_java = pytest.mark.skipif(
    shutil.which("java") is None, reason="HermiT runs in Java and `java` is not on PATH"
)

# The binding vocabulary of notes/CONTEXT.md, by kind of term.
CLASSES = """
AdministrativeUnit Region Province District Commune UnitChangeEvent Agency Government NationalAssembly
Ministry MinistryLevelAgency GovernmentAgency PeoplesCommittee PeoplesCouncil ProvincialDepartment
SteeringCommittee Person PostHolding LegalDocument Law Resolution Decree Decision Circular
ProvincialPlanDocument Submission OfficialLetter Report SourceDocument Plan NationalMasterPlan SectoralPlan
RegionalPlan ProvincialPlan ImplementationPlan Project EconomicCorridor TransportRoute Expressway Railway
HighSpeedRailway NationalHighway EconomicZone BorderGateEconomicZone IndustrialPark IndustrialCluster
BorderGate GrowthPole UrbanCentre CorridorStop Target FundingRequirement FundingPart Task Responsibility
Meeting Evidence
""".split()
OBJECT_PROPERTIES = """
partOf hasPart successor predecessor memberOfRegion originalUnit resultingUnit changeKind jurisdiction
successorAgency person post agency signer signerPost approves approvedBy implements attachedTo describes
mentions mustConformTo implementsPlan covers planStatus locatedIn listedIn developmentStatus hasStop stopUnit
connects indicator scope targetStatus statedIn fundingSource assignedBy role task chair organizedBy about
""".split()
DATATYPE_PROPERTIES = """
unitCode unitKind validFrom validUntil changeDate abbreviation asOf documentNumber documentYear issuerCode
typeCode periodStart periodEnd visionYear priority routeNumber position value minValue maxValue comparator
measureUnit targetYear totalAmount currency amount share taskText deadline recurrence meetingDate ordinal
sha256 text sourceKind fileName
""".split()
INDICATORS = """
grdp-growth grdp-structure-agriculture grdp-structure-industry-construction grdp-structure-services
grdp-structure-product-taxes grdp-per-capita income-per-capita population population-growth
urbanisation-rate forest-cover trained-labour-share poverty-rate-reduction budget-revenue tourist-arrivals
new-rural-communes-share
""".split()
ROLES = "lead cooperate report publish implement guide appraise submit".split()

# Namespaces whose terms OWL itself defines: everything else used in axioms must be declared.
BUILT_IN = (str(OWL), str(RDF), str(RDFS), "http://www.w3.org/2001/XMLSchema#")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


@pytest.fixture(scope="module")
def concepts() -> Graph:
    return Graph().parse(concepts_path(), format="turtle")


def _langs(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


def _disjoint_pairs(graph: Graph) -> set[frozenset]:
    pairs = {frozenset(p) for p in graph.subject_objects(OWL.disjointWith)}
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(axiom, OWL.members)))
        pairs |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1 :]}
    return pairs


# -- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ontology_path(), concepts_path(), shapes_path()], ids=lambda p: p.name)
def test_files_parse_as_turtle(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 100


def test_ontology_header(onto: Graph) -> None:
    header = URIRef("https://w3id.org/quyhoach/ontology")
    assert (header, RDF.type, OWL.Ontology) in onto
    assert onto.value(header, OWL.versionInfo) is not None
    titles = _langs(onto, header, URIRef("http://purl.org/dc/terms/title"))
    assert {"vi", "en"} <= titles
    assert not list(onto.objects(None, OWL.imports)), "the ontology must import nothing"


@pytest.mark.parametrize("which", ["ontology", "concepts"])
def test_every_qh_term_has_vi_en_labels_and_comment(which: str, onto: Graph, concepts: Graph) -> None:
    graph = onto if which == "ontology" else concepts
    terms = {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(QH))}
    assert len(terms) > (120 if which == "ontology" else 5)
    missing = []
    for term in sorted(terms):
        labels = _langs(graph, term, RDFS.label)
        comments = _langs(graph, term, RDFS.comment)
        if not {"vi", "en"} <= labels or "en" not in comments:
            missing.append(f"{term} labels={labels} comments={comments}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        (CLASSES, OWL.Class),
        (OBJECT_PROPERTIES, OWL.ObjectProperty),
        (DATATYPE_PROPERTIES, OWL.DatatypeProperty),
    ],
    ids=["classes", "object-properties", "datatype-properties"],
)
def test_binding_vocabulary_is_defined(names: list[str], kind: URIRef, onto: Graph) -> None:
    missing = [n for n in names if (QH[n], RDF.type, kind) not in onto]
    assert not missing, f"not declared as {kind}: {missing}"


def test_properties_have_one_owl_kind(onto: Graph) -> None:
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    props = {s for k in kinds for s in onto.subjects(RDF.type, k)}
    mixed = [p for p in props if sum((p, RDF.type, k) in onto for k in kinds) != 1]
    assert not mixed, f"properties declared with several kinds: {mixed}"
    # Datatype properties must not have class ranges, object properties no datatype ranges.
    for p in onto.subjects(RDF.type, OWL.DatatypeProperty):
        for r in onto.objects(p, RDFS.range):
            assert (r, RDF.type, OWL.Class) not in onto, f"{p} is a datatype property with class range {r}"
    for p in onto.subjects(RDF.type, OWL.ObjectProperty):
        for r in onto.objects(p, RDFS.range):
            assert not str(r).startswith("http://www.w3.org/2001/XMLSchema#"), f"{p} has datatype range {r}"


def test_every_term_used_in_axioms_is_declared(onto: Graph) -> None:
    """Self-contained OWL 2 DL: each class or property an axiom mentions is typed in the file."""
    declared = set(onto.subjects(RDF.type, None))
    used: set[URIRef] = set()
    for pred in (
        RDFS.subClassOf,
        RDFS.domain,
        RDFS.range,
        RDFS.subPropertyOf,
        OWL.inverseOf,
        OWL.disjointWith,
    ):
        for s, o in onto.subject_objects(pred):
            used |= {n for n in (s, o) if isinstance(n, URIRef)}
    for lst in list(onto.objects(None, OWL.unionOf)) + list(onto.objects(None, OWL.members)):
        used |= {n for n in Collection(onto, lst) if isinstance(n, URIRef)}
    undeclared = sorted(n for n in used if not str(n).startswith(BUILT_IN) and n not in declared)
    assert not undeclared, f"used but not declared: {undeclared}"
    external = [n for n in declared if isinstance(n, URIRef) and not str(n).startswith((str(QH), *BUILT_IN))]
    external = [n for n in external if n != URIRef("https://w3id.org/quyhoach/ontology")]
    no_origin = [n for n in external if onto.value(n, RDFS.isDefinedBy) is None]
    assert not no_origin, f"reused terms without rdfs:isDefinedBy: {no_origin}"


def test_non_simple_properties_stay_out_of_cardinality_and_functionality(onto: Graph) -> None:
    transitive = set(onto.subjects(RDF.type, OWL.TransitiveProperty))
    non_simple = set(transitive)
    for p, q in onto.subject_objects(OWL.inverseOf):
        if p in transitive:
            non_simple.add(q)
        if q in transitive:
            non_simple.add(p)
    changed = True
    while changed:  # super-properties of non-simple properties are non-simple too
        supers = {o for s, o in onto.subject_objects(RDFS.subPropertyOf) if s in non_simple}
        changed = not supers <= non_simple
        non_simple |= supers
    assert QH.partOf in non_simple and QH.hasPart in non_simple
    cardinality = [
        OWL.cardinality,
        OWL.minCardinality,
        OWL.maxCardinality,
        OWL.qualifiedCardinality,
        OWL.minQualifiedCardinality,
        OWL.maxQualifiedCardinality,
    ]
    for restriction in onto.subjects(RDF.type, OWL.Restriction):
        if any(onto.value(restriction, c) is not None for c in cardinality):
            assert onto.value(restriction, OWL.onProperty) not in non_simple
    for kind in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty):
        assert not (set(onto.subjects(RDF.type, kind)) & non_simple)


def test_key_axioms(onto: Graph) -> None:
    assert (QH.partOf, RDF.type, OWL.TransitiveProperty) in onto
    assert (QH.partOf, OWL.inverseOf, QH.hasPart) in onto
    assert (QH.successor, OWL.inverseOf, QH.predecessor) in onto
    assert (QH.approves, OWL.inverseOf, QH.approvedBy) in onto
    assert (QH.memberOfRegion, RDFS.subPropertyOf, QH.partOf) in onto
    assert (QH.Agency, RDFS.subClassOf, ORG.Organization) in onto
    assert (QH.LegalDocument, RDFS.subClassOf, ELI.LegalResource) in onto
    assert (QH.HighSpeedRailway, RDFS.subClassOf, QH.Railway) in onto
    assert (QH.BorderGateEconomicZone, RDFS.subClassOf, QH.EconomicZone) in onto
    assert onto.value(QH.locatedIn, RDFS.range) == QH.AdministrativeUnit
    assert onto.value(ELI.passed_by, RDFS.range) == ORG.Organization
    # qh:implements must accept a plan or a document: its range is a union, not one class.
    implements_range = onto.value(QH.implements, RDFS.range)
    assert implements_range is not None
    union = set(Collection(onto, onto.value(implements_range, OWL.unionOf)))
    assert {QH.Plan, QH.LegalDocument} <= union
    # qh:hasPart also links funding parts: partOf must not confine it to units.
    assert onto.value(QH.partOf, RDFS.domain) is None and onto.value(QH.partOf, RDFS.range) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (QH.Agency, QH.AdministrativeUnit),
        (QH.Plan, QH.LegalDocument),
        (QH.LegalDocument, QH.SourceDocument),
        (QH.Target, QH.Task),
        (QH.Person, QH.Agency),
        (QH.Region, QH.Province),
        (QH.Region, QH.District),
        (QH.Region, QH.Commune),
        (QH.Province, QH.District),
        (QH.Province, QH.Commune),
        (QH.District, QH.Commune),
    ],
)
def test_disjointness(a: URIRef, b: URIRef, onto: Graph) -> None:
    assert frozenset((a, b)) in _disjoint_pairs(onto)


def test_growth_poles_may_be_units(onto: Graph) -> None:
    """A city can be designated a growth pole: that must not be a contradiction."""
    pairs = _disjoint_pairs(onto)
    assert frozenset((QH.GrowthPole, QH.AdministrativeUnit)) not in pairs
    assert frozenset((QH.UrbanCentre, QH.AdministrativeUnit)) not in pairs


# -- concept schemes ---------------------------------------------------------------------------


def test_concepts_are_labelled_and_in_a_declared_scheme(concepts: Graph) -> None:
    schemes = set(concepts.subjects(RDF.type, SKOS.ConceptScheme))
    assert {QH.IndicatorScheme, QH.RoleScheme} <= schemes
    problems = []
    for concept in concepts.subjects(RDF.type, SKOS.Concept):
        if not {"vi", "en"} <= _langs(concepts, concept, RDFS.label):
            problems.append(f"{concept}: labels")
        if not {"vi", "en"} <= _langs(concepts, concept, SKOS.prefLabel):
            problems.append(f"{concept}: prefLabels")
        in_schemes = set(concepts.objects(concept, SKOS.inScheme))
        if not in_schemes or not in_schemes <= schemes:
            problems.append(f"{concept}: scheme {in_schemes}")
    assert not problems, problems


def test_binding_concepts_exist(concepts: Graph) -> None:
    for slug in INDICATORS:
        assert (ID[f"indicator/{slug}"], SKOS.inScheme, QH.IndicatorScheme) in concepts, slug
    for slug in ROLES:
        assert (ID[f"role/{slug}"], SKOS.inScheme, QH.RoleScheme) in concepts, slug
    for status in (QH.Draft, QH.Approved):
        assert (status, RDF.type, SKOS.Concept) in concepts
    for code in ("qd", "nd", "nq", "kh", "ttr", "tt", "cv", "bc", "luat"):
        assert (ID[f"doctype/{code}"], RDF.type, SKOS.Concept) in concepts, code
    for kind, slugs in {
        "change-kind": ["merger", "abolition", "continuation"],
        "development-status": ["planned", "to-be-studied", "priority", "existing"],
        "funding-source": ["state-sector", "non-state-sector", "state-budget", "other"],
    }.items():
        for slug in slugs:
            assert (ID[f"{kind}/{slug}"], RDF.type, SKOS.Concept) in concepts, f"{kind}/{slug}"


# -- plain-word diagnosis (no Java needed) -----------------------------------------------------


def test_explain_clashes_names_resource_and_classes(onto: Graph) -> None:
    data = Graph().parse(FIXTURES / "inconsistent_scope_agency.ttl")
    clashes = explain_clashes(onto + data)
    assert len(clashes) == 1
    assert "agency/ubnd/20" in clashes[0]
    assert "qh:scope" in clashes[0] and "qh:AdministrativeUnit" in clashes[0] and "qh:Agency" in clashes[0]
    assert explain_clashes(onto + Graph().parse(FIXTURES / "valid.ttl")) == []


# -- HermiT ------------------------------------------------------------------------------------


@requires_java
def test_hermit_ontology_and_concepts_consistent_and_coherent() -> None:
    report = check_consistency([ontology_path(), concepts_path()])
    assert report.consistent, report.message
    assert report.unsatisfiable == [], report.message
    assert report.ok


@requires_java
def test_hermit_valid_fixture_consistent() -> None:
    report = check_consistency([ontology_path(), concepts_path(), FIXTURES / "valid.ttl"])
    assert report.consistent, report.message


@requires_java
def test_hermit_finds_disjointness_violation() -> None:
    report = check_consistency([ontology_path(), concepts_path(), FIXTURES / "inconsistent_disjoint.ttl"])
    assert not report.consistent
    assert "Inconsistent" in report.message
    assert any("unit/province/20" in c and "qh:Agency" in c for c in report.clashes), report.clashes


@requires_java
def test_hermit_finds_range_violation_in_extra_graph() -> None:
    data = Graph().parse(FIXTURES / "inconsistent_scope_agency.ttl")
    report = check_consistency([ontology_path(), concepts_path()], extra_graph=data)
    assert not report.consistent
    assert any("qh:scope" in c for c in report.clashes), report.clashes


@requires_java
def test_hermit_reports_unsatisfiable_class() -> None:
    report = check_consistency([ontology_path(), FIXTURES / "unsatisfiable_class.ttl"])
    assert report.consistent
    assert report.unsatisfiable == ["https://w3id.org/quyhoach/test#AgencyUnit"]
    assert not report.ok and "AgencyUnit" in report.message


@requires_java
def test_hermit_accepts_emitter_output() -> None:
    """What the loaders emit (evidence, rdf:Statement nodes, source metadata) is consistent."""
    text = "Quyết định số 1161/QĐ-TTg ngày 14/10/2024 của Thủ tướng Chính phủ.\r\nDòng hai."
    doc = CleanDocument(
        text=text,
        path="corpus/x.txt",
        title="Tin",
        kind="news",
        publisher="MPI",
        published=date(2024, 10, 14),
        url="https://example.org/a",
    )
    emitter = Emitter(doc)
    emitter.describe_source()
    decision = ID["doc/qd-ttg/2024/1161"]
    emitter.entity(decision, QH.Decision, Span(14, 25), label_vi="Quyết định 1161/QĐ-TTg")
    emitter.add(decision, ELI.id_local, Literal("1161/QĐ-TTg"), Span(14, 25))
    emitter.add(decision, ELI.passed_by, ID["agency/thu-tuong-chinh-phu"], Span(45, 66))
    emitter.graph.add((ID["agency/thu-tuong-chinh-phu"], RDF.type, QH.PrimeMinister))
    emitter.graph.add((doc.iri, QH.describes, decision))
    report = check_consistency([ontology_path(), concepts_path()], extra_graph=emitter.graph)
    assert report.consistent, report.message
