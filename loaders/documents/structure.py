"""The one document-structure model every extractor reads.

Contract
--------
``parse_structure(text, title_hint="") -> DocumentStructure`` reads the *normalised* text of a
document (``CleanDocument.text``; the same string is stored as ``qh:text``) and returns its
structure; ``CleanDocument.structure`` is the cached result for a document. Every element
carries a :class:`~quyhoach.loaders.model.Span` into that text, so ``text[span.start:span.end]``
is the element's words and any evidence built from a span stays exact. The pass is pure (no
I/O), works whatever the capture was (txt, md, html, pdf, docx): it reads lines, and tables
as the readers write them (one row per line, cells separated by a tab).

What it recognises (Decree 30/2020/NĐ-CP layout; vocabulary in ``structure.yaml``):

* :class:`Header` — issuing body (``ỦY BAN NHÂN DÂN TỈNH X``, ``BỘ XÂY DỰNG``), number
  (``Số: 2820/QĐ-UBND``), place/date line (``Hà Nội, ngày 07 tháng 12 năm 2023``), document
  type (``QUYẾT ĐỊNH``) and title (trích yếu); ``None`` when the text has no such header;
* ``legal_bases`` — the ``Căn cứ …`` lines of the preamble (:class:`Field` each);
* ``articles`` — :class:`Article` (``Điều N.``) with ``clauses`` (:class:`Clause`, ``1.``) and
  their ``points`` (:class:`Point`, ``a)``); ``sections`` — chapters, parts and Roman-numbered
  headings (:class:`Section`);
* ``signatures`` — :class:`Signature` blocks (``authority`` ``KT. THỦ TƯỚNG``, ``title``
  ``PHÓ THỦ TƯỚNG``, ``name``); ``recipients`` — the ``Nơi nhận`` list;
* ``appendices`` — :class:`Appendix` (``PHỤ LỤC I``) with its title and ``tables``;
  ``tables`` — every :class:`Table` (rows of :class:`Field` cells, ``header`` = first row);
* ``info_box`` — the fields of a portal's document-info box (``number``, ``type``, ``issuer``,
  ``signer``, ``issued``, ``effective`` …: :class:`Field` each);
* ``page_title`` — the page's own title for Q&A/news pages (the ``#`` heading the reader
  found, located in the text); ``headings`` — the section headings the capture marked (markdown
  ``#`` lines, HTML ``h1``–``h6``), located in the text; ``furniture`` — spans of page furniture lines (portal
  copyright, "Nội dung chính", "(Hình từ Internet)" captions, listings, search hints).

Use :attr:`DocumentStructure.title` for a source title (the document's own title, never
furniture), :meth:`DocumentStructure.article_at` to find the article around an offset,
:meth:`DocumentStructure.is_furniture` to skip furniture. The model is additive: new fields
may appear; existing ones keep their meaning.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources

import yaml

from quyhoach.loaders.model import Span


@dataclass(frozen=True)
class Field:
    """A piece of the text: its words (tidied: spaces collapsed) and its span."""

    value: str
    span: Span


@dataclass
class Header:
    """The header of an administrative document (issuing body down to the title)."""

    span: Span
    issuer: Field | None = None
    parent_issuer: Field | None = None
    number: Field | None = None
    place: Field | None = None
    date_text: Field | None = None
    date: date | None = None
    doc_type: Field | None = None
    title: Field | None = None


@dataclass
class Point:
    """An ``a)`` point of a clause."""

    label: str
    span: Span


@dataclass
class Clause:
    """A numbered clause (``1.``) of an article, with its points."""

    number: str
    span: Span
    points: list[Point] = field(default_factory=list)


@dataclass
class Article:
    """An article (``Điều N``): its heading (the words after the number) and clauses."""

    number: str
    span: Span
    heading: Field | None = None
    clauses: list[Clause] = field(default_factory=list)


@dataclass
class Section:
    """A chapter, part, section or Roman-numbered heading and the span it runs over."""

    kind: str  # 'part' | 'chapter' | 'section' | 'heading'
    label: str
    heading: Field
    span: Span


@dataclass
class Signature:
    """A signature block: authority (``KT. THỦ TƯỚNG``), title (``PHÓ THỦ TƯỚNG``), name."""

    span: Span
    authority: Field | None = None
    title: Field | None = None
    name: Field | None = None
    authorities: list[Field] = field(default_factory=list)


@dataclass
class Row:
    """One row of a table: its cells."""

    span: Span
    cells: list[Field]


@dataclass
class Table:
    """A table: rows of cells (``header`` is the first row)."""

    span: Span
    rows: list[Row]

    @property
    def header(self) -> Row | None:
        """The first row (the column names, in most tables)."""
        return self.rows[0] if self.rows else None

    @property
    def body(self) -> list[Row]:
        """The rows after the first."""
        return self.rows[1:]


@dataclass
class Appendix:
    """An appendix (``PHỤ LỤC I``): label, title and the tables inside it."""

    label: Field
    span: Span
    title: Field | None = None
    tables: list[Table] = field(default_factory=list)


@dataclass
class DocumentStructure:
    """The structure of one document (see the module docstring for the contract)."""

    text: str
    header: Header | None = None
    legal_bases: list[Field] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    recipients: list[Field] = field(default_factory=list)
    recipients_span: Span | None = None
    appendices: list[Appendix] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    info_box: dict[str, Field] = field(default_factory=dict)
    page_title: Field | None = None
    furniture: list[Span] = field(default_factory=list)
    headings: list[Field] = field(default_factory=list)
    body: Span | None = None

    @property
    def is_administrative(self) -> bool:
        """Whether the text is an administrative document (a header with a type or number)."""
        return self.header is not None

    @property
    def signature(self) -> Signature | None:
        """The first signature block (of the main document), if any."""
        return self.signatures[0] if self.signatures else None

    @property
    def number(self) -> str:
        """The document's number from its header, else from the info box, else ``""``."""
        if self.header and self.header.number:
            return self.header.number.value
        box = self.info_box.get("number")
        return box.value if box else ""

    @property
    def title(self) -> str:
        """The document's own title.

        For an administrative document: ``Quyết định 2820/QĐ-UBND: <trích yếu>`` (type, number,
        title, as far as known); for a page: its title heading; never a furniture line.
        """
        header = self.header
        if header and (header.doc_type or header.title):
            kind = _type_name(header.doc_type.value) if header.doc_type else ""
            number = self.number
            head = " ".join(p for p in (kind, number) if p)
            trich = header.title.value if header.title else ""
            if head and trich:
                return f"{head}: {trich}"
            return head or trich
        if self.page_title is not None:
            return self.page_title.value
        return ""

    def article_at(self, offset: int) -> Article | None:
        """The article whose span holds ``offset``, or ``None``."""
        starts = [a.span.start for a in self.articles]
        i = bisect_right(starts, offset) - 1
        if i >= 0 and offset < self.articles[i].span.end:
            return self.articles[i]
        return None

    def is_furniture(self, span: Span) -> bool:
        """Whether ``span`` lies inside a furniture line."""
        starts = [f.start for f in self.furniture]
        i = bisect_right(starts, span.start) - 1
        return i >= 0 and span.end <= self.furniture[i].end

    def appendix_at(self, offset: int) -> Appendix | None:
        """The appendix whose span holds ``offset``, or ``None``."""
        for appendix in self.appendices:
            if appendix.span.start <= offset < appendix.span.end:
                return appendix
        return None


