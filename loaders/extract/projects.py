"""Projects and works from lists, tables, fields and titles, with location and scale.

Where a project is named (vocabulary in ``projects.yaml``: kind word -> ontology class):

* a **field** ``Tên dự án: Đường dây 110 kV Hồng Ngự - Vĩnh Hưng.`` (also ``Tên cảng hàng
  không: …``): the value is the name;
* a **list item** (``(1)``, ``1.``, ``-``, ``+``, ``a)`` at the start of a line) or a **table
  row cell** (``DocumentStructure.tables``; the row is the block) that opens with a kind word (after ``Dự án (đầu tư) (xây dựng) (mở rộng, nâng cấp)``):
  the name runs to the first ``;`` ``:`` ``,`` ``(`` or a word that ends names (``diện tích``,
  ``với``, ``tại`` …);
* prose ``Dự án …``: kind word + its capitalised run (the sentence is the block); also after the
  ``prose_openers`` of ``projects.yaml`` (``đầu tư xây dựng …``, ``quy hoạch chi tiết tỷ lệ 1/500 …``;
  not after ``kêu gọi`` / ``thu hút`` / ``xúc tiến``), where further works listed in the same sentence
  (``, ``, ``;``, ``và``) are projects too, routes only when the sentence gives a scale, and a place
  inside the name is not the work's place. A sentence ending with ``:`` takes the list items below it
  into its block (their scale; their places only from items that say where: ``Đi qua …``,
  ``Điểm đầu …``, ``Địa điểm …``). A name stops at the line's end and before a unit (``TP``,
  ``Thành phố``, ``Tỉnh`` …); a name cut by a mis-cased word (``Lào cai``) takes the full name the text
  gives elsewhere. Works quoted in a numbered definition (``5. X là …``) and project boards
  (``Ban Quản lý dự án …``) are not projects.

A prose project's block also takes the list items after a short lead paragraph ending with ``:``
that names nothing (``Trong đó, có một số nội dung như sau:``), and the paragraphs of its section that
open by naming it again under another writing of its kind (``sân bay Ninh Bình`` for ``Cảng hàng
không quốc tế Ninh Bình``: their places, and their scale when its block has none); ``tỉnh X cũ`` is
the province before the 2025 merger (an undated page saying so speaks after it). A kind numbered
within a unit (``unit_named_kinds``: ``đường Vành đai 4 TP HCM``) keeps the unit after the number;
a site area in m² after ``quy mô`` is read in ha. The work of an approved plan (``phê duyệt quy hoạch
cảng hàng không quốc tế X``) takes, when its sentence gives no scale, the figures of the list items of
its section (the plan's goals for each period, ``tầm nhìn đến năm 2050 như sau: - Công suất: …``). A
plan of a numbered segment names its work too (``Quy hoạch phân đoạn 2 Khu đô thị phía Tây Vành đai 4``;
``Vành đai N`` belongs to the name). A field's block ends at the next heading the structure model
located; a part of the site (``trên phần diện tích 50 ha``) is no scale.

A kind word opens a name only when a capitalised word or a number follows within three words
(``Cảng hàng không quốc tế Gia Bình``, ``Tuyến tàu điện đô thị đoạn 1``), never a generic kind,
and never when a class word follows it (``Cầu loại 1 - Cầu cạn``, ``cảng biển loại I``: a list of
kinds, ``class_words``). A unit that opens a name belongs to it (``đường cao tốc Thành phố Hồ Chí
Minh - Trung Lương``); ``công trình`` is a lead word, ``đường bộ`` stays when it begins the kind
(``Dự án xây dựng công trình đường bộ cao tốc X``). The general plan of a work names it too
(``Nhiệm vụ Quy hoạch chung Khu du lịch quốc gia X``). Writings of one work that differ only in
the forms of ``same_writings`` (``đường cao tốc`` / ``cao tốc``, ``Thành phố Hồ Chí Minh`` /
``TPHCM``) are one project, labelled by a field, list or table, else by the first mention. A work
named in a plan that contains the sentence's subject (``Phân khu 3 trong đồ án quy hoạch chung xây
dựng Khu kinh tế X … 1.250 ha``) takes no scale from that sentence.

Each project gets ``a qh:Project, qh:<Kind>``, a Vietnamese label (lead words dropped), the
document that lists it (``qh:listedIn``), its place and scale read in its **block** (the item's
line; for a field or title the text up to the next heading): units resolved at the document's
date (``qh:locatedIn``; the province of a provincial document when a list names none), and
``qh:hasScale`` nodes (measure length/area/capacity/passengers/cargo/investment, value or
min/max, unit km/ha/MW/passengers/year/tonnes/year/VND) from the quantities of the block.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml
from rdflib import RDF, Literal, URIRef

from quyhoach.loaders.extract import mentions
from quyhoach.loaders.extract._shared import decimal_literal, prefiltered, province_code
from quyhoach.loaders.extract.citations import main_mention
from quyhoach.loaders.extract.numbers import Quantity, find_quantities
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.namespaces import ID, QH
from quyhoach.text import VI_UPPER, slugify


@dataclass(frozen=True)
class _Vocab:
    kinds: tuple[tuple[str, str], ...]
    kind_re: re.Pattern
    lead_re: re.Pattern
    field_re: re.Pattern
    stop_re: re.Pattern
    group_re: re.Pattern
    groups: dict[str, str]
    strict: frozenset[str]
    opener_re: re.Pattern
    routes: frozenset[str]
    class_words: frozenset[str]
    writings: tuple[tuple[re.Pattern, str], ...]
    unit_named: frozenset[str]


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    data = yaml.safe_load((resources.files("quyhoach.loaders.extract") / "projects.yaml").read_text(encoding="utf-8"))
    kinds = tuple(sorted(((k.lower(), v) for k, v in data["kinds"].items()), key=lambda kv: -len(kv[0])))
    alt = "|".join(re.escape(k) for k, _ in kinds)
    lead = "|".join(re.escape(w) for w in sorted(data["lead_words"], key=len, reverse=True))
    fields = "|".join(re.escape(w) for w in data["name_fields"])
    stops = "|".join(re.escape(w) for w in sorted(data["name_stops"], key=len, reverse=True))
    groups = {k.lower(): v for k, v in data.get("group_kinds", {}).items()}
    heads = "|".join(re.escape(w) for w in sorted([*groups, *(k for k, _ in kinds)], key=len, reverse=True))
    return _Vocab(
        kinds=kinds,
        kind_re=re.compile(rf"(?i:{alt})(?![\wÀ-ỹ])"),
        lead_re=re.compile(rf"^(?:(?i:{lead})[\s,]+)+"),
        field_re=re.compile(rf"(?im)^[\s\-+*]*(?:(?:\d+\.|\(\d+\))[\s*]*)?(?:{fields})\s*:[\s*]*"),
        stop_re=re.compile(rf"\s(?i:{stops})(?![\wÀ-ỹ])"),
        group_re=prefiltered(rf"(?i:{heads})(?![\wÀ-ỹ])"),  # prefiltered: it scans clauses
        groups=groups,
        strict=frozenset(k.lower() for k in data.get("strict_kinds", [])),
        opener_re=prefiltered(
            r"(?<!kêu gọi )(?<!thu hút )(?<!xúc tiến )(?<![\wÀ-ỹ])(?i:"
            + "|".join(re.escape(w) for w in sorted(data.get("prose_openers", []), key=len, reverse=True))
            + r")(?:\s+\d{1,2}(?![\d/.,]))?\s+"  # "quy hoạch phân đoạn 2 Khu đô thị …"
        ),
        routes=frozenset(data.get("routes_need_scale", [])),
        class_words=frozenset(w.lower() for w in data.get("class_words", [])),
        writings=tuple((re.compile(rf"(?<![\wÀ-ỹ]){p}(?![\wÀ-ỹ])"), w) for p, w in data.get("same_writings", {}).items()),
        unit_named=frozenset(w.lower() for w in data.get("unit_named_kinds", [])),
    )


@dataclass
class Found:
    """One project mention: name span, class, and the block its place and scale are read in."""

    start: int
    end: int
    cls: str
    block: tuple[int, int]
    listed: bool = False  # from a list, field or table (the list's province applies)
    scales: list = field(default_factory=list)
    label: str = ""  # the name when it is not the text of the span ("Ô Môn III" for "III")
    places_in_name: bool = True  # whether a unit inside the name is the project's place
    place_end: int | None = None  # the places are read up to here (the rest of the block: scale only)
    place_items: list = field(default_factory=list)  # items past ``place_end`` that say where it is
    scaled: bool = True  # whether the figures of the block are its scale (not for a container)
    planned: bool = False  # the work of an approved plan ("phê duyệt quy hoạch cảng hàng không X")
    place_fallback: tuple[int, int] | None = None  # where its places are read when its block names none
    area_cells: list = field(default_factory=list)  # figure cells of a list row: its area in ha
    titled: bool = False  # named in the page's title (its places and scale: its subject paragraphs)
    subjects: list = field(default_factory=list)  # the paragraphs that have it as their subject


_ITEM_RE = re.compile(r"(?m)^[ \t]*(?:\(\d+\)|\d+[.)]|[a-zđ]\)|[-+•*])[ \t]*")
_HEADING_RE = re.compile(r"(?m)^#{1,6}[ \t]+")
_NAME_END_RE = re.compile(r"[;:,(\n\t]|(?<!TP)(?<!TX)\.(?!\d)|\s[-–—]\s*$")
_WORD_RE = re.compile(r"[\wÀ-ỹ]+")


def _kind_at(text: str, pos: int) -> tuple[int, str] | None:
    """(end, class) of a kind word starting exactly at ``pos`` that a proper name follows."""
    m = _vocab().kind_re.match(text, pos)
    if m is None:
        return None
    word = m.group(0).lower()
    cls = next(c for k, c in _vocab().kinds if k == word)
    window = re.split(r"[\t\n|]", text[m.end() : m.end() + 60], maxsplit=1)[0]
    words = _WORD_RE.findall(window)[:3]
    if not any(w[0].isupper() or w[0].isdigit() for w in words):
        return None
    if words and words[0].lower() in _vocab().class_words:
        return None  # "Cầu loại 1", "cảng biển loại I": a class of works, not a work
    if word in _vocab().strict and not (words and words[0][0].isupper() and window[:1] == " "):
        return None
    return m.end(), cls


def work_at(text: str, pos: int) -> bool:
    """Whether a named work (a kind word of ``projects.yaml`` and its proper name) starts at ``pos``."""
    return _kind_at(text, pos) is not None


def _strip_lead(text: str, pos: int, end: int) -> int:
    """``pos`` past the lead words (``Dự án đầu tư xây dựng công trình``); a lead word that begins
    a kind word (``đường bộ`` of ``đường bộ cao tốc``) stays."""
    m = _vocab().lead_re.match(text[pos:end])
    if m is None:
        return pos
    stop = pos + m.end()
    i = pos
    while i < stop:
        k = _vocab().kind_re.match(text, i)
        if k is not None and k.end() > stop:
            return i
        w = re.compile(r"[\wÀ-ỹ]+[\s,]*").match(text, i)
        if w is None:
            break
        i = w.end()
    return stop


def _delimited_end(text: str, start: int, limit: int) -> int:
    """End of a name in a list item or field: delimiter or name-ending word."""
    m = _NAME_END_RE.search(text, start, limit)
    end = m.start() if m else limit
    s = _vocab().stop_re.search(text, start + 3, end)
    if s is not None:
        end = s.start()
    return end


#: The next word of a name in prose, on the same line (a dash may join two parts).
_NAME_WORD = re.compile(r"[ \t\u00a0]*(?:[-–—][ \t\u00a0]*)?([\wÀ-ỹ]+)")


def _unit_named(text: str, start: int, kind_end: int) -> bool:
    """Whether the kind word at ``text[start:kind_end]`` is numbered within a unit (``unit_named_kinds``)."""
    return " ".join(text[start:kind_end].lower().split()) in _vocab().unit_named


def _capitalised_end(text: str, start: int, limit: int, unit_named: bool = False) -> int:
    """End of a kind word's proper name in prose: capitalised words, numbers, dashes, ``kV``; for a
    kind numbered within a unit (``unit_named``), the unit right after the number too."""
    i = start
    end = start
    pending_lower = 0
    while i < limit:
        m = _NAME_WORD.match(text, i)
        if m is None:
            break
        w = m.group(1)
        if end > start and (w in _UNIT_ABBREVIATIONS or _UNIT_WORDS.match(text, m.start(1))):
            if unit_named and text[end - 1 : end].isdigit():
                # "đường Vành đai 4 TP HCM": the ring road's number counts within the city
                unit_named = False
                unit = _UNIT_WORDS.match(text, m.start(1))
                end = i = (unit.end() - 1) if unit is not None else m.end()
                continue
            break  # "khu công nghiệp Đông Anh TP Hà Nội": the unit after the name is its place
        unit = _UNIT_WORDS.match(text, m.start(1)) if end == start else None
        if unit is not None and _NAME_WORD.match(text, unit.end() - 1):
            # a unit that opens the name is part of it: "cao tốc Thành phố Hồ Chí Minh - Trung Lương"
            end = i = unit.end() - 1
            continue
        if w[0].isupper() or w[0].isdigit() or w in {"kV", "MW"} or (w == "đai" and text[end - 4 : end] == "Vành"):
            end = m.end()  # "… phía Tây Vành đai 4": a ring road's name inside the name
            pending_lower = 0
        elif pending_lower < 2 and end == start:
            pending_lower += 1
        else:
            break
        i = m.end()
    return end


#: Before a plan's opener: the plan (and its work) is where the sentence's subject lies.
_CONTAINER_RE = re.compile(r"(?<![\wÀ-ỹ])(?i:trong|thuộc|của)\s+(?:(?i:đồ án|nhiệm vụ)\s+)?(?:(?i:điều chỉnh)\s+)?$")
#: Between two works of a list in a sentence.
_LIST_SEPARATOR = re.compile(r"\s*(?:[,;]\s*(?:và\s+)?|\s+và\s+)(?:các\s+)?")
#: Abbreviated unit words that end a name written in capitals ("… Đông Anh TP Hà Nội").
_UNIT_ABBREVIATIONS = frozenset({"TP", "TX", "Tp"})


#: A numbered definition ("5. Quy hoạch vùng phụ cận ga đường sắt là quy hoạch … thuộc Dự án …"):
#: the works it names are quoted to define a term, not projects of the text.
_DEFINITION = re.compile(r"[ \t]*(?:\d+[.)]|[a-zđ]\))[ \t]+[^\n,.;:]{3,100}?\slà\s")


def _in_definition(text: str, pos: int) -> bool:
    """Whether ``pos`` lies in a numbered definition (the line opens "N. <term> là …")."""
    return _DEFINITION.match(text, text.rfind("\n", 0, pos) + 1, pos) is not None


#: Unit words that end a capitalised name ("… đô thị Thành phố Hà Nội", "… Tỉnh Lào Cai").
_UNIT_WORDS = re.compile(r"(?:Thành phố|Tỉnh|Huyện|Quận)\s")
#: A list item line after a sentence that introduces it ("… dự án X:" then "- Có điểm đầu …").
_FOLLOWING_ITEM = re.compile(r"\n+[ \t]*(?:[-+•]|\(?\d+[.)]|[a-zđ]\))[^\n]*")


#: An item that says where a work is ("Đi qua 9 tỉnh, thành gồm: …", "Điểm đầu tại …", "Địa điểm: …").
_PLACE_ITEM = re.compile(r"(?i:đi qua|qua địa bàn|địa điểm|vị trí|điểm đầu|điểm cuối)")


#: A short paragraph that only introduces the list after it ("Trong đó, có một số nội dung như sau:").
_LEAD_PARAGRAPH = re.compile(r"\n+[ \t]*[^\n\d]{3,80}:[ \t]*(?=\n)")


def _names_something(lead: str) -> bool:
    """A capitalised word past a paragraph's first: the lead names something of its own."""
    return any(w[:1].isupper() for w in _WORD_RE.findall(lead)[1:])


