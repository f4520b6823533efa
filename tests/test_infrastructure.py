"""Infrastructure: routes, zones, gates, parks, poles and centres in texts about other provinces."""

from datetime import date

from quyhoach.loaders.extract import infrastructure
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext
from quyhoach.loaders.reference.resolver import get_resolver
from quyhoach.namespaces import ID, PREFIXES, QH

ROWS = """
SELECT ?e ?kind ?name ?loc ?status WHERE {
  ?e a ?cls ; rdfs:label ?name .
  FILTER(STRSTARTS(STR(?cls), STR(qh:)))
  OPTIONAL { ?e qh:locatedIn ?loc } OPTIONAL { ?e qh:developmentStatus ?status }
  BIND(REPLACE(STR(?cls), "^.*#", "") AS ?kind)
}
"""


def run(text: str, scope: str = "unit/province/22", path: str = "variant.txt"):
    doc = CleanDocument(text=text, path=path)
    ctx = ExtractionContext(as_of=date(2024, 6, 1), resolver=get_resolver(), main_document=ID["doc/qd-ttg/2024/8"],
                            main_plan=ID["plan/provincial/quang-ninh/2021-2030"], scope_unit=ID[scope])
    emitter = Emitter(doc)
    infrastructure.extract(doc, emitter, ctx)
    return emitter.graph


def rows(graph):
    out = set()
    for r in graph.query(ROWS, initNs=PREFIXES):
        if str(r.kind) in {"CorridorStop", "Evidence"}:
            continue
        loc = str(r.loc).split("/id/")[-1] if r.loc else ""
        status = str(r.status).rsplit("/", 1)[-1] if r.status else ""
        out.add((str(r.kind), str(r.name), loc, status))
    return out


def test_same_zone_named_in_two_documents_gets_the_same_iri():
    a = run("Phát triển Khu kinh tế cửa khẩu Móng Cái, tỉnh Quảng Ninh.", path="a.txt")
    b = run("Ưu tiên đầu tư hạ tầng khu kinh tế cửa khẩu Móng Cái – tỉnh Quảng Ninh ...", path="b.txt")
    zone = ID["zone/khu-kinh-te-cua-khau-mong-cai"]
    assert (zone, None, QH.BorderGateEconomicZone) in a and (zone, None, QH.BorderGateEconomicZone) in b
    assert ("BorderGateEconomicZone", "Khu kinh tế cửa khẩu Móng Cái", "unit/province/22", "priority") in rows(b)


def test_dash_named_zone_and_gates_with_province_after_name():
    got = rows(run("Tập trung phát triển khu kinh tế cửa khẩu Tà Lùng–Cao Bằng; Cửa khẩu quốc tế Hoành Mô, tỉnh Quảng Ninh; "
                   "cửa khẩu Bắc Phong Sinh, tỉnh Quảng Ninh. Xây dựng mô hình Cửa khẩu thông minh."))
    assert ("BorderGateEconomicZone", "Khu kinh tế cửa khẩu Tà Lùng - Cao Bằng", "unit/province/04", "") in got
    assert ("BorderGate", "Cửa khẩu Hoành Mô", "unit/province/22", "") in got
    assert ("BorderGate", "Cửa khẩu Bắc Phong Sinh", "unit/province/22", "") in got
    assert not any("thông minh" in name for _, name, _, _ in got)


def test_zone_to_be_studied_at_a_gate():
    got = rows(run("Nghiên cứu khả năng hình thành khu kinh tế cửa khẩu tại cửa khẩu Huổi Puốc, tỉnh Điện Biên."))
    assert ("BorderGateEconomicZone", "Khu kinh tế cửa khẩu Huổi Puốc", "unit/province/11", "to-be-studied") in got
    assert ("BorderGate", "Cửa khẩu Huổi Puốc", "unit/province/11", "") in got


def test_routes_numbers_and_connections():
    g = run("Nâng cấp QL.18 và Quốc lộ 279 nối Quảng Ninh với Lạng Sơn, QL 4B; xây dựng cao tốc Hạ Long – Vân Đồn "
            "và các tuyến đường sắt tốc độ cao Hà Nội - Quảng Ninh, Hải Phòng – Quảng Ninh.")
    got = rows(g)
    assert {("NationalHighway", f"Quốc lộ {n}", "", "") for n in ("18", "279", "4B")} <= got
    assert ("Expressway", "Cao tốc Hạ Long - Vân Đồn", "", "") in got
    assert ("HighSpeedRailway", "Đường sắt tốc độ cao Hà Nội - Quảng Ninh", "", "") in got
    assert ("HighSpeedRailway", "Đường sắt tốc độ cao Hải Phòng - Quảng Ninh", "", "") in got
    ql279 = ID["route/national-highway/279"]
    assert set(g.objects(ql279, QH.connects)) == {ID["unit/province/22"], ID["unit/province/20"]}
    assert str(g.value(ql279, QH.routeNumber)) == "279"
    # coordinated with "và" right before "nối": QL.18 connects the same provinces
    assert ID["unit/province/20"] in set(g.objects(ID["route/national-highway/18"], QH.connects))


