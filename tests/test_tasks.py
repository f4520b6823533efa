"""Tasks and responsibilities: agency headings with items, prose subjects, carry-over, deadlines, recurrence."""

from datetime import date

from quyhoach.loaders.extract import tasks
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext
from quyhoach.loaders.reference.resolver import get_resolver
from quyhoach.namespaces import ID, PREFIXES

ROLES = """
SELECT ?agency ?role ?deadline ?rec ?text WHERE {
  ?r a qh:Responsibility ; qh:agency ?a ; qh:role ?ro ; qh:task ?t .
  ?t qh:taskText ?text ; qh:assignedBy ?doc .
  OPTIONAL { ?r qh:deadline ?deadline } OPTIONAL { ?r qh:recurrence ?rec }
  BIND(REPLACE(STR(?a), "^.*/id/", "") AS ?agency)
  BIND(REPLACE(STR(?ro), "^.*/role/", "") AS ?role)
}
"""


def run(text: str, scope: str = "unit/province/11", as_of: date = date(2024, 9, 5)):
    doc = CleanDocument(text=text, path="variant.txt")
    ctx = ExtractionContext(as_of=as_of, resolver=get_resolver(), main_document=ID["doc/qd-ttg/2024/42"],
                            main_plan=ID["plan/provincial/dien-bien/2021-2030"], scope_unit=ID[scope])
    emitter = Emitter(doc)
    tasks.extract(doc, emitter, ctx)
    return emitter.graph


def pairs(graph) -> set[tuple[str, str]]:
    return {(str(r.agency), str(r.role)) for r in graph.query(ROLES, initNs=PREFIXES)}


HEADINGS = """IV. TỔ CHỨC THỰC HIỆN

1. Bộ trưởng, Thủ trưởng cơ quan ngang bộ, cơ quan thuộc Chính phủ:

Theo chức năng, nhiệm vụ được giao có trách nhiệm hướng dẫn Ủy ban nhân dân tỉnh Điện Biên thực hiện Kế hoạch.

2. Chủ tịch Ủy ban nhân dân tỉnh Điện Biên:

a) Công bố, phổ biến Kế hoạch tới các cơ quan, tổ chức liên quan trước ngày 31/12/2024.

b) Báo cáo Thủ tướng Chính phủ định kỳ hằng năm về tình hình thực hiện Kế hoạch.

c) Chủ trì, phối hợp với Bộ Tài chính trình cấp có thẩm quyền cơ chế tài chính trong quý IV năm 2025.
"""


def test_heading_agency_leads_each_item_with_verb_roles():
    got = pairs(run(HEADINGS))
    ubnd = "agency/ubnd/11"
    heads = "agency/collective/bo-co-quan-ngang-bo-co-quan-thuoc-chinh-phu"
    assert {(ubnd, "lead"), (ubnd, "publish"), (ubnd, "report"), (ubnd, "submit")} <= got
    assert {(heads, "lead"), (heads, "guide")} <= got
    assert ("agency/bo-tai-chinh", "cooperate") in got
    assert (ubnd, "cooperate") not in got  # it leads the item in which it "phối hợp với" another
    assert not any(a == "agency/thu-tuong-chinh-phu" for a, _ in got)  # a recipient, not a responsible


def test_deadlines_and_recurrence():
    g = run(HEADINGS)
    rows = list(g.query(ROLES, initNs=PREFIXES))
    publish = [r for r in rows if str(r.role) == "publish"]
    assert publish and str(publish[0].deadline) == "2024-12-31"
    report = [r for r in rows if str(r.role) == "report"]
    assert {str(r.rec) for r in report} == {"annual"}
    submit = [r for r in rows if str(r.role) == "submit"]
    assert str(submit[0].deadline) == "2025-12-31"


def test_prose_subject_after_giao_and_carry_over():
    text = ("Thủ tướng Chính phủ giao Bộ Xây dựng công bố quy hoạch tới các địa phương.\n\n"
            "Đồng thời, chủ trì, phối hợp với các bộ, ngành báo cáo Thủ tướng Chính phủ định kỳ hằng năm và 05 năm.")
    g = run(text)
    got = pairs(g)
    assert {("agency/bo-xay-dung", "publish"), ("agency/bo-xay-dung", "lead"), ("agency/bo-xay-dung", "report"),
            ("agency/collective/bo-nganh", "cooperate")} == got
    recs = {str(r.rec) for r in g.query(ROLES, initNs=PREFIXES) if str(r.role) == "report"}
    assert recs == {"annual", "five-yearly"}


