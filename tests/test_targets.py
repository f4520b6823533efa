"""Targets extracted from small texts about other provinces, with other numbers and dash styles."""

from datetime import date
from pathlib import Path

import pytest

from quyhoach.loaders.extract import targets
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext
from quyhoach.loaders.reference.resolver import get_resolver
from quyhoach.namespaces import ID, PREFIXES

QUERY = """
SELECT ?ind ?v ?mn ?mx ?c ?u ?y ?ps ?pe ?st ?scope WHERE {
  ?t a qh:Target ; qh:indicator ?i ; qh:targetStatus ?s ; qh:statedIn ?doc .
  BIND(REPLACE(STR(?i), "^.*/indicator/", "") AS ?ind)
  BIND(REPLACE(STR(?s), "^.*#", "") AS ?st)
  OPTIONAL { ?t qh:value ?v } OPTIONAL { ?t qh:minValue ?mn } OPTIONAL { ?t qh:maxValue ?mx }
  OPTIONAL { ?t qh:comparator ?c } OPTIONAL { ?t qh:measureUnit ?u } OPTIONAL { ?t qh:targetYear ?y }
  OPTIONAL { ?t qh:periodStart ?ps ; qh:periodEnd ?pe } OPTIONAL { ?t qh:scope ?scope }
}
"""


def run(text: str, status: str = "approved", scope: str = "unit/province/11", plan: str = "plan/provincial/dien-bien/2021-2030"):
    doc = CleanDocument(text=text, path="variant.txt")
    ctx = ExtractionContext(as_of=date(2024, 6, 1), resolver=get_resolver(), main_document=ID["doc/qd-ttg/2024/99"],
                            main_plan=ID[plan], scope_unit=ID[scope], status=status)
    emitter = Emitter(doc)
    targets.extract(doc, emitter, ctx)
    rows = emitter.graph.query(QUERY, initNs=PREFIXES)
    out = {}
    for r in rows:
        time = str(r.y) if r.y else (f"{r.ps}-{r.pe}" if r.ps else "")
        out.setdefault(str(r.ind), []).append({
            "value": str(r.v) if r.v else None, "min": str(r.mn) if r.mn else None, "max": str(r.mx) if r.mx else None,
            "comp": str(r.c) if r.c else None, "unit": str(r.u) if r.u else None, "time": time,
            "status": str(r.st), "scope": str(r.scope) if r.scope else None,
        })
    return out, emitter


def test_growth_range_with_en_dash_and_period_after():
    out, _ = run("Phấn đấu tốc độ tăng trưởng GRDP bình quân đạt 7–8%/năm trong giai đoạn 2021 – 2030.")
    (t,) = out["grdp-growth"]
    assert (t["min"], t["max"], t["unit"], t["time"], t["status"]) == ("7", "8", "%/năm", "2021-2030", "Approved")
    assert t["scope"] == str(ID["unit/province/11"])


def test_words_range_and_comparator_draft_status():
    out, _ = run("Dự thảo: tăng trưởng tổng sản phẩm trên địa bàn (GRDP) bình quân hằng năm đạt khoảng từ 6,5 đến 7% "
                 "trong thời kỳ 2021-2030.", status="draft")
    (t,) = out["grdp-growth"]
    assert (t["min"], t["max"], t["comp"], t["status"]) == ("6.5", "7", "about", "Draft")


def test_structure_one_target_per_sector():
    out, _ = run("Cơ cấu kinh tế đến năm 2030: nông, lâm nghiệp và thủy sản chiếm 18,2%, công nghiệp và xây dựng "
                 "chiếm 30%, dịch vụ chiếm 45,6%, thuế sản phẩm trừ trợ cấp sản phẩm chiếm 6,2%.")
    assert out["grdp-structure-agriculture"][0]["value"] == "18.2"
    assert out["grdp-structure-industry-construction"][0]["value"] == "30"
    assert out["grdp-structure-services"][0]["value"] == "45.6"
    assert out["grdp-structure-product-taxes"][0]["time"] == "2030"