def _introduced_block(text: str, s0: int, s1: int) -> tuple[int, int]:
    """The sentence ``text[s0:s1]``, with the list items that follow it when it ends with a colon,
    or when the paragraph right after it is a short lead that ends with one (``Trong đó, có một số
    nội dung như sau:``) and names nothing of its own (no capitalised word past its first)."""
    if not text[s0:s1].rstrip().endswith(":"):
        lead = _LEAD_PARAGRAPH.match(text, s1)
        if lead is None or _names_something(lead.group()) or not _FOLLOWING_ITEM.match(text, lead.end()):
            return s0, s1
        s1 = lead.end()
    end = s1
    while (m := _FOLLOWING_ITEM.match(text, end)) is not None:
        end = m.end()
    return s0, end


#: A field line of a fact sheet ("Chủ đầu tư: …", "Tổng diện tích đất: Gần 28.000m²") or an item under one.
_FACT_LINE = re.compile(r"\n+(?:[ \t]*[^\n:.;]{2,40}:[^\n]*|[ \t]*[-+•][^\n]*)")


def _fact_sheet_end(text: str, s0: int, s1: int) -> int:
    """A line that only names a work (``(*) Thông tin tổng quan dự án X``, no closing stop) followed
    by field lines: its block runs over the fields."""
    line = text[s0:s1].rstrip()
    if not line or line[-1] in ".;:!?" or "\n" in line:
        return s1
    end = s1
    while (m := _FACT_LINE.match(text, end)) is not None:
        end = m.end()
    return end