def test_collectives_short_deadline_and_recipient():
    text = ("Các huyện, thị xã tổng hợp ý kiến gửi Sở Kế hoạch và Đầu tư. "
            "Từ nay đến ngày 15/10 đơn vị tư vấn hoàn thiện hồ sơ quy hoạch.")
    g = run(text)
    got = pairs(g)
    assert ("agency/collective/don-vi-tu-van", "implement") in got
    assert not any(a.startswith("agency/so/") for a, _ in got)
    deadline = {str(r.deadline) for r in g.query(ROLES, initNs=PREFIXES) if "tu-van" in str(r.agency)}
    assert deadline == {"2024-10-15"}
    flagged = "ASK { ?a qh:unresolved true ; a qh:Agency ; rdfs:label ?l }"
    assert g.query(flagged, initNs=PREFIXES).askAnswer


def test_province_acting_is_its_peoples_committee_and_past_acts_are_not_tasks():
    got = pairs(run("Cụ thể tỉnh Điện Biên sẽ thực hiện 7 nhiệm vụ trọng tâm. "
                    "UBND tỉnh Điện Biên đã ban hành Kế hoạch số 12/KH-UBND. Ban Chỉ đạo đã tổ chức Phiên họp."))
    assert got == {("agency/ubnd/11", "implement")}


def test_subjectless_instructions_without_an_agency_are_not_tasks():
    got = pairs(run("Xây dựng và thực hiện chính sách thu hút nhân lực. Chủ động phối hợp với các bộ, ngành."))
    assert got == set()


def test_requester_is_not_responsible_and_credits_are_not_verbs():
    got = pairs(run("(Xây dựng) – UBND tỉnh Hà Giang vừa ban hành Kế hoạch số 1/KH-UBND về việc triển khai thực hiện "
                    "Quy hoạch tỉnh.\nTheo Kế hoạch, Chủ tịch UBND tỉnh Hà Giang Nguyễn Văn Sơn yêu cầu các sở, ngành, "
                    "địa phương triển khai thực hiện nghiêm túc.", scope="unit/province/02"))
    assert got == {("agency/collective/so-nganh-dia-phuong", "implement")}


# --- groups, levels of government and lists of agencies (texts written for the tests) ---

AS_OF_2025 = date(2025, 9, 1)


def test_levels_of_government_and_lists_of_groups_are_collectives():
    got = pairs(run("Ủy ban nhân dân cấp huyện lập, ban hành kế hoạch sử dụng đất hằng năm. "
                    "Bộ Nội vụ chủ trì, phối hợp với các bộ, ngành và địa phương ven biển, UBND cấp xã "
                    "rà soát địa giới. Bộ Tư pháp phối hợp với Bộ Công an và các bộ, cơ quan có liên quan "
                    "hoàn thiện dự thảo.", as_of=AS_OF_2025))
    assert ("agency/collective/uy-ban-nhan-dan-cap-huyen", "implement") in got
    assert ("agency/collective/bo-nganh-dia-phuong-ven-bien", "cooperate") in got
    assert ("agency/collective/uy-ban-nhan-dan-cap-xa", "cooperate") in got
    assert ("agency/collective/bo-co-quan-co-lien-quan", "cooperate") in got
    assert ("agency/bo-cong-an", "cooperate") in got
    assert not any(a in {"agency/collective/bo-nganh", "agency/collective/dia-phuong"} for a, _ in got)


def test_organisations_that_are_not_agencies_stay_out_of_groups():
    got = pairs(run("Các cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này."))
    assert not any("co-quan" in a for a, _ in got)


def test_coordinated_subjects_share_the_verbs_and_coordinated_objects_stay_objects():
    got = pairs(run("Bộ Y tế, Bộ Giáo dục và Đào tạo và các Bộ quản lý ngành khác hướng dẫn việc sắp xếp cơ sở; "
                    "trường hợp vượt thẩm quyền báo cáo Bộ Tư pháp, Bộ Nội vụ để xử lý.", as_of=AS_OF_2025))
    for agency in ("agency/bo-y-te", "agency/bo-giao-duc-va-dao-tao", "agency/collective/bo-quan-ly-nganh"):
        assert {(agency, "guide"), (agency, "report")} <= got
    assert not any(a in {"agency/bo-tu-phap", "agency/bo-noi-vu"} for a, _ in got)


def test_ministries_named_after_one_bo_each_get_the_duty():
    got = pairs(run("Bộ trưởng các Bộ: Tài chính, Y tế, Giáo dục và Đào tạo và Văn hóa, Thể thao và Du lịch "
                    "theo dõi việc triển khai kế hoạch.", as_of=AS_OF_2025))
    assert got == {(a, "monitor") for a in ("agency/bo-tai-chinh", "agency/bo-y-te", "agency/bo-giao-duc-va-dao-tao",
                                           "agency/bo-van-hoa-the-thao-va-du-lich")}


