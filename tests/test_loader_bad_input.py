"""Bad input: every unreadable source raises DocumentError with a one-line message naming file and reason."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from quyhoach.loaders.documents.errors import DocumentError
from quyhoach.loaders.documents.pipeline import extract, read_source

FIXTURES = Path(__file__).parent / "fixtures" / "documents"


def _helper(name: str):
    spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pdfgen = _helper("pdfgen")
legacy = _helper("legacy")
SAMPLE = (FIXTURES / "variants" / "ha-tinh_qd-1363-phe-duyet-quy-hoach.txt").read_text(encoding="utf-8")


def _refused(path: Path, reason: str, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        read_source(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    assert reason in message.lower(), message
    return info.value


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    _refused(path, "empty file")


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\t\n", encoding="utf-8")
    _refused(path, "empty file")


def test_furniture_only_page(tmp_path):
    path = tmp_path / "menu.txt"
    path.write_text("Trang chủ\nĐang truy cập: 12\nHôm nay: 345\nlượt xem: 12\n", encoding="utf-8")
    _refused(path, "no article text")


def test_binary_file_with_text_extension(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    _refused(path, "binary")


def test_pdf_bytes_in_a_text_file(tmp_path):
    path = tmp_path / "mislabelled.txt"
    path.write_bytes(pdfgen.pdf_bytes("Quy hoạch tỉnh"))
    _refused(path, "binary")


def test_truncated_pdf(tmp_path):
    data = pdfgen.pdf_bytes(SAMPLE[:400])
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    _refused(path, "truncated pdf")


def test_damaged_pdf(tmp_path):
    path = tmp_path / "damaged.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not a PDF body\n%%EOF\n")
    _refused(path, "pdf")


def test_not_a_pdf(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("Quyết định số 1/QĐ-TTg", encoding="utf-8")
    _refused(path, "not a pdf")


def test_encrypted_pdf(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdfgen.pdf_bytes("Quy hoạch tỉnh Hà Tĩnh"))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "locked.pdf"
    path.write_bytes(buffer.getvalue())
    _refused(path, "encrypted pdf")


def test_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdfgen.pdf_bytes(""))
    _refused(path, "no text layer")


def test_damaged_docx(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    _refused(path, "docx")


def test_tcvn3_text_is_refused_by_name(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(legacy.to_tcvn3(SAMPLE))
    _refused(path, "tcvn3")


def test_vni_text_is_refused_by_name(tmp_path):
    path = tmp_path / "vni.txt"
    path.write_bytes(legacy.to_vni(SAMPLE))
    _refused(path, "vni")


def test_committed_tcvn3_sample_is_refused():
    _refused(FIXTURES / "encodings" / "ha-tinh_qd-1363.tcvn3.txt", "tcvn3 (abc)")


def test_invalid_utf16_after_bom(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"\xff\xfe" + "Quy hoạch".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    _refused(path, "utf-16")


def test_file_over_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    error = _refused(path, "size limit", max_bytes=100)
    assert "100 bytes" in str(error)
    assert read_source(path, max_bytes=10_000).text  # the same file under a larger limit reads


def test_missing_file(tmp_path):
    _refused(tmp_path / "nowhere.txt", "file not found")


def test_directory_named_like_a_file(tmp_path):
    path = tmp_path / "folder.txt"
    path.mkdir()
    _refused(path, "is a directory")


@pytest.mark.parametrize("name", ["report.doc", "table.xlsx", "README", "scan.jpg"])
def test_unsupported_extension(tmp_path, name):
    path = tmp_path / name
    path.write_text("Quyết định số 1161/QĐ-TTg", encoding="utf-8")
    error = _refused(path, "unsupported file type")
    assert ".pdf" in str(error)


def test_extractor_failure_aborts_the_document(tmp_path):
    path = tmp_path / "ok.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    document = read_source(path)

    def broken_extractor(doc, emitter, ctx):
        raise KeyError("bug in an extractor")

    with pytest.raises(DocumentError) as info:
        extract(document, extractors=("citations", broken_extractor, "plans"))
    message = str(info.value)
    assert "\n" not in message and "broken_extractor" in message and "KeyError" in message
    assert str(path) in message


def test_document_error_message_is_one_line():
    error = DocumentError("a\nb.txt", "first line\nsecond line")
    assert "\n" not in str(error)
    assert str(error) == "a b.txt: first line second line"