def test_levels_money_and_population_with_year_carry_over():
    out, _ = run("Đến năm 2030, GRDP bình quân đầu người đạt 95 triệu đồng; thu ngân sách trên địa bàn đạt 2.800 tỷ đồng; "
                 "dân số khoảng 720.000 người; tỷ lệ đô thị hóa trên 35%; độ che phủ rừng đạt 48,5%.")
    assert out["grdp-per-capita"][0]["value"] == "95" and out["grdp-per-capita"][0]["unit"] == "triệu đồng"
    assert out["budget-revenue"][0]["value"] == "2800" and out["budget-revenue"][0]["time"] == "2030"
    assert (out["population"][0]["value"], out["population"][0]["comp"]) == ("720000", "about")
    assert (out["urbanisation-rate"][0]["value"], out["urbanisation-rate"][0]["comp"]) == ("35", "above")
    assert out["forest-cover"][0]["time"] == "2030"


def test_figure_before_phrase_and_rates_without_year_take_plan_period():
    out, _ = run("Tỷ lệ hộ nghèo giảm bình quân 3 - 4%/năm. Khoảng 60% số xã đạt chuẩn nông thôn mới vào năm 2025.")
    assert out["poverty-rate-reduction"][0]["time"] == "2021-2030"
    t = out["new-rural-communes-share"][0]
    assert (t["value"], t["comp"], t["time"]) == ("60", "about", "2025")


def test_growth_and_level_in_one_segment():
    out, _ = run("Tổng lượng khách du lịch đến năm 2030 tăng bình quân 15%/năm và đạt 1,5 triệu lượt khách.")
    assert out["tourist-arrivals-growth"][0]["value"] == "15"
    assert out["tourist-arrivals"][0]["value"] == "1500000"


def test_other_unit_named_in_sentence_is_the_scope():
    out, _ = run("Tỷ lệ lao động qua đào tạo của tỉnh Lai Châu đến năm 2030 đạt 70%.")
    assert out["trained-labour-share"][0]["scope"] == str(ID["unit/province/12"])


@pytest.mark.parametrize("text", [
    "Đẩy nhanh tốc độ tăng trưởng kinh tế, nâng cao thu nhập bình quân đầu người.",
    "Phấn đấu GRDP bình quân đầu người trong nhóm 05 tỉnh dẫn đầu của vùng.",
    "Tiếp tục duy trì tốc độ tăng dân số trung bình hợp lý.",
])
def test_qualitative_goals_and_ranks_are_not_targets(text):
    out, _ = run(text)
    assert out == {}


def test_target_iri_and_evidence():
    out, emitter = run("Thu nhập bình quân đầu người đến năm 2030 đạt 80 triệu đồng/người.")
    iri = emitter.local_iri("target", "income-per-capita-2030")
    assert (iri, None, None) in emitter.graph
    ask = emitter.graph.query(
        "ASK { ?t prov:wasDerivedFrom ?e . ?e oa:hasSelector ?s . ?s oa:exact ?x . FILTER(CONTAINS(?x, '80 triệu')) }",
        initNs=PREFIXES, initBindings={"t": iri})
    assert ask.askAnswer


# --- indicators of national, regional and sectoral plans (phrases in loaders/extract/targets.yaml) ---

def test_every_indicator_phrase_has_a_concept_with_both_labels():
    from rdflib import RDFS, Graph

    from quyhoach.namespaces import SKOS

    concepts = Graph().parse(Path(__file__).resolve().parents[1] / "ontology" / "concepts.ttl")
    for ind in targets.INDICATORS:
        iri = ID[f"indicator/{ind.slug}"]
        assert (iri, SKOS.inScheme, None) in concepts, ind.slug
        assert {lit.language for lit in concepts.objects(iri, RDFS.label)} >= {"vi", "en"}, ind.slug


