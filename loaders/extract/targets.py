"""Quantified development targets (chỉ tiêu): indicator, value or range, comparator, unit, year or period.

Rules (general, not tied to a seed file):

* An indicator phrase (``tốc độ tăng trưởng GRDP``, ``thu nhập bình quân đầu người``, ``tỷ lệ che phủ
  rừng`` …, see :data:`INDICATORS`) opens a *segment* that runs to the next indicator phrase or the end
  of the clause (``;`` or sentence end). The first quantity of a compatible unit in the segment is the
  target's figure; for phrases whose figure is written first (``80% số xã đạt chuẩn nông thôn mới``,
  ``trên 99% hộ dân được sử dụng điện``) the quantity right before the phrase is taken.
* A second quantity in the same segment is a further target only when introduced by ``và đạt`` (a level
  after a growth rate: ``tăng bình quân 20%/năm và đạt 2 triệu khách``) or ``riêng`` (a subgroup).
* ``tăng … X%/năm`` on a level indicator gives its ``-growth`` variant, ``tăng … X%`` its ``-increase``.
* Economic structure (``cơ cấu kinh tế … nông, lâm và thủy sản chiếm 10,3%, công nghiệp - xây dựng
  chiếm 47,5% …``) gives one target per sector.
* Time: the nearest year/period between phrase and figure, else in the clause before the phrase,
  else a period adverbial after the figure (``trong giai đoạn 2021-2030``); rates with no time
  take the plan period; levels take the last year stated earlier in the paragraph, else the plan's
  end year.
* Tables of indicators by year (the structure model's tables): one target per figure under a
  column headed by a year or period, columns of figures reached skipped (see
  :func:`_table_targets`); their rows are not read again as prose.
* A throughput written as one work's capacity (``nhà ga … công suất 500.000 hành khách/năm``, also
  in the brackets after it) or under one part of a port system is not a target of the plan.
* A phrase with no figure in its clause (a qualitative goal) is not a target; ranks
  (``trong nhóm 05 tỉnh dẫn đầu``) are not targets; nor are the thresholds of a sentence that awards
  points (``Tỉnh từ 2.000.000 người trở xuống được tính 10 điểm``: a criterion of a classification).
* Status: ``ctx.status`` (``draft`` for meetings and drafts, ``adjusted`` in a document whose
  title approves a plan's adjustment, else ``approved``); scope:
  ``ctx.scope_unit`` unless the segment names a province or region.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml
from rdflib import RDF, RDFS, XSD, Literal, URIRef

from quyhoach.loaders.documents.structure import DocumentStructure, Table, parse_structure
from quyhoach.loaders.extract._shared import (
    PERIOD_WORD_RE,
    D,
    TimeRef,
    alternation,
    alternative,
    decimal_literal,
    find_units,
    paragraph_bounds,
    plan_period,
    time_refs,
)
from quyhoach.loaders.extract.citations import quoted_document
from quyhoach.loaders.extract.dates import find_dates
from quyhoach.loaders.extract.mentions import sentence_at
from quyhoach.loaders.extract.numbers import Quantity, find_quantities
from quyhoach.loaders.extract.projects import work_at
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.namespaces import ID, QH, SKOS
from quyhoach.text import slugify


@dataclass(frozen=True)
class Indicator:
    """An indicator phrase pattern and what its figure looks like."""

    slug: str
    pattern: str
    kind: str  # 'pct' | 'money' | 'count' | 'any'
    before: bool = False  # figure written before the phrase
    label_en: str = ""


@lru_cache(maxsize=1)
def _indicators() -> tuple[Indicator, ...]:
    """Indicator phrases of ``targets.yaml``, most specific first."""
    data = yaml.safe_load((resources.files("quyhoach.loaders.extract") / "targets.yaml").read_text(encoding="utf-8"))
    return tuple(Indicator(d["slug"], d["pattern"], d["kind"], bool(d.get("before")), d.get("en", ""))
                 for d in data["indicators"])


#: Indicator phrases, most specific first. ``before`` phrases take the quantity written just before.
INDICATORS: tuple[Indicator, ...] = _indicators()

_IND_RE = alternation([ind.pattern for ind in INDICATORS], "i", re.IGNORECASE)

#: Economic-structure sectors, written after "cơ cấu kinh tế".
SECTORS: list[tuple[str, str, str]] = [
    ("agriculture", r"nông(?:, | - |-| và )?lâm(?: nghiệp)?(?:,| và|, và)? (?:ngư nghiệp|thủy sản|thuỷ sản)|nông nghiệp", "agriculture, forestry and fisheries"),
    ("industry-construction", r"công nghiệp(?:\s*[-–—]\s*|\s+và\s+|,\s*)xây dựng|công nghiệp", "industry and construction"),
    ("services", r"(?:các ngành )?dịch vụ|thương mại\s*[-–—]\s*dịch vụ", "services"),
    ("product-taxes", r"thuế sản phẩm(?: trừ trợ cấp sản phẩm)?", "product taxes less subsidies"),
]
#: Opens an economic-structure statement: "cơ cấu kinh tế …", "Tỷ trọng bình quân trong GRDP của khu vực …".
_STRUCT_RE = re.compile(r"cơ cấu (?:kinh tế|GRDP|ngành kinh tế)|t[ỷỉ] trọng (?P<avg>bình quân )?(?:trong|trên) (?:GRDP|GDP)(?: của)?",
                        re.IGNORECASE)
#: A part of the industry share given in brackets ("(trong đó công nghiệp chế biến chế tạo khoảng 22%)").
_MANUFACTURING_PART = re.compile(r"(?i:trong đó)[^;()]{0,20}?chế biến,?\s*chế tạo")
_SECTOR_RE = re.compile(
    "|".join(f"(?P<s{n}>{pat})" for n, (_, pat, _) in enumerate(SECTORS)),
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r";|\.(?=\s|$)|\n|…")
#: A clause that opens with a sector of the economic structure (after a ";").
_SECTOR_HEAD = re.compile(r"\s*(?:khu vực\s+|ngành\s+|các ngành\s+)?(?:" + "|".join(p for _, p, _ in SECTORS) + ")", re.IGNORECASE)
#: Between a figure and the next: a new year and "đạt" ("năm 2025 đạt 4.000 tỷ đồng, năm 2030 đạt 8.500 tỷ").
_NEXT_YEAR_LEVEL = re.compile(r"\bnăm\s+(?:19|20)\d\d\b[^;]*\bđạt\b", re.IGNORECASE)
#: Between a figure written first and its phrase ("đón khoảng 4,5 triệu lượt khách du lịch").
_COUNT_GAP = re.compile(r"^\s*(?:lượt\s+|người\s+)?$", re.IGNORECASE)
_RANK_RE = re.compile(r"(?:nhóm|top|tốp|xếp thứ|đứng thứ)\s*$", re.IGNORECASE)
_GROWTH_RE = re.compile(r"\btăng(?:\s+trưởng)?(?:\s+bình quân)?(?:\s+(?:mỗi năm|hằng năm|hàng năm))?[^;]*$", re.IGNORECASE)
_REDUCE_RE = re.compile(r"\bgiảm\b", re.IGNORECASE)
_BEFORE_GAP = re.compile(r"^\s*(?:số\s+|đơn vị cấp\s+|các\s+)?$", re.IGNORECASE)


@dataclass
class _Found:
    indicator: str
    quantity: Quantity
    time: TimeRef | None
    span: Span
    phrase: str
    sector: str = ""
    group: str = ""
    table: bool = False  # read from a row of a target table (its aim is the table's)


#: Physical units written after a number (the scale word before them multiplies the figure).
_PHYSICAL_RE = re.compile(r"\s*(?P<u>tấn|TEU|kWh|GW|MW|km|lượt hành khách|hành khách|lượt khách)(?![\wÀ-ỹ])", re.IGNORECASE)
_PHYSICAL_UNITS = {"tấn": "tấn", "teu": "TEU", "kwh": "kWh", "gw": "MW", "mw": "MW", "km": "km",
                   "lượt hành khách": "lượt khách", "hành khách": "lượt khách", "lượt khách": "lượt khách"}
_KIND_UNITS = {"length": {"km"}, "power": {"MW"}, "energy": {"kWh"}, "tonnes": {"tấn"}, "teu": {"TEU"},
               "passengers": {"lượt khách", "khách"}}
_RANGE_JOIN = re.compile(r"\s*(?:đến|tới|[-–—])\s*$")


def _physical(text: str, qs: list[Quantity]) -> list[Quantity]:
    """Quantities with a physical unit after them (``19,25 triệu tấn``, ``335 tỷ kWh``, ``3 GW``)
    scaled and with their unit; ``từ A tấn đến B tấn`` joined into one range."""
    out: list[Quantity] = []
    for q in qs:
        m = _PHYSICAL_RE.match(text, q.end)
        if m is not None and (q.unit in {"", "triệu", "tỷ", "nghìn", "tỉ"}):
            unit = _PHYSICAL_UNITS[m.group("u").lower()]
            factor = q.scale * (Decimal(1000) if m.group("u").lower() == "gw" else Decimal(1))
            q = replace(q, value=q.value * factor if q.value is not None else None,
                        min=q.min * factor if q.min is not None else None,
                        max=q.max * factor if q.max is not None else None,
                        unit=unit, end=m.end(), text=text[q.start : m.end()], scale=Decimal(1))
        prev = out[-1] if out else None
        if (prev is not None and prev.unit == q.unit and q.unit in _PHYSICAL_UNITS.values()
                and prev.value is not None and q.value is not None and q.comparator is None
                and _RANGE_JOIN.match(text[prev.end : q.start]) and text[prev.end : q.start].strip()):
            out[-1] = replace(prev, value=None, min=prev.value, max=q.value, end=q.end, text=text[prev.start : q.end])
            continue
        out.append(q)
    return out


def _kind_ok(kind: str, q: Quantity) -> bool:
    unit = q.unit.lower()
    if kind in _KIND_UNITS:
        return q.unit in _KIND_UNITS[kind]
    if q.unit in {"tấn", "TEU", "kWh", "MW", "km"}:
        return kind == "any"
    if kind == "pct":
        return unit.startswith("%")
    if kind == "money":
        return q.is_money
    if kind == "count":
        return not unit.startswith("%") and not q.is_money
    return True


def _usable(q: Quantity, text: str) -> bool:
    if q.is_year:
        return False
    if q.is_range and q.min is not None and 1900 <= q.min <= 2100 and not q.unit:
        return False
    if _PROVISION_BEFORE.search(text, max(0, q.start - 12), q.start):
        return False  # the number of a provision ("điểm d khoản 3 Điều 9"), not a figure
    if _UNIT_NUMBER_BEFORE.search(text, max(0, q.start - 10), q.start):
        return False  # "quy mô dân số của … Quận 12": a unit's number
    return not _RANK_RE.search(text[max(0, q.start - 12) : q.start])


_PROVISION_BEFORE = re.compile(r"\b(?:khoản|Điều|Chương|Mục|tiết|Phụ lục)\s+$")
#: The number of a numbered unit ("Quận 12", "Phường 1"), not a figure.
_UNIT_NUMBER_BEFORE = re.compile(r"(?<![\wÀ-ỹ])(?i:quận|phường)\s+$")


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_END.search(text, pos)
    return m.start() if m else len(text)


def _clause_start(text: str, pos: int) -> int:
    """End of the last clause end before ``pos`` (0 when none); a full stop right before ``pos`` counts."""
    if pos > 0 and text[pos - 1] == ".":
        return pos  # with the text cut at pos, the stop is followed by its end
    ends = _clause_ends(text)
    k = bisect_left(ends, pos)
    return ends[k - 1] + 1 if k else 0


@lru_cache(maxsize=8)
def _clause_ends(text: str) -> list[int]:
    """Positions of every clause end of ``text`` (each is one character)."""
    return [m.start() for m in _CLAUSE_END.finditer(text)]


def _last_time(text: str, start: int, end: int) -> TimeRef | None:
    refs = time_refs(text[start:end], start)
    return refs[-1] if refs else None


def _time_for(text: str, q: Quantity, phrase_start: int, phrase_end: int, seg_end: int,
              prefix_start: int, is_rate: bool, plan: TimeRef | None) -> TimeRef | None:
    lo = min(q.start, phrase_start)
    # 1. between the phrase and the figure (nearest to the figure)
    if q.start > phrase_end:
        t = _last_time(text, phrase_end, q.start)
        if t:
            return t
    # 1b. figure written first ("60% số xã đạt chuẩn … vào năm 2025"): the time after the phrase
    if q.start < phrase_start:
        after = time_refs(text[phrase_end:seg_end], phrase_end)
        if after:
            return after[0]
    # 2. in the clause before the phrase (or before the figure when it comes first)
    t = _last_time(text, prefix_start, lo)
    if t:
        return t
    # 3. a period adverbial after the figure, within the segment
    m = PERIOD_WORD_RE.search(text, q.end, seg_end)
    if m:
        return TimeRef(None, int(m.group(1)), int(m.group(2)), m.start())
    # 3b. an item of a list led by a time ("- Đến năm 2035:" then "+ Thu ngân sách: 300.000 tỷ đồng;")
    t = _list_lead_time(text, lo)
    if t:
        return t
    # 4. rates: the plan period, or the vision year of the heading above ("(2) Tầm nhìn đến năm 2050")
    if is_rate and plan:
        return _vision(text, lo, plan) or plan
    # 5. levels: last year stated earlier in the paragraph, else the plan's end year
    pstart, _ = paragraph_bounds(text, lo)
    para_refs = [r for r in time_refs(text[pstart:lo], pstart) if r.year]
    if para_refs:
        return para_refs[-1]
    # previous paragraph (headings like "các chỉ tiêu cụ thể đến năm 2030" stand above the list)
    if pstart > 1:
        qs, _ = paragraph_bounds(text, pstart - 2)
        prev = [r for r in time_refs(text[qs : pstart - 1], qs) if r.year]
        if prev:
            return prev[-1]
    if plan and plan.end_year:
        return TimeRef(plan.end_year, None, None, -1)
    return None


#: A list item line ("+ Thu ngân sách: …", "- Tạo việc làm …"): its mark.
_ITEM_MARK_RE = re.compile(r"[ \t]*([-+•*–])[ \t]")
#: How many lines a list lead may stand above an item.
LIST_LEAD_REACH = 30


def _list_lead_time(text: str, pos: int) -> TimeRef | None:
    """The time of the lead of the list whose item holds ``pos``: walking up over the items with the
    same mark (blank lines between), the first line ending with ``:`` that names a year or period
    (``- Đến năm 2035:``, ``Giai đoạn 2026 - 2030:``); ``None`` when the line is no item or the lead
    names no time."""
    start = text.rfind("\n", 0, pos) + 1
    item = _ITEM_MARK_RE.match(text, start)
    if item is None:
        return None
    mark = item.group(1)
    for _ in range(LIST_LEAD_REACH):
        if start <= 0:
            return None
        end = start - 1
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip(" \t*")
        if not line:
            continue
        other = _ITEM_MARK_RE.match(text, start)
        if other is not None and other.group(1) == mark:
            continue  # an earlier item of the same list
        if not line.endswith(":") or len(line) > 160:
            return None
        refs = [r for r in time_refs(text[start:end], start) if r.year or r.start_year]
        return refs[-1] if refs else None
    return None


#: A heading line that gives the year of the figures below it ("**(1) Mục tiêu đến năm 2030**").
_TIME_HEADING_RE = re.compile(
    r"(?im)^[^\n]{0,40}?(?:mục tiêu|tầm nhìn|định hướng)[^\n]{0,40}?(?:đến|tới) năm ((?:19|20)\d\d)[^\n\d]{0,40}$"
)


def _vision(text: str, pos: int, plan: TimeRef) -> TimeRef | None:
    """The year of the last time heading above ``pos`` when it lies beyond the plan period."""
    last = None
    for m in _TIME_HEADING_RE.finditer(text, max(0, pos - 1500), pos):
        last = m
    if last is None or plan.end_year is None or int(last.group(1)) <= plan.end_year:
        return None
    return TimeRef(int(last.group(1)), None, None, last.start(1))


def _figure_regions(text: str) -> list[tuple[int, int]]:
    """Runs of clauses that hold a digit: a phrase elsewhere has no figure in its clause."""
    ends = _clause_ends(text)
    regions: list[list[int]] = []
    last = -1
    for m in _DIGITS.finditer(text):
        k = bisect_left(ends, m.start())
        if k == last:
            continue
        last = k
        s = ends[k - 1] + 1 if k else 0
        e = ends[k] if k < len(ends) else len(text)
        if regions and regions[-1][1] >= s - 1:
            regions[-1][1] = e
        else:
            regions.append([s, e])
    return [(s, e) for s, e in regions]


_DIGITS = re.compile(r"\d+")


def _mentions(text: str) -> list[tuple[int, int, Indicator]]:
    """Indicator phrases in the clauses that hold a figure (the regex runs over those only)."""
    out = []
    for m in (m for s, e in _figure_regions(text) for m in _IND_RE.finditer(text, s, e)):
        out.append((m.start(), m.end(), INDICATORS[alternative(m)]))  # its phrase's group closes last
    return out


#: Words that state an aim: a figure is a target only with one of them in its sentence or in
#: the lines just above it (a heading "Mục tiêu đến năm 2030", "Các chỉ tiêu chủ yếu").
_AIM_RE = re.compile(
    r"mục tiêu|chỉ tiêu|phấn đấu|định hướng|tầm nhìn|dự kiến|dự báo|kế hoạch|quy hoạch|đề án|chiến lược"
    r"|(?:đến|tới|vào|trong) năm (?:19|20)\d\d|giai đoạn|thời kỳ|đạt (?:mức )?(?:khoảng|trên|ít nhất|tối thiểu)"
    r"|bảo đảm|đảm bảo|đáp ứng|nâng|duy trì|giữ vững|(?:tăng|giảm) (?:lên|xuống|còn)",
    re.IGNORECASE,
)
#: Words of a lead that opens a list of aims (looked for in the text before the sentence).
_AIM_LEAD_RE = re.compile(r"mục tiêu|chỉ tiêu|phấn đấu|tầm nhìn|(?:đến|tới) năm (?:19|20)\d\d", re.IGNORECASE)
#: Words that report a figure already reached ("ước đạt", "tăng 8.440 tỷ đồng so với năm 2021").
_REACHED_RE = re.compile(r"ước đạt|ước tính|đã đạt|so với (?:năm|cùng kỳ)", re.IGNORECASE)
#: A year opening a statement ("Năm 2022, GRDP đạt …"): a past one reports a statistic.
_YEAR_LEAD_RE = re.compile(r"\bnăm ((?:19|20)\d\d),", re.IGNORECASE)


def _context_start(text: str, sentence_start: int) -> int:
    """Start of the sentence's context: up to two short lines (headings) right above it."""
    pos = sentence_start
    for _ in range(2):
        prev_end = text.rfind("\n", 0, pos)
        if prev_end <= 0:
            break
        prev_start = text.rfind("\n", 0, prev_end) + 1
        if prev_end - prev_start > 160:
            break
        pos = prev_start
    return pos