def _place_items(text: str, sentence_end: int, block_end: int) -> list[tuple[int, int]]:
    """The items of an introduced list that say where the work is."""
    return [(m.start(), m.end()) for m in _FOLLOWING_ITEM.finditer(text, sentence_end, block_end)
            if _PLACE_ITEM.search(m.group())]


def _block_end(text: str, pos: int, limit: int = 3000, headings: tuple[int, ...] = ()) -> int:
    """Where the block from ``pos`` ends: the next heading (a ``#`` line, or one of ``headings``,
    the starts of the headings the structure model located), else ``limit`` characters on."""
    end = min(len(text), pos + limit)
    h = _HEADING_RE.search(text, pos + 1, end)
    end = h.start() if h else end
    k = bisect_right(headings, pos)
    return min(end, headings[k]) if k < len(headings) else end


#: ``dự án`` in prose, not in ``Ban Quản lý dự án``: the same matches as
#: ``(?<!Ban Quản lý )(?<!Ban quản lý )(?i:dự án)\s+``, written with its first letter before the
#: look-behinds so that the regex engine skips to the next ``d`` in C (``(?i:d)`` is ``[dD]``).
_PROSE_PROJECT_RE = re.compile(r"[dD](?<!Ban Quản lý [dD])(?<!Ban quản lý [dD])(?i:ự án)\s+")


#: The opener of a plan of one work ("phê duyệt quy hoạch cảng hàng không quốc tế X").
_PLAN_OPENER = re.compile(r"(?i:phê duyệt quy hoạch)\s*$")
#: A list item of a section (its scale lines: "- Công suất: khoảng 10 triệu hành khách/năm").
_SECTION_ITEM = re.compile(r"(?m)^[ \t*]*[-+•][^\n]*")


def _section_items(text: str, f: Found, headings: tuple[int, ...] = ()) -> list[tuple[int, int]]:
    """The list items of the section of a planned work, after its sentence: the plan's goals
    ("mục tiêu quy hoạch … như sau: - Công suất: …; tầm nhìn đến năm 2050 như sau: - Công suất: …")."""
    return [(m.start(), m.end()) for m in _SECTION_ITEM.finditer(text, f.block[1], _block_end(text, f.end, headings=headings))]


#: The next numbered item of a list numbered "(1)" or "1." ("(2) Cảng trung chuyển quốc tế Cần Giờ").
_NEXT_NUMBERED = {"(": re.compile(r"\n[ \t*]*\(\d{1,2}\)"), "": re.compile(r"\n[ \t*]*\d{1,2}[.)][ \t]")}


#: A paragraph after a line, and how a sentence paragraph ends.
_PARAGRAPH = re.compile(r"\n+([^\n]+)")
_SENTENCE_ENDS = (".", ";", ":", "!", "?", "…")


def _heading_item_end(text: str, m: re.Match, name_end: int, line_end: int, headings: tuple[int, ...]) -> int:
    """Where the block of a list item ends: its line, or, for a numbered item that only names the
    work (``(2) Cảng trung chuyển quốc tế Cần Giờ``: the heading of its paragraphs), the next item
    of the same numbering or the next heading."""
    mark = text[m.start() : m.end()].strip(" \t*")
    if text[name_end:line_end].strip(" *") or not mark[:1].isdigit() and not mark.startswith("("):
        return line_end
    limit = _block_end(text, line_end, headings=headings)
    nxt = _NEXT_NUMBERED["(" if mark.startswith("(") else ""].search(text, line_end, limit)
    limit = nxt.start() if nxt else limit
    end = line_end
    while (p := _PARAGRAPH.match(text, end, limit)) is not None and p.group(1).rstrip(" *").endswith(_SENTENCE_ENDS):
        end = p.end()  # its paragraphs: sentences, up to a heading or caption (a line with no closing stop)
    return end
#: After a name: what it is to become ("… trở thành động lực tăng trưởng").
_BECOMES = re.compile(r"\s+(?i:trở thành)\s")


