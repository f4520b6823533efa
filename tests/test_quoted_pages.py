"""Question-and-answer pages that quote several documents; years written after a number.

The pages here are written for the tests (short, in the form of a legal portal's Q&A page), not
taken from a corpus: each rule is checked on text it was not written from.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from rdflib import Literal

from quyhoach.loaders.documents.pipeline import extract, read_source
from quyhoach.loaders.extract.citations import doc_iri, find_documents
from quyhoach.namespaces import ELI, QH

MINE = ("citations", "changes")


def _page(tmp_path: Path, markdown: str, name: str = "page.md"):
    path = tmp_path / name
    path.write_text(markdown, encoding="utf-8")
    doc = read_source(path, {})
    return doc, extract(doc, extractors=MINE)


def _pairs(g, predicate) -> set[tuple[str, str]]:
    return {(str(s).rsplit("/id/doc/", 1)[-1], str(o).rsplit("/id/doc/", 1)[-1]) for s, o in g.subject_objects(predicate)}


def _described(g) -> set[str]:
    return {str(o).rsplit("/id/doc/", 1)[-1] for o in g.objects(None, QH.describes)}


# -- the year written after the number ----------------------------------------------------------


def test_year_after_the_number_is_the_documents_year():
    found = [d for d in find_documents("được phê duyệt tại Quyết định 1544/QĐ-TTg năm 2023 về quy hoạch") if d.id_local]
    assert [(d.key, d.id_local) for d in found] == [("qd-ttg/2023/1544", "1544/QĐ-TTg")]
    assert found[0].end > found[0].code_end  # the evidence covers "năm 2023"


def test_same_number_of_two_years_stays_two_documents():
    text = "Quyết định 88/QĐ-UBND năm 2021 đã được thay bằng Quyết định 88/QĐ-UBND năm 2024 của tỉnh."
    assert [d.key for d in find_documents(text) if d.id_local] == ["qd-ubnd/2021/88", "qd-ubnd/2024/88"]


def test_a_bare_mention_takes_the_year_written_elsewhere():
    text = (
        "Sở Xây dựng triển khai Quyết định 412/QĐ-BXD về cảng cạn. Theo Điều 2 Quyết định 412/QĐ-BXD "
        "năm 2025, cảng cạn được mở rộng."
    )
    assert {d.key for d in find_documents(text) if d.id_local} == {"qd-bxd/2025/412"}


def test_a_year_of_the_next_clause_is_not_the_documents():
    found = [d for d in find_documents("thực hiện Kế hoạch 45/KH-UBND, năm 2025 tỉnh hoàn thành") if d.id_local]
    assert found[0].year is None
    found = [d for d in find_documents("theo Quyết định 7/QĐ-TTg ngày 03 tháng 4 năm 2022 của Thủ tướng") if d.id_local]
    assert found[0].key == "qd-ttg/2022/7"


def test_an_amending_law_named_by_title_and_year():
    text = "Căn cứ Điều 3 Luật Xây dựng 2014 (sửa đổi bởi khoản 1 Điều 1 Luật Xây dựng sửa đổi 2020) quy định:"
    assert [d.key for d in find_documents(text)] == ["luat/luat-xay-dung-2014", "luat/luat-xay-dung-sua-doi-2020"]


# -- a Q&A page: each quotation belongs to the document it quotes -------------------------------

QA_PAGE = """# Cảng cạn Tân Phước được quy hoạch với quy mô bao nhiêu?

### Nội dung chính

## Cảng cạn Tân Phước được quy hoạch với quy mô bao nhiêu?

Căn cứ theo khoản 2 Điều 1 Quyết định 1012/QĐ-BXD năm 2025 có nêu như sau:

Cảng cạn Tân Phước có quy mô khoảng 25 ha, phù hợp với quy hoạch tỉnh đã được phê duyệt tại Quyết định 979/QĐ-TTg năm 2023.

## Điều kiện mở cảng cạn

