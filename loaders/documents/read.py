"""Read a document file into raw text: plain text, markdown, HTML, PDF (text layer) and DOCX.

Every failure becomes a :class:`DocumentError` with a one-line reason: a missing path, a
directory, a file over the size limit, an empty file, an unsupported extension, binary data,
a legacy or unknown encoding, an encrypted, truncated or image-only PDF, a damaged DOCX.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from quyhoach.loaders.documents.encoding import EncodingRefused, decode
from quyhoach.loaders.documents.errors import DocumentError

#: Default size limit of one document file (bytes).
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class RawDocument:
    """Text of a file before furniture removal, with its media type and what the format tells."""

    text: str
    media_type: str
    encoding: str = ""
    title: str = ""
    is_html: bool = False
    headings: tuple[str, ...] = ()  # the section headings the format marks (markdown ``#``)


def supported(path: str | os.PathLike) -> bool:
    """Whether the extension of ``path`` is one the reader handles."""
    return Path(path).suffix.lower() in MEDIA_TYPES


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of ``path``; refuses missing paths, directories, unreadable and oversized files."""
    try:
        if not path.exists():
            raise DocumentError(path, "file not found")
        if path.is_dir():
            raise DocumentError(path, "is a directory, not a file")
        if not path.is_file():
            raise DocumentError(path, "not a regular file")
        size = path.stat().st_size
    except PermissionError as exc:
        raise DocumentError(path, "permission denied") from exc
    except OSError as exc:
        raise DocumentError(path, f"cannot access the file: {_first_line(exc)}") from exc
    if size > max_bytes:
        raise DocumentError(path, f"file is {size} bytes, over the size limit of {max_bytes} bytes")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError as exc:
        raise DocumentError(path, "permission denied") from exc
    except OSError as exc:
        raise DocumentError(path, f"cannot read the file: {_first_line(exc)}") from exc
    if len(data) > max_bytes:
        raise DocumentError(path, f"file is over the size limit of {max_bytes} bytes")
    if not data.strip():
        raise DocumentError(path, "empty file")
    return data


def read_raw(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Read ``path`` into a :class:`RawDocument` according to its extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in MEDIA_TYPES:
        kinds = ", ".join(sorted(MEDIA_TYPES))
        shown = suffix or "(no extension)"
        raise DocumentError(path, f"unsupported file type {shown} (supported: {kinds})")
    data = read_bytes(path, max_bytes)
    media_type = MEDIA_TYPES[suffix]
    if suffix == ".pdf":
        return RawDocument(_pdf_text(path, data), media_type)
    if suffix == ".docx":
        return RawDocument(_docx_text(path, data), media_type)
    if data[:5] == b"%PDF-" or data[:4] == b"PK\x03\x04":
        raise DocumentError(path, f"binary data (a PDF or ZIP/Office file) in a {suffix} file")
    try:
        text, encoding = decode(data)
    except EncodingRefused as exc:
        raise DocumentError(path, str(exc)) from exc
    if suffix in (".html", ".htm"):
        from quyhoach.loaders.documents.clean import html_to_text

        headings: list[str] = []
        body, title = html_to_text(text, headings)
        return RawDocument(body, media_type, encoding, title=title, is_html=True, headings=tuple(headings))
    if suffix in (".md", ".markdown"):
        from quyhoach.loaders.documents.markdown import markdown_to_text

        headings: list[str] = []
        body, title = markdown_to_text(text, headings)
        return RawDocument(body, media_type, encoding, title=title, headings=tuple(headings))
    if re.match(r"\s*(<!doctype html|<html)", text[:500], re.IGNORECASE):
        from quyhoach.loaders.documents.clean import html_to_text

        headings: list[str] = []
        body, title = html_to_text(text, headings)
        return RawDocument(body, media_type, encoding, title=title, is_html=True, headings=tuple(headings))
    return RawDocument(text, media_type, encoding)


def _pdf_text(path: Path, data: bytes) -> str:
    if not data.startswith(b"%PDF-"):
        raise DocumentError(path, "not a PDF file (no %PDF- header)")
    if b"%%EOF" not in data[-2048:]:
        raise DocumentError(path, "truncated PDF (no end-of-file marker)")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # an unsupported cipher is as unreadable as a password
                raise DocumentError(path, f"encrypted PDF ({_first_line(exc)})") from exc
            if not opened:
                raise DocumentError(path, "encrypted PDF: a password is required")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(path, f"damaged PDF: {_first_line(exc)}") from exc
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise DocumentError(path, "PDF has no text layer (a scanned image?); OCR is not supported")
    return text


def _docx_text(path: Path, data: bytes) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentError(path, "not a DOCX file (not a ZIP package)")
    from quyhoach.loaders.documents.safety import UnsafeInput, check_zip

    try:
        check_zip(data)  # (the central directory only: nothing is inflated yet)
    except UnsafeInput as exc:
        raise DocumentError(path, str(exc)) from None
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                blocks.append(Paragraph(child, document).text)
            elif tag == "tbl":
                table = Table(child, document)
                for row in table.rows:
                    cells: list[str] = []
                    for cell in row.cells:
                        value = cell.text.strip()
                        if not cells or cells[-1] != value:  # merged cells repeat their text
                            cells.append(value)
                    blocks.append("\t".join(cells))
    except DocumentError:
        raise
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise DocumentError(path, f"damaged DOCX: {_first_line(exc)}") from exc
    text = "\n".join(blocks)
    if not text.strip():
        raise DocumentError(path, "DOCX has no text")
    return text