def _aimed(text: str, f: _Found, ctx: ExtractionContext) -> bool:
    """Whether the figure of ``f`` is stated as an aim (not a statistic of a past year)."""
    s0, _s1 = sentence_at(text, f.span.start)
    clause = text[_clause_start(text, f.span.start) : f.span.end]
    if _REACHED_RE.search(clause) and not _AIM_RE.search(clause):
        return False
    lead = _YEAR_LEAD_RE.search(clause)
    if lead and ctx.as_of is not None and int(lead.group(1)) < ctx.as_of.year:
        return False
    if ctx.main_plan is not None or _AIM_RE.search(text, _context_start(text, min(s0, f.span.start)), f.span.end):
        return True  # the figures of a text about a plan are its aims
    # a list of figures under a lead that states the aims ("các mục tiêu, chỉ tiêu cụ thể đến năm 2030")
    return bool(_AIM_LEAD_RE.search(text, max(0, s0 - 1500), s0))


#: Just before a figure: the capacity of one work ("nhà ga … đạt công suất 500.000 hành khách/năm"),
#: a project's scale rather than a target of the plan.
_CAPACITY_BEFORE = re.compile(r"công suất(?:\s+(?:thiết kế|phục vụ|khai thác))?\s+(?:\S+\s+){0,3}$", re.IGNORECASE)
_THROUGHPUT_KINDS = {"tonnes", "teu", "passengers"}
#: A list item or heading that names one part of a port or airport system ("(1) Khu bến Mũi Độc:",
#: "+ Bến cảng tổng hợp …:"): the throughput under it is that part's, not the plan's.
_PART_LINE_RE = re.compile(r"[\s*+\-–•]*(?:\(?\d+\)|\d+\.|[a-zđ]\))?[\s*]*(?:khu bến|bến cảng|cảng|nhà ga|sân bay)\b",
                           re.IGNORECASE)
