"""The reference graphs: units, regions, the 2025 rearrangement, agencies and their restructuring."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from rdflib import Graph

from quyhoach.loaders.reference import AGENCIES_GRAPH, UNITS_GRAPH, build_reference_graphs
from quyhoach.loaders.reference.units import load_units, reference_data
from quyhoach.namespaces import ID, PREFIXES, SKOS

HEADER = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return build_reference_graphs()


@pytest.fixture(scope="module")
def units(graphs) -> Graph:
    return graphs[UNITS_GRAPH]


@pytest.fixture(scope="module")
def agencies(graphs) -> Graph:
    return graphs[AGENCIES_GRAPH]


def expand(query: str) -> str:
    """Write ``id:unit/province/20`` as a full IRI (a slash is not allowed in a prefixed name)."""
    return re.sub(r"\bid:([\w/\-]+)", lambda m: f"<{ID[m.group(1)]}>", query)


def rows(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(HEADER + "\n" + expand(query))]


def scalar(graph: Graph, query: str):
    return rows(graph, query)[0][0].toPython()


def test_graph_names_and_size(graphs):
    assert set(graphs) == {
        "https://w3id.org/quyhoach/graph/reference/units",
        "https://w3id.org/quyhoach/graph/reference/agencies",
    }
    total = sum(len(g) for g in graphs.values())
    assert 10_000 < total < 150_000


def test_63_legacy_and_34_new_provinces(units):
    legacy = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a qh:Province ; qh:validUntil ?u . FILTER(?u = '2025-06-30'^^xsd:date) }"
    new = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a qh:Province ; qh:validFrom ?f . FILTER(?f = '2025-07-01'^^xsd:date) }"
    assert scalar(units, legacy) == 63
    assert scalar(units, new) == 34


def test_every_legacy_province_has_exactly_one_successor_and_an_event(units):
    q = """SELECT ?p (COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?e) AS ?events) WHERE {
        ?p a qh:Province ; qh:validUntil ?u ; qh:successor ?s .
        ?e a qh:UnitChangeEvent ; qh:originalUnit ?p ; qh:resultingUnit ?s ;
           qh:changeDate '2025-07-01'^^xsd:date ; dcterms:source id:doc/nq-qh15/2025/202 .
    } GROUP BY ?p"""
    result = rows(units, q)
    assert len(result) == 63
    assert all(n.toPython() == 1 and e.toPython() == 1 for _, n, e in result)


def test_lang_son_province_labels_and_point(units):
    p = "id:unit/province/20"
    q = f"""SELECT ?vi ?en ?full ?hidden ?code ?wkt WHERE {{
        {p} rdfs:label ?vi, ?en ; skos:altLabel ?full ; skos:hiddenLabel ?hidden ; qh:unitCode ?code ;
            geo:hasGeometry/geo:asWKT ?wkt .
        FILTER(lang(?vi) = 'vi' && lang(?en) = 'en' && str(?full) = 'Tỉnh Lạng Sơn' && str(?hidden) = 'Lang Son')
    }}"""
    vi, en, _full, _hidden, code, wkt = rows(units, q)[0]
    assert (str(vi), str(en), str(code)) == ("Lạng Sơn", "Lang Son Province", "20")
    assert str(wkt).startswith("POINT(106.")
    alt = {str(o) for o in units.objects(ID["unit/province/01"], SKOS.altLabel)}
    assert {"TP. Hà Nội", "thành phố Hà Nội", "Thủ đô Hà Nội"} <= alt


@pytest.mark.parametrize(
    ("legacy", "new", "kind"),
    [
        ("Lạng Sơn", "Lạng Sơn", "Continuation"),
        ("Lai Châu", "Lai Châu", "Continuation"),
        ("Bắc Giang", "Bắc Ninh", "Merger"),
    ],
)
def test_2025_successors(units, legacy, new, kind):
    q = f"""SELECT ?kind WHERE {{
        ?old a qh:Province ; rdfs:label "{legacy}"@vi ; qh:validUntil ?u ; qh:successor ?new .
        ?new rdfs:label "{new}"@vi ; qh:validFrom '2025-07-01'^^xsd:date ; qh:predecessor ?old .
        ?e qh:originalUnit ?old ; qh:resultingUnit ?new ; qh:changeKind ?kind .
    }}"""
    assert [str(k) for (k,) in rows(units, q)] == [str(ID[f"change-kind/{kind.lower()}"])]


def test_bac_ninh_2025_absorbed_two_provinces(units):
    q = """SELECT ?old WHERE { ?new rdfs:label "Bắc Ninh"@vi ; qh:validFrom ?f ; qh:predecessor ?old .
             ?old a qh:Province }"""
    assert {str(o) for (o,) in rows(units, q)} == {str(ID["unit/province/24"]), str(ID["unit/province/27"])}


@pytest.mark.parametrize("name", ["Hữu Lũng", "Chi Lăng", "Lộc Bình"])
def test_lang_son_districts_exist_with_successor(units, name):
    q = f"""SELECT ?d ?full ?kind WHERE {{
        ?d a qh:District ; rdfs:label "{name}"@vi ; skos:altLabel ?full ; qh:partOf id:unit/province/20 ;
           qh:validUntil '2025-06-30'^^xsd:date ; qh:successor id:unit/province-2025/20 ;
           geo:hasGeometry/geo:asWKT ?wkt .
        ?e a qh:UnitChangeEvent ; qh:originalUnit ?d ; qh:changeKind ?kind .
        FILTER(str(?full) = "Huyện {name}")
    }}"""
    result = rows(units, q)
    assert len(result) == 1
    assert str(result[0][2]) == str(ID["change-kind/abolition"])


def test_all_districts_loaded_with_a_province(units):
    q = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a qh:District ; qh:partOf ?p . ?p a qh:Province }"
    assert scalar(units, q) == 696
    q = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a qh:District . FILTER NOT EXISTS { ?d qh:successor ?s } }"
    assert scalar(units, q) == 0


def test_lai_chau_city_is_a_district(units):
    q = """SELECT ?d WHERE { ?d a qh:District ; rdfs:label "Lai Châu"@vi ; qh:unitKind "thành phố" }"""
    assert [str(d) for (d,) in rows(units, q)] == [str(ID["unit/district/105"])]


def test_six_regions_and_members(units):
    assert scalar(units, "SELECT (COUNT(?r) AS ?n) WHERE { ?r a qh:Region }") == 6
    q = "SELECT (COUNT(?p) AS ?n) WHERE { ?p qh:memberOfRegion id:unit/region/trung-du-va-mien-nui-phia-bac }"
    assert scalar(units, q) == 14
    q = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a qh:Province ; qh:memberOfRegion ?r }"
    assert scalar(units, q) == 63
    q = "SELECT ?p (COUNT(?r) AS ?n) WHERE { ?p qh:memberOfRegion ?r } GROUP BY ?p HAVING (COUNT(?r) > 1)"
    assert rows(units, q) == []


def test_region_yaml_names_match_the_package():
    names = {u.code: u.name for u in load_units() if u.level == "province" and u.valid_until is not None}
    sizes = []
    for region in reference_data()["regions"]:
        sizes.append(len(region["members"]))
        for code, name in region["members"].items():
            assert names[code] == name
    assert sizes == [14, 11, 14, 5, 6, 13]


def test_conforms_to_the_project_shapes(graphs):
    from pyshacl import validate

    data = Graph()
    for graph in graphs.values():
        data += graph
    ontology = resources.files("quyhoach.ontology")
    for name in ("quyhoach.ttl", "concepts.ttl"):
        data.parse(data=(ontology / name).read_text("utf-8"), format="turtle")
    shapes = Graph().parse(data=(ontology / "shapes.ttl").read_text("utf-8"), format="turtle")
    conforms, _, report = validate(data, shacl_graph=shapes, inference="none")
    assert conforms, report[:2000]


def test_rearrangement_resolution_declared(units):
    q = """SELECT ?d WHERE { id:doc/nq-qh15/2025/202 a qh:Resolution ; eli:id_local "202/2025/QH15" ;
             eli:date_document ?d }"""
    assert str(rows(units, q)[0][0]) == "2025-06-12"


def test_ministry_counts_before_and_after_march_2025(agencies):
    before = """SELECT ?cls (COUNT(?a) AS ?n) WHERE { VALUES ?cls { qh:Ministry qh:MinistryLevelAgency }
        ?a a ?cls . FILTER NOT EXISTS { ?a qh:validFrom ?f } } GROUP BY ?cls"""
    after = """SELECT ?cls (COUNT(?a) AS ?n) WHERE { VALUES ?cls { qh:Ministry qh:MinistryLevelAgency }
        ?a a ?cls . FILTER NOT EXISTS { ?a qh:validUntil ?u } } GROUP BY ?cls"""
    as_dict = lambda result: {str(c).rsplit("#", 1)[1]: n.toPython() for c, n in result}  # noqa: E731
    assert as_dict(rows(agencies, before)) == {"Ministry": 18, "MinistryLevelAgency": 4}
    assert as_dict(rows(agencies, after)) == {"Ministry": 14, "MinistryLevelAgency": 3}


def test_mpi_merged_into_finance_on_1_march_2025(agencies):
    q = """SELECT ?e WHERE {
        id:agency/bo-ke-hoach-va-dau-tu qh:validUntil '2025-02-28'^^xsd:date ;
            qh:successorAgency id:agency/bo-tai-chinh ; qh:abbreviation "MPI" .
        ?e a org:ChangeEvent ; org:originalOrganization id:agency/bo-ke-hoach-va-dau-tu, id:agency/bo-tai-chinh ;
           org:resultingOrganization id:agency/bo-tai-chinh ; qh:changeDate '2025-03-01'^^xsd:date ;
           dcterms:source id:doc/nq-qh15/2025/176 .
        id:doc/nq-qh15/2025/176 a qh:Resolution ; eli:id_local "176/2025/QH15" .
    }"""
    assert len(rows(agencies, q)) == 1


def test_monre_and_mard_become_agriculture_and_environment(agencies):
    q = """SELECT ?o WHERE { ?e org:resultingOrganization id:agency/bo-nong-nghiep-va-moi-truong ;
             org:originalOrganization ?o }"""
    assert {str(o).rsplit("/", 1)[1] for (o,) in rows(agencies, q)} == {
        "bo-tai-nguyen-va-moi-truong",
        "bo-nong-nghiep-va-phat-trien-nong-thon",
    }


def test_prime_minister_office_and_posts(agencies):
    q = """SELECT ?post WHERE { id:agency/thu-tuong-chinh-phu a qh:Agency ; org:subOrganizationOf id:agency/chinh-phu .
             ?post a org:Post ; org:postIn id:agency/thu-tuong-chinh-phu }"""
    assert {str(p).rsplit("/", 1)[1] for (p,) in rows(agencies, q)} == {
        "thu-tuong-chinh-phu",
        "pho-thu-tuong-chinh-phu",
    }


def test_peoples_committees_for_63_and_34_provinces(agencies):
    q = """SELECT (COUNT(?a) AS ?n) WHERE { ?a a qh:PeoplesCommittee ; qh:jurisdiction ?p ;
             qh:validUntil '2025-06-30'^^xsd:date ; qh:successorAgency ?s . ?s qh:validFrom '2025-07-01'^^xsd:date }"""
    assert scalar(agencies, q) == 63
    q = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a qh:PeoplesCouncil ; qh:validFrom '2025-07-01'^^xsd:date }"
    assert scalar(agencies, q) == 34
    q = """SELECT ?s WHERE { id:agency/ubnd/24 qh:successorAgency ?s }"""
    assert [str(s) for (s,) in rows(agencies, q)] == [str(ID["agency/ubnd-2025/24"])]


def test_provincial_departments_and_their_2025_successors(agencies):
    dept = "id:agency/so/so-ke-hoach-va-dau-tu/12"
    q = f"""SELECT ?label WHERE {{ {dept} a qh:ProvincialDepartment ; rdfs:label ?label ;
             org:subOrganizationOf id:agency/ubnd/12 ; qh:jurisdiction id:unit/province/12 ;
             qh:successorAgency id:agency/so/so-tai-chinh/12 . FILTER(lang(?label) = 'vi') }}"""
    assert [str(x) for (x,) in rows(agencies, q)] == ["Sở Kế hoạch và Đầu tư tỉnh Lai Châu"]
    q = """SELECT ?o WHERE { ?e org:resultingOrganization id:agency/so/so-nong-nghiep-va-moi-truong/20 ;
             qh:changeDate '2025-03-01'^^xsd:date ; org:originalOrganization ?o }"""
    assert {str(o).split("/")[-2] for (o,) in rows(agencies, q)} == {
        "so-tai-nguyen-va-moi-truong",
        "so-nong-nghiep-va-phat-trien-nong-thon",
    }
    q = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a qh:ProvincialDepartment ; qh:jurisdiction id:unit/province/20 }"
    assert scalar(agencies, q) >= 15