def test_national_plan_figures_energy_transport_and_ports():
    # written in the style of a national master plan resolution (no page of the corpus has these sentences)
    out, _ = run(
        "Mục tiêu đến năm 2030:\n"
        "- Tốc độ tăng trưởng tổng sản phẩm trong nước (GDP) bình quân đạt khoảng 7,0%/năm giai đoạn 2021 - 2030; "
        "GDP bình quân đầu người đến năm 2030 đạt khoảng 7.500 USD.\n"
        "- Hoàn thành khoảng 5.000 km đường bộ cao tốc.\n"
        "- Tổng công suất các nguồn điện đạt 150.489 MW; điện thương phẩm khoảng 335 tỷ kWh; "
        "tỷ lệ năng lượng tái tạo đạt trên 30%.\n"
        "- Hàng hóa thông qua hệ thống cảng biển từ 1.140 triệu tấn đến 1.423 triệu tấn; hàng container từ 38 "
        "đến 47 triệu TEU; hành khách từ 10,1 triệu lượt khách đến 11,3 triệu lượt khách.",
        scope="unit/country/vn", plan="plan/national/2021-2030",
    )
    (g,) = out["gdp-growth"]
    assert (g["value"], g["comp"], g["unit"], g["time"]) == ("7", "about", "%/năm", "2021-2030")
    assert out["gdp-per-capita"][0]["value"] == "7500" and out["gdp-per-capita"][0]["time"] == "2030"
    assert (out["expressway-length"][0]["value"], out["expressway-length"][0]["unit"]) == ("5000", "km")
    assert (out["installed-capacity"][0]["value"], out["installed-capacity"][0]["unit"]) == ("150489", "MW")
    assert (out["commercial-electricity"][0]["value"], out["commercial-electricity"][0]["unit"]) == ("335000000000", "kWh")
    assert (out["renewable-energy-share"][0]["value"], out["renewable-energy-share"][0]["comp"]) == ("30", "above")
    (c,) = out["cargo-throughput"]
    assert (c["min"], c["max"], c["unit"]) == ("1140000000", "1423000000", "tấn")
    (p,) = out["passenger-throughput"]
    assert (p["min"], p["max"]) == ("10100000", "11300000")


def test_gigawatts_are_megawatts_and_vision_heading_gives_the_year_of_a_rate():
    out, _ = run(
        "(1) Mục tiêu đến năm 2030\n- Tổng công suất lắp đặt đạt ít nhất 12 GW.\n"
        "(2) Tầm nhìn đến năm 2050\n- Hàng hóa thông qua tăng trưởng bình quân khoảng 4%/năm.",
        plan="plan/provincial/dien-bien/2021-2030",
    )
    assert (out["installed-capacity"][0]["value"], out["installed-capacity"][0]["comp"]) == ("12000", "at-least")
    assert out["cargo-throughput-growth"][0]["time"] == "2050"


def test_statistics_of_past_years_on_an_unseen_page_are_not_targets():
    # an encyclopaedia page on the national economy that no rule was written on: decades of
    # statistics (GDP 1980-2020) and one stated aim (expressways in operation by 2025)
    from quyhoach.loaders.documents.pipeline import extract, read_source

    g = extract(read_source(Path(__file__).resolve().parent / "fixtures" / "corpus-dev" / "09f471891f52597f.md"))
    rows = g.query(QUERY, initNs=PREFIXES)
    found = {(str(r.ind), str(r.v), str(r.y or r.pe)) for r in rows}
    assert ("expressway-length", "3858", "2025") in found
    assert all(int(year) >= 2020 for _i, _v, year in found), found


def test_capacity_of_one_work_is_its_scale_not_a_plan_target():
    # news pages on airport upgrades (not read when the rule was written): "nâng công suất phục vụ lên
    # 18 triệu lượt hành khách mỗi năm"
    from quyhoach.loaders.documents.pipeline import extract, read_source

    for name in ("7e570695382c3096.md", "c4ca497f8f295c6f.md"):
        g = extract(read_source(Path(__file__).resolve().parent / "fixtures" / "corpus-dev" / name))
        inds = {str(r.ind) for r in g.query(QUERY, initNs=PREFIXES)}
        assert not {i for i in inds if i.startswith("passenger-throughput")}, (name, inds)


def test_throughput_listed_under_one_part_of_a_port_system_is_not_the_plans_target():
    # an airport-system plan written for the test: the system figure is a target, the terminals' are not
    out, _ = run(
        "Mục tiêu đến năm 2030: tổng hành khách thông qua từ 275 triệu lượt khách đến 280 triệu lượt khách.\n"
        "Quy hoạch các cảng như sau:\n"
        "a) Cảng hàng không Long Thành:\n"
        "- Về hành khách thông qua: 25 triệu lượt khách.\n"
        "+ Nhà ga T2 đáp ứng hàng hóa thông qua 1,2 triệu tấn.",
        plan="plan/sectoral/cang-hang-khong/2021-2030",
    )
    (p,) = out["passenger-throughput"]
    assert (p["min"], p["max"], p["time"]) == ("275000000", "280000000", "2030")
    assert "cargo-throughput" not in out