_ITEM_LINE_RE = re.compile(r"[ \t]*[-+•–]")


#: A list item giving a capacity as a field ("- Công suất: khoảng 10 triệu hành khách/năm …").
_CAPACITY_FIELD_RE = re.compile(r"[ \t*]*[-+•][ \t*]*(?i:công suất|năng lực thông qua)[ \t*]*:")
#: The lead of a list of a plan's aims ("… nêu rõ mục tiêu quy hoạch … như sau:", "… tầm nhìn đến năm 2050 như sau:").
_AIM_LIST_LEAD_RE = re.compile(r"(?i:mục tiêu|tầm nhìn)[^\n]*:[ \t*]*$")
#: Lines walked up from an item to the lead of its list.
AIM_LIST_LINES = 30


def _aim_field(text: str, pos: int) -> Span | None:
    """The lead of the list when ``pos`` is in a capacity field of a list whose lead states the
    plan's aims: the throughput the plan of a port or an airport aims at (a target, and the work's
    scale). ``None`` otherwise."""
    start = text.rfind("\n", 0, pos) + 1
    if not _CAPACITY_FIELD_RE.match(text, start):
        return None
    period: Span | None = None  # a sub-heading of the list naming its period ("*(2) Tầm nhìn đến năm 2050*")
    for _ in range(AIM_LIST_LINES):
        if start <= 1:
            return None
        start = text.rfind("\n", 0, start - 1) + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end]
        if not line.strip() or _ITEM_LINE_RE.match(line.lstrip("*")):
            continue
        if _AIM_LIST_LEAD_RE.search(line):
            return period or Span(start, end)
        if period is None and _PERIOD_HEADING_RE.fullmatch(line):
            period = Span(start, end)
            continue
        if period is not None and _PERIOD_HEADING_RE.fullmatch(line):
            continue  # the sub-heading of an earlier period of the same list
        return None
    return None