def test_the_next_number_ends_a_heading_section():
    text = ("1. Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương:\n\n"
            "Tổ chức thực hiện việc sắp xếp trụ sở theo quy định.\n\n"
            "2. Bộ Quốc phòng, Bộ Công an cập nhật quy hoạch sử dụng đất theo thẩm quyền.\n\n"
            "3. Bộ Tài chính tăng cường kiểm tra, đôn đốc, hướng dẫn các địa phương thực hiện việc sắp xếp; "
            "công khai tiến độ theo quy định pháp luật và hướng dẫn của Bộ Tư pháp.")
    got = pairs(run(text, as_of=AS_OF_2025))
    ubnd = "agency/collective/uy-ban-nhan-dan-tinh-thanh-pho-truc-thuoc-trung-uong"
    assert {(ubnd, "lead"), (ubnd, "implement")} <= got
    assert {("agency/bo-quoc-phong", "implement"), ("agency/bo-cong-an", "implement")} <= got
    assert not any(a == ubnd for a, r in got if r != "lead" and r != "implement")
    finance = {r for a, r in got if a == "agency/bo-tai-chinh"}
    assert finance == {"monitor", "guide", "publish"}  # the localities implement under its guidance
    assert not any(a == "agency/bo-tu-phap" for a, _ in got)  # "hướng dẫn của": a noun


def test_directed_bodies_past_acts_and_questions_are_not_tasks():
    text = ("Bộ Xây dựng thực hiện các nhiệm vụ sau:\n\n"
            "(1) Chỉ đạo các đơn vị tư vấn khẩn trương hoàn thiện hồ sơ thiết kế.\n\n"
            "(2) Chỉ đạo các chủ đầu tư, đơn vị tư vấn triển khai thi công.\n\n"
            "Thủ tướng Chính phủ đã phê duyệt chủ trương đầu tư xây dựng cảng.\n\n"
            "Các bộ, ngành phối hợp thực hiện công tác này như thế nào?")
    got = pairs(run(text, as_of=AS_OF_2025))
    assert not any("tu-van" in a or "thu-tuong" in a or "bo-nganh" in a for a, _ in got), got


def test_bodies_after_truoc_and_do_are_not_subjects():
    got = pairs(run("Số liệu dân số do Bộ Nội vụ công bố được dùng để tính chỉ tiêu. "
                    "Chính phủ báo cáo trước Quốc hội, Ủy ban Thường vụ Quốc hội về kết quả thực hiện.",
                    as_of=AS_OF_2025))
    assert got == {("agency/chinh-phu", "report")}


def test_clauses_of_a_duty_article_belong_to_the_agency_its_heading_names():
    text = ("Điều 7. Trách nhiệm của Bộ Nội vụ và Bộ Tư pháp\n\n"
            "1. Chủ trì, phối hợp với các bộ, ngành hướng dẫn việc sắp xếp đơn vị hành chính.\n\n"
            "2. Theo dõi, tổng hợp tình hình thực hiện.\n\n"
            "Điều 8. Hiệu lực thi hành\n\n"
            "1. Thực hiện từ ngày ký.\n")
    got = pairs(run(text, as_of=AS_OF_2025))
    for agency in ("agency/bo-noi-vu", "agency/bo-tu-phap"):
        assert {(agency, "lead"), (agency, "guide"), (agency, "monitor")} <= got
    assert ("agency/collective/bo-nganh", "cooperate") in got
    assert len({r for a, r in got if a == "agency/bo-noi-vu"}) == 3  # nothing from Điều 8


# --- tasks and the structure of the assigning document (pages of tests/fixtures/corpus-dev) ---

def _dev_tasks(name: str):
    from pathlib import Path

    from quyhoach.loaders.documents.pipeline import extract, read_source
    from quyhoach.namespaces import QH

    g = extract(read_source(Path(__file__).resolve().parent / "fixtures" / "corpus-dev" / name),
                extractors=("citations", "tasks"))
    return {str(g.value(t, QH.taskText)): g.value(t, QH.provision) for t in g.subjects(None, QH.Task)}, g


def test_legal_bases_and_document_lists_assign_no_task():
    # "Căn cứ Thông tư số 11/2015/TT-BTC của Bộ trưởng Bộ Tài chính Hướng dẫn …" is a title it rests on;
    # "a) Thông tư số 57/2014/TT-BCT … của Bộ trưởng Bộ Công Thương …" an item of a repeal list
    for name in ("32bf80ce6d1e997e.md", "087cf37a325c4959.md"):
        tasks, _ = _dev_tasks(name)
        assert not [t for t in tasks if t.startswith(("Căn cứ", "a) Thông tư", "b) Thông tư"))], (name, list(tasks))


