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