_LEAD_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
#: A short sub-heading naming a period of an aims list ("*(1) Thời kỳ 2021-2030*", "b) Tầm nhìn đến năm 2050").
_PERIOD_HEADING_RE = re.compile(r"[ \t*]*(?:\(?\d{1,2}\)|[a-zđ]\)|\d{1,2}\.)?[ \t*]*(?i:thời kỳ|giai đoạn|tầm nhìn|đến năm|năm)"
                                r"[^\n:]{0,30}?(?:19|20)\d\d[ \t*]*")


def _in_aim_list(text: str, f: _Found, lead: Span) -> _Found:
    """A figure of an aims list: the year its lead ends with ("… thời kỳ 2021 2030 như sau:",
    "… tầm nhìn đến năm 2050 như sau:") when its item names none, and the item's "khoảng" for
    every figure of the item ("khoảng 10 triệu hành khách/năm và 25.000 tấn hàng hóa/năm")."""
    line_start = text.rfind("\n", 0, f.quantity.start) + 1
    years = _LEAD_YEAR_RE.findall(text, lead.start, lead.end)
    if years and not _LEAD_YEAR_RE.search(text, line_start, f.quantity.start):
        f = replace(f, time=TimeRef(int(years[-1]), None, None, lead.start))
    if f.quantity.comparator is None and re.search(r"(?i:khoảng)\s", text[line_start : f.quantity.start]):
        f = replace(f, quantity=replace(f.quantity, comparator="about"))
    return f