Theo quy định tại Điều 5 Nghị định 38/2017/NĐ-CP (được sửa đổi bởi khoản 3 Điều 1 Nghị định 74/2025/NĐ-CP) như sau:

Cảng cạn phải phù hợp với quy hoạch theo quy định tại Luật Quy hoạch.

## Hồ sơ công bố cảng cạn

Căn cứ Điều 9 Thông tư 12/2021/TT-BGTVT có cụm từ bị bãi bỏ bởi điểm c khoản 4 Điều 2 Thông tư 30/2024/TT-BXD như sau:

Hồ sơ gồm văn bản đề nghị và bản sao Quyết định 56/QĐ-UBND năm 2020 về chủ trương đầu tư.
"""


def test_qa_page_credits_each_quotation_to_its_document(tmp_path):
    _doc, g = _page(tmp_path, QA_PAGE)
    assert _described(g) == {"qd-bxd/2025/1012"}
    cites = _pairs(g, ELI.cites)
    assert ("qd-bxd/2025/1012", "qd-ttg/2023/979") in cites
    assert ("nd-cp/2017/38", "luat/luat-quy-hoach") in cites
    assert ("tt-bgtvt/2021/12", "qd-ubnd/2020/56") in cites
    # the page's subject does not cite what other sections quote, nor the portal's notes in a lead
    assert not {c for c in cites if c[0] == "qd-bxd/2025/1012"} - {("qd-bxd/2025/1012", "qd-ttg/2023/979")}
    assert not {c for c in cites if c[1] in ("nd-cp/2025/74", "tt-bxd/2024/30")}


def test_portal_notes_of_amendment_and_repeal_name_the_changing_document(tmp_path):
    _doc, g = _page(tmp_path, QA_PAGE)
    assert ("nd-cp/2025/74", "nd-cp/2017/38") in _pairs(g, ELI.amends)
    assert _pairs(g, ELI.repeals) == {("tt-bxd/2024/30", "tt-bgtvt/2021/12")}


def test_words_replaced_by_a_later_law_are_an_amendment():
    from quyhoach.loaders.model import CleanDocument

    text = (
        "Căn cứ tại khoản 3 Điều 15 Luật Xây dựng 2014 có cụm từ này bị thay thế bởi khoản 2 Điều 4 "
        "Nghị định 35/2023/NĐ-CP quy định:\n\nNội dung quy hoạch xây dựng gồm bản đồ."
    )
    g = extract(CleanDocument(text=text, path="/tmp/x.txt", title=""), extractors=MINE)
    assert ("nd-cp/2023/35", "luat/luat-xay-dung-2014") in _pairs(g, ELI.amends)


def test_headings_of_the_capture_end_a_quotation(tmp_path):
    page = (
        "# Ngã Năm có những sản phẩm đặc thù nào?\n\n"
        "Ngày 10/5/2025, Ủy ban nhân dân tỉnh ban hành Quyết định 300/QĐ-UBND về sản phẩm đặc thù của tỉnh.\n\n"
        "## Sản phẩm đặc thù được công nhận trước đây\n\n"
        "Theo Quyết định số 205/QĐ-UBND ngày 2 tháng 3 năm 2019 của Ủy ban nhân dân tỉnh:\n\n- Gạo thơm\n- Mật ong\n\n"
        "## Tài liệu\n\nTrang của tỉnh dẫn Nghị quyết số 90/2022/NQ-HĐND về du lịch.\n"
    )
    doc, g = _page(tmp_path, page)
    assert [h.value for h in doc.structure.headings] == [
        "Ngã Năm có những sản phẩm đặc thù nào?", "Sản phẩm đặc thù được công nhận trước đây", "Tài liệu",
    ]
    cites = {(s.split("/", 1)[1], o.split("/", 1)[1]) for s, o in _pairs(g, ELI.cites)}
    assert ("2025/300", "2022/90") in cites  # after the heading the page speaks again
    assert not any(s == "2019/205" for s, _o in cites)


# -- the subject of a page -----------------------------------------------------------------------


SUBJECT_CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "quoted-subjects.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", SUBJECT_CASES, ids=[c["case"] for c in SUBJECT_CASES])
def test_subject_of_a_quoting_page(tmp_path, case):
    """Which quoted documents a page is about (none when its own prose comes first or a source is in brackets)."""
    _doc, g = _page(tmp_path, case["page"])
    assert _described(g) == set(case["subjects"])


def test_a_title_naming_the_decision_by_its_bare_number(tmp_path):
    page = (
        "# Nhiệm vụ của tổ công tác theo Quyết định 733?\n\n"
        "Theo quy định tại Điều 3 Quy chế ban hành kèm theo Quyết định 733/QĐ-BXD năm 2025, "
        "tổ công tác có nhiệm vụ như sau:\n\n- Rà soát hồ sơ.\n"
    )
    _doc, g = _page(tmp_path, page)
    assert _described(g) == {"qd-bxd/2025/733"}
    assert not set(g.objects(None, QH.attachedTo))  # the page is not the annex of the decision


def test_an_annex_opening_with_kem_theo_is_attached(tmp_path):
    page = (
        "QUY CHẾ\n\nHoạt động của tổ công tác\n\n"
        "(Ban hành kèm theo Quyết định số 733/QĐ-BXD ngày 12 tháng 6 năm 2025 của Bộ trưởng Bộ Xây dựng)\n\n"
        "Điều 1. Phạm vi điều chỉnh\n\nQuy chế này quy định hoạt động của tổ công tác.\n"
    )
    _doc, g = _page(tmp_path, page, "annex.md")
    assert {str(o).rsplit("/doc/", 1)[-1] for o in g.objects(None, QH.attachedTo)} == {"qd-bxd/2025/733"}


def test_a_summary_that_says_this_decree_is_about_its_numbered_decree(tmp_path):
    page = (
        "Theo Nghị định, Bộ Nội vụ là cơ quan của Chính phủ, thực hiện chức năng quản lý nhà nước về tổ chức "
        "hành chính, công vụ, công chức, viên chức, lao động, việc làm, người có công và bình đẳng giới trong "
        "phạm vi cả nước theo quy định của pháp luật hiện hành.\n\n"
        "### Cơ cấu tổ chức\n\n"
        "Nghị định 25/2025/NĐ-CP quy định cơ cấu tổ chức của Bộ Nội vụ gồm 23 đơn vị.\n\n"
        "Nghị định này có hiệu lực thi hành từ ngày 01/03/2025; thay thế Nghị định số 63/2022/NĐ-CP ngày "
        "12/9/2022 của Chính phủ.\n"
    )
    _doc, g = _page(tmp_path, page)
    assert _described(g) == {"nd-cp/2025/25"}
    assert _pairs(g, QH.replaces) == {("nd-cp/2025/25", "nd-cp/2022/63")}


def test_the_date_of_a_quoted_decision_from_the_sentence_reporting_it(tmp_path):
    page = (
        "# Tổng mức đầu tư cầu Rạch Miễu 3 là bao nhiêu?\n\n"
        "Tổng mức đầu tư cầu Rạch Miễu 3 là bao nhiêu? được quy định tại Điều 1 Quyết định 512/QĐ-TTg năm 2025 như sau:\n\n"
        "Theo đó, Thủ tướng Chính phủ đã phê duyệt chủ trương đầu tư dự án cầu Rạch Miễu 3 ngày 21/3/2025 với "
        "tổng mức đầu tư khoảng 5.000 tỷ đồng.\n"
    )
    _doc, g = _page(tmp_path, page)
    dated = {str(o) for s, o in g.subject_objects(ELI.date_document) if str(s).endswith("qd-ttg/2025/512")}
    assert dated == {"2025-03-21"}


def test_a_reported_date_of_another_year_is_not_the_decisions(tmp_path):
    page = (
        "# Tổng mức đầu tư cầu Rạch Miễu 3 là bao nhiêu?\n\n"
        "Tổng mức đầu tư cầu Rạch Miễu 3 là bao nhiêu? được quy định tại Điều 1 Quyết định 512/QĐ-TTg năm 2025 như sau:\n\n"
        "Theo đó, Thủ tướng Chính phủ đã phê duyệt quy hoạch vùng từ ngày 21/3/2023, nay bổ sung dự án.\n"
    )
    _doc, g = _page(tmp_path, page)
    assert not {o for s, o in g.subject_objects(ELI.date_document) if str(s).endswith("qd-ttg/2025/512")}


def test_a_task_in_a_quoted_decree_is_assigned_by_the_decree(tmp_path):
    page = (
        "# Cảng cạn Tân Phước được quy hoạch với quy mô bao nhiêu?\n\n"
        "Căn cứ theo khoản 2 Điều 1 Quyết định 1012/QĐ-BXD năm 2025 có nêu như sau:\n\n"
        "Cảng cạn Tân Phước có quy mô khoảng 25 ha.\n\n"
        "## Trách nhiệm hướng dẫn công bố cảng cạn\n\n"
        "Theo quy định tại Điều 30 Nghị định 38/2017/NĐ-CP như sau:\n\n"
        "Bộ Xây dựng chủ trì, phối hợp với Bộ Tài chính hướng dẫn thủ tục công bố cảng cạn.\n"
    )
    path = tmp_path / "task.md"
    path.write_text(page, encoding="utf-8")
    g = extract(read_source(path, {}), extractors=("citations", "tasks"))
    assigners = {str(o).rsplit("/id/doc/", 1)[-1] for o in g.objects(None, QH.assignedBy)}
    assert assigners == {"nd-cp/2017/38"}


def test_html_headings_end_a_quotation(tmp_path):
    page = """<!doctype html><html><head><title>Cổng thông tin</title></head><body>
