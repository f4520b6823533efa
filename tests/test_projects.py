"""Projects from fields, list items and prose, with place (unit valid at the document's date) and
scale, on development pages the rules were not written on (group B of tests/gold/dev)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS

from quyhoach.loaders.documents.pipeline import extract, read_source
from quyhoach.loaders.extract.projects import find_projects
from quyhoach.namespaces import ID, QH

DEV = Path(__file__).resolve().parent / "fixtures" / "corpus-dev"
MINE = ("citations", "projects")


def _graph(name: str):
    return extract(read_source(DEV / name, {}), extractors=MINE)


def _projects(g):
    return {str(g.value(p, RDFS.label)): p for p in g.subjects(RDF.type, QH.Project)}


def _scales(g, p):
    out = set()
    for s in g.objects(p, QH.hasScale):
        measure = str(g.value(s, QH.measure)).rsplit("/", 1)[1]
        value = g.value(s, QH.value)
        out.add((measure, Decimal(str(value)) if value is not None else None, str(g.value(s, QH.measureUnit))))
    return out


def test_named_project_field_with_places_in_two_provinces_and_scale():
    g = _graph("e434a81636f44f12.md")  # "2. Tên dự án: Đường dây 110 kV Hồng Ngự - Vĩnh Hưng."
    projects = _projects(g)
    line = projects["Đường dây 110 kV Hồng Ngự - Vĩnh Hưng"]
    assert (line, RDF.type, QH.TransmissionLine) in g
    places = set(g.objects(line, QH.locatedIn))
    assert {ID["unit/province/87"], ID["unit/province/80"]} <= places  # Đồng Tháp, Long An in May 2025
    scales = _scales(g, line)
    assert ("length", Decimal("52.905"), "km") in scales
    assert ("investment", Decimal("305033000000"), "VND") in scales
    assert not any(m == "length" and v in {Decimal("29.72"), Decimal("23.185")} for m, v, _u in scales)  # parts


def test_list_items_of_a_provincial_plan_take_its_province_after_the_merger():
    g = _graph("e7cdbd8d9573e078.md")  # KH 188/KH-UBND of Đồng Nai, 26/11/2025
    projects = _projects(g)
    urban = next(p for label, p in projects.items() if label.lower().startswith("khu đô thị mới công viên"))
    assert (urban, RDF.type, QH.UrbanArea) in g
    assert set(g.objects(urban, QH.locatedIn)) == {ID["unit/province-2025/75"]}
    assert ("area", Decimal("49.27"), "ha") in _scales(g, urban)
    assert not any("Đề án" in label for label in projects)  # a scheme is not a project


def test_airport_added_to_a_plan_with_one_figure_per_period():
    g = _graph("46a0f347b03c3861.md")
    airport = _projects(g)["Cảng hàng không quốc tế Gia Bình"]
    assert (airport, RDF.type, QH.Airport) in g
    scales = _scales(g, airport)
    assert {("passengers", Decimal(30000000), "passengers/year"), ("passengers", Decimal(50000000), "passengers/year"),
            ("area", Decimal(1960), "ha")} <= scales


def test_generic_kinds_and_law_text_are_not_projects():
    text = (
        "(1) Khu thương mại tự do tại tỉnh Đồng Nai;\n(2) Khu đổi mới sáng tạo;\n"
        "- Đất sử dụng cho cảng hàng không, sân bay dân dụng bao gồm đất xây dựng trụ sở;\n"
        "(3) Dự án Cầu Cát Lái;\n"
    )
    names = [text[f.start : f.end] for f in find_projects(text)]
    assert names == ["Cầu Cát Lái"]


def _examples(text: str) -> list[tuple[str, str]]:
    from quyhoach.loaders.extract.projects import example_projects

    return [(f.cls, f.label or text[f.start : f.end]) for f in example_projects(text)]


def test_bare_names_in_an_example_list_take_the_kind_of_their_head():
    # written for the test (other plants, other list shapes than the page the rule was made on)
    text = ("Đẩy nhanh tiến độ các dự án nguồn điện trọng điểm (như: Vĩnh Tân 4 mở rộng, Duyên Hải 2, 3, "
            "Thủy điện Trị An mở rộng (200 MW), ...); các dự án cảng hàng không gồm: Long Thành, Phan Thiết.")
    found = _examples(text)
    assert ("PowerPlant", "Vĩnh Tân 4 mở rộng") in found
    assert ("PowerPlant", "Duyên Hải 3") in found  # "Duyên Hải 2, 3": a bare numeral continues the name
    assert ("PowerPlant", "Thủy điện Trị An mở rộng") in found
    assert ("Airport", "Long Thành") in found and ("Airport", "Phan Thiết") in found


def test_example_lists_without_a_project_head_are_not_projects():
    text = ("Các tỉnh như: Hà Nội, Hải Phòng, Quảng Ninh phối hợp thực hiện; các cơ quan (Bộ Tài chính, "
            "Bộ Xây dựng) báo cáo; Nhà máy thủy điện Sơn La (Sơn La, Hòa Bình) vận hành.")
    assert _examples(text) == []


def test_directive_lists_power_plants_in_prose_brackets_with_scale_and_no_place_from_the_name():
    g = extract(read_source(DEV / "29d8dbb64b62d14d.md", {}), extractors=MINE)  # Chỉ thị 01/CT-TTg
    projects = _projects(g)
    for name in ("Nhơn Trạch 3", "Ô Môn IV", "LNG Quảng Ninh", "Hiệp Phước giai đoạn 1"):
        assert (projects[name], RDF.type, QH.PowerPlant) in g, name
    assert ("capacity", Decimal(1403), "MW") in _scales(g, projects["Quảng Trạch I"])
    assert g.value(projects["LNG Quảng Ninh"], QH.locatedIn) is None


# --- projects named in prose (texts written for the tests, not taken from any page) ---

def _text_graph(tmp_path, text: str, name: str = "prose.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract(read_source(path, {}), extractors=MINE)


def test_investment_in_a_work_names_a_project_with_its_place_and_scale(tmp_path):
    text = ("# Chấp thuận chủ trương đầu tư khu công nghiệp\n\n"
            "Ngày 12/8/2024, Thủ tướng Chính phủ chấp thuận chủ trương đầu tư xây dựng và kinh doanh kết cấu hạ tầng "
            "khu công nghiệp Yên Mỹ TX Mỹ Hào, tỉnh Hưng Yên với quy mô sử dụng đất 230,5 ha và tổng vốn đầu tư "
            "4.120 tỷ đồng.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    park = projects["Khu công nghiệp Yên Mỹ"]  # "TX Mỹ Hào" after the name is its place, not its name
    assert (park, RDF.type, QH.IndustrialPark) in g
    assert set(g.objects(park, QH.locatedIn)) == {ID["unit/province/33"]}
    assert {("area", Decimal("230.5"), "ha"), ("investment", Decimal("4120000000000"), "VND")} <= _scales(g, park)


def test_field_value_with_lower_case_lead_words_and_a_detailed_plan_of_a_work():
    text = ("2. Tên dự án: đầu tư xây dựng và kinh doanh kết cấu hạ tầng cụm công nghiệp Tân Lập, huyện Đồng Phú.\n"
            "Phê duyệt Nhiệm vụ Quy hoạch chi tiết tỷ lệ 1/500 Khu du lịch Hồ Cốc (giai đoạn 2).\n"
            "Đẩy nhanh dự án cảng Cái Mép và cảng vụ hàng hải khu vực.\n")
    names = {(f.cls, text[f.start : f.end]) for f in find_projects(text)}
    assert {("IndustrialCluster", "cụm công nghiệp Tân Lập"), ("TourismArea", "Khu du lịch Hồ Cốc"),
            ("Seaport", "cảng Cái Mép")} <= names
    assert not any("vụ" in n for _c, n in names)  # "cảng vụ": a bare "cảng" needs a name right after it


def test_routes_named_in_passing_are_not_projects_but_described_ones_are():
    passing = "Ưu tiên đầu tư xây dựng tuyến cao tốc Hà Tiên - Rạch Giá, nâng cấp quốc lộ 80."
    assert find_projects(passing) == []
    described = "Đầu tư xây dựng tuyến cao tốc Hà Tiên - Rạch Giá dài 90 km, tổng mức đầu tư 15.000 tỷ đồng."
    assert [(f.cls, described[f.start : f.end]) for f in find_projects(described)] == [
        ("Expressway", "cao tốc Hà Tiên - Rạch Giá")]


def test_invitations_to_invest_name_no_project():
    text = "Tỉnh kêu gọi đầu tư khu công nghiệp Phú Hội và thu hút đầu tư khu du lịch Đồi Cát."
    assert find_projects(text) == []


def test_works_listed_in_one_sentence_after_an_opener_are_each_a_project():
    text = ("Tập trung đầu tư xây dựng nhà máy nhiệt điện Quảng Trạch II, cảng hàng không Sa Pa; "
            "khu công nghiệp Phú Hà và cảng biển Nghi Sơn đúng tiến độ. "
            "Hoàn thiện quy hoạch chi tiết xây dựng khu công nghiệp (nếu cần). Quy hoạch được duyệt.")
    assert [(f.cls, text[f.start : f.end]) for f in find_projects(text)] == [
        ("PowerPlant", "nhà máy nhiệt điện Quảng Trạch II"), ("Airport", "cảng hàng không Sa Pa"),
        ("IndustrialPark", "khu công nghiệp Phú Hà"), ("Seaport", "cảng biển Nghi Sơn")]


def test_a_project_introduced_by_a_colon_takes_scale_and_places_from_its_items(tmp_path):
    text = ("# Tuyến cao tốc Gia Nghĩa - Chơn Thành đi qua đâu?\n\n"
            "Theo Nghị quyết của Quốc hội, dự án đường cao tốc Gia Nghĩa - Chơn Thành:\n\n"
            "- Điểm đầu tại thành phố Gia Nghĩa, tỉnh Đắk Nông.\n\n"
            "- Tổng chiều dài khoảng 128,8 km, ngoài ra có nhánh dài 12 km.\n\n"
            "- Đi qua các tỉnh: Đắk Nông, Bình Phước.\n\n"
            "- Mục tiêu: kết nối Tây Nguyên với Đông Nam Bộ, phục vụ du khách từ Lâm Đồng.\n\n"
            "Ban Quản lý dự án đường cao tốc Thành phố Hồ Chí Minh được giao làm chủ đầu tư. "
            "Khởi công tuyến đường cao tốc Gia Nghĩa - Chơn thành vào năm 2025.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    assert list(projects) == ["Đường cao tốc Gia Nghĩa - Chơn Thành"]  # no board, no name cut at "thành"
    road = projects["Đường cao tốc Gia Nghĩa - Chơn Thành"]
    places = set(g.objects(road, QH.locatedIn))
    assert {ID["unit/province/67"], ID["unit/province/70"]} <= places  # Đắk Nông, Bình Phước before July 2025
    assert ID["unit/province/68"] not in places  # Lâm Đồng: in the objectives, not where it runs
    assert [(m, v) for m, v, _u in _scales(g, road)] == [("length", Decimal("128.8"))]


def test_works_quoted_in_a_definition_are_not_projects():
    text = ("3. Vùng phụ cận cảng là khu vực xung quanh các cảng thuộc Dự án cảng hàng không quốc tế Long Thành "
            "và dự án đầu tư xây dựng cảng biển Trần Đề.\n")
    assert find_projects(text) == []


def test_a_name_in_prose_ends_at_the_line_and_is_joined_only_to_its_own_continuation(tmp_path):
    text = ("# Tổng quan về dự án Cầu Rạch Miễu 2\n\nNội dung chính\n\n"
            "Dự án cầu Rạch Miễu 2 sẽ được khởi công trong năm 2026.\n")
    assert [text[f.start : f.end] for f in find_projects(text)] == ["Cầu Rạch Miễu 2", "cầu Rạch Miễu 2"]
    g = _text_graph(tmp_path, text)
    assert set(_projects(g)) == {"Cầu Rạch Miễu 2"}  # "sẽ" does not continue the name: nothing to join


def test_rows_of_a_list_of_kinds_are_not_projects():
    text = ("Các loại công trình trên tuyến gồm:\n\n(1) Cầu loại A - Cầu vượt nút giao;\n\n(2) Cầu loại B1 - Cầu dầm;\n\n"
            "- Cảng biển loại I: cảng biển có quy mô lớn;\n\n- Cảng hàng không cấp 4E.\n\n"
            "- Cầu Cần Thơ 2 dài 15 km.\n")
    assert [(f.cls, text[f.start : f.end]) for f in find_projects(text)] == [("Bridge", "Cầu Cần Thơ 2")]


def test_a_city_that_opens_a_route_name_and_two_writings_of_one_work(tmp_path):
    text = ("# Phê duyệt dự án cao tốc TPHCM - Mộc Bài\n\n"
            "Ngày 12/3/2025, Ủy ban nhân dân Thành phố phê duyệt Dự án đầu tư xây dựng đường cao tốc Thành phố "
            "Hồ Chí Minh - Mộc Bài với chiều dài 50 km.\n\n"
            "- Nút giao Xuyên Á: nút giao liên thông (thuộc phạm vi đầu tư của Dự án xây dựng công trình đường bộ "
            "cao tốc Châu Đốc - Cần Thơ - Sóc Trăng).\n")
    labels = set(_projects(_text_graph(tmp_path, text)))
    assert labels == {"Cao tốc TPHCM - Mộc Bài", "Đường bộ cao tốc Châu Đốc - Cần Thơ - Sóc Trăng"}


def test_the_work_of_a_general_plan_is_a_project(tmp_path):
    text = ("# Nhiệm vụ quy hoạch chung Khu du lịch quốc gia Núi Bà Đen đến năm 2045\n\n"
            "Ngày 02/12/2025, Ủy ban nhân dân tỉnh Tây Ninh phê duyệt Nhiệm vụ Quy hoạch chung Khu du lịch quốc gia "
            "Núi Bà Đen đến năm 2045 và điều chỉnh quy hoạch chung xây dựng Khu kinh tế cửa khẩu Mộc Bài.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    park = projects["Khu du lịch quốc gia Núi Bà Đen"]
    assert (park, RDF.type, QH.TourismArea) in g
    assert (projects["Khu kinh tế cửa khẩu Mộc Bài"], RDF.type, QH.EconomicZone) in g
    assert {str(u).rsplit("/", 1)[1] for u in g.objects(park, QH.locatedIn)} == {"72"}  # Tây Ninh, not in the name


def test_a_work_containing_what_the_sentence_measures_takes_no_scale(tmp_path):
    text = ("# Quy hoạch phân khu số 3\n\n"
            "Khu vực lập quy hoạch là Phân khu 3 trong đồ án quy hoạch chung xây dựng Khu kinh tế Nhơn Hội, tỉnh "
            "Gia Lai với diện tích khoảng 1.250 ha.\n\n"
            "Phê duyệt Nhiệm vụ quy hoạch chung Khu du lịch Hồ Tràm với diện tích 3.000 ha.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    assert _scales(g, projects["Khu kinh tế Nhơn Hội"]) == set()  # 1.250 ha is the sub-zone's
    assert ("area", Decimal("3000"), "ha") in _scales(g, projects["Khu du lịch Hồ Tràm"])


# --- rules from group G's misses (passages written for the tests, not taken from any page) ---

def test_a_ring_road_numbered_within_its_city_with_the_list_after_a_lead(tmp_path):
    text = ("# Đầu tư đường Vành đai 3 Hà Nội\n\n"
            "Ngày 10/3/2024, Hội đồng nhân dân Thành phố thông qua chủ trương đầu tư Dự án đầu tư xây dựng đường "
            "Vành đai 4 Thành phố Hà Nội.\n\n"
            "Cụ thể, dự án có các nội dung như sau:\n\n"
            "- Chiều dài toàn tuyến khoảng 112,8 km.\n\n"
            "- Tổng mức đầu tư khoảng 85.813 tỷ đồng.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    road = projects["Đường Vành đai 4 Thành phố Hà Nội"]
    assert set(g.objects(road, QH.locatedIn)) == {ID["unit/province/01"]}
    assert {("length", Decimal("112.8"), "km"), ("investment", Decimal("85813000000000"), "VND")} <= _scales(g, road)


def test_a_lead_that_names_another_work_takes_no_list(tmp_path):
    text = ("Ngày 10/3/2024, tỉnh khởi công Dự án khu công nghiệp Phú Thạnh.\n\n"
            "Quy mô Dự án Nhà máy X như sau:\n\n"
            "- Diện tích khoảng 120 ha.\n")
    g = _text_graph(tmp_path, text)
    park = _projects(g)["Khu công nghiệp Phú Thạnh"]
    assert not _scales(g, park)


def test_a_commercial_complex_with_its_site_in_square_metres(tmp_path):
    text = ("Ngày 05/9/2025, UBND tỉnh Quảng Ngãi chấp thuận điều chỉnh quy mô dự án tổ hợp thương mại dịch vụ "
            "Dung Quất tại Khu kinh tế Dung Quất (Quảng Ngãi) với diện tích khoảng 31.250,5 m², gồm hai khu. "
            "Diện tích xây dựng nhà điều hành khoảng 1.200 m2.\n")
    g = _text_graph(tmp_path, text)
    complex_ = _projects(g)["Tổ hợp thương mại dịch vụ Dung Quất"]
    assert _scales(g, complex_) == {("area", Decimal("3.12505"), "ha")}  # not the building's floor area


def test_a_work_named_again_gives_its_place_and_scale_and_a_former_province(tmp_path):
    text = ("# Sân bay Tây Ninh dự kiến xây ở đâu?\n\n"
            "UBND tỉnh Tây Ninh vừa đề xuất đầu tư xây dựng Cảng hàng không quốc tế Tây Ninh (sân bay Tây Ninh).\n\n"
            "Theo đề xuất, sân bay Tây Ninh dự kiến đặt tại xã Mỹ Quý (thuộc huyện Đức Huệ tỉnh Long An cũ).\n\n"
            "Quy mô dự kiến, sân bay quốc tế Tây Ninh đạt cấp 4E. Tổng diện tích quy hoạch khoảng 1.200ha.\n\n"
            "Nhiều địa phương khác như sân bay Tây Ninh của Campuchia có diện tích 300 ha.\n")
    g = _text_graph(tmp_path, text)
    airport = _projects(g)["Cảng hàng không quốc tế Tây Ninh"]
    places = set(g.objects(airport, QH.locatedIn))
    assert ID["unit/province/80"] in places  # Long An "cũ": the province before the merger
    assert any("province-2025/" in str(p) for p in places)  # the page speaks after the merger
    assert _scales(g, airport) == {("area", Decimal("1200"), "ha")}


def _page_graph(tmp_path: Path, markdown: str):
    path = tmp_path / "page.md"
    path.write_text(markdown, encoding="utf-8")
    return extract(read_source(path, {}), extractors=MINE)


def test_the_work_of_an_approved_plan_takes_the_goals_listed_in_its_section(tmp_path):
    g = _page_graph(tmp_path, (
        "# Mục tiêu quy hoạch cảng hàng không Chu Lai ra sao?\n\n"
        "Ngày 02/3/2024, Bộ Giao thông vận tải đã ban hành Quyết định 216/QĐ-BGTVT về việc phê duyệt quy hoạch "
        "cảng hàng không quốc tế Chu Lai thời kỳ 2021-2030, tầm nhìn đến năm 2050.\n\n"
        "Theo đó, mục tiêu quy hoạch đến năm 2030 như sau:\n\n"
        "- Cấp sân bay: 4F.\n\n"
        "- Công suất: khoảng 5 triệu hành khách/năm và 300.000 tấn hàng hóa/năm.\n\n"
        "Đồng thời, Quyết định 216/QĐ-BGTVT đề cập tầm nhìn đến năm 2050 như sau:\n\n"
        "- Công suất: khoảng 30 triệu hành khách/năm và 5.000.000 tấn hàng hóa/năm.\n\n"
        "## Ai quản lý cảng hàng không?\n\n"
        "- Công suất: 99 triệu hành khách/năm của mọi cảng hàng không trong cả nước.\n"
    ))
    airport = _projects(g)["Cảng hàng không quốc tế Chu Lai"]
    assert (airport, RDF.type, QH.Airport) in g
    assert _scales(g, airport) == {
        ("passengers", Decimal("5000000"), "passengers/year"), ("passengers", Decimal("30000000"), "passengers/year"),
        ("cargo", Decimal("300000"), "tonnes/year"), ("cargo", Decimal("5000000"), "tonnes/year"),
    }


def test_a_numbered_project_field_of_an_investment_approval_with_its_site_and_capital(tmp_path):
    g = _page_graph(tmp_path, (
        "# Khu công nghiệp Tam Thăng 2 được chấp thuận chủ trương đầu tư ra sao?\n\n"
        "UBND tỉnh Quảng Nam chấp thuận chủ trương đầu tư với nội dung như sau:\n\n"
        "**(1) Tên dự án: **Đầu tư xây dựng và kinh doanh kết cấu hạ tầng kỹ thuật Khu công nghiệp Tam Thăng 2\n\n"
        "**(2) Quy mô dự án: **Dự án có quy mô diện tích 186,25 ha.\n\n"
        "**(3) Vốn đầu tư thực hiện dự án:** 1.204.500.000.000 đồng. Trong đó:\n\n"
        "- Vốn góp của nhà đầu tư: 180.675.000.000 đồng.\n\n"
        "## Tiến độ thực hiện dự án Khu công nghiệp Tam Thăng 2 như thế nào?\n\n"
        "- Năm 2026: san nền trên phần diện tích 60 ha theo kế hoạch sử dụng đất.\n"
    ))
    park = _projects(g)["Khu công nghiệp Tam Thăng 2"]
    assert _scales(g, park) == {("area", Decimal("186.25"), "ha"), ("investment", Decimal("1204500000000"), "VND")}


def test_an_airline_project_field_reads_its_place_and_capital_up_to_the_next_heading(tmp_path):
    g = _page_graph(tmp_path, (
        "# Hãng hàng không mới nào được chấp thuận?\n\n"
        "## Chấp thuận lập hãng hàng không Lotus Air\n\n"
        "- Tên dự án: Dự án Hãng hàng không Lotus Air (sau đây gọi tắt là Dự án).\n\n"
        "- Địa điểm thực hiện Dự án: căn cứ tại Cảng hàng không quốc tế Cát Bi, thành phố Hải Phòng.\n\n"
        "- Sơ bộ tổng mức đầu tư Dự án: 1.800 tỷ đồng, trong đó vốn góp khoảng 700 tỷ đồng.\n\n"
        "## Các cảng hàng không khác\n\n"
        "Cảng hàng không Điện Biên thuộc tỉnh Điện Biên được mở rộng với tổng mức đầu tư 1.500 tỷ đồng.\n"
    ))
    airline = _projects(g)["Hãng hàng không Lotus Air"]
    assert (airline, RDF.type, QH.Project) in g
    assert set(g.objects(airline, QH.locatedIn)) == {ID["unit/province/31"]}
    assert _scales(g, airline) == {("investment", Decimal("1800000000000"), "VND")}


def test_the_urban_area_of_a_numbered_segment_plan_keeps_the_ring_road_in_its_name(tmp_path):
    g = _page_graph(tmp_path, (
        "# Quy hoạch phân đoạn 3 Khu đô thị phía Nam Vành đai 3 tại Thành phố Hồ Chí Minh\n\n"
        "Viện Quy hoạch đã công bố thông tin Quy hoạch phân đoạn 3 Khu đô thị phía Nam Vành đai 3 tại "
        "Thành phố Hồ Chí Minh gồm các nội dung sau.\n"
    ))
    projects = _projects(g)
    assert list(projects) == ["Khu đô thị phía Nam Vành đai 3"]
    area = projects["Khu đô thị phía Nam Vành đai 3"]
    assert (area, RDF.type, QH.UrbanArea) in g
    assert set(g.objects(area, QH.locatedIn)) == {ID["unit/province/79"]}


# Rules from groups I and J (works and targets): texts of the same kinds, written for these tests.

def test_rows_of_a_flattened_list_table_take_the_kind_of_their_section_the_captions_province_and_area(tmp_path):
    text = ("# Quy hoạch các khu công nghiệp tại Khu kinh tế Nghi Sơn\n\n"
            "Bảng: Danh mục các khu công nghiệp, cụm công nghiệp trong Khu kinh tế Nghi Sơn, tỉnh Thanh Hóa.\n\n"
            "|\n|\n|\n"
            "I | KHU CÔNG NGHIỆP | 1.500 - 1.600 |\n"
            "1 | Sân bay Cũ Khu A | 310 |\n"
            "2 | Bình Minh 1 | 500 - 600 |\n"
            "3 | Khu công nghiệp Tĩnh Gia (giai đoạn 1) | 420,5 |\n"
            "II | CỤM CÔNG NGHIỆP | 120 - 150 |\n"
            "1 | Cụm công nghiệp Làng nghề Hải Lĩnh | 35,2 |\n"
            "|\n|\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    assert set(projects) == {"Sân bay Cũ Khu A", "Bình Minh 1", "Khu công nghiệp Tĩnh Gia",
                             "Cụm công nghiệp Làng nghề Hải Lĩnh"}
    assert (projects["Sân bay Cũ Khu A"], RDF.type, QH.IndustrialPark) in g  # a park on an airfield's site
    assert (projects["Cụm công nghiệp Làng nghề Hải Lĩnh"], RDF.type, QH.IndustrialCluster) in g
    for p in projects.values():
        assert set(g.objects(p, QH.locatedIn)) == {ID["unit/province/38"]}  # Thanh Hóa, from the caption
    assert _scales(g, projects["Sân bay Cũ Khu A"]) == {("area", Decimal("310"), "ha")}
    assert _scales(g, projects["Khu công nghiệp Tĩnh Gia"]) == {("area", Decimal("420.5"), "ha")}
    assert _scales(g, projects["Bình Minh 1"]) == set()  # a range of area is an estimate, no scale


def test_a_work_in_a_news_title_takes_places_and_scale_from_the_paragraphs_about_it(tmp_path):
    text = ("# Tiến độ Cầu Rạch Miễu 2 nối Tiền Giang - Bến Tre\n\n"
            "Cầu Rạch Miễu 2 là hạng mục chính của dự án, dự kiến thông xe vào tháng 9/2025.\n\n"
            "Tính đến tháng 6/2025, cầu Rạch Miễu 2 đã hoàn thành 80% khối lượng.\n\n"
            "Cây cầu Rạch Miễu 2 có chiều dài khoảng 3,4km, nối liền huyện Châu Thành (Tiền Giang) với huyện "
            "Châu Thành (Bến Tre).\n\n"
            "Cầu Rạch Miễu 2 là điểm nhấn kết nối giữa Tiền Giang - Bến Tre - Vĩnh Long.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    bridge = projects["Cầu Rạch Miễu 2"]
    assert (bridge, RDF.type, QH.Bridge) in g
    assert set(g.objects(bridge, QH.locatedIn)) == {ID["unit/province/82"], ID["unit/province/83"]}  # not Vĩnh Long
    assert _scales(g, bridge) == {("length", Decimal("3.4"), "km")}


def test_a_title_work_under_its_other_name_and_a_distance_is_no_scale(tmp_path):
    text = ("# Đi từ sân bay Côn Đảo về trung tâm\n\n"
            "Sân bay Côn Đảo hay cảng hàng không Côn Đảo tọa lạc tại huyện Côn Đảo, tỉnh Bà Rịa - Vũng Tàu. "
            "Sân bay cách trung tâm thị trấn khoảng 14km.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    assert list(projects) == ["Cảng hàng không Côn Đảo"]
    airport = projects["Cảng hàng không Côn Đảo"]
    assert set(g.objects(airport, QH.locatedIn)) == {ID["unit/province/77"]}
    assert _scales(g, airport) == set()


def test_a_fact_sheet_after_a_line_naming_the_project_gives_its_site_area(tmp_path):
    text = ("# Khởi công Bến xe khách Nam Đà Nẵng\n\n"
            "Ngày 2/6/2025, thành phố Đà Nẵng khởi công Dự án Bến xe khách Nam Đà Nẵng tại quận Cẩm Lệ.\n\n"
            "Thông tin tổng quan dự án Bến xe khách Nam Đà Nẵng\n\n"
            "Chủ đầu tư: Công ty Cổ phần Bến xe Đà Nẵng\n\n"
            "Tổng diện tích đất: Khoảng 35.000m²\n\n"
            "Quy mô xây dựng:\n\n"
            "- Diện tích xây dựng: 4.100m²\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    station = projects["Bến xe khách Nam Đà Nẵng"]
    assert set(g.objects(station, RDF.type)) == {QH.Project}
    assert set(g.objects(station, QH.locatedIn)) == {ID["unit/province/48"]}
    assert _scales(g, station) == {("area", Decimal("3.5"), "ha")}  # the land, not the building


def test_a_numbered_park_named_again_with_its_province_is_one_work_measured_by_the_paragraph_after(tmp_path):
    text = ("# Khu công nghiệp số 02 Bắc Ninh được phê duyệt quy hoạch thế nào?\n\n"
            "Ngày 3/4/2025, UBND tỉnh Bắc Ninh ban hành Quyết định 512/QĐ-UBND phê duyệt Đồ án Quy hoạch phân khu xây "
            "dựng tỷ lệ 1/2000 Khu công nghiệp số 02.\n\n"
            "Theo đó, Khu công nghiệp số 02 Bắc Ninh được phê duyệt như sau:\n\n"
            "Diện tích quy hoạch khoảng 310 ha, thuộc các xã của huyện Gia Bình.\n\n"
            "Ngày 1/3/2025, HĐND tỉnh Bắc Ninh thông qua đồ án quy hoạch phân khu xây dựng tỷ lệ 1/2000 Khu công "
            "nghiệp số 02 Bắc Ninh.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    assert list(projects) == ["Khu công nghiệp số 02"]
    park = projects["Khu công nghiệp số 02"]
    assert set(g.objects(park, QH.locatedIn)) == {ID["unit/province/27"]}
    assert _scales(g, park) == {("area", Decimal("310"), "ha")}


def test_numbered_headings_of_works_read_their_paragraphs_and_an_aim_item_is_no_work(tmp_path):
    text = ("# 3 dự án lớn tại Long An\n\n"
            "Sau đây là 3 dự án lớn:\n\n"
            "*(1) Khu đô thị sinh thái Cần Đước*\n\n"
            "Khu đô thị sinh thái Cần Đước tọa lạc tại huyện Cần Đước với diện tích 1.200 ha.\n\n"
            "*(2) Metro TP.HCM - Long An*\n\n"
            "Tuyến metro dự kiến dài 40 km, điểm đầu tại Quận 8.\n\n"
            "*Ba dự án lớn tại Long An (Hình từ Internet)*\n\n"
            "- Xây dựng Khu kinh tế ven biển Long An trở thành động lực tăng trưởng của vùng.\n")
    g = _text_graph(tmp_path, text)
    projects = _projects(g)
    assert set(projects) == {"Khu đô thị sinh thái Cần Đước", "Metro TP.HCM - Long An"}
    urban = projects["Khu đô thị sinh thái Cần Đước"]
    assert set(g.objects(urban, QH.locatedIn)) == {ID["unit/province/80"]}  # the district's province
    assert _scales(g, urban) == {("area", Decimal("1200"), "ha")}
    metro = projects["Metro TP.HCM - Long An"]
    assert (metro, RDF.type, QH.UrbanRailway) in g
    assert ("length", Decimal("40"), "km") in _scales(g, metro)