_CAPACITY_WORD_RE = re.compile(r"(?i:công suất)")


def _capacity_in_line(text: str, pos: int) -> bool:
    """Whether the sentence of ``pos`` gives, earlier on its line, one work's capacity ("Công suất
    thiết kế dự kiến: khoảng 30 triệu hành khách/năm thời kỳ 2021-2030; khoảng 50 triệu …"): every
    figure after it is that capacity."""
    start = max(text.rfind("\n", 0, pos) + 1, sentence_at(text, pos)[0])
    return _CAPACITY_WORD_RE.search(text, start, pos) is not None


def _in_capacity_brackets(text: str, pos: int) -> bool:
    """Whether ``pos`` lies in brackets that follow one work's capacity ("… đạt công suất 500.000
    hành khách/năm (có thể mở rộng đảm bảo khai thác 1 triệu hành khách/năm …)"): the same work's."""
    line_start = text.rfind("\n", 0, pos) + 1
    opening = text.rfind("(", line_start, pos)
    if opening < 0 or text.find(")", opening, pos) >= 0:
        return False
    return bool(_CAPACITY_BRACKET_BEFORE.search(text, max(line_start, opening - 80), opening))


#: Before such brackets: a capacity and its figure with unit ("công suất 8 triệu hành khách/năm").
_CAPACITY_BRACKET_BEFORE = re.compile(r"công suất(?:\s+(?:thiết kế|phục vụ|khai thác))?\s+(?:\S+\s+){0,5}$",
                                      re.IGNORECASE)


def _of_a_part(text: str, pos: int) -> bool:
    """Whether the line holding ``pos``, or the heading of the list it is in, names a part."""
    start = text.rfind("\n", 0, pos) + 1
    if _PART_LINE_RE.match(text, start):
        return True
    for _ in range(12):  # up through the items of the list to its heading
        if start <= 1:
            return False
        start = text.rfind("\n", 0, start - 1) + 1
        line_end = text.find("\n", start)
        if not text[start:line_end].strip():
            continue
        if not _ITEM_LINE_RE.match(text, start):
            return bool(_PART_LINE_RE.match(text, start))
    return False


def _reference_year(text: str, ctx: ExtractionContext) -> int | None:
    """The year the text speaks in: the document's date, else the latest full date it writes."""
    if ctx.as_of is not None:
        return ctx.as_of.year
    years = [d.value.year for d in find_dates(text, include_short=False)]
    return max(years) if years else None


#: A sentence that awards points: the figures in it are thresholds of a scoring rule (a classification
#: decree's criteria: "Tỉnh từ 2.000.000 người trở xuống được tính 10 điểm; trên … tính thêm 0,5 điểm").
_SCORE_RE = re.compile(
    r"\b(?:được\s+)?tính(?:\s+thêm)?\s+\d+(?:[,.]\d+)?\s+điểm\b|\btối đa\s+(?:không quá\s+)?\d+(?:[,.]\d+)?\s+điểm\b"
    r"|\btổng số điểm\b|\b\d+(?:[,.]\d+)?\s+điểm\s+trở\s+(?:lên|xuống)\b",
    re.IGNORECASE,
)


def _of_a_work(text: str, pos: int) -> bool:
    """Whether the sentence of ``pos`` opens with a named work (``Khu đô thị lấn biển Cần Giờ …``)."""
    s0, _ = sentence_at(text, pos)
    while s0 < pos and text[s0] in " \t*-+•":
        s0 += 1
    return work_at(text, s0)


def find_targets(text: str, ctx: ExtractionContext, structure: DocumentStructure | None = None) -> list[_Found]:
    """All quantified targets of ``text`` (see the module rules), stated as aims.

    A figure of a year (or period) that ended before the year the text speaks in is a statistic,
    not a target; a throughput written as the capacity of one work, or listed under one part of a
    port or airport system, is that work's or part's scale.
    """
    kinds = {ind.slug: ind.kind for ind in INDICATORS}
    found = []
    reference: list[int | None] = []
    for f in _find_targets(text, ctx, structure):
        if not f.table and not _aimed(text, f, ctx):
            continue
        if _SCORE_RE.search(text, *sentence_at(text, f.quantity.start)):
            continue  # a criterion of a score ("từ 2.000.000 người trở xuống được tính 10 điểm")
        if f.indicator == "population" and _of_a_work(text, f.quantity.start):
            continue  # "Khu đô thị X … quy mô dân số gần 230.000 người": the work's size
        base = f.indicator.removesuffix("-growth").removesuffix("-increase")
        aim_lead = _aim_field(text, f.quantity.start) if kinds.get(base) in _THROUGHPUT_KINDS else None
        if aim_lead is not None:
            f = _in_aim_list(text, f, aim_lead)
        if kinds.get(base) in _THROUGHPUT_KINDS and aim_lead is None and (
                _CAPACITY_BEFORE.search(text, max(0, f.quantity.start - 60), f.quantity.start)
                or _capacity_in_line(text, f.quantity.start)
                or _in_capacity_brackets(text, f.quantity.start)
                or _of_a_part(text, f.quantity.start)):
            continue
        last = (f.time.year or f.time.end_year) if f.time is not None else None
        if last is not None:
            if not reference:
                reference.append(_reference_year(text, ctx))
            if reference[0] is not None and last < reference[0]:
                continue
        found.append(f)
    return found