<nav><a href="/">Trang chủ</a></nav>
<article>
<h1>Khu công nghiệp Phú Hà mở rộng được quy hoạch thế nào?</h1>
<p>Ngày 14/7/2025, Ủy ban nhân dân tỉnh Phú Thọ ban hành Quyết định 1507/QĐ-UBND về quy hoạch phân khu
khu công nghiệp Phú Hà mở rộng, với diện tích khoảng 230 ha và thời hạn lập quy hoạch chín tháng.</p>
<h2>Điều kiện thành lập khu công nghiệp</h2>
<p>Theo quy định tại Điều 9 Nghị định 35/2022/NĐ-CP như sau:</p>
<p>Khu công nghiệp phải có trong quy hoạch tỉnh theo Luật Quy hoạch.</p>
<h2>Tiến độ thực hiện</h2>
<p>Tỉnh giao Ban Quản lý các khu công nghiệp thực hiện theo Quyết định 1507/QĐ-UBND và Kế hoạch 88/KH-UBND năm 2025.</p>
</article>
<footer>Bản quyền thuộc về cổng thông tin</footer>
</body></html>"""
    doc, g = _page(tmp_path, page, "page.html")
    assert "Tiến độ thực hiện" in [h.value for h in doc.structure.headings]
    cites = {(s.split("/", 1)[1], o) for s, o in _pairs(g, ELI.cites)}
    assert ("2022/35", "luat/luat-quy-hoach") in cites  # inside the quotation of NĐ 35
    assert any(s == "2025/1507" and o.endswith("2025/88") for s, o in cites)  # after the next heading
    assert not any(s == "2022/35" and o.endswith("2025/88") for s, o in cites)


def test_an_untitled_summary_dated_by_the_passing_in_its_first_sentence(tmp_path):
    page = (
        "Luật Đất đai số 31/2024/QH15 được Quốc hội khóa XV tại Kỳ họp bất thường lần thứ 5 thông qua ngày "
        "18/01/2024 và có hiệu lực từ ngày 01/8/2024.\n\n"
        "Luật gồm 16 Chương, 260 Điều; so với Luật Đất đai số 45/2013/QH13, Luật có nhiều điểm mới.\n"
    )
    _doc, g = _page(tmp_path, page)
    assert _described(g) == {"luat-qh15/2024/31"}
    dated = {str(o) for s, o in g.subject_objects(ELI.date_document) if str(s).endswith("luat-qh15/2024/31")}
    assert dated == {"2024-01-18"}  # the passing, not the entry into force


def test_an_entry_into_force_or_another_years_act_does_not_date_the_subject(tmp_path):
    page = (
        "Luật Điện lực số 61/2024/QH15 có hiệu lực từ ngày 01/02/2025, thay cho luật được ban hành ngày 03/12/2004.\n\n"
        "Luật quy định về quy hoạch phát triển điện lực.\n"
    )
    _doc, g = _page(tmp_path, page)
    assert _described(g) == {"luat-qh15/2024/61"}
    assert not {o for s, o in g.subject_objects(ELI.date_document) if str(s).endswith("luat-qh15/2024/61")}


def test_a_full_text_without_its_header_table_is_the_document_of_its_appendix_line(tmp_path):
    page = (
        "**QUYẾT ĐỊNH**\n\nBan hành Quy định về quản lý cụm công nghiệp\n\n"
        "*Căn cứ Luật Đầu tư số 61/2020/QH14;*\n\n*Căn cứ Nghị định số 32/2024/NĐ-CP;*\n\n"
        "**Điều 1.** Ban hành kèm theo Quyết định này Quy định về quản lý cụm công nghiệp.\n\n"
        "**Điều 2.** Quyết định này có hiệu lực từ ngày ký.\n\n"
        "|\n*Nơi nhận:*\n- Như Điều 2;\n- Lưu: VT.\n|\n**TM. ỦY BAN NHÂN DÂN**\n**KT. CHỦ TỊCH**\n**PHÓ CHỦ TỊCH**\n"
        "**Hoàng Minh Tuấn**\n|\n\n**PHỤ LỤC**\n\nDANH MỤC CỤM CÔNG NGHIỆP\n\n"
        "*(Ban hành kèm theo* *Quyết định số 1502/QĐ-UBND ngày 9/6/2025 của Ủy ban nhân dân tỉnh)*\n\n1. Cụm A.\n"
    )
    doc, g = _page(tmp_path, page, "full.md")
    assert _described(g) == {"qd-ubnd/2025/1502"}
    assert not set(g.objects(None, QH.attachedTo))
    assert {o for s, o in _pairs(g, ELI.cites) if s == "qd-ubnd/2025/1502"} == {"luat-qh14/2020/61", "nd-cp/2024/32"}
    assert {str(o).rsplit("/", 1)[-1] for o in g.objects(None, QH.signer)} == {"hoang-minh-tuan"}
    assert str(doc.published) == "2025-06-09"


def test_a_decision_reported_as_issued_in_a_later_section_keeps_its_date_and_year(tmp_path):
    page = (
        "# Những quán cà phê nào gần ga Huế?\n\n"
        "Gần ga Huế có nhiều quán cà phê nhỏ, phần lớn mở cửa từ sáu giờ sáng; du khách thường ghé trước khi "
        "lên tàu, giá đồ uống dễ chịu và có chỗ gửi hành lý.\n\n"
        "## Quy hoạch ga Huế đến năm 2030 ra sao?\n\n"
        "Ngày 09/8/2024, Bộ Giao thông vận tải đã ban hành Quyết định 1012/QĐ-BGTVT về quy hoạch ga Huế.\n\n"
        "Theo đó, Quyết định 1012/QĐ-BGTVT nêu rõ ga Huế là ga hạng I.\n"
    )
    _doc, g = _page(tmp_path, page)
    assert not _described(g)
    decision = doc_iri("qd-bgtvt/2024/1012")
    assert set(g.objects(decision, ELI.date_document)) == {Literal(date(2024, 8, 9))}
    assert not list(g.triples((doc_iri("qd-bgtvt/1012"), None, None)))