# -- vocabulary --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Vocabulary:
    types: re.Pattern
    motto: re.Pattern
    authority: re.Pattern
    authority_at: re.Pattern
    titles: re.Pattern
    info_label: re.Pattern
    info_fields: dict
    unknown: frozenset
    furniture: re.Pattern


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data = yaml.safe_load((resources.files("quyhoach.loaders.documents") / "structure.yaml").read_text("utf-8"))
    alt = lambda items: "|".join(re.escape(x) for x in sorted(items, key=len, reverse=True))  # noqa: E731
    info = {k.lower(): v for k, v in data["info_box"].items()}
    return _Vocabulary(
        types=re.compile(rf"^(?P<type>{alt(data['document_types'])})(?![\wÀ-ỹ])\s*[:.]?\s*(?P<rest>.*)$"),
        motto=re.compile(rf"^(?:{alt(data['motto'])})", re.IGNORECASE),
        authority=re.compile(rf"^(?:{alt(data['signature_authorities'])})\s*\.\s*\S"),
        authority_at=re.compile(rf"(?<!\S)(?:{alt(data['signature_authorities'])})\s*\.\s*(?=[A-ZÀ-ỸĐ])"),
        titles=re.compile(rf"(?:^|\s)(?P<title>{alt(data['signer_titles'])})$"),
        info_label=re.compile(rf"^(?P<label>{alt(data['info_box'])})\s*(?::\s*(?P<value>.*))?$", re.IGNORECASE),
        info_fields=info,
        unknown=frozenset(v.lower() for v in data["info_box_unknown"]),
        furniture=re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in data["furniture"]) + r")$", re.IGNORECASE),
    )


def is_furniture_text(line: str) -> bool:
    """Whether ``line`` (one line of text) is page furniture by the vocabulary's patterns."""
    text = " ".join(line.split())
    return not text or bool(_vocabulary().furniture.match(text))