def test_tasks_in_articles_carry_their_provision():
    tasks, _ = _dev_tasks("38acb0a43418a36c.md")  # a decree on urban railways: Điều 10, khoản 2, điểm a
    provisions = {str(p) for p in tasks.values() if p is not None}
    assert "Điều 10, khoản 2, điểm a" in provisions
    assert all(p.startswith("Điều ") for p in provisions)


def test_every_collective_contains_a_hint_word():
    # sentences without a hint word (and without agencies or provinces) are not analysed: a
    # collective added to COLLECTIVES needs a word of COLLECTIVE_HINTS in every alternative
    for pattern, _kind in tasks.COLLECTIVES:
        depth, alternatives, current = 0, [], ""
        for ch in pattern:
            depth += (ch == "(") - (ch == ")")
            if ch == "|" and depth == 0:
                alternatives.append(current)
                current = ""
            else:
                current += ch
        alternatives.append(current)
        for alternative in alternatives:
            assert any(h in alternative.lower() for h in tasks.COLLECTIVE_HINTS), alternative


def test_sentence_without_agency_or_collective_gives_no_task_but_one_with_a_collective_does():
    ctx = ExtractionContext(as_of=date(2024, 11, 1), resolver=get_resolver())
    text = "Xây dựng kế hoạch triển khai thực hiện. Các sở, ngành liên quan triển khai thực hiện nghiêm túc."
    found = tasks.find_tasks(text, ctx)
    assert [text[t.span.start : t.span.end] for t in found] == ["Các sở, ngành liên quan triển khai thực hiện nghiêm túc."]


# -- a national decree's duties of provincial bodies (texts written for the tests) --------------

def national(text: str):
    """Tasks of ``text`` read as a national decree: no province in scope."""
    doc = CleanDocument(text=text, path="decree.txt")
    ctx = ExtractionContext(as_of=date(2025, 8, 1), resolver=get_resolver(), main_document=ID["doc/nd-cp/2025/99"])
    emitter = Emitter(doc)
    tasks.extract(doc, emitter, ctx)
    return pairs(emitter.graph)


def test_a_kind_of_department_in_a_national_decree_is_its_collective():
    got = national(
        "2. Sở Tài chính tổ chức thẩm định hồ sơ dự án trong thời hạn 20 ngày.\n\n"
        "3. Sở Xây dựng trình Chủ tịch Ủy ban nhân dân cấp tỉnh xem xét, quyết định.\n"
    )
    assert {("agency/collective/so-tai-chinh", "appraise"), ("agency/collective/so-xay-dung", "submit")} <= got
    # in a province's own document the same words are that province's department, not a collective
    own = pairs(run("Sở Tài chính tổ chức thẩm định hồ sơ dự án trong thời hạn 20 ngày."))
    assert not any(a.startswith("agency/collective/so-") for a, _ in own) and any(r == "appraise" for _, r in own)


def test_the_recipient_of_a_file_acts_on_it():
    got = national(
        "Ủy ban nhân dân cấp huyện lập hồ sơ gửi Sở Tài chính kiểm tra, hoàn thiện hồ sơ báo cáo "
        "Ủy ban nhân dân cấp tỉnh xem xét."
    )
    so = "agency/collective/so-tai-chinh"
    assert {(so, "monitor"), (so, "implement"), (so, "report")} <= got
    assert ("agency/collective/uy-ban-nhan-dan-cap-huyen", "submit") in got
    assert ("agency/collective/uy-ban-nhan-dan-cap-huyen", "monitor") not in got
    assert not any(a == "agency/collective/uy-ban-nhan-dan-cap-tinh" for a, _ in got)  # reported to


def test_a_directing_body_leads_and_the_directed_act_is_not_its_own():
    got = national("Ủy ban nhân dân cấp huyện chỉ đạo phòng chuyên môn lập danh mục dự án, trình Hội đồng nhân dân.")
    huyen = "agency/collective/uy-ban-nhan-dan-cap-huyen"
    assert (huyen, "lead") in got and (huyen, "implement") not in got
    # "Ban Chỉ đạo" names a body; "chỉ đạo thực hiện" directs the act itself
    assert not national("Ban Chỉ đạo của Ủy ban nhân dân cấp tỉnh họp định kỳ.")
    got = national("Ủy ban nhân dân cấp tỉnh chỉ đạo thực hiện nghiêm các kết luận của Thủ tướng.")
    assert {("agency/collective/uy-ban-nhan-dan-cap-tinh", "lead"), ("agency/collective/uy-ban-nhan-dan-cap-tinh", "implement")} <= got