def test_industrial_park_group_located_in_each_district_with_province_hint():
    g = run("Ưu tiên thu hút đầu tư hạ tầng các khu công nghiệp trên địa bàn các huyện Lục Ngạn, Sơn Động, Lục Nam.",
            scope="unit/province/24")
    got = rows(g)
    locs = {loc for kind, _, loc, status in got if kind == "IndustrialPark" and status == "priority"}
    assert len(locs) == 3 and all(loc.startswith("unit/district/") for loc in locs)


def test_growth_poles_and_centres():
    got = rows(run("Phát triển các cực tăng trưởng của vùng tại Hải Phòng, Quảng Ninh và Bắc Ninh. "
                   "Hình thành trung tâm logistics quốc tế tại Hải Phòng, trung tâm du lịch biển tại Quảng Ninh."))
    poles = {loc for kind, _, loc, _ in got if kind == "GrowthPole"}
    assert poles == {"unit/province/31", "unit/province/22", "unit/province/27"}
    assert ("UrbanCentre", "Trung tâm logistics quốc tế", "unit/province/31", "") in got
    assert ("UrbanCentre", "Trung tâm du lịch biển", "unit/province/22", "") in got


def test_province_as_one_of_the_growth_poles():
    got = rows(run("Xây dựng Quảng Ninh trở thành tỉnh dịch vụ, là một trong những cực tăng trưởng của miền Bắc."))
    assert {(k, loc) for k, _, loc, _ in got} == {("GrowthPole", "unit/province/22")}


def _undated_page(tmp_path, cited: str):
    """An undated Q&A page on a park, naming the decision ``cited`` ("… ngày dd/mm/yyyy …")."""
    from quyhoach.loaders.documents.pipeline import extract, read_source

    path = tmp_path / "kcn.md"
    path.write_text(
        "# Khu công nghiệp Gia Lạc ở đâu?\n\n"
        "Công ty Cổ phần Phát triển hạ tầng Gia Lạc vừa công bố báo cáo đánh giá tác động môi trường của dự án "
        "hạ tầng khu công nghiệp, với các hạng mục đường nội bộ, trạm xử lý nước thải và cây xanh cách ly.\n\n"
        "Vị trí của dự án được xác định như sau.\n\n"
        f"Theo Quyết định số 512/QĐ-UBND ngày {cited} của UBND tỉnh Ninh Bình, Khu công nghiệp Gia Lạc "
        "(tỉnh Ninh Bình) được đầu tư hạ tầng trên diện tích khoảng 150 ha.\n",
        encoding="utf-8",
    )
    doc = read_source(path)
    return rows(extract(doc, extractors=("citations", "infrastructure")))


def test_an_undated_page_citing_a_decision_after_the_reorganisation_speaks_of_the_new_units(tmp_path):
    assert ("IndustrialPark", "Khu công nghiệp Gia Lạc", "unit/province-2025/37", "") in _undated_page(tmp_path, "12/9/2025")
    assert ("IndustrialPark", "Khu công nghiệp Gia Lạc", "unit/province/37", "") in _undated_page(tmp_path, "12/9/2024")


def test_provincial_roads_in_every_writing_and_no_route_of_an_address():
    got = rows(run("+ Phía Nam giáp Đường ĐT.271 và khu dân cư; phía Tây giáp ĐT 295B, 296.\n"
                   "Nâng cấp Đường tỉnh 398 qua xã Tân Sơn.\n"
                   "- Chủ đầu tư: Công ty Cổ phần Hạ tầng Bắc Sơn. Địa chỉ: Km 12, Quốc lộ 37, xã Tân Sơn.\n"))
    roads = {(kind, name) for kind, name, _l, _s in got if kind in ("ProvincialRoad", "NationalHighway")}
    assert roads == {("ProvincialRoad", "Đường tỉnh 271"), ("ProvincialRoad", "Đường tỉnh 295B"),
                     ("ProvincialRoad", "Đường tỉnh 296"), ("ProvincialRoad", "Đường tỉnh 398")}