def _type_name(value: str) -> str:
    """``QUYẾT ĐỊNH`` -> ``Quyết định`` (the type as a title word)."""
    return value[:1].upper() + value[1:].lower() if value else value


# -- lines -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str  # stripped of the surrounding spaces; start/end are those of the stripped text


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        raw = text[pos:nl]
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos = nl + 1
    return out


def _field(line: _Line, start: int | None = None, end: int | None = None) -> Field:
    """A field of ``line`` from char ``start`` to ``end`` (indices into ``line.text``), trimmed."""
    s = 0 if start is None else start
    e = len(line.text) if end is None else end
    chunk = line.text[s:e]
    left = len(chunk) - len(chunk.lstrip(" \t:;,.-–"))
    right = len(chunk.rstrip(" \t:;,"))
    value = " ".join(chunk[left:right].split())
    return Field(value, Span(line.start + s + left, line.start + s + right))


def _cells(line: _Line) -> list[Field]:
    cells: list[Field] = []
    pos = 0
    for part in line.text.split("\t"):
        if part.strip():
            cells.append(_field(line, pos, pos + len(part)))
        pos += len(part) + 1
    return cells


def _segments(lines: list[_Line]) -> list[tuple[int, Field, _Line]]:
    """``(line index, cell field, line)`` of every cell of ``lines`` (a plain line is one cell)."""
    out = []
    for i, line in enumerate(lines):
        if "\t" in line.text:
            out.extend((i, cell, line) for cell in _cells(line))
        else:
            out.append((i, _field(line), line))
    return out


# -- patterns ----------------------------------------------------------------------------------