# -- tables of indicators by year (structure-model tables: one row per line, cells tab-separated)

TARGET_TABLE = (
    "PHỤ LỤC II\n"
    "MỘT SỐ CHỈ TIÊU PHÁT TRIỂN CHỦ YẾU\n"
    "STT\tChỉ tiêu\tĐVT\tThực hiện 2020\tĐến năm 2025\tGiai đoạn 2026 - 2030\n"
    "1\tTổng công suất các nguồn điện\tMW\t3.100\t4.500\t6.000 - 6.500\n"
    "2\tTốc độ tăng trưởng GRDP bình quân\t%/năm\t5,1\tTrên 7\t7,5\n"
    # an empty STT cell (lost to the line's trimming) and an empty 2025 cell (kept between two tabs)
    "\tTỷ lệ che phủ rừng\t%\t40\t\t45\n"
    # an empty last cell, lost to the trimming
    "4\tTỷ lệ hộ nghèo\t%\t9\t5\n"
)


def test_table_of_indicators_by_year_gives_one_target_per_year_column():
    # a table written for the test (other layout than the one the rule was made on: a unit column
    # headed ĐVT, a period column, a comparator in a cell, cells lost at the ends of rows)
    out, emitter = run(TARGET_TABLE)
    power = sorted(out["installed-capacity"], key=lambda t: t["time"])
    assert [(t["value"], t["min"], t["max"], t["time"]) for t in power] == [
        ("4500", None, None, "2025"), (None, "6000", "6500", "2026-2030")]
    growth = {t["time"]: t for t in out["grdp-growth"]}
    assert set(growth) == {"2025", "2026-2030"}  # never the figure of the column "Thực hiện 2020"
    assert growth["2025"]["comp"] == "above" and growth["2025"]["value"] == "7"
    # rows aligned on the heading by their indicator cell
    assert [(t["value"], t["time"]) for t in out["forest-cover"]] == [("45", "2026-2030")]
    assert [(t["value"], t["time"]) for t in out["poverty-rate"]] == [("5", "2025")]
    # a table without a unit column: the unit in brackets closing the indicator cell
    out, _ = run("Mục tiêu đến năm 2030\nChỉ tiêu\tNăm 2025\tNăm 2030\n"
                 "GRDP bình quân đầu người (triệu đồng)\t70\t110\n")
    assert sorted((t["value"], t["unit"], t["time"]) for t in out["grdp-per-capita"]) == [
        ("110", "triệu đồng", "2030"), ("70", "triệu đồng", "2025")]
    # no heading names the indicator column: a row with a cell lost at an end is not read
    out, _ = run("Mục tiêu đến năm 2030\nTT\tNhiệm vụ\tNăm 2025\tNăm 2030\n"
                 "1\tTỷ lệ che phủ rừng (%)\t44\t46\nTỷ lệ hộ nghèo (%)\t4\n")
    assert [(t["value"], t["time"]) for t in sorted(out["forest-cover"], key=lambda t: t["time"])] == [
        ("44", "2025"), ("46", "2030")]
    assert "poverty-rate" not in out and "poverty-rate-reduction" not in out


def test_table_of_figures_without_aim_words_outside_a_plan_is_not_read():
    # a statistics table of a news page: year columns, but no plan and no aim word above it
    doc = CleanDocument(
        text="Kết quả năm qua\nChỉ tiêu\tĐơn vị\tNăm 2022\tNăm 2023\nTổng công suất các nguồn điện\tMW\t3.100\t3.400\n",
        path="news.txt")
    ctx = ExtractionContext(as_of=date(2024, 6, 1), resolver=get_resolver())
    emitter = Emitter(doc)
    targets.extract(doc, emitter, ctx)
    assert not list(emitter.graph.query("SELECT ?t WHERE { ?t a qh:Target }", initNs=PREFIXES))


