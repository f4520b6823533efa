"""Markdown reading: marks removed, links reduced to their text, headings and tables kept, and the
evidence offsets of what is extracted from a markdown file index its stored text."""

from __future__ import annotations

from quyhoach.loaders.documents.markdown import markdown_to_text
from quyhoach.loaders.documents.pipeline import extract, read_source
from quyhoach.namespaces import OA, QH

PAGE = """# Phê duyệt **Quy hoạch tỉnh Cao Bằng** thời kỳ 2021-2030

## Nội dung chính

Ngày 05/8/2025, Thủ tướng Chính phủ ban hành [Quyết định số 1234/QĐ-TTg](https://example.org/qd) phê
duyệt *điều chỉnh* quy hoạch.

| STT | Dự án | Địa điểm | Quy mô |
|---|---|---|---|
| 1 | Khu công nghiệp __Chu Trinh__ | tỉnh Cao Bằng | 250 ha |
| 2 | Cửa khẩu Trà Lĩnh | tỉnh Cao Bằng | 40 ha |

![bản đồ](https://example.org/map.png)

- Bộ Tài chính chủ trì;
- Bộ Xây dựng phối hợp.
"""


def test_marks_links_headings_and_tables():
    text, title = markdown_to_text(PAGE)
    assert title == "Phê duyệt Quy hoạch tỉnh Cao Bằng thời kỳ 2021-2030"
    assert "*" not in text and "__" not in text and "](" not in text and "#" not in text
    assert "ban hành Quyết định số 1234/QĐ-TTg phê duyệt điều chỉnh quy hoạch." in text  # unwrapped
    assert "1\tKhu công nghiệp Chu Trinh\ttỉnh Cao Bằng\t250 ha" in text.split("\n")
    assert "- Bộ Tài chính chủ trì;" in text.split("\n") and "bản đồ" not in text


def test_cells_on_lines_of_their_own():
    capture = "|\n**ỦY BAN NHÂN\nDÂN**\nTỈNH CAO BẰNG\n-------\n|\n**CỘNG HÒA XÃ HỘI\nCHỦ NGHĨA VIỆT NAM**\n|\n|\nSố:\n12/KH-UBND\n|\n*Cao Bằng, ngày\n05 tháng 8 năm 2025*\n|\n**KẾ HOẠCH**\n"
    text, _ = markdown_to_text(capture)
    lines = text.split("\n")
    assert lines[:3] == ["ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert "Số: 12/KH-UBND\tCao Bằng, ngày 05 tháng 8 năm 2025" in lines
    assert lines[-1] == "KẾ HOẠCH"  # text after the table without a blank line is not a cell


def test_markdown_file_loads_with_exact_evidence(tmp_path):
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    doc = read_source(path)
    assert doc.media_type == "text/markdown"
    assert doc.title == "Phê duyệt Quy hoạch tỉnh Cao Bằng thời kỳ 2021-2030"
    g = extract(doc)
    stored = str(next(g.objects(doc.iri, QH.text)))
    assert stored == doc.text
    quotes = list(g.subjects(OA.exact, None))
    assert quotes
    for sel in quotes:
        exact = str(next(g.objects(sel, OA.exact)))
        assert exact in stored
    for sel in g.subjects(OA.start, None):
        start = int(next(g.objects(sel, OA.start)))
        end = int(next(g.objects(sel, OA.end)))
        evidence = next(g.subjects(OA.hasSelector, sel))
        quote_sel = [q for q in g.objects(evidence, OA.hasSelector) if (q, OA.exact, None) in g][0]
        assert stored[start:end] == str(next(g.objects(quote_sel, OA.exact)))