def _find_targets(text: str, ctx: ExtractionContext, structure: DocumentStructure | None = None) -> list[_Found]:
    plan = plan_period(ctx, text)
    found: list[_Found] = []
    structure_spans = _structure_targets(text, plan, found)
    if structure is None:
        structure = parse_structure(text)
    structure_spans += _table_targets(text, structure, ctx, found)
    mentions = [m for m in _mentions(text) if not any(s <= m[0] < e for s, e in structure_spans)]
    used: set[tuple[int, int]] = set()
    prev_q_end = 0
    for idx, (ms, me, ind) in enumerate(mentions):
        clause_end = _clause_end(text, me)
        nxt = mentions[idx + 1][0] if idx + 1 < len(mentions) else len(text)
        seg_end = min(clause_end, nxt)
        cstart = _clause_start(text, ms)
        prefix_start = max(cstart, prev_q_end if prev_q_end <= ms else cstart)
        qs = [q for q in _physical(text, find_quantities(text[cstart:clause_end], cstart)) if _usable(q, text)]
        chosen: list[tuple[Quantity, str]] = []
        before = [q for q in qs if q.end <= ms and _BEFORE_GAP.match(text[q.end : ms])]
        after = [q for q in qs if ms < q.start < seg_end and (q.start, q.end) not in used]
        if ind.before and before:
            chosen.append((before[-1], ""))
        else:
            first = next((q for q in after if _kind_ok(ind.kind, q) or _is_level_of_growth(ind, q)), None)
            if first is None:
                # a count written right before its phrase ("đón khoảng 4,5 triệu lượt khách du lịch")
                lead = [q for q in qs if q.start < ms and q.end <= me and ind.kind == "count" and _kind_ok(ind.kind, q)
                        and (q.end > ms or _COUNT_GAP.match(text[q.end : ms])) and (q.start, q.end) not in used]
                if lead:
                    chosen.append((lead[-1], ""))
                    prev_q_end = max(prev_q_end, lead[-1].end)
                    for q, group in chosen:
                        used.add((q.start, q.end))
                        t = _time_for(text, q, ms, me, seg_end, prefix_start, False, plan)
                        found.append(_Found(ind.slug, q, t, Span(q.start, me), text[ms:me], group=group))
                continue
            chosen.append((first, ""))
            last = first
            for q in after:
                if q.start <= first.start:
                    continue
                between = text[last.end : q.start]
                if re.search(r"\briêng\b", between, re.IGNORECASE):
                    grp = re.search(r"riêng\s+(.*?)\s+(?:giảm|tăng|đạt|là|chiếm)", between, re.IGNORECASE)
                    chosen.append((q, grp.group(1) if grp else "riêng"))
                    last = q
                elif re.search(r"\bđạt\b", between) and q.unit != first.unit:
                    chosen.append((q, ""))
                    last = q
                elif _NEXT_YEAR_LEVEL.search(between) and q.unit == first.unit:
                    chosen.append((q, ""))
                    last = q
        for q, group in chosen:
            used.add((q.start, q.end))
            slug = _variant(ind, q, text, ms, me)
            is_rate = q.unit.endswith("/năm") or slug.endswith(("-growth", "-reduction"))
            t = _time_for(text, q, ms, me, seg_end, prefix_start, is_rate, plan)
            lo, hi = min(ms, q.start), max(me, q.end)
            found.append(_Found(slug, q, t, Span(lo, hi), text[ms:me], group=group))
            prev_q_end = max(prev_q_end, q.end)
    return found


#: Kinds of level indicators: a percentage written for them is their growth rate.
_LEVEL_KINDS = {"count", "money", *_KIND_UNITS}


def _is_level_of_growth(ind: Indicator, q: Quantity) -> bool:
    # "khách du lịch tăng bình quân 20%/năm": a percentage on a count indicator is its growth rate
    return ind.kind in _LEVEL_KINDS and q.unit.startswith("%")


def _variant(ind: Indicator, q: Quantity, text: str, ms: int, me: int) -> str:
    slug = ind.slug
    lead = text[me : q.start] if q.start > me else ""
    if slug == "poverty-rate-reduction":
        return slug if (_REDUCE_RE.search(lead) or _REDUCE_RE.search(text[ms:me])) else "poverty-rate"
    if slug.endswith(("-growth", "-reduction")):
        return slug
    growing = bool(_GROWTH_RE.search(lead)) if lead else False
    if q.unit.startswith("%") and ind.kind in _LEVEL_KINDS:
        return f"{slug}-growth"
    if growing and q.unit.endswith("/năm"):
        return f"{slug}-growth"
    if growing and re.search(r"\btăng(?:\s+thêm)?(?:\s+(?:khoảng|trên|ít nhất))?\s*$", lead.strip() + " ", re.IGNORECASE):
        return f"{slug}-increase"
    if re.search(r"\btăng\b(?:\s+thêm)?\s*(?:khoảng|trên|ít nhất|gần)?\s*$", lead, re.IGNORECASE):
        return f"{slug}-increase"
    return slug