def find_projects(text: str, headings: tuple[int, ...] = ()) -> list[Found]:
    """Project mentions of ``text`` (fields, list items, titles/headings, prose ``Dự án``);
    ``headings``: the starts of the text's headings (a field's block ends at the next)."""
    out: list[Found] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, cls: str, block: tuple[int, int], listed: bool, places_in_name: bool = True) -> None:
        name = text[start:end].strip(" .*")
        if len(name) < 4 or any(s <= start < e for s, e in taken):
            return
        end = start + len(text[start:end].rstrip(" .*"))
        taken.append((start, end))
        out.append(Found(start, end, cls, block, listed, places_in_name=places_in_name))

    for m in _vocab().field_re.finditer(text):
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        s = _strip_lead(text, m.end(), line_end)
        k = _kind_at(text, s)
        if k is None:
            continue
        add(s, _delimited_end(text, k[0], line_end), k[1], (m.start(), _block_end(text, m.end(), headings=headings)), True)
    for m in _ITEM_RE.finditer(text):
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        s = _strip_lead(text, m.end(), line_end)
        k = _kind_at(text, s)
        if k is None:
            continue
        end = _delimited_end(text, k[0], line_end)
        if _BECOMES.search(text, k[0], end):
            continue  # "- Xây dựng Khu kinh tế X trở thành động lực …": an aim for the work, not a listed work
        add(s, end, k[1], (m.start(), _heading_item_end(text, m, end, line_end, headings)), True)
    for m in _PROSE_PROJECT_RE.finditer(text):
        s = _strip_lead(text, m.start(), min(len(text), m.start() + 80))
        k = _kind_at(text, s)
        if k is None:
            continue
        sentence = mentions.sentence_at(text, m.start())
        s0, s1 = _introduced_block(text, *sentence)
        s1 = _fact_sheet_end(text, s0, s1)
        end = _capitalised_end(text, k[0], min(len(text), k[0] + 120), _unit_named(text, s, k[0]))
        if end > k[0] and not _in_definition(text, m.start()):
            add(s, end, k[1], (s0, s1), False)
            if s1 > sentence[1] and out and out[-1].start == s:
                out[-1].place_end, out[-1].place_items = sentence[1], _place_items(text, sentence[1], s1)
    for m in _vocab().opener_re.finditer(text):
        s = _strip_lead(text, m.end(), min(len(text), m.end() + 80))
        k = _kind_at(text, s)
        if k is None:
            continue
        sentence = mentions.sentence_at(text, m.start())
        s0, s1 = _introduced_block(text, *sentence)
        if _in_definition(text, m.start()):
            continue
        # "Phân khu 06 trong đồ án điều chỉnh quy hoạch chung xây dựng Khu kinh tế X … 2.620 ha": the
        # work contains what the sentence measures
        container = _CONTAINER_RE.search(text, max(s0, m.start() - 40), m.start()) is not None
        # a list in the sentence: "đầu tư xây dựng nhà máy điện A, cảng hàng không B; khu công nghiệp C"
        while k is not None:
            end = _capitalised_end(text, k[0], min(len(text), k[0] + 120), _unit_named(text, s, k[0]))
            if end == k[0]:
                break  # a kind without a name ("quy hoạch chi tiết xây dựng khu công nghiệp (nếu cần)")
            if k[1] not in _vocab().routes or _scales(text, s0, s1):
                # a work named in passing: its place is what the sentence says of it, not the ends in its name
                add(s, end, k[1], (s0, s1), False, False)
                if s1 > sentence[1] and out and out[-1].start == s:
                    out[-1].place_end, out[-1].place_items = sentence[1], _place_items(text, sentence[1], s1)
                if container and out and out[-1].start == s:
                    out[-1].scaled = False
                if out and out[-1].start == s and _PLAN_OPENER.search(m.group()):
                    out[-1].planned = True
            sep = _LIST_SEPARATOR.match(text, end, s1)
            if sep is None:
                break
            s = _strip_lead(text, sep.end(), min(s1, sep.end() + 80))
            k = _kind_at(text, s)
    return out


#: Opens a list of examples or members: "(như: A, B, …)", "như: A, B", "gồm: A, B", "(A, B, C)".
_EXAMPLES_RE = prefiltered(r"\((?:như|gồm|bao gồm)?:?\s*|\b(?:như|gồm|bao gồm):\s*", re.IGNORECASE)
#: Ends an example list.
_EXAMPLES_END_RE = re.compile(r"[;:)\n]|\.\.\.|…|\.(?!\d)(?=\s|$)")
#: An item that only continues the previous name's numbering ("Ô Môn II, III, IV").
_CONTINUATION_RE = re.compile(r"(?:[IVX]+|\d+)")