def test_drawing_up_a_report_or_a_plan_is_implementing():
    got = national(
        "Định kỳ 03 năm, Ủy ban nhân dân cấp huyện lập báo cáo đánh giá tình hình thực hiện, Ủy ban nhân dân "
        "cấp xã lập kế hoạch sử dụng đất gửi Ủy ban nhân dân cấp huyện."
    )
    huyen, xa = "agency/collective/uy-ban-nhan-dan-cap-huyen", "agency/collective/uy-ban-nhan-dan-cap-xa"
    assert {(huyen, "implement"), (xa, "implement"), (xa, "submit")} <= got
    assert (huyen, "report") not in got and (xa, "report") not in got


def test_a_group_keeps_all_its_qualifiers():
    got = national("Bộ Xây dựng chủ trì, phối hợp với các bộ, ngành trung ương có liên quan tổ chức thẩm định đề án.")
    assert ("agency/collective/bo-nganh-trung-uong-co-lien-quan", "cooperate") in got


def test_a_competence_to_set_up_an_appraisal_council_is_not_an_appraisal_duty():
    got = national(
        "Thẩm quyền thành lập Hội đồng thẩm định được quy định như sau:\n\n"
        "a) Chủ tịch Ủy ban nhân dân cấp huyện thành lập Hội đồng thẩm định quy hoạch chung xã;\n\n"
        "b) Bộ Xây dựng có trách nhiệm giúp Hội đồng thẩm định trong quá trình thẩm định quy hoạch.\n"
    )
    assert not any(r == "appraise" for _, r in got)
    assert ("agency/bo-xay-dung", "cooperate") in got


def test_a_report_on_a_lower_level_is_the_reporters():
    got = national("Ủy ban nhân dân cấp tỉnh báo cáo kết quả sắp xếp đơn vị hành chính cấp xã trên địa bàn.")
    assert got == {("agency/collective/uy-ban-nhan-dan-cap-tinh", "report")}


# --- rules from group G's misses (passages written for the tests, not taken from any page) ---

def test_a_port_authority_named_without_its_port_is_a_collective():
    g = run(
        "Cảng vụ hàng hải có trách nhiệm kiểm tra, báo cáo Ủy ban nhân dân cấp tỉnh về tình hình sử dụng đất "
        "cảng biển; phối hợp với Ủy ban nhân dân các cấp để quản lý vùng nước cảng biển.\n"
        "Cảng vụ Hàng hải Quảng Ninh có trách nhiệm thực hiện việc công bố.\n"
    )
    got = pairs(g)
    assert {("agency/collective/cang-vu-hang-hai", "monitor"), ("agency/collective/cang-vu-hang-hai", "report"),
            ("agency/collective/cang-vu-hang-hai", "cooperate"),
            ("agency/collective/uy-ban-nhan-dan-cap", "cooperate")} <= got
    # a named port authority is one body, not the collective
    assert not any(a == "agency/collective/cang-vu-hang-hai-quang-ninh" for a, _r in got)


def test_an_act_in_progress_or_inside_quotes_is_no_duty():
    g = run(
        "Ủy ban nhân dân tỉnh Điện Biên đang khẩn trương xây dựng đề án phát triển cảng hàng không.\n"
        "Theo Quyết định, Ủy ban nhân dân tỉnh Điện Biên chấp thuận điều chỉnh tiến độ thực hiện dự án được điều "
        "chỉnh thành: “Hoàn thành xây dựng, đưa vào hoạt động Quý II/2026”.\n"
        "Ủy ban nhân dân tỉnh Điện Biên chủ trì, phối hợp với các sở, ngành liên quan.\n"
    )
    got = pairs(g)
    assert ("agency/ubnd/11", "lead") in got  # the same body's duty in a sentence of its own is read
    assert ("agency/ubnd/11", "implement") not in got


def test_a_collective_asked_to_act_keeps_its_duties_in_a_sentence_that_carries_them_on():
    text = ("Về cải cách hành chính, Chính phủ yêu cầu các bộ, ngành, địa phương ưu tiên giải quyết hồ sơ đất đai "
            "cho người dân. Đây là nhiệm vụ trọng tâm của năm. Tiếp tục đẩy mạnh bồi dưỡng, hướng dẫn cho cán bộ "
            "cấp xã; kiểm tra việc cấp giấy chứng nhận.")
    got = pairs(run(text))
    for role in ("implement", "guide", "monitor"):
        assert ("agency/collective/bo-nganh-dia-phuong", role) in got
    assert not any(a == "agency/chinh-phu" for a, _r in got)  # the body that asks only assigns