def _structure_targets(text: str, plan: TimeRef | None, found: list[_Found]) -> list[tuple[int, int]]:
    """Economic-structure targets; returns the spans consumed (so sector words are not re-read)."""
    spans = []
    for m in _STRUCT_RE.finditer(text):
        end = _clause_end(text, m.end())
        # sectors may also be separated by ";" ("khu vực nông, lâm nghiệp … chiếm 21,5%; khu vực công
        # nghiệp - xây dựng chiếm 24,3%; …"): the list goes on while the next clause opens with a sector
        while end < len(text) and text[end] == ";" and _SECTOR_HEAD.match(text, end + 1):
            end = _clause_end(text, end + 1)
        # a structure list runs over commas; stop at ';' or sentence end
        body = text[m.end() : end]
        qs = [q for q in find_quantities(body, m.end()) if q.unit.startswith("%")]
        if not qs:
            continue
        cstart = _clause_start(text, m.start())
        t = _last_time(text, cstart, qs[0].start)
        if t is None and m.group("avg") and plan and plan.start_year and plan.end_year:
            t = plan  # an average share ("Tỷ trọng bình quân trong GRDP …"): over the plan period
        if t is None and plan and plan.end_year:
            t = TimeRef(plan.end_year, None, None, -1)
        prev = m.end()
        for q in qs:
            seg = text[prev : q.start]
            sec = None
            part = _MANUFACTURING_PART.search(seg)
            if part is not None:
                found.append(_Found("manufacturing-share", q, t, Span(prev + part.start(), q.end), text[prev + part.start() : q.end]))
                prev = q.end
                continue
            for sm in _SECTOR_RE.finditer(seg):
                for n, (key, _, _) in enumerate(SECTORS):
                    if sm.group(f"s{n}") is not None:
                        sec = (key, prev + sm.start())
                        break
            if sec:
                found.append(
                    _Found(f"grdp-structure-{sec[0]}", q, t, Span(sec[1], q.end), text[sec[1] : q.end], sector=sec[0])
                )
            prev = q.end
        spans.append((m.start(), end))
    return spans


#: A column of figures by year or period: its heading holds the year ("Năm 2030", "Đến năm 2030",
#: "Mục tiêu 2025", "Giai đoạn 2026-2030", "2030").
_COLUMN_TIME_RE = re.compile(rf"(?<!\d)((?:19|20)\d\d)(?:\s*{D}\s*((?:19|20)\d\d))?(?!\d)")
#: Headings of columns of figures already reached: statistics, never targets.
_COLUMN_REACHED_RE = re.compile(
    r"hiện trạng|thực hiện|\bước\b|đã đạt|thực tế|năm gốc|kết quả|so sánh|\bTH\b", re.IGNORECASE
)
#: The heading of the unit column.
_COLUMN_UNIT_RE = re.compile(r"(?:đơn vị(?: tính)?|đvt|đv)\.?", re.IGNORECASE)
#: A unit written in brackets at the end of the indicator cell ("GRDP bình quân đầu người (triệu đồng)").
_CELL_UNIT_RE = re.compile(r"\(([^()]{1,25})\)\s*$")
#: Words of a table's caption, column headings or the lines above it that make its figures aims.
_TABLE_AIM_RE = re.compile(
    r"mục tiêu|chỉ tiêu|phấn đấu|định hướng|tầm nhìn|dự kiến|dự báo|kế hoạch|quy hoạch|đến năm", re.IGNORECASE
)


def _table_targets(text: str, structure: DocumentStructure, ctx: ExtractionContext,
                   found: list[_Found]) -> list[tuple[int, int]]:
    """Targets of tables of indicators by year: returns the spans of the rows read.

    A target table has a heading row (one of its first three rows) with columns headed by a year
    or a period, and body rows whose indicator cell holds an indicator phrase; the unit comes
    from a unit column (``Đơn vị``, ``ĐVT``) or from brackets closing the indicator cell. Each
    figure under a year column is a target of that year (or period); columns of figures already
    reached (``Hiện trạng``, ``Thực hiện``, ``Ước …``) are skipped. The figures are aims when the
    text is about a plan, or when the caption (two lines above), the heading row or the
    indicator column heading says so (``chỉ tiêu``, ``mục tiêu``, ``kế hoạch``, ``đến năm``).

    Cells are those of the row's line, empty ones included (the readers write an empty cell as
    an empty string between two tabs); the line's empty cells at either end are lost to the
    line's trimming, so a row is aligned on the heading row by its indicator cell when the
    heading names the indicator column (``Chỉ tiêu``, ``Nội dung``), else read only when it has
    as many cells as the heading row.
    """
    spans: list[tuple[int, int]] = []
    for table in structure.tables:
        layout = _target_columns(text, table)
        if layout is None:
            continue
        head_index, times, unit_col, indicator_col, width = layout
        head = table.rows[head_index]
        context = text[_context_start(text, head.span.start) : head.span.end]
        if ctx.main_plan is None and not _TABLE_AIM_RE.search(context):
            continue
        for row in table.rows[head_index + 1 :]:
            if _table_row(text, _line_cells(text, row.span), times, unit_col, indicator_col, width, found):
                spans.append((row.span.start, row.span.end))
    return spans


#: The heading of the indicator column.
_COLUMN_INDICATOR_RE = re.compile(r"(?:tên\s+)?(?:chỉ tiêu|nội dung|danh mục)(?:\s+chủ yếu)?", re.IGNORECASE)


def _line_cells(text: str, span: Span) -> list[tuple[str, Span]]:
    """The tab-separated cells of the line at ``span``, empty ones included, each trimmed."""
    cells = []
    pos = span.start
    for part in text[span.start : span.end].split("\t"):
        lead = len(part) - len(part.lstrip())
        value = part.strip()
        cells.append((" ".join(value.split()), Span(pos + lead, pos + lead + len(value))))
        pos += len(part) + 1
    return cells


