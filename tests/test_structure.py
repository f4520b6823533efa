"""The document-structure model: header, bases, articles, signature, recipients, appendices, info box,
page title and furniture, on real captures of several kinds (markdown, text, HTML, DOCX)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quyhoach.loaders.documents.pipeline import read_source
from quyhoach.loaders.documents.structure import is_furniture_text, parse_structure

DEV = Path(__file__).parent / "fixtures" / "corpus-dev"
SEEDS = Path(__file__).resolve().parents[1] / "corpus"


def _span_text(text, field):
    return text[field.span.start : field.span.end]


def test_decision_header_signature_recipients_appendix():
    doc = read_source(DEV / "001c610b2efdcf0c.md")
    s = doc.structure
    h = s.header
    assert h.issuer.value == "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"
    assert h.number.value == "2820/QĐ-UBND" and h.doc_type.value == "QUYẾT ĐỊNH"
    assert str(h.date) == "2025-11-19" and h.place.value == "Thành phố Hồ Chí Minh"
    assert h.title.value.startswith("BAN HÀNH KẾ HOẠCH TRIỂN KHAI")
    assert doc.title.startswith("Quyết định 2820/QĐ-UBND: BAN HÀNH KẾ HOẠCH")
    assert all(b.value.startswith(("Căn cứ", "Theo đề nghị", "Xét đề nghị")) for b in s.legal_bases) and len(s.legal_bases) >= 10
    assert [a.number for a in s.articles][:3] == ["1", "2", "3"]
    sig = s.signature
    assert (sig.authority.value, sig.title.value, sig.name.value) == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Lộc Hà")
    assert s.recipients[0].value.startswith("Như Điều 3")
    assert s.appendices and s.appendices[0].tables
    # every span indexes the stored text
    for f in (h.issuer, h.number, h.title, sig.name, *s.legal_bases, *s.recipients):
        assert " ".join(_span_text(doc.text, f).split()) == f.value


def test_portal_info_box_and_header():
    doc = read_source(DEV / "83652dd19c6fef24.md")
    s = doc.structure
    assert s.info_box["number"].value == "2688/QĐ-UBND"
    assert s.info_box["signer"].value == "Phan Phong Phú"
    assert s.header.issuer.value == "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"
    assert not doc.title.startswith("Bản dịch")
    assert s.is_furniture(s.furniture[0])


def test_qa_page_title_and_furniture():
    doc = read_source(DEV / "12378c5548a9d5e5.md")
    s = doc.structure
    assert s.header is None
    assert doc.title == "Mở rộng cao tốc TPHCM - Trung Lương - Mỹ Thuận lên bao nhiêu làn xe?"
    assert any("Nội dung chính" in doc.text[f.start : f.end] for f in s.furniture)
    assert any("Hình từ Internet" in doc.text[f.start : f.end] for f in s.furniture)


def test_plain_text_header_signature_prime_minister():
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Số: 1234/QĐ-TTg\tHà Nội, ngày 07 tháng 12 năm 2023\n\nQUYẾT ĐỊNH\n"
        "Phê duyệt Quy hoạch tỉnh Lai Châu thời kỳ 2021 - 2030\n\n"
        "THỦ TƯỚNG CHÍNH PHỦ\n\nCăn cứ Luật Quy hoạch ngày 24 tháng 11 năm 2017;\n\nQUYẾT ĐỊNH:\n\n"
        "Điều 1. Phê duyệt quy hoạch\n1. Phạm vi: toàn tỉnh.\na) điểm một;\nb) điểm hai.\n2. Mục tiêu.\n"
        "Điều 2. Tổ chức thực hiện\nBộ Tài chính chủ trì.\n\nNơi nhận:\n- Như Điều 2;\n- Lưu: VT.\n"
        "KT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\nTrần Hồng Hà\n"
    )
    s = parse_structure(text)
    assert s.header.issuer.value == "THỦ TƯỚNG CHÍNH PHỦ"
    assert s.header.number.value == "1234/QĐ-TTg" and str(s.header.date) == "2023-12-07"
    assert s.header.title.value == "Phê duyệt Quy hoạch tỉnh Lai Châu thời kỳ 2021 - 2030"
    assert s.title == "Quyết định 1234/QĐ-TTg: Phê duyệt Quy hoạch tỉnh Lai Châu thời kỳ 2021 - 2030"
    assert len(s.legal_bases) == 1
    a1, a2 = s.articles
    assert [c.number for c in a1.clauses] == ["1", "2"] and [p.label for p in a1.clauses[0].points] == ["a", "b"]
    assert "Bộ Tài chính chủ trì" in text[a2.span.start : a2.span.end]
    assert "Nơi nhận" not in text[a2.span.start : a2.span.end]
    assert s.article_at(text.index("Bộ Tài chính")) is a2
    sig = s.signature
    assert (sig.authority.value, sig.title.value, sig.name.value) == ("KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "Trần Hồng Hà")
    assert [r.value for r in s.recipients] == ["Như Điều 2", "Lưu: VT."]


def test_committee_signature_with_two_authorities():
    text = "Điều 1. Nội dung.\nNơi nhận:\n- Như trên;\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nMai Sơn\n"
    sig = parse_structure(text).signature
    assert sig.authority.value == "TM. ỦY BAN NHÂN DÂN" and sig.title.value == "PHÓ CHỦ TỊCH"
    assert sig.name.value == "Mai Sơn" and len(sig.authorities) == 2


def test_furniture_text():
    assert is_furniture_text("### Nội dung chính".lstrip("# "))
    assert is_furniture_text("Bản dịch này thuộc quyền sở hữu của THƯ VIỆN PHÁP LUẬT. Mọi hành vi")
    assert not is_furniture_text("Quy hoạch tỉnh Lai Châu thời kỳ 2021 - 2030")


@pytest.mark.parametrize("name", ["2024-11_baoxaydung_lang-son-ke-hoach-268-kh-ubnd.txt"])
def test_seed_text_parses(name):
    path = next(SEEDS.rglob(name), None)
    if path is None:
        pytest.skip("seed not bundled")
    s = read_source(path).structure
    assert s.body is not None


def _decision_docx(path):
    """A provincial decision laid out as Word files are: header and signature in tables."""
    import docx

    d = docx.Document()
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH"
    t.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    t.cell(1, 0).text = "Số: 0512/QĐ-UBND"
    t.cell(1, 1).text = "Bắc Ninh, ngày 05 tháng 8 năm 2025"
    d.add_paragraph("QUYẾT ĐỊNH")
    d.add_paragraph("Về việc giao nhiệm vụ triển khai Quy hoạch tỉnh Bắc Ninh thời kỳ 2021 - 2030")
    d.add_paragraph("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC NINH")
    d.add_paragraph("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;")
    d.add_paragraph("QUYẾT ĐỊNH:")
    d.add_paragraph("Điều 1. Giao Sở Tài chính tỉnh Bắc Ninh chủ trì tổng hợp.")
    d.add_paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    s = d.add_table(rows=1, cols=2)
    s.cell(0, 0).text = "Nơi nhận:\n- Như Điều 2;\n- Lưu: VT."
    s.cell(0, 1).text = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn Phong"
    d.save(path)


def test_docx_and_html_captures_give_the_same_structure(tmp_path):
    """The same layout read from Word (tables) and from a web page (table cells) as from text."""
    _decision_docx(tmp_path / "qd.docx")
    html = (
        "<html><body><article><table><tr><td>ỦY BAN NHÂN DÂN<br>TỈNH BẮC NINH</td>"
        "<td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</td></tr>"
        "<tr><td>Số: 0512/QĐ-UBND</td><td>Bắc Ninh, ngày 05 tháng 8 năm 2025</td></tr></table>"
        "<p>QUYẾT ĐỊNH</p><p>Về việc giao nhiệm vụ triển khai Quy hoạch tỉnh Bắc Ninh thời kỳ 2021 - 2030</p>"
        "<p>CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC NINH</p>"
        "<p>Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025 và các văn bản hướng dẫn thi hành;</p>"
        "<p>QUYẾT ĐỊNH:</p><p>Điều 1. Giao Sở Tài chính tỉnh Bắc Ninh chủ trì tổng hợp, báo cáo kết quả thực hiện.</p>"
        "<p>Điều 2. Quyết định này có hiệu lực kể từ ngày ký.</p>"
        "<table><tr><td>Nơi nhận:<br>- Như Điều 2;<br>- Lưu: VT.</td>"
        "<td>KT. CHỦ TỊCH<br>PHÓ CHỦ TỊCH<br><br>Nguyễn Văn Phong</td></tr></table></article></body></html>"
    )
    (tmp_path / "qd.html").write_text(html, encoding="utf-8")
    for name in ("qd.docx", "qd.html"):
        doc = read_source(tmp_path / name)
        s = doc.structure
        assert s.header.issuer.value == "ỦY BAN NHÂN DÂN TỈNH BẮC NINH", name
        assert s.header.number.value == "0512/QĐ-UBND" and str(s.header.date) == "2025-08-05", name
        assert s.header.title.value.startswith("Về việc giao nhiệm vụ"), name
        assert [a.number for a in s.articles] == ["1", "2"], name
        sig = s.signature
        assert (sig.authority.value, sig.title.value, sig.name.value) == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Phong"), name
        assert [r.value for r in s.recipients] == ["Như Điều 2", "Lưu: VT."], name
        assert doc.title.startswith("Quyết định 0512/QĐ-UBND: Về việc giao"), name
        assert doc.published is not None and str(doc.published) == "2025-08-05", name


# -- signature blocks inside table rows, and a lost header's number from its appendix line ------

_BODY = (
    "**QUYẾT ĐỊNH**\n\nVề việc công nhận xã đạt chuẩn\n\n*Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;*\n\n"
    "**Điều 1.** Công nhận xã An Bình đạt chuẩn.\n\n**Điều 2.** Quyết định này có hiệu lực từ ngày ký.\n\n"
)


@pytest.mark.parametrize(
    "block",
    [
        # bars on lines of their own, each line bold (a portal's two-cell table printed as text)
        "|\n*Nơi nhận:*\n- Như Điều 2;\n- Lưu: VT.\n|\n**TM. ỦY BAN NHÂN DÂN**\n**KT. CHỦ TỊCH**\n**PHÓ CHỦ TỊCH**\n"
        "**Lê Văn Bình**\n|\n",
        # one markdown row, the lines of each cell joined by <br>
        "| *Nơi nhận:*<br>- Như Điều 2;<br>- Lưu: VT. | **TM. ỦY BAN NHÂN DÂN**<br>**KT. CHỦ TỊCH**<br>"
        "**PHÓ CHỦ TỊCH**<br><br>**Lê Văn Bình** |\n|---|---|\n",
        # one markdown row, the lines of each cell run together
        "| | |\n|---|---|\n| *Nơi nhận:* - Như Điều 2; - Lưu: VT. | **TM. ỦY BAN NHÂN DÂN** **KT. CHỦ TỊCH** "
        "**PHÓ CHỦ TỊCH** **Lê Văn Bình** |\n",
    ],
    ids=["bars", "br-cell", "run-together"],
)
def test_signature_block_inside_table_rows(tmp_path, block):
    path = tmp_path / "qd.md"
    path.write_text(_BODY + block, encoding="utf-8")
    doc = read_source(path)
    sig = doc.structure.signature
    assert sig is not None
    assert [a.value for a in sig.authorities] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    assert (sig.title.value, sig.name.value) == ("PHÓ CHỦ TỊCH", "Lê Văn Bình")
    for f in (*sig.authorities, sig.title, sig.name):
        assert _span_text(doc.text, f) == f.value


def test_a_prime_ministers_block_run_together_in_one_cell():
    text = "Điều 1. Nội dung.\nNơi nhận:\t- Như trên;\tTM. CHÍNH PHỦ KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG Trần Văn Sơn\n"
    sig = parse_structure(text).signature
    assert [a.value for a in sig.authorities] == ["TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG"]
    assert (sig.title.value, sig.name.value) == ("PHÓ THỦ TƯỚNG", "Trần Văn Sơn")


_SIGNED_BODY = (
    "QUYẾT ĐỊNH\nBan hành Quy định về quản lý cụm công nghiệp\n\nCăn cứ Luật Đầu tư số 61/2020/QH14;\n\n"
    "Điều 1. Ban hành kèm theo Quyết định này Quy định về quản lý cụm công nghiệp.\n"
    "Điều 2. Sở Công Thương chủ trì hướng dẫn thực hiện.\n\nNơi nhận:\n- Như Điều 2;\n- Lưu: VT.\n"
    "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nHoàng Minh Tuấn\n\n"
)


def test_a_lost_headers_number_and_date_come_from_its_appendix_line():
    text = _SIGNED_BODY + (
        "PHỤ LỤC I\nDANH MỤC CỤM CÔNG NGHIỆP\n"
        "(Ban hành kèm theo Quyết định số 1502/QĐ-UBND ngày 9/6/2025 của Ủy ban nhân dân tỉnh)\n\n1. Cụm A.\n"
    )
    s = parse_structure(text)
    assert s.header.number.value == "1502/QĐ-UBND" and str(s.header.date) == "2025-06-09"
    assert _span_text(text, s.header.number) == "1502/QĐ-UBND"
    assert s.title == "Quyết định 1502/QĐ-UBND: Ban hành Quy định về quản lý cụm công nghiệp"


@pytest.mark.parametrize(
    "tail",
    [
        # the appendix belongs to a document of another type: it is not this one's number
        "PHỤ LỤC\n(Kèm theo Nghị định số 15/2025/NĐ-CP ngày 3 tháng 2 năm 2025 của Chính phủ)\n",
        # the line is far into the appendix, not its opening
        "PHỤ LỤC\nDANH MỤC\n1. a.\n2. b.\n3. c.\n4. d.\n5. e.\n6. f.\n(Kèm theo Quyết định số 1502/QĐ-UBND)\n",
    ],
    ids=["other-type", "not-the-opening"],
)
def test_an_appendix_line_that_is_not_the_documents_own_gives_no_number(tail):
    assert parse_structure(_SIGNED_BODY + tail).header.number is None


def test_an_appendix_line_without_a_signed_body_gives_no_number():
    text = (
        "QUYẾT ĐỊNH\nVề danh mục\n\nCăn cứ Luật Đầu tư số 61/2020/QH14;\n\nĐiều 1. Danh mục.\n\n"
        "PHỤ LỤC\n(Kèm theo Quyết định số 1502/QĐ-UBND ngày 9/6/2025)\n\n1. Cụm A.\n"
    )
    s = parse_structure(text)
    assert s.header is not None and s.header.number is None