def test_studying_issuing_and_upgrading_are_implementing_but_issuing_a_named_decision_is_a_report():
    got = pairs(run("Bộ Công Thương nghiên cứu, đề xuất cơ chế mua bán điện. Bộ Khoa học và Công nghệ khẩn trương "
                    "ban hành tiêu chuẩn quốc gia; nâng cấp cơ sở dữ liệu đo lường."))
    assert {("agency/bo-cong-thuong", "implement"), ("agency/bo-khoa-hoc-va-cong-nghe", "implement")} <= got
    reported = pairs(run("Ngày 12/3/2024, Bộ Công Thương ban hành Quyết định 640/QĐ-BCT về giá điện. Khi Chính phủ chưa "
                         "ban hành quy định mới thì áp dụng quy định cũ. Viện nghiên cứu - phát triển vùng được thành lập."))
    assert not any(r == "implement" for _a, r in reported)


def test_the_acts_of_urged_bodies_and_of_bodies_served_are_not_the_urgers():
    got = pairs(run("Bộ Nội vụ đôn đốc các bộ, cơ quan ngang bộ khẩn trương công bố và cập nhật danh mục, "
                    "làm cơ sở cho các địa phương công bố, công khai theo phạm vi công bố của tỉnh."))
    assert ("agency/bo-noi-vu", "monitor") in got
    assert ("agency/bo-noi-vu", "publish") not in got and ("agency/bo-noi-vu", "implement") not in got


def test_duties_given_to_party_bodies_are_no_state_responsibilities():
    # a provincial Party committee's conclusion: the State bodies named inside the Party bodies do not act
    party = ("Giao Đảng ủy Ủy ban nhân dân tỉnh chủ trì, phối hợp với Ban Tuyên giáo Tỉnh ủy, Đảng ủy Sở Tài chính và các "
             "cơ quan liên quan xây dựng đề án sắp xếp đơn vị hành chính cấp xã, báo cáo Ban Thường vụ Tỉnh ủy trước ngày "
             "15/4/2025.\n\n- Đảng ủy Ủy ban nhân dân tỉnh khẩn trương triển khai thực hiện, bảo đảm tiến độ như sau:\n\n"
             "+ Báo cáo Ban Thường vụ Tỉnh ủy chậm nhất ngày 20/4/2025.\n\n"
             "Giao Ban Tổ chức Tỉnh ủy; các Đảng ủy: Ủy ban nhân dân tỉnh; Sở Nội vụ và các cấp ủy, tổ chức đảng căn cứ "
             "Kết luận này để tổ chức thực hiện.")
    assert pairs(run(party)) == set()
    # the same duty given to the State body itself is one
    state = pairs(run("Giao Ủy ban nhân dân tỉnh Điện Biên chủ trì, phối hợp với các cơ quan liên quan xây dựng đề án sắp "
                      "xếp đơn vị hành chính cấp xã, báo cáo Thủ tướng Chính phủ trước ngày 15/4/2025."))
    assert {("agency/ubnd/11", "lead"), ("agency/ubnd/11", "implement"),
            ("agency/collective/co-quan-lien-quan", "cooperate")} <= state
    # a State body carrying out the directions of Party organs keeps its duty
    directed = pairs(run("1. Ủy ban nhân dân tỉnh Điện Biên:\n\nChỉ đạo thực hiện nghiêm các kết luận, chỉ đạo của Bộ Chính "
                         "trị, Ban Bí thư về sắp xếp trụ sở, báo cáo Bộ Tài chính."))
    assert ("agency/ubnd/11", "report") in directed


def test_an_issuers_code_in_a_documents_number_is_no_body_acting():
    got = pairs(run("Căn cứ Mục 2.1 QCVN 01:2021/BXD ban hành kèm theo Thông tư 01/2021/TT-BXD, quy định về bãi đỗ xe.\n"
                    "Cửa hàng xăng dầu phải thực hiện các nội dung theo Thông tư 02/2022/TT-BTNMT của Bộ trưởng Bộ Tài nguyên "
                    "và Môi trường quy định chi tiết thi hành một số điều của Luật Bảo vệ môi trường."))
    assert got == set()