def _split_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the comma- (or ``và``-) separated items of ``text[start:end]``, brackets kept inside items."""
    items, depth, pos = [], 0, start
    i = start
    while i < end:
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and (ch == "," or text.startswith(" và ", i)):
            items.append((pos, i))
            pos = i + (1 if ch == "," else 4)
        i += 1
    items.append((pos, end))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())) for s, e in items]


def example_projects(text: str) -> list[Found]:
    """Projects named bare in a list after a project head: "các dự án nguồn điện … (như: Thủy
    điện Nậm Củm 4, Hòa Bình MR, Nhơn Trạch 3, …)", "các nhà máy: LNG Quảng Ninh, LNG Thái Bình".

    An item takes the class of its own kind word, else the head's (``group_kinds`` of
    ``projects.yaml``); it must open with a capital, and a bare numeral continues the previous
    name ("Ô Môn II, III" = Ô Môn III). The brackets after an item's name are the block its place
    and scale are read in (a place inside the name is not read as the project's place).
    """
    vocab = _vocab()
    out: list[Found] = []
    for m in _EXAMPLES_RE.finditer(text):
        clause_start = max(text.rfind(";", 0, m.start()), text.rfind("\n", 0, m.start()),
                           text.rfind(". ", 0, m.start()), m.start() - 400) + 1
        heads = list(vocab.group_re.finditer(text, clause_start, m.start()))
        head_cls = vocab.groups.get(heads[-1].group(0).lower()) if heads else None
        bare = m.group(0).strip() == "("  # "(A, B, C)": only items with a kind word of their own
        if bare:
            head_cls = None
        stop = _EXAMPLES_END_RE.search(text, m.end())
        end = stop.start() if stop else len(text)
        if text[m.start()] == "(" and stop is not None and text[stop.start()] != ")":
            close = text.find(")", m.end())
            if close != -1 and "\n" not in text[m.end() : close]:
                end = close
        end = min(end, m.end() + 600)
        items = _split_items(text, m.end(), end)
        if len(items) < 2 or (head_cls is None and not bare and not heads):
            continue
        previous: str | None = None
        batch: list[Found] = []
        for s, e in items:
            bracket = text.find("(", s, e)
            name_end = bracket if bracket != -1 else e
            name_end = s + len(text[s:name_end].rstrip(" .…"))
            name = text[s:name_end]
            if not name.strip(" .…"):
                continue  # the empty place of "A, B, ..."
            continues = bool(_CONTINUATION_RE.fullmatch(name)) and previous is not None
            if not (name[0].isupper() or continues) or len(name) > 60 or len(name.split()) > 7:
                batch = []
                break
            own = _kind_at(text, s)
            if bare and own is None and not continues:
                batch = []
                break
            cls = own[1] if own is not None else head_cls
            block = (name_end, e)  # the brackets after the name, not the name ("LNG Quảng Ninh")
            if continues:
                name = previous.rsplit(" ", 1)[0] + " " + name
                batch.append(Found(s, name_end, cls or "", block, True, label=name))
            elif cls is not None:
                batch.append(Found(s, name_end, cls, block, True))
            previous = name
        out.extend(f for f in batch if f.cls)
    return out


#: A numbering cell of a table row: an item number (``7``) or a section number (``II``).
_NUMBER_CELL = re.compile(r"\s*(?:\d{1,3}|[IVX]{1,5})\.?\s*")
_ROMAN_CELL = re.compile(r"\s*[IVX]{1,5}\.?\s*")
#: A cell that is only a figure (``256``, ``186,5``), no range and no unit.
_FIGURE_CELL = re.compile(r"\s*\d{1,3}(?:\.\d{3})*(?:,\d+)?\s*")
#: Kinds whose size a list gives as an area in hectares (a figure cell without a unit).
_AREA_KINDS = frozenset({"IndustrialPark", "IndustrialCluster", "UrbanArea", "TourismArea", "TechnologyPark"})


def _row_groups(text: str, row) -> list[list]:
    """The rows of ``row``: itself, or, for a table whose lines were flattened into one row of cells
    (``I | KHU CÔNG NGHIỆP | 2.810 | 1 | Tên A | 256 | 2 | Tên B | 186,5 …``), the runs of cells that
    open with a numbering cell (an item number or a section's Roman numeral)."""
    cells = row.cells
    starts: list[int] = []
    expected = 1  # item numbers count 1, 2, 3 … and start again after a section's numeral
    for i, c in enumerate(cells[:-1]):
        cell = text[c.span.start : c.span.end].strip().rstrip(".")
        if not text[cells[i + 1].span.start : cells[i + 1].span.start + 1].isupper():
            continue
        if _ROMAN_CELL.fullmatch(cell):
            starts.append(i)
            expected = 1
        elif cell.isdigit() and int(cell) in (expected, 1):
            starts.append(i)
            expected = int(cell) + 1
    if len(starts) < 3 or starts[0] != 0:
        return [cells]
    bounds = [*starts, len(cells)]
    return [cells[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _section_kind(text: str, cells) -> str | None:
    """The class a section row names (``II | CỤM CÔNG NGHIỆP | 280 - 325``): a Roman numeral, then a
    cell that is only a kind word (or a plural head of ``group_kinds``)."""
    if len(cells) < 2 or not _ROMAN_CELL.fullmatch(text, cells[0].span.start, cells[0].span.end):
        return None
    word = " ".join(text[cells[1].span.start : cells[1].span.end].lower().split())
    word = re.sub(r"^(?:các|danh mục)\s+", "", word)
    return next((c for k, c in _vocab().kinds if k == word), None) or _vocab().groups.get(word)


def _caption_span(text: str, table) -> tuple[int, int]:
    """The paragraph right before a table (its caption: ``Bảng: Danh mục các khu công nghiệp … trong
    Khu kinh tế ven biển phía Nam Hải Phòng.``)."""
    end = text.rfind("\n", 0, table.span.start)
    while end > 0 and text[end - 1] == "\n":
        end -= 1
    return text.rfind("\n", 0, end) + 1, max(end, 0)


def table_projects(text: str, structure) -> list[Found]:
    """One project per table row whose name cell opens with a kind word (after the lead words);
    the row is the block its place and scale are read in. Under a section row that names a kind
    (``I | KHU CÔNG NGHIỆP``) every numbered row is a work of that kind, named by its name cell as
    written (``Tiên Lãng 1``; a kind word of its own names the site: ``Sân bay Tiên Lãng Khu A`` is a
    park); a row that names no place takes the places of the table's caption, and a lone figure cell
    after the name of a park, cluster or area is its area in ha."""
    out: list[Found] = []
    if structure is None:
        return out
    for table in structure.tables:
        caption = _caption_span(text, table)
        section: str | None = None
        for row in table.body or table.rows:
            groups = _row_groups(text, row)
            if not table.body and len(groups) == 1:
                continue  # a lone row is a header, unless it is a flattened table
            for cells in groups:
                kind = _section_kind(text, cells)
                if kind is not None:
                    section = kind
                    continue
                span = (cells[0].span.start, cells[-1].span.end)
                for idx, cell in enumerate(cells):
                    s = _strip_lead(text, cell.span.start, cell.span.end)
                    while s < cell.span.end and text[s] in " *":
                        s += 1
                    k = _kind_at(text, s)
                    numbered = section is not None and idx == 1 and _NUMBER_CELL.fullmatch(text, cells[0].span.start, cells[0].span.end)
                    if k is None and not (numbered and text[s : s + 1].isupper()):
                        continue
                    end = _delimited_end(text, k[0] if k is not None else s, cell.span.end)
                    f = Found(s, end, section if numbered else k[1], span, True)
                    if section is not None:
                        f.places_in_name = False  # a bare name is often its commune's ("Trấn Dương - Hòa Bình")
                        f.place_fallback = caption
                        if f.cls in _AREA_KINDS:
                            f.area_cells = [(c.span.start, c.span.end) for c in cells[idx + 1 :]
                                            if _FIGURE_CELL.fullmatch(text, c.span.start, c.span.end)][:1]
                    out.append(f)
                    break
    return out


_MEASURES = {"km": "length", "ha": "area", "m²": "area", "m2": "area", "mw": "capacity", "gw": "capacity"}
_INVEST_RE = re.compile(r"(?i:(?:tổng\s+)?vốn đầu tư|tổng mức đầu tư|chi phí đầu tư)")
_PART_RE = re.compile(r"(?i:trong đó|vốn góp|vốn vay|đoạn qua|rừng|phần diện tích)")
_PERIOD_RE = re.compile(r"(?i:thời kỳ|giai đoạn|tầm nhìn|năm \d{4})")
#: A later period named between two figures of one measure.
_VISION_RE = re.compile(r"(?i:tầm nhìn(?: đến)? năm \d{4})")


#: Before a distance ("Cách trung tâm phường Dương Đông khoảng 10km").
_DISTANCE_RE = re.compile(r"(?<![\wÀ-ỹ])(?i:cách)\s")


@dataclass
class _Scale:
    measure: str
    unit: str
    value: Decimal | None
    min: Decimal | None
    max: Decimal | None
    start: int
    end: int


def _measure(q: Quantity, before: str, after: str) -> tuple[str, str, Decimal] | None:
    """(measure, unit, factor) of a quantity, or ``None`` when it is no project scale."""
    unit = q.unit.lower().strip()
    near = before[-60:].lower()
    if re.match(r"\s*(?:hành khách|lượt khách|khách)", after) or "khách" in unit:
        return "passengers", "passengers/year", q.scale if unit in {"triệu", "nghìn"} else Decimal(1)
    if re.match(r"\s*tấn", after) and unit in {"triệu", "nghìn", ""} and (
        re.search(r"(?i:thông qua|hàng hóa|hàng hoá)", before[-120:]) or re.match(r"\s*tấn\s+(?i:hàng hóa|hàng hoá)", after)
    ):
        return "cargo", "tonnes/year", q.scale
    if q.is_money:
        m = None
        for hit in _INVEST_RE.finditer(before[-100:]):
            m = hit
        if m is not None and not _PART_RE.search(before[-100:][m.end() :]):
            return "investment", "VND", q.scale
        return None
    if unit not in _MEASURES or after.startswith("/"):
        return None
    measure = _MEASURES[unit]
    if _PART_RE.search(before[-40:]):
        return None
    if measure == "length" and _DISTANCE_RE.search(before[-40:]):
        return None  # "cách trung tâm … khoảng 10km": how far it is, not how long
    if measure == "area" and not re.search(r"(?i:diện tích|quy mô)", near):
        return None
    if unit in ("m²", "m2"):
        # the site of the work ("quy mô dự án … với diện tích khoảng 52.858,7 m²" = 5,28587 ha), not
        # the floor area of one of its buildings ("Diện tích xây dựng nhà ga … 2.668 m2")
        if not re.search(r"(?i:quy mô|diện tích đất)", before) or re.search(r"(?i:xây dựng|sàn|nhà ga|công trình)", near[-40:]):
            return None
        return measure, "ha", Decimal("0.0001")
    factor = Decimal(1000) if unit == "gw" else Decimal(1)
    return measure, "MW" if measure == "capacity" else unit, factor


def _scales(text: str, start: int, end: int, within: list[tuple[int, int]] | None = None) -> list[_Scale]:
    """Scale figures of a block: ranges "từ A đến B" joined; per measure the first figure, and
    later ones only for another period ("…/năm thời kỳ 2021-2030; … tầm nhìn đến năm 2050", or a
    period named between the two: "… tầm nhìn đến năm 2050 như sau: - Công suất: …"). ``within``:
    only figures inside these spans count."""
    raw: list[_Scale] = []
    for q in find_quantities(text[start:end], start):
        if q.is_year:
            continue
        if within is not None and not any(a <= q.start < b for a, b in within):
            continue
        found = _measure(q, text[max(start, q.start - 120) : q.start], text[q.end : q.end + 20])
        if found is None:
            continue
        measure, unit, factor = found
        s = _Scale(measure, unit, q.value * factor if q.value is not None else None,
                   q.min * factor if q.min is not None else None, q.max * factor if q.max is not None else None,
                   q.start, q.end)
        prev = raw[-1] if raw else None
        if (prev is not None and prev.measure == measure and prev.value is not None and s.value is not None
                and re.fullmatch(r"[\s\w]{0,20}?\s*đến\s*", text[prev.end : q.start])
                and re.search(r"(?i:từ)\s*$", text[max(start, prev.start - 6) : prev.start + 3])):
            prev.min, prev.max, prev.value, prev.end = prev.value, s.value, None, s.end
            continue
        raw.append(s)
    out: list[_Scale] = []
    for s in raw:
        last = next((o for o in reversed(out) if o.measure == s.measure), None)
        if last is None:
            out.append(s)
        elif _PERIOD_RE.search(text[s.end : s.end + 40]) and not _PART_RE.search(text[last.end : s.start]):
            out.append(s)
        elif _VISION_RE.search(text, last.end, s.start) and not _PART_RE.search(text[last.end : s.start]):
            out.append(s)
    return out


def _cell_areas(text: str, cells: list[tuple[int, int]]) -> list[_Scale]:
    """The area in ha of a list row's lone figure cell (``256``, ``186,5``)."""
    out: list[_Scale] = []
    for a, b in cells:
        for q in find_quantities(text[a:b], a):
            if q.value is not None and not q.unit.strip():
                out.append(_Scale("area", "ha", q.value, None, None, q.start, q.end))
    return out[:1]


def _label(text: str, f: Found) -> str:
    name = " ".join((f.label or text[f.start : f.end]).replace("*", "").split())
    return name[:1].upper() + name[1:]


def _join_cut_names(text: str, found: list[Found]) -> None:
    """A prose name cut short by a mis-cased word ("đường sắt Lào cai - …" read as "Đường sắt Lào")
    takes the longer name of the same kind that the text gives elsewhere and that it begins."""
    labels = {(f.cls, _label(text, f)) for f in found}
    for f in found:
        if f.listed:
            continue
        short = _label(text, f)
        after = " ".join(text[f.end : f.end + 120].split()).lower()
        if not after[:1].isalpha() or not after[:1].islower():
            continue  # the name ended at a stop or a capital, it was not cut
        longer = [lab for cls, lab in labels if cls == f.cls and lab.lower().startswith(short.lower() + " ")
                  and after.startswith(lab[len(short) + 1 :].lower().split()[0])]
        if longer:
            f.label = min(longer, key=len)


_DASHES = re.compile(r"\s*[-–—]\s*|\s+")


def _writing_key(f: Found, label: str) -> tuple[str, str]:
    """What two writings of one work share: the class, and the label lower-cased with dashes and
    spaces folded and the forms of ``same_writings`` (``projects.yaml``) made one."""
    key = _DASHES.sub(" ", label.lower()).strip()
    for pattern, writing in _vocab().writings:
        key = pattern.sub(writing, key)
    return f.cls, " ".join(key.split())


def _is_province_name(ctx: ExtractionContext, name: str, day) -> bool:
    """Whether ``name`` is exactly one province's name (``Hưng Yên``, ``tỉnh Hưng Yên``)."""
    if ctx.resolver is None:
        return False
    try:
        found = ctx.resolver.find_units(name, as_of=day)
    except Exception:  # noqa: BLE001 - a resolver failure must not stop extraction
        return False
    return len(found) == 1 and found[0][2].level == "province" and found[0][0] <= 5 and found[0][1] == len(name)


def _drop_trailing_places(ctx: ExtractionContext, text: str, found: list[Found], day) -> None:
    """A name that is another name of the text followed by a province (``Khu công nghiệp số 01 Hưng
    Yên`` after ``Khu công nghiệp số 01``) is that work, the province its place."""
    labels = {(f.cls, _label(text, f)) for f in found}
    for f in found:
        label = _label(text, f)
        words = label.split()
        for cut in range(max(1, len(words) - 4), len(words)):
            head, tail = " ".join(words[:cut]), " ".join(words[cut:])
            if (f.cls, head) in labels and _is_province_name(ctx, tail, day):
                f.label = head
                break


def _merge_writings(text: str, found: list[Found]) -> None:
    """Every writing of one work (``Đường cao tốc Thành phố Hồ Chí Minh - Trung Lương`` and ``cao
    tốc TPHCM Trung Lương``) takes one label, so it is one project: the name a field, list or table
    gives, else the first mention's."""
    first: dict[tuple[str, str], tuple[tuple[bool, int], str]] = {}
    for f in found:
        label = _label(text, f)
        key = _writing_key(f, label)
        rank = (not f.listed, f.start)
        if key not in first or rank < first[key][0]:
            first[key] = (rank, label)
    for f in found:
        label = first[_writing_key(f, _label(text, f))][1]
        if label != _label(text, f):
            f.label = label


#: The day the 2025 reorganisation of provinces took effect.
MERGER_DAY = date(2025, 7, 1)
#: A province named as former: "tỉnh Hà Nam cũ", "thuộc Thành phố Phủ Lý tỉnh Hà Nam cũ trước đây".
_FORMER_UNIT_RE = re.compile(rf"(?<![\wÀ-ỹ])(?i:tỉnh)\s+(?P<name>(?:[{VI_UPPER}][\wÀ-ỹ]*\s+){{1,3}}?)cũ(?![\wÀ-ỹ])")


def _former_provinces(ctx: ExtractionContext, part: str) -> list[URIRef]:
    """The provinces ``part`` names as former (``tỉnh Hà Nam cũ``), as they were before the merger."""
    if "cũ" not in part:
        return []
    out: list[URIRef] = []
    for m in _FORMER_UNIT_RE.finditer(part):
        for unit in _provinces(ctx, "tỉnh " + m["name"].strip(), MERGER_DAY - timedelta(days=1)):
            if unit not in out:
                out.append(unit)
    return out


#: What may stand before a paragraph's subject: item marks, one lead clause ("Quy mô dự kiến, ",
#: "Theo báo cáo của UBND tỉnh X trình Bộ Y, ").
_SUBJECT_LEAD_RE = re.compile(r"[\s*\-+•]*(?:[^,.;:\n]{0,80},\s*)?")


#: A name that is a number within its kind ("Khu công nghiệp số 01").
_NUMBERED_NAME = re.compile(r"số\s+\d")
#: The paragraph after a line (blank lines between).
_NEXT_PARAGRAPH = re.compile(r"\n+[^\n]+")


def _later_paragraphs(text: str, f: Found, label: str, headings: tuple[int, ...] = ()) -> list[tuple[int, int]]:
    """Paragraphs of the work's section, after it, that open by naming it again under another
    writing of its kind (``sân bay Ninh Bình`` for ``Cảng hàng không quốc tế Ninh Bình``): their
    places and, when its own block has none, their scale are the work's."""
    kinds = [k for k, c in _vocab().kinds if c == f.cls and label.lower().startswith(k + " ")]
    if not kinds or f.cls == "Project":
        return []
    proper = label[len(kinds[0]) + 1 :].strip()
    proper = re.sub(r"^(?i:quốc tế|quốc gia)\s+", "", proper)
    if len(proper) < 3 or not (proper[:1].isupper() or _NUMBERED_NAME.match(proper)):
        return []
    alt = "|".join(re.escape(k) for k, c in _vocab().kinds if c == f.cls)
    named = re.compile(rf"(?i:{alt})\s+(?:(?i:quốc tế|quốc gia)\s+)?{re.escape(proper)}(?![\wÀ-ỹ])")
    out: list[tuple[int, int]] = []
    end = _block_end(text, f.end, headings=headings)
    for m in named.finditer(text, f.block[1], end):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _SUBJECT_LEAD_RE.fullmatch(text, line_start, m.start()) is None:
            continue  # named in passing, not the paragraph's subject
        line_end = text.find("\n", m.end())
        line_end = end if line_end < 0 else min(line_end, end)
        if text[line_start:line_end].rstrip().endswith(":"):
            # "Theo đó, Khu công nghiệp số 01 … như sau:" introduces the paragraph after it
            nxt = _NEXT_PARAGRAPH.match(text, line_end, end)
            if nxt is not None:
                line_end = nxt.end()
        if not out or out[-1][1] < line_start:
            out.append((line_start, line_end))
    return out


#: Before a paragraph's subject: item marks, one lead clause, and a word for the kind of work
#: ("Tuyến cao tốc X có tổng chiều dài …", "Cây cầu X …", "Tính đến cuối tháng 4/2025, cầu X …").
_SUBJECT_OPEN = re.compile(r"[ \t*\-+•]*(?:[^,.;:\n]{0,60},[ \t]*)?(?:(?i:tuyến|cây|dự án)[ \t]+)?")
_SUBJECT_PLAIN = re.compile(r"[ \t*\-+•]*(?:(?i:tuyến|cây|dự án)[ \t]+)?")
#: A paragraph that says where a work lies or runs.
_WHERE_RE = re.compile(r"(?i:đi qua|qua địa bàn|nằm (?:tại|ở|trên)|tọa lạc|toạ lạc|nối liền|thuộc địa bàn|địa điểm|vị trí)")


def _fold(name: str) -> str:
    return " ".join(_DASHES.sub(" ", name.lower()).split())


#: How many first words of a paragraph's opening key the index (a work's name has at least two).
_KEY_WORDS = (2, 3, 4)


def _subject_index(text: str) -> dict[str, list[tuple[int, int, int]]]:
    """Paragraph openings by their first two, three and four words, lower-cased: (opening,
    paragraph start, end), with and without a lead clause (``Theo đó, …``). A name is looked up by
    its own first words (at most four), so the lines it can open are few: no scan per work."""
    index: dict[str, list[tuple[int, int, int]]] = {}
    for line in re.finditer(r"[^\n]+", text):
        a, b = line.span()
        for opener in (_SUBJECT_PLAIN, _SUBJECT_OPEN):
            o = opener.match(text, a, b).end()
            words = [w.lower() for w in _WORD_RE.findall(text, o, min(b, o + 60))[:4]]
            for n in _KEY_WORDS:
                if len(words) < n:
                    break
                key = " ".join(words[:n])
                if not index.get(key) or index[key][-1][1] != a:
                    index.setdefault(key, []).append((o, a, b))
    return index


def _subject_places(text: str, paragraphs: list[tuple[int, int]], measured: tuple[int, int] | None) -> list[str]:
    """Where a work's subject paragraphs place it: a paragraph that says where it runs (``… đi qua
    ba địa phương sau:`` with its items), the one that measures it, and the items that say where."""
    out: list[str] = []
    for a, b in paragraphs:
        line_end = text.find("\n", a, b)
        line_end = b if line_end < 0 else line_end
        if _WHERE_RE.search(text, a, line_end):
            out.append(text[a:b])
            continue
        if (a, b) == measured:
            out.append(text[a:line_end])
        out += [text[x:y] for x, y in _place_items(text, line_end, b)]
    return out


def _subject_paragraphs(text: str, label: str, index: dict) -> list[tuple[int, int]]:
    """The paragraphs (with the list items a closing colon introduces) that open with the work as
    their subject (``Cầu Nhơn Trạch là …``, ``Cây cầu Nhơn Trạch có chiều dài …``)."""
    key = " ".join(w.lower() for w in _WORD_RE.findall(label)[: _KEY_WORDS[-1]])
    want = _fold(label)
    out: list[tuple[int, int]] = []
    for o, a, b in index.get(key, ()):
        got = _fold(text[o : min(b, o + len(label) + 8)])
        if got.startswith(want) and not got[len(want) : len(want) + 1].isalnum():
            out.append(_introduced_block(text, a, b))
    return out


def _proper(label: str, cls: str) -> str:
    """A work's name without its kind words (``Gia Bình`` of ``Cảng hàng không quốc tế Gia Bình``)."""
    low = label.lower()
    kind = next((k for k, c in _vocab().kinds if c == cls and low.startswith(k + " ")), "")
    return re.sub(r"^(?:quốc tế|quốc gia)\s+", "", _fold(label[len(kind):]))


def _named_otherwise(text: str, f: Found, found: list[Found]) -> bool:
    """Whether another mention names the same work under another writing of its kind (``sân bay Gia
    Bình`` in a title, ``Cảng hàng không quốc tế Gia Bình`` in the text)."""
    proper = _proper(_label(text, f), f.cls)
    return any(o.cls == f.cls and _proper(_label(text, o), o.cls) == proper for o in found)


def _other_name(text: str, label: str, paragraph: tuple[int, int]) -> str | None:
    """The name a subject paragraph gives as the work's other writing (``Sân bay Phú Quốc hay cảng
    hàng không quốc tế Phú Quốc tọa lạc …``): its formal name."""
    m = re.compile(re.escape(label) + r"\s+(?:hay|hoặc|còn gọi là)\s+", re.IGNORECASE).search(text, *paragraph)
    if m is None:
        return None
    k = _kind_at(text, m.end())
    if k is None:
        return None
    end = _capitalised_end(text, k[0], paragraph[1])
    name = " ".join(text[m.end() : end].split())
    return name[:1].upper() + name[1:] if end > k[0] else None


def title_projects(text: str, structure, index: dict) -> list[Found]:
    """Works named in the page's title (``Cập nhật tiến độ mới nhất Cầu Nhơn Trạch nối TPHCM - Đồng
    Nai``) that a paragraph of the page has as its subject: the page is about them."""
    if structure is None or structure.page_title is None:
        return []
    t0, t1 = structure.page_title.span.start, structure.page_title.span.end
    out: list[Found] = []
    for m in _vocab().kind_re.finditer(text, t0, t1):
        if out and m.start() < out[-1].end:
            continue
        k = _kind_at(text, m.start())
        if k is None:
            continue
        end = _capitalised_end(text, k[0], t1, _unit_named(text, m.start(), k[0]))
        if end <= k[0]:
            continue
        f = Found(m.start(), end, k[1], (t0, t1), False, places_in_name=False, titled=True)
        paragraphs = _subject_paragraphs(text, _label(text, f), index)
        if paragraphs:
            f.label = _other_name(text, _label(text, f), paragraphs[0]) or ""
            f.subjects = paragraphs
            out.append(f)
    return out


def project_iri(label: str) -> URIRef:
    """``id/project/{slug}`` of a project label."""
    return ID[f"project/{slugify(label)}"]


def _provinces(ctx: ExtractionContext, text: str, day) -> list[URIRef]:
    """Province-level units named in ``text``, as valid on ``day``, in order, once each."""
    if ctx.resolver is None or not text.strip():
        return []
    try:
        found = ctx.resolver.find_units(text, as_of=day)
    except Exception:  # noqa: BLE001 - a resolver failure must not stop extraction
        return []
    out: list[URIRef] = []
    for _s, _e, m in found:
        if m.level == "province" and m.iri not in out:
            out.append(m.iri)
    if not out:
        # only districts named ("thuộc huyện Cần Giờ"): the provinces they lie in
        for _s, _e, m in found:
            parent = _parent_province(ctx, m) if m.level == "district" else None
            if parent is not None and parent not in out:
                out.append(parent)
    return out


def _parent_province(ctx: ExtractionContext, m) -> URIRef | None:
    """The province a district lies in (from the reference units)."""
    try:
        record = ctx.resolver.unit_by_iri.get(m.iri)
    except AttributeError:
        return None
    parent = getattr(record, "parent", None)
    return parent if parent is not None and "/province" in str(parent) else None


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit the projects of ``doc`` with kind, label, list, place and scale."""
    text = doc.text
    structure = doc.structure
    listed_in = ctx.main_plan or ctx.main_document or doc.iri
    headings = tuple(h.span.start for h in structure.headings) if structure is not None else ()
    found = find_projects(text, headings)
    taken = [(f.start, f.end) for f in found]
    found += [f for f in table_projects(text, structure) if not any(s <= f.start < e for s, e in taken)]
    taken = [(f.start, f.end) for f in found]
    found += [f for f in example_projects(text) if not any(s <= f.start < e for s, e in taken)]
    subjects = _subject_index(text)
    taken = [(f.start, f.end) for f in found]
    found += [f for f in title_projects(text, structure, subjects)
              if not any(s <= f.start < e for s, e in taken) and not _named_otherwise(text, f, found)]
    if not found:
        return
    main = main_mention(doc, ctx)
    day = main.date.value if main is not None and main.date is not None else ctx.as_of
    _join_cut_names(text, found)
    _drop_trailing_places(ctx, text, found, day)
    _merge_writings(text, found)
    own_province: URIRef | None = None
    if main is not None and main.issuer in {"UBND", "HĐND"}:
        title = structure.title if structure is not None else doc.title
        named = _provinces(ctx, title or doc.title or "", day)
        own_province = named[0] if named else ctx.scope_unit
    if day is None and " cũ" in text and _FORMER_UNIT_RE.search(text):
        # an undated page calling a province "tỉnh X cũ" was written after the 2025 merger
        day = MERGER_DAY
    subject_cache: dict[str, list[tuple[int, int]]] = {}
    for f in found:
        span = Span(f.start, f.end)
        if structure is not None and structure.is_furniture(span):
            continue
        label = _label(text, f)
        iri = project_iri(label)
        emitter.entity(iri, QH.Project, span, label_vi=label)
        emitter.add(iri, RDF.type, QH[f.cls], span)
        emitter.add(iri, QH.listedIn, listed_in, span)
        b0, b1 = f.block
        p1 = b1 if f.place_end is None else f.place_end
        if f.places_in_name or not b0 <= f.start < p1:
            parts = [text[b0:p1]]
        else:
            parts = [text[b0 : f.start], text[f.end : p1]]
        parts += [text[a:b] for a, b in f.place_items]
        later = [] if f.listed or f.titled else _later_paragraphs(text, f, label, headings)
        parts += [text[a:b] for a, b in later]
        own = f.subjects or ([] if f.listed else subject_cache.setdefault(label, _subject_paragraphs(text, label, subjects)))
        # the paragraphs about it: where it runs, and the one that measures it
        measured = next(((a, b) for a, b in own if _scales(text, a, b)), None)
        parts += _subject_places(text, own, measured)
        places = list(dict.fromkeys(u for part in parts for u in _provinces(ctx, part, day)))
        places += [u for part in parts for u in _former_provinces(ctx, part) if u not in places]
        if not places and f.place_fallback is not None:
            places = _provinces(ctx, text[f.place_fallback[0] : f.place_fallback[1]], day)
            if not places and ctx.scope_unit is not None and province_code(ctx):
                places = [ctx.scope_unit]  # the province the page is about
        if not places and f.listed and own_province is not None:
            places = [own_province]
        for unit in places:
            emitter.add(iri, QH.locatedIn, unit, Span(b0, b1))
        scales = _scales(text, b0, b1) if f.scaled else []
        if not scales and f.area_cells:
            scales = _cell_areas(text, f.area_cells)
        if f.scaled and not scales and measured is not None:
            scales = _scales(text, *measured)
        if f.scaled and not scales:
            for a, b in later:
                scales += [sc for sc in _scales(text, a, b) if sc.measure not in {x.measure for x in scales}]
        if f.scaled and not scales and f.planned:
            items = _section_items(text, f, headings)
            if items:
                scales = _scales(text, items[0][0], items[-1][1], items)
        for sc in scales:
            node = ID[f"scale/{slugify(label)}/{sc.measure}/{sc.start}"]
            qspan = Span(sc.start, sc.end)
            emitter.add(iri, QH.hasScale, node, qspan)
            emitter.add(node, RDF.type, QH.ScaleValue, qspan)
            emitter.add(node, QH.measure, ID[f"measure/{sc.measure}"], qspan)
            emitter.add(node, QH.measureUnit, Literal(sc.unit), qspan)
            if sc.value is not None:
                emitter.add(node, QH.value, decimal_literal(sc.value), qspan)
            else:
                emitter.add(node, QH.minValue, decimal_literal(sc.min), qspan)
                emitter.add(node, QH.maxValue, decimal_literal(sc.max), qspan)
