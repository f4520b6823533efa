"""Furniture removal: article bodies keep their text; menus, related lists, counters and footers go."""

from __future__ import annotations

from pathlib import Path

import pytest

from quyhoach.loaders.documents.clean import clean_text, html_to_text
from quyhoach.loaders.documents.discover import discover
from quyhoach.loaders.documents.pipeline import read_source

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
VARIANTS = Path(__file__).parent / "fixtures" / "documents" / "variants"


def _corpus(prefix: str):
    path = next(CORPUS.glob(f"{prefix}*.txt"))
    return read_source(path, dict(discover([path])[0][1]))


def test_laichau_sidebar_counters_and_timeout_are_removed():
    doc = _corpus("2021-06-04_laichau")
    for furniture in ("128/QĐ-SKHĐT", "78/NQ-CP", "lượt xem", "Đang truy cập", "Tổng lượt truy cập",
                      "Thời gian chờ", "Ý kiến bạn đọc", "Tổng số điểm", "Thứ hai - 07/06/2021"):
        assert furniture not in doc.text
    assert "Phiên họp lần thứ 3" in doc.text
    assert doc.text.rstrip().endswith("trình HĐND tỉnh trong thời gian tới.")
    assert doc.extra["source_credit"] == "Lê Dũng/www.laichau.gov.vn"
    assert doc.text.count("Phiên họp trực tuyến về quy hoạch tỉnh Lai Châu") == 1  # repeated title dropped


def test_mpi_related_lists_cut_and_source_url_kept_as_metadata():
    doc = _corpus("2024-10-14_mpi")
    assert doc.url.startswith("https://www.mpi.gov.vn/portal/Pages/2024-10-14/")
    assert "Nguồn:" not in doc.text and "Powered by" not in doc.text
    for furniture in ("Cùng chủ đề", "Tác phẩm Niềm vui trẻ thơ", "1133/QĐ-UBND", "Tin nổi bật"):
        assert furniture not in doc.text
    assert "Khu kinh tế cửa khẩu Thanh Thủy" in doc.text


def test_bnews_lottery_and_related_teasers_removed():
    doc = _corpus("2024-11_bnews")
    for furniture in ("Tin liên quan", "XSMB", "Lịch thi đấu", "Kon Tum", "15:30' - 22/11/2024"):
        assert furniture not in doc.text
    assert "Quyết định số 1371/QĐ-TTg ngày 13/11/2024" in doc.text


def test_decision_annex_is_unchanged_except_markup():
    doc = _corpus("2024-11-29_ttg")
    assert "**" not in doc.text
    assert doc.text.startswith("KẾ HOẠCH\nThực hiện Quy hoạch tỉnh Lai Châu")
    assert "Tờ trình số 4286/TTr- UBND ngày 23 tháng 10 năm 2024" in doc.text


def test_heading_before_any_body_drops_only_its_block():
    raw = (
        "Tin mới nhất\nMưa lớn ở miền Trung\nGiá vàng hôm nay\n"
        "Quy hoạch tỉnh Hà Tĩnh thời kỳ 2021 - 2030, tầm nhìn đến năm 2050 được Thủ tướng Chính phủ phê duyệt "
        "tại Quyết định số 1363/QĐ-TTg ngày 08/11/2022 với nhiều mục tiêu phát triển quan trọng.\n"
        "Bài viết liên quan\nHà Tĩnh thu hút đầu tư 123/QĐ-UBND\n"
    )
    result = clean_text(raw)
    assert result.text.startswith("Quy hoạch tỉnh Hà Tĩnh")
    assert "Giá vàng" not in result.text and "123/QĐ-UBND" not in result.text


def test_menu_run_before_body_removed_but_decision_header_kept():
    raw = (
        "Trang chủ\nGiới thiệu\nTin tức\nVăn bản\nHỏi đáp\n"
        "THỦ TƯỚNG CHÍNH PHỦ\nSố: 1363/QĐ-TTg\nHà Nội, ngày 08 tháng 11 năm 2022\n"
        "Căn cứ Luật Quy hoạch số 21/2017/QH14 ngày 24 tháng 11 năm 2017 và các văn bản hướng dẫn thi hành, "
        "xét đề nghị của Ủy ban nhân dân tỉnh Hà Tĩnh.\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\nLê Văn Thành\n"
    )
    text = clean_text(raw).text
    assert "Giới thiệu" not in text and "Hỏi đáp" not in text
    assert "Số: 1363/QĐ-TTg" in text and "Hà Nội, ngày 08 tháng 11 năm 2022" in text
    assert text.endswith("KT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\nLê Văn Thành")