def test_the_body_a_file_is_submitted_to_acts_in_the_purpose_clause():
    got = pairs(run("Sở Nông nghiệp và Môi trường hoàn thiện hồ sơ trước khi Ủy ban nhân dân cấp tỉnh trình Bộ Xây dựng "
                    "để thẩm định; Ủy ban nhân dân cấp tỉnh tiếp thu ý kiến."))
    assert ("agency/bo-xay-dung", "appraise") in got
    assert ("agency/collective/uy-ban-nhan-dan-cap-tinh", "submit") in got
    assert ("agency/collective/uy-ban-nhan-dan-cap-tinh", "appraise") not in got
    # served, not acting: "để được hướng dẫn" keeps the verbs after it the subject's
    served = pairs(run("Ủy ban nhân dân tỉnh Điện Biên kịp thời tổng hợp, báo cáo Bộ Tài chính để được hướng dẫn."))
    assert ("agency/ubnd/11", "report") in served and ("agency/bo-tai-chinh", "guide") not in served


def test_news_reports_of_figures_outlooks_and_intentions_assign_nothing():
    news = ("Theo báo cáo của Tổng cục Thống kê - Bộ Kế hoạch và Đầu tư, khu vực công nghiệp và xây dựng tăng 8,1%.\n\n"
            "Thời gian tới, Bộ Tài chính và các bộ, ngành tiếp tục triển khai các giải pháp tháo gỡ khó khăn.\n\n"
            "Bên cạnh đó, Bộ Công Thương sẽ tiếp tục hoàn thiện dự thảo Nghị định, báo cáo Chính phủ xem xét.\n\n"
            "Đà Nẵng khởi công xây dựng cầu Nguyễn Tri Phương mới.")
    assert pairs(run(news)) == set()
    # an outlook that obliges is a duty
    assert ("agency/bo-tai-chinh", "implement") in pairs(run("Thời gian tới, Bộ Tài chính cần tiếp tục triển khai các giải pháp."))


def test_a_kind_of_plan_named_with_the_word_for_building_is_no_duty_to_build():
    got = pairs(run("Ủy ban nhân dân tỉnh Điện Biên phê duyệt đồ án quy hoạch phân khu xây dựng khu công nghiệp Tây Trang; "
                    "Ủy ban nhân dân tỉnh Điện Biên phê duyệt quy hoạch chi tiết xây dựng khu dân cư."))
    assert ("agency/ubnd/11", "implement") not in got


def test_a_duty_heading_in_brackets_may_name_a_body_outside_the_reference_data():
    text = ("Căn cứ tại Điều 2 Quyết định 512/QĐ-BXD quy định như sau:\n\n"
            "(1) Cục Đường thủy nội địa Việt Nam có trách nhiệm:\n\n"
            "- Nghiên cứu, tiếp thu Báo cáo thẩm định để hoàn thiện hồ sơ quy hoạch;\n\n"
            "- Chủ trì, phối hợp với Ủy ban nhân dân tỉnh Điện Biên tổ chức công bố quy hoạch.\n\n"
            "(2) Ủy ban nhân dân tỉnh Điện Biên có trách nhiệm:\n\n- Cập nhật quy hoạch vào quy hoạch của địa phương.\n")
    got = pairs(run(text))
    body = "agency/unresolved/cuc-duong-thuy-noi-dia-viet-nam"
    assert {(body, "lead"), (body, "implement"), (body, "publish"), ("agency/ubnd/11", "cooperate"),
            ("agency/ubnd/11", "implement")} <= got
    assert (body, "report") not in got and (body, "appraise") not in got  # "tiếp thu Báo cáo thẩm định": a noun


def test_the_bodies_a_duty_consults_in_a_list_below_it_cooperate():
    text = ("- Ủy ban nhân dân tỉnh Điện Biên có trách nhiệm lấy ý kiến bằng văn bản đối với đồ án quy hoạch cảng cạn của "
            "các cơ quan sau đây:\n\n+ Bộ Tài chính và Bộ Xây dựng đối với cảng cạn có diện tích từ 100 ha trở lên;\n\n"
            "+ Bộ Quốc phòng, Bộ Công an đối với cảng cạn tại xã biên giới.\n\n"
            "- Ủy ban nhân dân tỉnh Điện Biên quyết định điều chỉnh quy mô cảng cạn.\n")
    got = pairs(run(text))
    assert {("agency/bo-tai-chinh", "cooperate"), ("agency/bo-xay-dung", "cooperate"), ("agency/bo-quoc-phong", "cooperate"),
            ("agency/bo-cong-an", "cooperate")} <= got
    assert ("agency/ubnd/11", "cooperate") not in got  # the next item of the lead's own list is no body consulted


