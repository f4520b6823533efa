"""Economic corridors: dash styles, lists after "như", unresolved stops, and sequences that are not corridors."""

from datetime import date

from quyhoach.loaders.extract import corridors
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext
from quyhoach.loaders.reference.resolver import get_resolver
from quyhoach.namespaces import ID, PREFIXES

STOPS = """
SELECT ?c ?label (GROUP_CONCAT(?name; separator="|") AS ?stops) WHERE {
  { SELECT ?c ?label ?p ?name WHERE {
      ?c a qh:EconomicCorridor ; rdfs:label ?label ; qh:hasStop ?s . ?s qh:position ?p ; rdfs:label ?name .
  } ORDER BY ?c ?p }
} GROUP BY ?c ?label
"""


def run(text: str):
    doc = CleanDocument(text=text, path="variant.txt")
    ctx = ExtractionContext(as_of=date(2024, 6, 1), resolver=get_resolver(), main_document=ID["doc/qd-ttg/2024/5"],
                            main_plan=ID["plan/regional/dong-bang-song-hong/2021-2030"],
                            scope_unit=ID["unit/region/dong-bang-song-hong"])
    emitter = Emitter(doc)
    corridors.extract(doc, emitter, ctx)
    return emitter.graph


def stops(graph) -> dict[str, str]:
    return {str(r.stops): str(r.label) for r in graph.query(STOPS, initNs=PREFIXES)}


def test_list_after_nhu_with_mixed_dashes():
    g = run("Phát triển các hành lang kinh tế quan trọng như Hải Phòng—Hà Nội—Lào Cai, Hà Nội - Lạng Sơn, "
            "Quảng Ninh–Hải Dương–Hà Nội.")
    got = stops(g)
    assert set(got) == {"Hải Phòng|Hà Nội|Lào Cai", "Hà Nội|Lạng Sơn", "Quảng Ninh|Hải Dương|Hà Nội"}
    assert got["Hải Phòng|Hà Nội|Lào Cai"] == "Hải Phòng - Hà Nội - Lào Cai"


def test_iri_order_positions_units_and_listed_in():
    g = run("Hình thành trục kinh tế Hà Nội – Hải Phòng – Quảng Ninh.")
    iri = ID["corridor/ha-noi--hai-phong--quang-ninh"]
    q = "SELECT ?p ?u WHERE { ?c qh:hasStop ?s . ?s qh:position ?p ; qh:stopUnit ?u } ORDER BY ?p"
    rows = [(int(r.p), str(r.u)) for r in g.query(q, initNs=PREFIXES, initBindings={"c": iri})]
    assert rows == [(1, str(ID["unit/province/01"])), (2, str(ID["unit/province/31"])), (3, str(ID["unit/province/22"]))]
    assert (iri, None, ID["plan/regional/dong-bang-song-hong/2021-2030"]) in g


def test_unresolved_stop_is_kept_and_flagged():
    g = run("Phát triển hành lang kinh tế Côn Minh – Lào Cai – Hà Nội – Hải Phòng.")
    assert set(stops(g)) == {"Côn Minh|Lào Cai|Hà Nội|Hải Phòng"}
    q = "SELECT ?name WHERE { ?s a qh:CorridorStop ; qh:unresolved true ; rdfs:label ?name }"
    assert [str(r.name) for r in g.query(q, initNs=PREFIXES)] == ["Côn Minh"]


def test_area_clusters_routes_and_lower_case_sequences_are_not_corridors():
    g = run("Hình thành các cụm liên kết ngành tập trung chủ yếu tại Thái Bình – Nam Định – Ninh Bình. "
            "Xây dựng tuyến đường sắt Hà Nội – Hải Phòng. Phát triển vành đai công nghiệp – đô thị – dịch vụ; "
            "nghiên cứu – quảng bá – bảo tồn văn hóa.")
    assert stops(g) == {}


def test_sequence_mostly_not_units_is_not_a_corridor():
    g = run("Hành lang kinh tế dọc Sông Hồng – Sông Đà.")
    assert stops(g) == {}


def test_a_corridor_named_by_its_ends_needs_no_units_but_a_direction_is_none():
    g = run("Thúc đẩy hành lang kinh tế Lệ Thanh – Quy Nhơn và hành lang kinh tế Tây Trang - Điện Biên - Sơn La; "
            "kết nối với hành lang kinh tế quốc tế Côn Minh – Bangkok. Hoàn thiện hành lang kinh tế Đông - Tây "
            "và trục kinh tế Bắc – Nam; liên kết các cảng tại Lệ Thanh – Quy Nhơn.")
    got = set(stops(g))
    assert {"Lệ Thanh|Quy Nhơn", "Tây Trang|Điện Biên|Sơn La", "Côn Minh|Bangkok"} <= got
    assert not {"Đông|Tây", "Bắc|Nam"} & got
    q = "SELECT ?name WHERE { ?s a qh:CorridorStop ; qh:unresolved true ; rdfs:label ?name }"
    assert {"Côn Minh", "Bangkok"} <= {str(r.name) for r in g.query(q, initNs=PREFIXES)}


def test_a_city_written_with_its_kind_word_is_one_stop():
    g = run("Phát triển trục kinh tế Bình Dương – Thành phố Hồ Chí Minh – Long An và hành lang kinh tế "
            "Thị xã Sơn Tây - Hòa Lạc - Xuân Mai.")
    got = set(stops(g))
    assert "Bình Dương|Thành phố Hồ Chí Minh|Long An" in got
    assert "Thị xã Sơn Tây|Hòa Lạc|Xuân Mai" in got
    assert not any(s.startswith("Hồ Chí Minh") or s.endswith("Thành") for s in got)