def test_throughput_in_brackets_after_one_works_capacity_is_that_works():
    # written for the test: the terminal's later capacity in brackets is its scale, the plan's figure is a target
    out, _ = run(
        "Mục tiêu đến năm 2030: hành khách thông qua khoảng 12 triệu lượt khách.\n"
        "- Xây dựng nhà ga T3 công suất 8 triệu hành khách/năm (giai đoạn sau có thể nâng lên phục vụ "
        "10 triệu hành khách/năm).",
        plan="plan/sectoral/cang-hang-khong/2021-2030",
    )
    (p,) = out["passenger-throughput"]
    assert (p["value"], p["time"]) == ("12000000", "2030")


def test_figures_of_a_decision_approving_a_plans_adjustment_are_adjusted():
    # a decision written for the test; the same figures in a decision approving the plan are approved
    from quyhoach.loaders.documents.pipeline import extract

    def statuses(title: str) -> set[str]:
        text = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                "Số: 15/QĐ-UBND\nQuảng Trị, ngày 10 tháng 3 năm 2025\nQUYẾT ĐỊNH\n" + title + "\n"
                "Căn cứ Luật Quy hoạch ngày 24 tháng 11 năm 2017;\n"
                "Điều 1. Mục tiêu đến năm 2030: tốc độ tăng trưởng GRDP bình quân đạt 8,5%/năm.\n")
        g = extract(CleanDocument(text=text, path="qd.txt"))
        return {str(r.st) for r in g.query(QUERY, initNs=PREFIXES)}

    assert statuses("Phê duyệt điều chỉnh Quy hoạch tỉnh Quảng Trị thời kỳ 2021-2030") == {"Adjusted"}
    assert statuses("Phê duyệt Quy hoạch tỉnh Quảng Trị thời kỳ 2021-2030") == {"Approved"}


@pytest.mark.parametrize(
    "text",
    [
        "a) Thành phố có quy mô dân số từ 1.500.000 người trở lên được tính 20 điểm; dưới 1.500.000 người thì "
        "cứ giảm 50.000 người được trừ 0,5 điểm.",
        "b) Tỷ lệ đô thị hóa từ 60% trở xuống được tính 2 điểm; trên 60% thì cứ thêm 4% được tính thêm 0,25 điểm, "
        "nhưng tối đa không quá 6 điểm.",
        "Xã được công nhận loại I khi có tổng số điểm đạt được từ 80 điểm trở lên và quy mô dân số theo khoản 2 Điều 7.",
    ],
    ids=["population-points", "urbanisation-points", "total-score"],
)
def test_thresholds_of_a_scoring_rule_are_not_targets(text):
    assert run(text)[0] == {}


def test_a_target_of_the_same_words_without_points_is_kept():
    out, _ = run("Phấn đấu đến năm 2030 quy mô dân số đạt 1.500.000 người, tỷ lệ đô thị hóa đạt 60%.")
    assert out  # the same figures stated as aims are targets


def test_the_capacities_an_airport_plan_aims_at_are_targets_of_each_lead_year():
    text = ("Theo đó, Quyết định nêu rõ mục tiêu quy hoạch cảng hàng không Điện Biên thời kỳ 2021 2030 như sau:\n\n"
            "- Cấp sân bay: 4C.\n\n"
            "- Công suất: khoảng 3 triệu hành khách/năm và 8.000 tấn hàng hóa/năm.\n\n"
            "Đồng thời, Quyết định cũng đề cập tầm nhìn đến năm 2050 như sau:\n\n"
            "- Công suất: khoảng 6 triệu hành khách/năm và 20.000 tấn hàng hóa/năm.\n")
    out, _ = run(text)
    got = {(ind, t["value"], t["comp"], t["time"]) for ind, ts in out.items() for t in ts}
    assert got == {
        ("passenger-throughput", "3000000", "about", "2030"), ("cargo-throughput", "8000", "about", "2030"),
        ("passenger-throughput", "6000000", "about", "2050"), ("cargo-throughput", "20000", "about", "2050"),
    }


def test_a_capacity_of_one_work_stays_its_scale_for_every_period_of_its_line():
    out, _ = run("- Công suất thiết kế dự kiến: khoảng 4 triệu hành khách/năm thời kỳ 2021-2030; khoảng 9 triệu "
                 "hành khách/năm tầm nhìn đến năm 2050.")
    assert "passenger-throughput" not in out