def test_named_bodies_outside_the_reference_and_groups_of_kinds_of_body_hold_duties():
    # written for the test (another province, other boards and units than any gold page)
    text = (
        "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng tỉnh có trách nhiệm phối hợp với Sở Du lịch và "
        "Văn hóa, UBND huyện Tân Kỳ, UBND xã Nghĩa Đồng, các cơ quan, đơn vị liên quan hoàn thành giải phóng "
        "mặt bằng trước ngày 30/6/2026.\n\n"
        "Hội đồng nghiệm thu xem xét, đánh giá hồ sơ của các nhà thầu.\n\n"
        "Sở Quy hoạch - Kiến trúc thông báo cho các nhà đầu tư về kết quả tuyển chọn.\n\n"
        "UBND các xã, thị trấn liên quan tổ chức thực hiện công tác bồi thường.\n"
    )
    found = pairs(run(text, scope="unit/province/40"))
    assert {
        ("agency/unresolved/so-du-lich-va-van-hoa", "cooperate"),
        ("agency/unresolved/uy-ban-nhan-dan-huyen-tan-ky", "cooperate"),
        ("agency/unresolved/uy-ban-nhan-dan-xa-nghia-dong", "cooperate"),
        ("agency/collective/co-quan-don-vi-lien-quan", "cooperate"),
        ("agency/unresolved/hoi-dong-nghiem-thu", "appraise"),
        ("agency/unresolved/so-quy-hoach-kien-truc", "publish"),
        ("agency/collective/uy-ban-nhan-dan-xa-thi-tran-lien-quan", "implement"),
    } <= found, found
    assert not any("ban-quan-ly-du-an" in a and "trach-nhiem" in a for a, _r in found), found


def test_a_heading_naming_two_boards_gives_both_the_items_up_to_the_next_section_of_the_page(tmp_path):
    from quyhoach.loaders.documents.pipeline import read_source

    text = (
        "# Đẩy nhanh dự án hồ chứa nước Bản Mồng\n\n"
        "(4) Giao Ban Quản lý dự án Thủy lợi tỉnh và Ban Quản lý các dự án nông nghiệp tỉnh:\n\n"
        "- Chủ trì, phối hợp với các cơ quan, đơn vị, địa phương có liên quan hoàn thiện hồ sơ tái định cư.\n\n"
        "## Chính sách của dự án\n\n"
        "(1) Trình tự, thủ tục thẩm định dự án thực hiện theo pháp luật về đầu tư công.\n"
    )
    page = tmp_path / "variant.md"
    page.write_text(text, encoding="utf-8")
    doc = read_source(page)  # the page's "##" headings are the reader's
    ctx = ExtractionContext(as_of=date(2025, 12, 1), resolver=get_resolver(), scope_unit=ID["unit/province-2025/40"])
    emitter = Emitter(doc)
    tasks.extract(doc, emitter, ctx)
    found = pairs(emitter.graph)
    boards = {"agency/unresolved/ban-quan-ly-du-an-thuy-loi-tinh", "agency/unresolved/ban-quan-ly-cac-du-an-nong-nghiep-tinh"}
    assert {(b, "lead") for b in boards} | {("agency/collective/co-quan-don-vi-dia-phuong-co-lien-quan", "cooperate")} <= found
    assert not {(b, "appraise") for b in boards} & found, found  # the next section's "thẩm định" is no duty of theirs


def test_field_lines_of_a_planning_task_name_their_bodies_in_office_on_the_decisions_day(tmp_path):
    from quyhoach.loaders.documents.pipeline import read_source, run_extractors

    # written for the test: an undated page reporting on a provincial decision of December 2025
    page = tmp_path / "variant.md"
    page.write_text(
        "# Quyết định 0457/QĐ-UBND ngày 02/12/2025 phê duyệt nhiệm vụ quy hoạch chung khu du lịch Na Hang\n\n"
        "Ngày 02/12/2025, UBND tỉnh Tuyên Quang ban hành Quyết định 0457/QĐ-UBND phê duyệt nhiệm vụ quy hoạch "
        "chung khu du lịch Na Hang đến năm 2045.\n\n"
        "- Cơ quan phê duyệt: Ủy ban nhân dân tỉnh Tuyên Quang.\n\n"
        "- Cơ quan thẩm định: Sở Xây dựng tỉnh Tuyên Quang.\n\n"
        "- Cơ quan tổ chức lập quy hoạch: Sở Nông nghiệp và Môi trường.\n",
        encoding="utf-8",
    )
    found = pairs(run_extractors(read_source(page)).graph)
    assert ("agency/so-2025/so-xay-dung/08", "appraise") in found, found
    assert ("agency/so-2025/so-nong-nghiep-va-moi-truong/08", "implement") in found, found
    assert not any(a.startswith("agency/ubnd") for a, _r in found), found  # the approving body has no duty
