"""Decoding: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), Windows-1258 (NFC), legacy refusals."""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import docx
import pytest

from quyhoach.loaders.documents.encoding import EncodingRefused, decode, legacy_encoding
from quyhoach.loaders.documents.pipeline import read_source

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SAMPLE = (FIXTURES / "variants" / "ha-tinh_qd-1363-phe-duyet-quy-hoach.txt").read_text(encoding="utf-8")


def _helper(name: str):
    spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("ha-tinh_qd-1363.utf8-bom.txt", "utf-8-sig"),
        ("ha-tinh_qd-1363.utf16.txt", "utf-16"),
        ("ha-tinh_qd-1363.utf16le-nobom.txt", "utf-16-le"),
        ("ha-tinh_qd-1363.cp1258.txt", "cp1258"),
    ],
)
def test_encoded_fixtures_decode_to_the_same_nfc_text(name, encoding):
    text, used = decode((FIXTURES / "encodings" / name).read_bytes())
    assert used == encoding
    assert text == SAMPLE
    assert unicodedata.is_normalized("NFC", text)


def test_cp1258_uses_combining_tone_marks_that_nfc_composes():
    raw = (FIXTURES / "encodings" / "ha-tinh_qd-1363.cp1258.txt").read_bytes()
    assert "\u0323" in raw.decode("cp1258")  # dot below as a separate mark in the code page
    text, _ = decode(raw)
    assert "\u0323" not in text and "Hạnh phúc" in text


def test_utf16_big_endian_without_bom():
    text, used = decode(SAMPLE.encode("utf-16-be"))
    assert used == "utf-16-be" and text == SAMPLE


def test_decomposed_utf8_is_normalised():
    text, _ = decode(unicodedata.normalize("NFD", "Quy hoạch tỉnh Lạng Sơn").encode("utf-8"))
    assert text == "Quy hoạch tỉnh Lạng Sơn"


def test_legacy_samples_are_named():
    legacy = _helper("legacy")
    with pytest.raises(EncodingRefused, match="TCVN3"):
        decode(legacy.to_tcvn3(SAMPLE))
    with pytest.raises(EncodingRefused, match="VNI"):
        decode(legacy.to_vni(SAMPLE))
    # legacy text that was once re-saved as UTF-8 (mojibake) is recognised too
    with pytest.raises(EncodingRefused, match="VNI"):
        decode(legacy.to_vni(SAMPLE).decode("cp1252").encode("utf-8"))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name[:30])
def test_unicode_corpus_is_not_taken_for_legacy_text(path):
    assert legacy_encoding(path.read_text(encoding="utf-8")) is None


def test_read_source_of_cp1258_file_matches_utf8(tmp_path):
    utf8 = read_source(FIXTURES / "variants" / "ha-tinh_qd-1363-phe-duyet-quy-hoach.txt")
    cp = read_source(FIXTURES / "encodings" / "ha-tinh_qd-1363.cp1258.txt")
    assert cp.text == utf8.text and cp.sha256 == utf8.sha256
    assert cp.extra["encoding"] == "cp1258"


def test_docx_paragraphs_and_tables(tmp_path):
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Thực hiện Quy hoạch tỉnh Hà Tĩnh thời kỳ 2021 - 2030, tầm nhìn đến năm 2050")
    document.add_paragraph("(Kèm theo Quyết định số 456/QĐ-UBND ngày 20 tháng 2 năm 2023 của UBND tỉnh Hà Tĩnh)")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Nguồn vốn"
    table.cell(0, 1).text = "Tỷ trọng"
    table.cell(1, 0).text = "Khu vực nhà nước"
    table.cell(1, 1).text = "30%"
    path = tmp_path / "ke-hoach.docx"
    document.save(path)
    doc = read_source(path)
    assert doc.media_type.endswith("wordprocessingml.document")
    assert "Kèm theo Quyết định số 456/QĐ-UBND" in doc.text
    assert "Khu vực nhà nước\t30%" in doc.text
    assert doc.title == "KẾ HOẠCH"


def test_pdf_text_layer(tmp_path):
    pdfgen = _helper("pdfgen")
    lines = SAMPLE.splitlines()[5:12]
    path = tmp_path / "quyet-dinh.pdf"
    path.write_bytes(pdfgen.pdf_bytes("\n".join(lines)))
    doc = read_source(path)
    assert doc.media_type == "application/pdf"
    assert "Số: 1363/QĐ-TTg" in doc.text
    assert "Phê duyệt Quy hoạch tỉnh Hà Tĩnh thời kỳ 2021 - 2030" in doc.text