@pytest.mark.parametrize(
    "line",
    [
        "Thứ hai - 07/06/2021 06:09 628 0",
        "15:30' - 22/11/2024",
        "Cập nhật: 18h46, ngày 04/6/2021",
        "• Hôm nay16,857",
        "Đang truy cập: 76",
        "lượt xem: 263 | lượt tải:520",
        "Powered by Techcity",
        "Bạn đã không sử dụng Site, Bấm vào đây để duy trì trạng thái đăng nhập. Thời gian chờ: 60 giây",
        "XSMN 13/10. Kết quả xổ số miền Nam hôm nay",
        "top",
    ],
)
def test_furniture_lines(line):
    body = "Ủy ban nhân dân tỉnh Yên Bái ban hành Kế hoạch số 45/KH-UBND về thực hiện Quy hoạch tỉnh Yên Bái thời kỳ 2021 - 2030, tầm nhìn đến năm 2050."
    assert clean_text(f"{body}\n{line}\n{body}").text == f"{body}\n{body}"


def test_html_capture_keeps_article_and_drops_nav_sidebar_related_footer():
    doc = read_source(VARIANTS / "yen-bai_ke-hoach-45.html", discover([VARIANTS / "yen-bai_ke-hoach-45.html"])[0][1])
    assert doc.media_type == "text/html"
    assert "Ngày 12/3/2024, UBND tỉnh Yên Bái ban hành Kế hoạch số 45/KH-UBND" in doc.text
    assert "Quyết định số 1086/QĐ-TTg ngày 18/9/2023" in doc.text  # inline link text stays in its sentence
    for furniture in ("Trang chủ", "77/QĐ-SKHĐT", "12/NQ-HĐND", "999/QĐ-UBND", "1616/QĐ-TTg", "555/QĐ-UBND",
                      "Bản quyền", "Đang truy cập", "Tin liên quan", "Thứ tư, 13/03/2024"):
        assert furniture not in doc.text
    assert doc.url == "https://www.yenbai.gov.vn/tin-tuc/ke-hoach-45-kh-ubnd.html"


def test_html_title_from_h1_and_main_block():
    html = (
        "<html><head><title>Site | Page</title></head><body><div id='menu'><a>Trang chủ</a></div>"
        "<div class='content'><h1>Tiêu đề bài</h1><p>" + "Nội dung chính của bài viết về quy hoạch. " * 5 + "</p></div>"
        "<div class='box-other'><p>" + "Tin khác không liên quan tới bài viết này. " * 2 + "</p></div></body></html>"
    )
    text, title = html_to_text(html)
    assert title == "Tiêu đề bài"
    assert "Nội dung chính" in text and "Tin khác" not in text and "Trang chủ" not in text


def test_discover_skips_hidden_metadata_and_readme(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    (tmp_path / "metadata.yaml").write_text("documents:\n  - {file: a.txt, title: Tiêu đề, date: 2024-11}\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "sub" / "c.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "d.txt").write_text("x", encoding="utf-8")
    found = discover([tmp_path])
    assert [p.name for p, _ in found] == ["a.txt", "b.html"]
    assert found[0][1]["title"] == "Tiêu đề" and found[1][1] == {}


def test_month_only_metadata_date_is_kept_with_its_precision():
    doc = _corpus("2024-11_baoxaydung")
    assert doc.published is None
    assert doc.extra["date_precision"] == "month"
    assert str(doc.extra["published_approx"]) == "2024-11-01"


def test_a_date_line_after_a_document_number_is_kept():
    # a table cell wrapped after the code: the date belongs to the number, it is no page stamp
    result = clean_text("Căn cứ:\n- Bộ luật Dân sự số 91/2015/QH13\nngày 24/11/2015.\n- Luật X.\n\n12/3/2024\n")
    assert "ngày 24/11/2015." in result.text
    assert "12/3/2024" not in result.text  # a date alone after other text is still a stamp