def test_a_park_under_its_bracketed_other_name_is_one_park_and_a_company_named_after_parks_is_none():
    got = rows(run("Tìm hiểu Khu công nghiệp Phú Hà Xanh tỉnh Phú Thọ.\n"
                   "- Tên dự án: Đầu tư hạ tầng Khu công nghiệp Trung Hà - Tam Nông (KCN Phú Hà Xanh).\n"
                   "- Chủ dự án: Công ty Cổ phần phát triển khu công nghiệp Phú Thọ.\n"
                   "+ Phía Đông giáp: Cụm công nghiệp Tam Nông.\n"))
    parks = {(kind, name) for kind, name, _l, _s in got if kind in ("IndustrialPark", "IndustrialCluster")}
    assert parks == {("IndustrialPark", "Khu công nghiệp Trung Hà - Tam Nông"), ("IndustrialCluster", "Cụm công nghiệp Tam Nông")}


def test_a_ring_railway_and_an_economic_zone_given_as_an_example_of_its_kind():
    got = rows(run("Kết nối với đường sắt vành đai phía Tây thành phố Đà Nẵng, mở rộng các khu kinh tế ven biển "
                   "như Dung Quất và cảng biển.", scope="unit/province/51"))
    assert ("Railway", "Đường sắt vành đai phía Tây thành phố Đà Nẵng") in {(k, n) for k, n, _l, _s in got}
    assert ("EconomicZone", "Khu kinh tế Dung Quất") in {(k, n) for k, n, _l, _s in got}


# Rules from groups I and J (works and targets): texts of the same kinds, written for these tests.

def test_a_coastal_zone_named_with_its_side_is_one_zone_and_a_board_names_none():
    got = rows(run("Ban Quản lý Khu kinh tế Quảng Ninh công bố Quy hoạch chung Khu kinh tế ven biển phía Đông Quảng "
                   "Yên đến năm 2045. Xây dựng Khu kinh tế ven biển Đông Quảng Yên hiện đại, xanh."))
    zones = {r for r in got if r[0] == "EconomicZone"}
    assert {r[1] for r in zones} == {"Khu kinh tế ven biển phía Đông Quảng Yên"}


def test_a_park_named_in_a_table_cell_is_named_by_the_whole_cell():
    text = "STT\tTên\tDiện tích (ha)\n1\tCụm công nghiệp Làng nghề Đông Triều (giai đoạn 2)\t30\n"
    doc = CleanDocument(text=text, path="variant.txt")  # its structure reads the tab-separated rows
    ctx = ExtractionContext(as_of=date(2024, 6, 1), resolver=get_resolver(), main_document=ID["doc/qd-ttg/2024/8"],
                            scope_unit=ID["unit/province/22"])
    emitter = Emitter(doc)
    infrastructure.extract(doc, emitter, ctx)
    assert {r[1] for r in rows(emitter.graph) if r[0] == "IndustrialCluster"} == {"Cụm công nghiệp Làng nghề Đông Triều"}


def test_an_expressway_named_by_one_stop_is_the_one_named_by_its_ends():
    got = rows(run("Cầu mới nối với cao tốc Hạ Long - Vân Đồn - Móng Cái, thay vì đi vòng qua cao tốc Vân Đồn như trước."))
    assert {r[1] for r in got if r[0] == "Expressway"} == {"Cao tốc Hạ Long - Vân Đồn - Móng Cái"}


def test_an_undated_page_stating_the_2025_merger_places_works_in_the_merged_province(tmp_path):
    from quyhoach.loaders.documents.pipeline import read_source, run_extractors
    from quyhoach.loaders.extract.dates import MERGER_DAY, merger_day_if_stated
    from quyhoach.namespaces import QH as _QH

    assert merger_day_if_stated("Tỉnh Hà Nam đã sáp nhập với tỉnh Ninh Bình, lấy tên gọi mới là tỉnh Ninh Bình.") == MERGER_DAY
    assert merger_day_if_stated("Tỉnh Hà Nam sẽ sáp nhập với tỉnh Ninh Bình.") is None  # a plan, not a fact
    page = tmp_path / "page.md"  # written for the test: no date anywhere
    page.write_text(
        "# Khu công nghiệp Đồng Văn IV ở đâu?\n\n"
        "Khu công nghiệp Đồng Văn IV (tỉnh Ninh Bình) có diện tích 500 ha.\n\n"
        "Lưu ý: Tỉnh Hà Nam đã sáp nhập với tỉnh Ninh Bình, lấy tên gọi mới là tỉnh Ninh Bình.\n",
        encoding="utf-8",
    )
    g = run_extractors(read_source(page)).graph
    places = {str(o).split("/unit/")[-1] for o in g.objects(None, _QH.locatedIn)}
    assert "province-2025/37" in places and "province/37" not in places, places