_UPPER_WORD = re.compile(r"[A-ZÀ-ỸĐ]")
_NUMBER = re.compile(r"^(?:Số|Số hiệu)\s*[:：]?\s*(?P<n>\d[\w.\-]*(?:/[\w.\-đĐ]+)+)", re.IGNORECASE)
_PLACE_DATE = re.compile(
    r"^(?P<place>[^\d,;:]{2,60}?)\s*,\s*ngày\s+(?P<d>\d{1,2})\s*(?:tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
    r"|[/.\-]\s*(?P<m2>\d{1,2})\s*[/.\-]\s*(?P<y2>\d{4}))",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^Điều\s+(?P<n>\d{1,3}[a-z]?)\s*[.:]\s*(?P<h>.*)$")
_CLAUSE = re.compile(r"^(?P<n>\d{1,2})\s*[.)]\s+\S")
_POINT = re.compile(r"^(?P<l>[a-zđ])\s*\)\s+\S")
_CHAPTER = re.compile(r"^(?P<kind>Chương|CHƯƠNG|Phần|PHẦN|Mục|MỤC)\s+(?P<label>[IVXLC]+|\d{1,2})\b\.?\s*(?P<h>.*)$")
_ROMAN = re.compile(r"^(?P<label>[IVXL]{1,5})\s*[.)]\s+(?P<h>\S.{0,200})$")
_APPENDIX = re.compile(r"^(?:PHỤ LỤC|Phụ lục)(?P<label>\s+(?:số\s+)?[IVXLC\d]+[a-zA-Z]?(?:\.\d+)?)?\s*[.:]?\s*(?P<rest>.*)$")
_RECIPIENTS = re.compile(r"^Nơi nhận\s*[:：]?\s*(?P<rest>.*)$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^[-+•–]\s*(?P<v>.+)$")
_ENACT = re.compile(r"^(?:QUYẾT ĐỊNH|QUYẾT NGHỊ|NGHỊ ĐỊNH|BAN HÀNH|CHỈ THỊ|KẾT LUẬN)\s*[:：]\s*$")
_BASIS = re.compile(r"^(?:Căn cứ|Xét đề nghị|Theo đề nghị)\b")
_SIGNED = re.compile(r"^\(?\s*(?:đã ký|đã ký và đóng dấu|ký)\s*\)?$|^\[?\s*(?:chữ ký|dấu)\b.*$", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[A-ZÀ-ỸĐ][a-zà-ỹđ]+$")
#: The line under an appendix's heading naming the document it belongs to: "(Kèm theo Nghị định số
#: 307/2025/NĐ-CP ngày 27 tháng 11 năm 2025 của Chính phủ)", "(Ban hành kèm theo Quyết định số …)".
_ATTACHED_TO = re.compile(
    r"^\(\s*(?:ban hành\s+)?kèm theo\s+(?P<type>[^\W\d][^\d()]{1,40}?)\s+(?:số\s+)?"
    r"(?P<n>\d[\w.\-]*(?:/[\w.\-đĐ]+)+)(?P<rest>[^()]*)",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"ngày\s+(?P<d>\d{1,2})\s*(?:tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
    r"|[/.\-]\s*(?P<m2>\d{1,2})\s*[/.\-]\s*(?P<y2>\d{4}))",
    re.IGNORECASE,
)
#: How many lines after the signature block, or into the first appendix, the attached-to line may be.
ATTACHED_LINES = 6


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _is_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 6 and all(_NAME_WORD.match(w) for w in words)


# -- the parser --------------------------------------------------------------------------------

#: How far into the text the header is looked for (lines).
HEADER_LINES = 60


def parse_structure(text: str, title_hint: str = "", headings: tuple[str, ...] = ()) -> DocumentStructure:
    """The :class:`DocumentStructure` of ``text`` (normalised text; see the module docstring);
    ``headings`` are the section headings the capture's format marked (markdown ``#``, HTML ``h1``–``h6``)."""
    vocab = _vocabulary()
    lines = _lines(text)
    result = DocumentStructure(text=text)
    furniture_lines = set()
    for i, line in enumerate(lines):
        if len(line.text) <= 200 and vocab.furniture.match(line.text):
            furniture_lines.add(i)
            result.furniture.append(Span(line.start, line.end))
    result.info_box = _info_box(lines, vocab)
    result.tables = _tables(lines)
    header, header_end = _header(lines, vocab, furniture_lines)
    result.header = header
    first_article = _structure_body(result, lines, header_end)
    if header is not None:
        for line in lines[header_end:first_article]:
            if _BASIS.match(line.text):
                result.legal_bases.append(_field(line))
    _signatures(result, lines, vocab)
    _appendices(result, lines)
    if header is not None and header.number is None:
        _number_from_appendix(result, lines)
    if title_hint:
        result.page_title = _locate_title(lines, title_hint, furniture_lines, vocab)
    if result.page_title is None and header is None:
        for i, line in enumerate(lines[:20]):
            if i not in furniture_lines and 8 <= len(line.text) <= 250 and "\t" not in line.text:
                result.page_title = _field(line)
                break
    if headings:
        result.headings = _locate_headings(lines, headings, furniture_lines)
    body_start = header.span.end if header else (result.page_title.span.end if result.page_title else 0)
    result.body = Span(body_start, len(text.rstrip()))
    return result


def _number_from_appendix(result: DocumentStructure, lines: list[_Line]) -> None:
    """A full text whose header table was lost (a type line and trích yếu, no ``Số:``) but which has
    its own articles and signature block takes its number and date from the line that opens its
    appendix: "(Kèm theo Nghị định số 307/2025/NĐ-CP ngày 27 tháng 11 năm 2025 của Chính phủ)",
    when the line names the header's own type. An annex page without a body of its own (no article
    before a signature) keeps its header as it is: it is attached to that document, not that document."""
    header = result.header
    signature = result.signature
    if header is None or header.doc_type is None or signature is None or not result.articles:
        return
    if result.articles[0].span.start > signature.span.start:
        return
    starts = [line.start for line in lines]
    after = bisect_left(starts, signature.span.end)
    appendix = next((a for a in result.appendices if a.span.start >= signature.span.end), None)
    window = range(after, min(len(lines), after + ATTACHED_LINES))
    if appendix is not None:
        first = bisect_left(starts, appendix.span.start)
        window = range(after, min(len(lines), max(first, after) + ATTACHED_LINES))
    own_type = " ".join(header.doc_type.value.lower().split())
    for i in window:
        line = lines[i]
        m = _ATTACHED_TO.match(line.text)
        if m is None:
            continue
        if " ".join(m.group("type").lower().split()) != own_type:
            return
        n = m.group("n").rstrip(".,;")
        header.number = Field(n, Span(line.start + m.start("n"), line.start + m.start("n") + len(n)))
        if (d := _DATE_WORDS.search(m.group("rest"))) is not None:
            try:
                header.date = date(int(d.group("y") or d.group("y2")), int(d.group("m") or d.group("m2")), int(d.group("d")))
            except ValueError:
                return
            header.date_text = Field(d.group(0), Span(line.start + m.start("rest") + d.start(), line.start + m.start("rest") + d.end()))
        return


def _locate_title(lines: list[_Line], hint: str, furniture: set[int], vocab: _Vocabulary) -> Field | None:
    key = " ".join(hint.split())
    if not key or vocab.furniture.match(key):
        return None
    for i, line in enumerate(lines):
        if i not in furniture and " ".join(line.text.split()) == key:
            return _field(line)
    return None


def _locate_headings(lines: list[_Line], headings: tuple[str, ...], furniture: set[int]) -> list[Field]:
    """The lines of ``headings``: each the first line with its words after the previous heading
    found (a heading the cleaner dropped is skipped); furniture lines left out."""
    wanted = [" ".join(unicodedata.normalize("NFC", h).split()) for h in headings]
    keys = set(wanted)
    where: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if len(line.text) <= 300:
            key = " ".join(line.text.split())
            if key in keys:
                where.setdefault(key, []).append(i)
    result: list[Field] = []
    pos = 0
    for key in wanted:
        found = where.get(key, [])
        k = bisect_left(found, pos)
        if k == len(found):
            continue
        i = found[k]
        pos = i + 1
        if i not in furniture:
            result.append(_field(lines[i]))
    return result


def _info_box(lines: list[_Line], vocab: _Vocabulary) -> dict[str, Field]:
    """Portal info-box fields: ``Label:`` then the value in the next cell or after the colon."""
    box: dict[str, Field] = {}
    segments = _segments(lines[: HEADER_LINES * 2])
    for k, (_, cell, _line) in enumerate(segments):
        m = vocab.info_label.match(cell.value)
        if not m:
            continue
        name = vocab.info_fields[m.group("label").lower()]
        if name in box:
            continue
        value_text = (m.group("value") or "").strip()
        if value_text:
            offset = cell.span.start + cell.value.find(value_text, len(m.group("label")))
            value = Field(value_text, Span(offset, offset + len(value_text)))
        elif k + 1 < len(segments):
            value = segments[k + 1][1]
            if vocab.info_label.match(value.value):
                continue
        else:
            continue
        if value.value.lower() in vocab.unknown:
            continue
        box[name] = value
    return box


def _tables(lines: list[_Line]) -> list[Table]:
    tables: list[Table] = []
    current: list[Row] = []
    previous = -1
    for i, line in enumerate(lines):
        if "\t" not in line.text:
            continue
        row = Row(Span(line.start, line.end), _cells(line))
        if current and previous == i - 1:
            current.append(row)
        else:
            if current:
                tables.append(Table(Span(current[0].span.start, current[-1].span.end), current))
            current = [row]
        previous = i
    if current:
        tables.append(Table(Span(current[0].span.start, current[-1].span.end), current))
    return tables


def _header(lines: list[_Line], vocab: _Vocabulary, furniture: set[int]) -> tuple[Header | None, int]:
    """The header and the index of the first line after it (0 without a header)."""
    limit = min(len(lines), HEADER_LINES)
    segments = [s for s in _segments(lines[:limit]) if s[0] not in furniture]
    motto_at = next((k for k, s in enumerate(segments) if vocab.motto.match(s[1].value)), None)
    number = place = date_text = None
    when = None
    doc_type = None
    issuer_parts: list[Field] = []
    type_index = None
    for k, (i, cell, _line) in enumerate(segments):
        value = cell.value
        if number is None and (m := _NUMBER.match(value)):
            start = cell.span.start + m.start("n")
            number = Field(m.group("n").rstrip(".,;"), Span(start, start + len(m.group("n").rstrip(".,;"))))
            continue
        if date_text is None and (m := _PLACE_DATE.match(value)):
            place = Field(m.group("place").strip(), Span(cell.span.start + m.start("place"), cell.span.start + m.end("place")))
            date_text = cell
            try:
                when = date(int(m.group("y") or m.group("y2")), int(m.group("m") or m.group("m2")), int(m.group("d")))
            except ValueError:
                when = None
            continue
        if doc_type is None and (m := vocab.types.match(value)) and (
            motto_at is not None or number is not None or (k < 3 and _preamble_follows(lines, i))
        ):
            rest = m.group("rest")
            if not rest or _is_upper(rest) or rest[:1].isupper():
                doc_type = Field(m.group("type"), Span(cell.span.start, cell.span.start + len(m.group("type"))))
                type_index = k
                break
    if motto_at is None and doc_type is None:
        return None, 0
    # issuing body: the run of upper-case cells right before the motto (or before the number)
    stop = motto_at if motto_at is not None else (type_index if type_index is not None else len(segments))
    for _i, cell, _line in reversed(segments[:stop]):
        if _is_issuer_part(cell.value, vocab):
            issuer_parts.insert(0, cell)
        elif issuer_parts or len(issuer_parts) > 3:
            break
        else:
            break
    if not issuer_parts and motto_at is not None:
        # header tables that put the motto first on a line: upper-case cells right after the motto lines
        for _i, cell, _line in segments[motto_at + 1 : (type_index if type_index is not None else motto_at + 6)]:
            if vocab.motto.match(cell.value) or _NUMBER.match(cell.value) or _PLACE_DATE.match(cell.value):
                continue
            if _is_issuer_part(cell.value, vocab) and not vocab.types.match(cell.value):
                issuer_parts.append(cell)
    issuer = parent = None
    if issuer_parts:
        issuer_parts = issuer_parts[-3:]
        # "ỦY BAN NHÂN DÂN" + "TỈNH X" are one name; "BỘ X" + "CỤC Y": the last is the issuer
        joined = " ".join(p.value for p in issuer_parts)
        first, last = issuer_parts[0], issuer_parts[-1]
        if len(issuer_parts) >= 2 and re.match(r"^(?:ỦY|UỶ) BAN NHÂN DÂN$|^HỘI ĐỒNG NHÂN DÂN$", issuer_parts[-2].value):
            issuer = Field(issuer_parts[-2].value + " " + last.value, Span(issuer_parts[-2].span.start, last.span.end))
            if len(issuer_parts) == 3:
                parent = first
        elif len(issuer_parts) >= 2 and not _looks_unit(last.value):
            issuer, parent = last, issuer_parts[-2]
        else:
            issuer = Field(joined, Span(first.span.start, last.span.end))
    # title: the lines after the type line up to the preamble
    title = None
    end_index = (segments[type_index][0] + 1) if type_index is not None else (
        max(s[0] for s in segments if s[1] in (number, date_text)) + 1 if (number or date_text) else 0
    )
    if type_index is not None:
        i0, cell, line = segments[type_index]
        rest = line.text[cell.span.end - line.start:].strip(" :.")
        title_lines: list[_Line] = []
        if rest:
            title_lines.append(line)
        j = i0 + 1
        while j < len(lines) and len(title_lines) < 4:
            text = lines[j].text
            if (_BASIS.match(text) or _ARTICLE.match(text) or _ENACT.match(text) or "\t" in text
                    or vocab.motto.match(text) or (title_lines and _is_upper(text) != _is_upper(title_lines[-1].text)
                                                    and _is_upper(text))):
                break
            if text.startswith("(") and title_lines:
                break
            if j in furniture:
                break
            title_lines.append(lines[j])
            j += 1
            if len(" ".join(t.text for t in title_lines)) > 400:
                break
        if title_lines:
            start = (cell.span.end + len(line.text[cell.span.end - line.start:]) - len(rest)) if rest and title_lines[0] is line else title_lines[0].start
            end = title_lines[-1].end
            title = Field(" ".join(" ".join(t.text for t in title_lines).split()).lstrip(" :."), Span(start, end))
            if rest and title_lines[0] is line:
                title = Field(" ".join((rest + " " + " ".join(t.text for t in title_lines[1:])).split()), Span(start, end))
            end_index = j
        # the enacting authority line between the title and the preamble ("THỦ TƯỚNG CHÍNH PHỦ")
        if issuer is None and j < len(lines) and _is_issuer_part(lines[j].text, vocab) and len(lines[j].text) <= 80:
            issuer = _field(lines[j])
            end_index = j + 1
    first = segments[0][1].span.start if segments else 0
    head_end = lines[end_index - 1].end if end_index > 0 else first
    header = Header(
        span=Span(first, head_end), issuer=issuer, parent_issuer=parent, number=number, place=place,
        date_text=date_text, date=when, doc_type=doc_type, title=title,
    )
    return header, end_index


def _preamble_follows(lines: list[_Line], i: int) -> bool:
    """Whether a ``Căn cứ …`` line comes within a few lines after line ``i`` (a type line at the
    top of a capture that lost its header table is still a document's type line)."""
    return any(_BASIS.match(line.text) for line in lines[i + 1 : i + 8])


def _is_issuer_part(value: str, vocab: _Vocabulary) -> bool:
    return (_is_upper(value) and len(value) <= 120 and not any(c.isdigit() for c in value)
            and not vocab.motto.match(value) and not vocab.info_label.match(value) and not vocab.furniture.match(value))


def _looks_unit(value: str) -> bool:
    return bool(re.match(r"^(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|ĐẶC KHU)\b", value))


def _structure_body(result: DocumentStructure, lines: list[_Line], start: int) -> int:
    """Articles, clauses, points and sections; returns the index of the first article line."""
    text_end = len(result.text.rstrip())
    first_article = len(lines)
    articles: list[tuple[int, Article]] = []
    sections: list[tuple[int, Section]] = []
    for i in range(start, len(lines)):
        line = lines[i]
        head = line.text[:1]
        if head == "Đ" and (m := _ARTICLE.match(line.text)):
            heading = _field(line, m.start("h")) if m.group("h").strip() else None
            articles.append((i, Article(m.group("n"), Span(line.start, line.end), heading)))
            first_article = min(first_article, i)
        elif head in "CPMcpm" and (m := _CHAPTER.match(line.text)):
            kind = {"c": "chapter", "p": "part", "m": "section"}[head.lower()]
            heading = _field(line, m.start("h")) if m.group("h").strip() else _field(line)
            sections.append((i, Section(kind, m.group("label"), heading, Span(line.start, line.end))))
        elif head in "IVXL" and len(line.text) <= 200 and (m := _ROMAN.match(line.text)):
            sections.append((i, Section("heading", m.group("label"), _field(line, m.start("h")), Span(line.start, line.end))))
    stops = _stop_lines(lines)
    # article spans run to the next article, section, signature/recipients block or appendix
    boundaries = sorted({i for i, _ in articles} | {i for i, _ in sections} | stops | {len(lines)})
    for i, article in articles:
        nxt = boundaries[bisect_right(boundaries, i)]
        end = lines[nxt - 1].end if nxt > i else line.end
        article.span = Span(article.span.start, end)
        article.clauses = _clauses(lines, i + 1, nxt)
    for k, (i, section) in enumerate(sections):
        same = [j for j, s in sections[k + 1:] if _rank(s) <= _rank(section)]
        nxt = min(same + [j for j in stops if j > i] + [len(lines)])
        section.span = Span(section.span.start, lines[nxt - 1].end if nxt > i else text_end)
    result.articles = [a for _, a in articles]
    result.sections = [s for _, s in sections]
    return first_article


def _rank(section: Section) -> int:
    return {"part": 0, "chapter": 1, "section": 2, "heading": 3}[section.kind]


def _stop_lines(lines: list[_Line]) -> set[int]:
    stops = set()
    for i, line in enumerate(lines):
        t = line.text
        if t[:1] in "NPTKQ" and (_RECIPIENTS.match(t) or (_APPENDIX.match(t) and _is_upper(t[:7])) or _signature_start(t)):
            stops.add(i)
    return stops


def _clauses(lines: list[_Line], start: int, end: int) -> list[Clause]:
    clauses: list[Clause] = []
    for i in range(start, end):
        t = lines[i].text
        if t[:1].isdigit() and _CLAUSE.match(t) and not re.match(r"^\d+\.\d", t):
            clauses.append(Clause(_CLAUSE.match(t).group("n"), Span(lines[i].start, lines[i].end)))
        elif clauses and _POINT.match(t):
            clauses[-1].points.append(Point(_POINT.match(t).group("l"), Span(lines[i].start, lines[i].end)))
    stop = lines[end - 1].end if end > start else 0
    for k, clause in enumerate(clauses):
        clause_end = clauses[k + 1].span.start if k + 1 < len(clauses) else stop
        clause.span = Span(clause.span.start, _trim_end(lines, clause_end))
        for j, point in enumerate(clause.points):
            point_end = clause.points[j + 1].span.start if j + 1 < len(clause.points) else clause.span.end
            point.span = Span(point.span.start, _trim_end(lines, point_end))
    return clauses


def _trim_end(lines: list[_Line], offset: int) -> int:
    """The end of the last line that ends at or before ``offset``."""
    ends = [ln.end for ln in lines]
    i = bisect_right(ends, offset) - 1
    return ends[i] if i >= 0 else offset


def _signature_start(text: str) -> bool:
    vocab = _vocabulary()
    return bool(vocab.authority.match(text)) and _is_upper(text)


def _cell_lines(text: str, lines: list[_Line]) -> list[_Line]:
    """``lines`` with every table row split into its cells (a DOCX or HTML capture puts the
    recipients and the signature block in two cells of one row)."""
    out: list[_Line] = []
    for line in lines:
        if "\t" not in line.text:
            out.append(line)
            continue
        pos = 0
        for part in line.text.split("\t"):
            stripped = part.strip()
            if stripped:
                start = line.start + pos + (len(part) - len(part.lstrip()))
                out.append(_Line(start, start + len(stripped), stripped))
            pos += len(part) + 1
    return out


def _signatures(result: DocumentStructure, lines: list[_Line], vocab: _Vocabulary) -> None:
    """Signature blocks (authority lines, a title line, a name) and the ``Nơi nhận`` list."""
    lines = _cell_lines(result.text, lines)
    i = 0
    n = len(lines)
    while i < n:
        t = lines[i].text
        if (m := _RECIPIENTS.match(t)) and not result.recipients_span:
            j = i + 1
            items: list[Field] = []
            if m.group("rest").strip():
                items.append(_field(lines[i], m.start("rest")))
            while j < n and (im := _LIST_ITEM.match(lines[j].text)):
                items.append(_field(lines[j], im.start("v")))
                j += 1
            result.recipients = items
            result.recipients_span = Span(lines[i].start, lines[j - 1].end)
            i = j
            continue
        if "\t" not in t and len(t) <= 80 and _is_upper(t) and (vocab.authority.match(t) or vocab.titles.search(t)):
            block = _signature_block(lines, i, vocab)
            if block is not None:
                signature, j = block
                result.signatures.append(signature)
                i = j
                continue
        elif "\t" not in t and len(t) <= 300 and not _is_upper(t) and (vocab.authority.match(t) or _BR.search(t)):
            # the whole block in one table cell: "TM. CHÍNH PHỦ<br>KT. THỦ TƯỚNG<br>…" or run together
            pieces = _inline_lines(lines[i], vocab)
            if len(pieces) > 1 and _is_upper(pieces[0].text) and vocab.authority.match(pieces[0].text):
                block = _signature_block(pieces, 0, vocab)
                if block is not None:
                    result.signatures.append(block[0])
        i += 1


_BR = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)
_NAME_END = re.compile(r"(?:[A-ZÀ-ỸĐ][a-zà-ỹđ]+\s+){1,5}[A-ZÀ-ỸĐ][a-zà-ỹđ]+$")


def _inline_lines(line: _Line, vocab: _Vocabulary) -> list[_Line]:
    """The lines of a signature block printed in one cell: split at ``<br>`` marks, then at each
    authority prefix (``KT.``, ``TM.`` …) and before the signer's name, every piece with its own
    offsets into the text."""
    out: list[_Line] = []
    pos = 0
    for m in [*_BR.finditer(line.text), None]:
        end = m.start() if m is not None else len(line.text)
        out.extend(_split_run(line.start + pos, line.text[pos:end], vocab))
        pos = m.end() if m is not None else len(line.text)
    return out


def _split_run(start: int, chunk: str, vocab: _Vocabulary) -> list[_Line]:
    """``TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn An`` -> one line per authority,
    the title words left with the last authority (the block reader splits them off), the name."""
    cuts = [m.start() for m in vocab.authority_at.finditer(chunk)]
    name = _NAME_END.search(chunk)
    if name is not None and _is_upper(chunk[: name.start()]) and name.start() > 0:
        cuts.append(name.start())
    cuts = sorted({0, *cuts, len(chunk)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = chunk[a:b]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            out.append(_Line(start + a + lead, start + a + lead + len(stripped), stripped))
    return out


def _signature_block(lines: list[_Line], i: int, vocab: _Vocabulary) -> tuple[Signature, int] | None:
    authorities: list[Field] = []
    title: Field | None = None
    j = i
    n = len(lines)
    while j < n and j < i + 6:
        t = lines[j].text
        if "\t" in t or len(t) > 80:
            return None
        if _SIGNED.match(t):
            j += 1
            continue
        if _is_upper(t):
            if vocab.authority.match(t):
                authorities.append(_field(lines[j]))
                # "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" on one line: the title is the last known title
                m = vocab.titles.search(t)
                if m and m.start("title") > t.find(".") + 2 and t[: m.start("title")].strip() != t[:t.find(".") + 1]:
                    inner = t[: m.start("title")].rstrip()
                    if vocab.authority.match(inner) and len(inner) > t.find(".") + 2:
                        authorities[-1] = _field(lines[j], 0, len(inner))
                        title = _field(lines[j], m.start("title"))
            elif vocab.titles.search(t) and title is None:
                title = _field(lines[j])
            elif title is None and not authorities:
                return None
            else:
                title = title or _field(lines[j])
            j += 1
            continue
        if _is_name(t) and (title is not None or authorities):
            name = _field(lines[j])
            if title is None and authorities:
                title = authorities[-1]
            signature = Signature(
                Span(lines[i].start, lines[j].end), authority=authorities[0] if authorities else None,
                title=title, name=name, authorities=authorities,
            )
            return signature, j + 1
        return None
    return None


def _appendices(result: DocumentStructure, lines: list[_Line]) -> None:
    starts: list[tuple[int, Appendix]] = []
    for i, line in enumerate(lines):
        t = line.text
        if t[:1] == "P" and len(t) <= 160 and (m := _APPENDIX.match(t)) and _is_upper(t[:7]):
            if not m.group("label") and m.group("rest") and not _is_upper(m.group("rest")):
                continue
            label = _field(line, 0, m.end("label") if m.group("label") else 7)
            title = _field(line, m.start("rest")) if m.group("rest").strip() else None
            if title is None and i + 1 < len(lines) and _is_upper(lines[i + 1].text) and "\t" not in lines[i + 1].text:
                title = _field(lines[i + 1])
            starts.append((i, Appendix(label, Span(line.start, line.end), title)))
    text_end = len(result.text.rstrip())
    for k, (_i, appendix) in enumerate(starts):
        end = starts[k + 1][1].span.start if k + 1 < len(starts) else text_end
        appendix.span = Span(appendix.span.start, _trim_end(lines, end))
        appendix.tables = [t for t in result.tables if appendix.span.start <= t.span.start < appendix.span.end]
    result.appendices = [a for _, a in starts]