def _target_columns(text: str, table: Table) -> tuple[int, dict[int, TimeRef], int | None, int | None, int] | None:
    """The heading row of a target table (its index), its year columns, unit column, indicator
    column and width; ``None`` when the table has no such heading row."""
    for index, row in enumerate(table.rows[:3]):
        cells = _line_cells(text, row.span)
        times: dict[int, TimeRef] = {}
        unit_col = indicator_col = None
        for col, (value, span) in enumerate(cells):
            if not value or len(value) > 60:
                continue
            if _COLUMN_UNIT_RE.fullmatch(value):
                unit_col = col
                continue
            if indicator_col is None and _COLUMN_INDICATOR_RE.fullmatch(value):
                indicator_col = col
                continue
            m = _COLUMN_TIME_RE.search(value)
            if m is None or _COLUMN_REACHED_RE.search(value) or col == 0:
                continue
            if m.group(2):
                times[col] = TimeRef(None, int(m.group(1)), int(m.group(2)), span.start + m.start())
            else:
                times[col] = TimeRef(int(m.group(1)), None, None, span.start + m.start())
        if times:
            return index, times, unit_col, indicator_col, len(cells)
    return None


def _table_row(text: str, cells: list[tuple[str, Span]], times: dict[int, TimeRef], unit_col: int | None,
               indicator_col: int | None, width: int, found: list[_Found]) -> bool:
    """The targets of one body row of a target table; whether the row held an indicator."""
    first_time = min(times)
    indicator = None
    for k, (value, span) in enumerate(cells[:first_time]):
        m = _IND_RE.search(value)
        if m is not None:
            indicator = (k, value, span, m, INDICATORS[alternative(m)])
            break
    if indicator is None:
        return False
    k, value, span, m, ind = indicator
    if indicator_col is not None:
        shift = indicator_col - k  # heading column c is the row's cell c - shift
    elif len(cells) == width:
        shift = 0
    else:
        return False  # cells lost at the line's ends: the columns cannot be told apart
    if len(cells) + shift > width:
        return False

    def cell(col: int | None) -> tuple[str, Span] | None:
        if col is None or not 0 <= col - shift < len(cells):
            return None
        return cells[col - shift]

    unit_cell = cell(unit_col)
    unit = unit_cell[0] if unit_cell else ""
    bracket = _CELL_UNIT_RE.search(value)
    if not unit and bracket:
        unit = bracket.group(1)
    row_start = cells[0][1].start
    for col, when in sorted(times.items()):
        figure = cell(col)
        if figure is None or not figure[0]:
            continue
        written = f"{figure[0]} {unit}".strip()
        qs = [q for q in _physical(written, find_quantities(written)) if q.start == 0]
        if not qs or qs[0].is_year:
            continue
        q = qs[0]
        if not (_kind_ok(ind.kind, q) or _is_level_of_growth(ind, q)):
            continue
        at = figure[1]
        q = replace(q, start=at.start, end=at.end, text=text[at.start : at.end])
        slug = ind.slug
        if q.unit.startswith("%") and ind.kind in _LEVEL_KINDS:
            slug = f"{slug}-growth"
        if slug == "poverty-rate-reduction" and not _REDUCE_RE.search(value):
            slug = "poverty-rate"  # a level ("Tỷ lệ hộ nghèo … 5%"), as in prose
        found.append(_Found(slug, q, when, Span(row_start, at.end), m.group(), table=True))
    return True


def _scope(text: str, f: _Found, ctx: ExtractionContext) -> URIRef | None:
    for _, _, match in find_units(ctx, text[f.span.start : f.span.end], f.span.start):
        if match.level in {"province", "region"} and match.iri != ctx.scope_unit:
            return match.iri
    return ctx.scope_unit


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit one ``qh:Target`` per quantified target of the document."""
    text = doc.text
    g = emitter.triples
    status = {"draft": QH.Draft, "adjusted": QH.Adjusted}.get(ctx.status, QH.Approved)
    stated_in = ctx.main_document or doc.iri
    seen: set[str] = set()
    for f in find_targets(text, ctx, doc.structure):
        key = f.indicator + (f"-{f.time.key}" if f.time else "")
        if f.group:
            key += f"-{slugify(f.group)}"
        if key in seen:
            key += f"-{f.span.start}"
        seen.add(key)
        iri = emitter.local_iri("target", key)
        q = f.quantity
        label = f"{f.phrase}: {q.text}" + (f" ({f.time.key})" if f.time else "")
        emitter.entity(iri, QH.Target, f.span, label_vi=label)
        ind_iri = ID[f"indicator/{f.indicator}"]
        emitter.add(iri, QH.indicator, ind_iri, f.span)
        g.add((ind_iri, RDF.type, SKOS.Concept))
        g.add((ind_iri, SKOS.inScheme, QH.IndicatorScheme))
        if q.value is not None:
            emitter.add(iri, QH.value, decimal_literal(q.value), f.span)
        else:
            emitter.add(iri, QH.minValue, decimal_literal(q.min), f.span)
            emitter.add(iri, QH.maxValue, decimal_literal(q.max), f.span)
        if q.comparator:
            emitter.add(iri, QH.comparator, Literal(q.comparator), f.span)
        if q.unit:
            emitter.add(iri, QH.measureUnit, Literal(q.unit), f.span)
        if f.time and f.time.year:
            emitter.add(iri, QH.targetYear, Literal(str(f.time.year), datatype=XSD.gYear), f.span)
        elif f.time:
            emitter.add(iri, QH.periodStart, Literal(str(f.time.start_year), datatype=XSD.gYear), f.span)
            emitter.add(iri, QH.periodEnd, Literal(str(f.time.end_year), datatype=XSD.gYear), f.span)
        scope = _scope(text, f, ctx)
        if scope is not None:
            emitter.add(iri, QH.scope, scope, f.span)
        emitter.add(iri, QH.targetStatus, status, f.span)
        emitter.add(iri, QH.statedIn, quoted_document(doc, ctx, f.span.start) or stated_in)
        if f.group:
            g.add((iri, RDFS.comment, Literal(f"áp dụng cho: {f.group}", lang="vi")))