# Rules from groups I and J (works and targets): texts of the same kinds, written for these tests.

def test_items_under_a_lead_naming_a_year_take_that_year_and_zone_indicators_are_read():
    text = ("Các chỉ tiêu cụ thể đặt ra cho Khu kinh tế Vân Phong như sau:\n\n"
            "- Đến năm 2030:\n\n"
            "+ Tỷ lệ lấp đầy các khu công nghiệp đạt 70%;\n\n"
            "+ Tổng thu hút đầu tư: khoảng 5 tỷ USD;\n\n"
            "+ Kim ngạch xuất nhập khẩu: 8 tỷ USD;\n\n"
            "+ Tạo việc làm: trên 60.000 người.\n\n"
            "- Đến năm 2045:\n\n"
            "+ Thu ngân sách: 45.000 tỷ đồng;\n\n"
            "+ Tỷ lệ lấp đầy các khu công nghiệp đạt 95%.\n")
    out, _ = run(text, plan="plan/provincial/khanh-hoa/2021-2030")
    got = {(ind, t["value"], t["comp"], t["time"]) for ind, ts in out.items() for t in ts}
    assert got == {
        ("industrial-occupancy-rate", "70", None, "2030"), ("investment-attraction", "5", "about", "2030"),
        ("export-import-value", "8", None, "2030"), ("jobs-created", "60000", "above", "2030"),
        ("budget-revenue", "45000", None, "2045"), ("industrial-occupancy-rate", "95", None, "2045"),
    }


def test_average_shares_in_grdp_are_the_structure_over_the_plan_period_with_the_manufacturing_part():
    text = ("b) Mục tiêu cụ thể đến năm 2030\n\n"
            "+ Tỷ trọng bình quân trong GRDP của khu vực dịch vụ khoảng 45%, khu vực công nghiệp - xây dựng trên 38% "
            "(trong đó công nghiệp chế biến, chế tạo khoảng 25%), khu vực nông, lâm, thủy sản khoảng 9%;\n")
    out, _ = run(text, plan="plan/provincial/dien-bien/2021-2030")
    got = {(ind, t["value"], t["comp"], t["time"]) for ind, ts in out.items() for t in ts}
    assert got == {
        ("grdp-structure-services", "45", "about", "2021-2030"),
        ("grdp-structure-industry-construction", "38", "above", "2021-2030"),
        ("manufacturing-share", "25", "about", "2021-2030"),
        ("grdp-structure-agriculture", "9", "about", "2021-2030"),
    }


def test_numbers_of_units_and_the_population_of_one_work_are_not_population_targets():
    text = ("Mục tiêu sắp xếp đơn vị hành chính đến năm 2030:\n\n"
            "3. Nhập toàn bộ diện tích tự nhiên, quy mô dân số của Phường 4, Phường 9, Quận 3 thành một đơn vị hành chính.\n\n"
            "Khu đô thị mới Tây Bắc với diện tích 1.200 ha, quy mô dân số khoảng 150.000 người đã được khởi công.\n")
    out, _ = run(text, plan="plan/provincial/dien-bien/2021-2030")
    assert "population" not in out


def test_sub_headings_of_an_aims_list_give_the_year_of_its_capacities():
    text = ("Theo đó, Quyết định nêu rõ mục tiêu quy hoạch cảng hàng không Điện Biên như sau:\n\n"
            "*(1) Thời kỳ 2021-2030*\n\n"
            "- Cấp sân bay: 4C.\n\n"
            "- Công suất: khoảng 3 triệu hành khách/năm và 8.000 tấn hàng hóa/năm.\n\n"
            "- Loại tàu bay khai thác: A321 và tương đương.\n\n"
            "*(2) Tầm nhìn đến năm 2050*\n\n"
            "- Cấp sân bay: 4C.\n\n"
            "- Công suất: khoảng 5 triệu hành khách/năm và 12.000 tấn hàng hóa/năm.\n")
    out, _ = run(text)
    got = {(ind, t["value"], t["time"]) for ind, ts in out.items() for t in ts}
    assert got == {
        ("passenger-throughput", "3000000", "2030"), ("cargo-throughput", "8000", "2030"),
        ("passenger-throughput", "5000000", "2050"), ("cargo-throughput", "12000", "2050"),
    }
