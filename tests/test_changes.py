"""Changes between documents (amends / replaces / repeals), on development pages the rules were
not written on (group B of tests/gold/dev) and on sentences of the genre; the named query."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from quyhoach.graph import named_queries as nq
from quyhoach.loaders.documents.pipeline import extract, read_source
from quyhoach.loaders.evaluate import corpus_store
from quyhoach.loaders.extract.citations import doc_iri
from quyhoach.loaders.model import CleanDocument
from quyhoach.namespaces import ELI, QH

DEV = Path(__file__).resolve().parent / "fixtures" / "corpus-dev"
MINE = ("citations", "changes")


def _page(name: str):
    doc = read_source(DEV / name, {})
    return extract(doc, extractors=MINE)


def _text(text: str):
    doc = CleanDocument(text=text, path="/tmp/sample.txt", title="", published=date(2025, 11, 20))
    return extract(doc, extractors=MINE)


def _pairs(g, predicate):
    return {(str(s).rsplit("/id/doc/", 1)[1], str(o).rsplit("/id/doc/", 1)[1]) for s, o in g.subject_objects(predicate)}


def test_expired_in_an_article_is_a_repeal_by_the_decision():
    g = _page("32bf80ce6d1e997e.md")  # "Quyết định số 05/2021/QĐ-UBND … hết hiệu lực thi hành."
    repealed = {o for _s, o in _pairs(g, ELI.repeals)}
    assert any(o.endswith("/2021/5") for o in repealed)
    assert not _pairs(g, QH.replaces)


def test_plan_replaces_the_plan_it_names_only():
    g = _page("bffd9da6f0d38031.md")  # "Kế hoạch này thay thế Kế hoạch số 371/KH-UBND … về thực hiện Nghị quyết 48/NQ-CP"
    replaced = {o for _s, o in _pairs(g, QH.replaces)}
    assert any(o.endswith("/371") for o in replaced)
    assert not any("nq-cp" in o for o in replaced)


def test_active_amendment_in_a_quoted_legal_basis():
    g = _page("5e4a9784909432f8.md")
    assert ("nd-cp/2025/283", "nd-cp/2020/120") in _pairs(g, ELI.amends)


def test_passive_amendment_and_amending_law_point_the_right_way():
    g = _text(
        "Căn cứ Luật Ban hành văn bản quy phạm pháp luật số 64/2025/QH15; Luật Sửa đổi, bổ sung một số điều "
        "của Luật Ban hành văn bản quy phạm pháp luật số 87/2025/QH15;\n"
        "Căn cứ Luật Xây dựng số 50/2014/QH13, được sửa đổi, bổ sung tại Luật sửa đổi, bổ sung một số điều "
        "của Luật xây dựng số 62/2020/QH14 ngày 17 tháng 06 năm 2020;\n"
    )
    amends = _pairs(g, ELI.amends)
    assert {k for k in amends if "2025/87" in k[0]} and {k for k in amends if "2020/62" in k[0]}
    assert not {k for k in amends if "2025/64" in k[0] or "2014/50" in k[0]}


def test_adjusted_plan_amends_its_approving_decision():
    g = _text(
        "Ngày 20/7/2025, Bộ Xây dựng ban hành Quyết định 1102/QĐ-BXD năm 2025.\n"
        "Điều 1. Phê duyệt điều chỉnh Quy hoạch tổng thể phát triển hệ thống cảng hàng không, sân bay toàn "
        "quốc thời kỳ 2021-2030, tầm nhìn đến năm 2050 được phê duyệt tại Quyết định số 648/QĐ-TTg ngày "
        "07/6/2023 của Thủ tướng Chính phủ với nội dung như sau:\n"
    )
    assert ("qd-bxd/2025/1102", "qd-ttg/2023/648") in _pairs(g, ELI.amends)


def test_a_request_to_replace_is_not_a_replacement():
    g = _text(
        "Xét Tờ trình số 431/TTr-UBND ngày 21 tháng 11 năm 2025 của Ủy ban nhân dân Thành phố về việc đề nghị "
        "ban hành Nghị quyết thay thế Nghị quyết số 47/2024/NQ-HĐND ngày 12 tháng 12 năm 2024.\n"
    )
    assert not _pairs(g, QH.replaces) and not _pairs(g, ELI.repeals) and not _pairs(g, ELI.amends)


def test_every_document_of_a_passive_list_amends_the_document_before_it():
    g = _text(
        "Căn cứ Luật Xây dựng số 50/2014/QH13 đã được sửa đổi, bổ sung một số điều theo Luật số 03/2016/QH14, "
        "Luật số 35/2018/QH14, Luật số 40/2019/QH14 và Luật số 62/2020/QH14;\n"
        "Căn cứ Nghị định số 15/2021/NĐ-CP được sửa đổi, bổ sung bởi Nghị định số 35/2023/NĐ-CP, "
        "Luật Quy hoạch số 21/2017/QH14 và Nghị định số 10/2024/NĐ-CP;\n"
    )
    amends = _pairs(g, ELI.amends)
    for amending in ("2016/3", "2018/35", "2019/40", "2020/62"):
        assert (f"luat-qh14/{amending}", "luat-qh13/2014/50") in amends
    assert ("nd-cp/2023/35", "nd-cp/2021/15") in amends
    # a titled law after the list is a document of its own, and so is what comes after it
    assert not {a for a, b in amends if a in ("luat-qh14/2017/21", "nd-cp/2024/10")}
    assert not {b for a, b in amends if b in ("luat-qh14/2016/3", "luat-qh14/2018/35")}


_CHANGING_DECREE = (
    "CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "Số: 99/2025/NĐ-CP\nHà Nội, ngày 20 tháng 11 năm 2025\nNGHỊ ĐỊNH\n"
    "Sửa đổi, bổ sung một số điều của các nghị định trong lĩnh vực thủy lợi\n"
    "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;\n"
    "Chính phủ ban hành Nghị định sửa đổi, bổ sung một số điều của các nghị định trong lĩnh vực thủy lợi.\n"
    "Điều 1. Các nội dung được sửa đổi, bổ sung như sau:\n"
    "1. Sửa đổi, bổ sung khoản 3 Điều 7 Nghị định số 67/2018/NĐ-CP quy định chi tiết một số điều của Luật "
    "Thủy lợi số 08/2017/QH14.\n"
    "2. Bổ sung điểm d vào khoản 1 Điều 4 của Nghị định số 114/2018/NĐ-CP.\n"
    "3. Bổ sung khoản 5 Điều 9 theo quy định tại Nghị định số 31/2021/NĐ-CP.\n"
    "Điều 2. Hiệu lực thi hành\n"
    "Các văn bản có liên quan:\n"
    "- Bổ sung danh mục công trình tại Quyết định số 1254/QĐ-TTg.\n"
)


def test_items_opening_with_the_change_are_changes_by_the_main_document():
    amends = _pairs(_text(_CHANGING_DECREE), ELI.amends)
    assert ("nd-cp/2025/99", "nd-cp/2018/67") in amends
    assert ("nd-cp/2025/99", "nd-cp/2018/114") in amends
    # only the first document of an item, never a source "theo quy định tại", nor an item whose
    # lead line is not about changes
    assert not {b for a, b in amends if b in ("luat-qh14/2017/8", "nd-cp/2021/31", "qd-ttg/2025/1254")}


@pytest.fixture(scope="module")
def adjustment_store():
    return corpus_store([str(DEV / "46a0f347b03c3861.md")])


def test_named_query_lists_the_adjustment(adjustment_store):
    query = nq.find("plan-adjustments")
    result = nq.run(adjustment_store, query, {})
    rows = [{k: nq.plain(v) for k, v in row.items() if v is not None} for row in result.rows]
    assert {"changingId": "1102/QĐ-BXD", "changedId": "648/QĐ-TTg"}.items() <= next(
        r for r in rows if r.get("changedId") == "648/QĐ-TTg"
    ).items()
    only = nq.run(adjustment_store, query, {"document": "id:doc/qd-ttg/2023/648"})
    assert only.rows and all(nq.plain(r["changed"]).endswith("qd-ttg/2023/648") for r in only.rows)
    assert doc_iri("qd-ttg/2023/648")


# --- rules from group G's misses (passages written for the tests, not taken from any page) ---

def test_an_amendment_in_a_table_cell_wrapped_over_lines():
    # a legal-basis cell printed over several lines: the sentence runs across the line breaks
    g = _text(
        "- Nghị định số 31/2021/NĐ-CP ngày\n26/3/2021 của Chính phủ quy định chi tiết Luật Đầu tư.\n"
        "- Nghị định số 19/2025/NĐ-CP ngày\n10/02/2025 của Chính phủ sửa đổi, bổ sung một số điều của Nghị định\n"
        "số 31/2021/NĐ-CP ngày 26/3/2021.\n"
        "- Thông tư số 03/2021/TT-BKHĐT của\nBộ Kế hoạch và Đầu tư: Sửa đổi, bổ sung một số điều của Thông tư số\n"
        "01/2020/TT-BKHĐT.\n"
    )
    amends = _pairs(g, ELI.amends)
    assert ("nd-cp/2025/19", "nd-cp/2021/31") in amends
    assert ("tt-bkhdt/2021/3", "tt-bkhdt/2020/1") in amends


def test_an_item_mark_or_a_full_stop_ends_a_wrapped_sentence():
    g = _text(
        "- Nghị định số 31/2021/NĐ-CP ngày 26/3/2021 của Chính phủ sửa đổi, bổ sung\n"
        "- Nghị định số 19/2025/NĐ-CP ngày 10/02/2025.\n"
    )
    assert not _pairs(g, ELI.amends)


def test_an_omnibus_law_amends_every_law_its_title_names():
    g = _text(
        "- Luật số 99/2025/QH15 ngày 14/6/2025 sửa đổi, bổ sung một số điều của Luật Tố tụng hành chính, "
        "Luật Trọng tài\nthương mại, Luật Hòa giải ở cơ sở và Luật Xây dựng.\n"
        "- Luật Xây dựng số 50/2014/QH13 ngày 18/6/2014.\n"
    )
    amends = _pairs(g, ELI.amends)
    for cited in ("luat/luat-to-tung-hanh-chinh", "luat/luat-trong-tai-thuong-mai", "luat/luat-hoa-giai-o-co-so"):
        assert ("luat-qh15/2025/99", cited) in amends
    # a title the page numbers once is that law
    assert ("luat-qh15/2025/99", "luat-qh13/2014/50") in amends


def test_a_decree_amends_the_decree_whose_title_names_a_law():
    # "B (Nghị định quy định chi tiết Luật X) đã được sửa đổi … theo Nghị định A": A amends B, not Luật X
    g = _text(
        "Căn cứ Nghị định số 06/2021/NĐ-CP ngày 26/01/2021 của Chính phủ quy định chi tiết một số nội dung về "
        "quản lý chất lượng của Luật Xây dựng đã được sửa đổi, bổ sung một số điều theo Nghị định số "
        "35/2023/NĐ-CP ngày 20/6/2023;\n"
    )
    amends = _pairs(g, ELI.amends)
    assert ("nd-cp/2023/35", "nd-cp/2021/6") in amends
    assert not {k for k in amends if k[1].startswith("luat")}


def test_adjusting_what_a_decision_set_amends_that_decision():
    g = _text(
        "Theo khoản 2 Điều 1 Quyết định 1520/QĐ-UBND năm 2025, UBND tỉnh Nghệ An chấp thuận điều chỉnh thời hạn "
        "hoạt động của dự án quy định tại khoản 4 Điều 1 Quyết định 870/QĐ-UBND năm 2021.\n"
        "Dự án được điều chỉnh theo quy định tại Nghị định 31/2021/NĐ-CP.\n"
    )
    amends = _pairs(g, ELI.amends)
    assert any(a.endswith("2025/1520") and b.endswith("2021/870") for a, b in amends)
    assert not any(b.endswith("2021/31") for _a, b in amends)  # "theo quy định tại": a source, not a change


def test_a_document_in_an_aside_does_not_expire():
    g = _text(
        "Điều 5. Hiệu lực thi hành\n"
        "2. Quyết định số 12/2023/QĐ-UBND ngày 5 tháng 3 năm 2023 quy định … (thực hiện khoản 3 Điều 9 Luật "
        "Đường bộ số 35/2024/QH15) hết hiệu lực thi hành kể từ ngày Quyết định này có hiệu lực.\n"
    )
    repealed = {b for _a, b in _pairs(g, ELI.repeals)}
    assert not any("qh15" in b for b in repealed)


def test_an_omnibus_law_named_by_its_title_amends_the_law_a_portal_note_names():
    g = _text("Nội dung quy hoạch xây dựng vùng được quy định tại Điều 23 Luật Xây dựng 2014 (được sửa đổi bởi điểm a khoản 5 "
              "và điểm c khoản 9 Điều 28 Luật sửa đổi, bổ sung một số điều của 37 luật có liên quan đến quy hoạch 2018), "
              "cụ thể như sau:")
    omnibus = doc_iri("luat/luat-sua-doi-bo-sung-mot-so-dieu-cua-37-luat-co-lien-quan-den-quy-hoach-2018")
    assert (omnibus, ELI.amends, doc_iri("luat/luat-xay-dung-2014")) in g
    assert (doc_iri("luat/luat-xay-dung-2014"), ELI.amends, omnibus) not in g


def test_an_amending_law_named_by_the_laws_of_its_title_amends_each_of_them():
    # written for the test: three laws in the title, separated by ";", the year after the last one
    g = _text(
        "Theo Điều 12 Luật Xây dựng 2014 được sửa đổi bởi khoản 3 Điều 2 Luật sửa đổi Luật Xây dựng; Luật Nhà ở; "
        "Luật Kinh doanh bất động sản 2024 quy định về giấy phép xây dựng như sau:\n"
    )
    law = doc_iri("luat/luat-sua-doi-luat-xay-dung-luat-nha-o-luat-kinh-doanh-bat-dong-san-2024")
    amended = {str(o).split("/doc/")[-1] for o in g.objects(law, ELI.amends)}
    assert amended == {"luat/luat-xay-dung-2014", "luat/luat-nha-o", "luat/luat-kinh-doanh-bat-dong-san"}, amended
    assert (doc_iri("luat/luat-kinh-doanh-bat-dong-san-2024"), None, None) not in g  # the year is the amending law's
    # with commas, "sửa đổi, bổ sung một số điều của" and "năm"
    g = _text("Luật sửa đổi, bổ sung một số điều của Luật Đường bộ, Luật Đường sắt năm 2023 có hiệu lực từ ngày 01/01/2024.\n")
    law = doc_iri("luat/luat-sua-doi-bo-sung-mot-so-dieu-cua-luat-duong-bo-luat-duong-sat-2023")
    assert {str(o).split("/doc/")[-1] for o in g.objects(law, ELI.amends)} == {"luat/luat-duong-bo", "luat/luat-duong-sat"}
