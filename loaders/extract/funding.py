"""Funding requirements: the total investment to mobilise and its parts by source and period.

Rules:

* A total is a money figure after ``tổng (số) vốn đầu tư`` / ``tổng nhu cầu vốn`` (with ``huy động``,
  ``nhu cầu`` or ``cần`` before it) in the same clause: ``huy động tổng số vốn đầu tư toàn xã hội
  khoảng 168 nghìn tỷ đồng`` -> ``qh:totalAmount`` 168e12 (VND). Its period is the nearest period in
  the sentence, else the plan period.
* Tables (cells separated by tabs, ``|`` or runs of 2+ spaces): a header line holding two or more
  periods gives the columns; each following row whose label names a source (``khu vực nhà nước``,
  ``ngoài nhà nước``, ``ngân sách nhà nước``, ``FDI``…) gives one part per period cell, reading the
  share (``36%``) and the amount (``tương đương 21 nghìn tỷ``; a bare scale word is đồng).
* Prose parts: ``trong đó vốn ngân sách nhà nước khoảng 30 nghìn tỷ đồng (chiếm 20%)``.
* Totals by period in one sentence: after a total, each further clause (after ``;`` or ``,``)
  that opens with its own period and holds a money figure is the total of that period
  (``… giai đoạn 2021-2025 khoảng 120 nghìn tỷ đồng; giai đoạn 2026-2030 khoảng 180 nghìn tỷ``).
* With the document structure: a total's period is the one written between its phrase and its
  figure, else in its sentence, else in the heading of the clause, article or appendix that
  holds it (``2. Giai đoạn 2026 - 2030:``, ``Điều 3. Nguồn vốn thực hiện giai đoạn 2021-2025``),
  else the plan period; parts attach to the nearest total before them inside the same article
  (or appendix), and a table of parts in an article with no total is a requirement of its own.
* Figures are reported as written (no arithmetic repair).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import RDF, XSD, Literal, URIRef

from quyhoach.loaders.documents.structure import DocumentStructure
from quyhoach.loaders.extract._shared import (
    PERIOD_RE,
    D,
    TimeRef,
    decimal_literal,
    hint_in,
    lead_by_first_chars,
    plan_period,
    sentences,
)
from quyhoach.loaders.extract.citations import quoted_document
from quyhoach.loaders.extract.numbers import Quantity, find_quantities
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.namespaces import ID, QH, SKOS

#: Source phrases (in a row label or after "trong đó") -> funding-source concept, most specific first.
SOURCES: list[tuple[str, str]] = [
    # "vốn ngoài ngân sách" is the rest of a state-budget split (state enterprises included), not
    # the non-state sector
    (r"ngoài ngân sách|nguồn (?:vốn )?khác|huy động khác", "other"),
    (r"ngoài\s+(?:khu vực\s+)?nhà nước|tư nhân|dân cư", "non-state-sector"),
    (r"đầu tư trực tiếp nước ngoài|\bFDI\b", "fdi"),
    (r"ngân sách trung ương", "central-budget"),
    (r"ngân sách (?:địa phương|tỉnh)", "local-budget"),
    (r"\bODA\b|vay ưu đãi", "oda"),
    (r"ngân sách(?: nhà nước)?|đầu tư công", "state-budget"),
    (r"khu vực nhà nước|vốn nhà nước|doanh nghiệp nhà nước", "state-sector"),
]
_TOTAL_RE = re.compile(
    r"(?:huy động|nhu cầu|cần)[^.;:\n]{0,60}?tổng\s+(?:số\s+|nhu cầu\s+)?vốn(?:\s+đầu tư)?"
    r"|tổng\s+nhu cầu\s+vốn(?:\s+đầu tư)?|nhu cầu\s+vốn\s+đầu tư",
    re.IGNORECASE,
)
_TOTAL_HINT = re.compile(r"vốn", re.IGNORECASE)  # a word every match of _TOTAL_RE holds
_CELL_SPLIT = re.compile(r"\t+|\s*\|\s*|\s{2,}")
_TWO_SPACES = re.compile(r"\s\s")  # a line without it, a tab or a bar is one cell
_PROSE_PART = re.compile(
    r"trong đó,?\s+(?:nguồn\s+)?vốn\s+(?P<label>[^;.:\n]{0,60}?)\s+(?:khoảng|chiếm|là|đạt|dự kiến)?\s*(?=\d)",
    re.IGNORECASE,
)
#: Further parts of the same "trong đó" list: ", vốn ngoài ngân sách khoảng 248 nghìn tỷ đồng".
_MORE_PART = re.compile(
    r"[,;]\s*(?:và\s+|còn lại\s+)?(?:nguồn\s+)?vốn\s+(?P<label>[^;.:,\n]{0,60}?)\s+(?:khoảng|chiếm|là|đạt|dự kiến)?\s*(?=\d)",
    re.IGNORECASE,
)


@dataclass
class Part:
    """One funding part: source, period, amount (VND) and share (%) as written."""

    source: str
    label: str
    period: TimeRef | None
    amount: Decimal | None
    share: Decimal | None
    span: Span


@dataclass
class Requirement:
    """A funding requirement with its total and parts."""

    total: Quantity | None
    period: TimeRef | None
    span: Span
    parts: list[Part] = field(default_factory=list)


def classify_source(label: str) -> str | None:
    """The funding-source concept a row label or phrase names, or ``None``."""
    for pattern, concept in SOURCES:
        if re.search(pattern, label, re.IGNORECASE):
            return concept
    return None


def _money(q: Quantity) -> Decimal | None:
    if q.is_money and q.value is not None:
        return q.scaled(q.value)
    return None


def _period_in(text: str) -> TimeRef | None:
    m = PERIOD_RE.search(text)
    return TimeRef(None, int(m.group(1)), int(m.group(2)), m.start()) if m else None


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _table_parts(text: str) -> list[Part]:
    parts: list[Part] = []
    lines = _lines(text)
    header: list[TimeRef] | None = None
    for s, e in lines:
        line = text[s:e]
        if not line.strip():
            if header is not None and parts:
                header = None
            continue
        if "\t" not in line and "|" not in line and not _TWO_SPACES.search(line.strip()):
            header = None  # one cell (prose): the end of any table above
            continue
        cells = [c for c in _CELL_SPLIT.split(line.strip())]
        is_table_line = len(cells) >= 2
        # a header row has two periods or more; prose (one cell) needs no period search
        periods = [p for p in (_period_in(c) for c in cells) if p is not None] if is_table_line else []
        if is_table_line and len(periods) >= 2 and not find_quantities_pct(line):
            header = periods
            continue
        if header is None or not is_table_line:
            if header is not None and not is_table_line:
                header = None
            continue
        label = re.sub(r"^\s*(?:\d+|[a-zđ]|[IVX]+)[.)]\s*", "", cells[0])
        label = re.sub(r"[\u00b9\u00b2\u00b3\u2070-\u2079*]+", "", label).strip()
        source = classify_source(label)
        if source is None:
            continue
        values = cells[1:][-len(header):]
        cell_pos = s
        for period, cell in zip(header[-len(values):], values, strict=False):
            at = text.find(cell, cell_pos, e + 1)
            cell_pos = at + len(cell) if at >= 0 else cell_pos
            qs = find_quantities(cell, max(at, 0))
            share = next((q.value for q in qs if q.unit.startswith("%") and q.value is not None), None)
            amount = next((m for m in (_money(q) for q in qs) if m is not None), None)
            if share is None and amount is None:
                continue
            parts.append(Part(source, label, period, amount, share, Span(s, e)))
    return parts


def _next_part(sent: str, pos: int) -> int:
    m = _MORE_PART.search(sent, pos)
    return m.start() if m else -1


def find_quantities_pct(line: str) -> bool:
    """True when ``line`` holds a percentage (a data row, not a header)."""
    return any(q.unit.startswith("%") for q in find_quantities(line))


#: A further clause of a total's sentence that opens with its own period.
_PERIOD_CLAUSE = re.compile(
    rf"(?:[;,]\s*(?:và\s+|còn\s+)?|\s+và\s+)(?:(?:trong\s+)?(?:giai đoạn|thời kỳ)\s+)?(?<!\d)((?:19|20)\d\d)\s*{D}\s*((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)


#: What may follow a total's figure before the next period's clause: its own period.
_TRAILING_PERIOD = re.compile(
    rf"\s*(?:(?:trong\s+|cho\s+)?(?:cả\s+)?(?:giai đoạn|thời kỳ)\s+(?:19|20)\d\d\s*{D}\s*(?:19|20)\d\d)?\s*",
    re.IGNORECASE,
)
#: The end of a period's clause: a clause break or the next period.
_PERIOD_CLAUSE_END = re.compile(
    rf"[;:]|,\s*(?:và\s+)?(?:(?:trong\s+)?(?:giai đoạn|thời kỳ)\s+)?(?:19|20)\d\d\s*{D}", re.IGNORECASE
)


def _owner_key(structure: DocumentStructure | None, pos: int) -> tuple:
    """The article (or appendix) holding ``pos``: parts belong to a total of the same one."""
    if structure is None:
        return ()
    article = structure.article_at(pos)
    if article is not None:
        return ("article", article.span.start)
    appendix = structure.appendix_at(pos)
    if appendix is not None:
        return ("appendix", appendix.span.start)
    return ("body",) if structure.articles else ()


def _heading_period(text: str, structure: DocumentStructure | None, pos: int) -> TimeRef | None:
    """The period in the heading of the clause, article or appendix holding ``pos``."""
    if structure is None:
        return None
    headings: list[tuple[int, int]] = []
    article = structure.article_at(pos)
    if article is not None:
        if article.heading is not None:
            headings.append((article.heading.span.start, article.heading.span.end))
        for clause in article.clauses:
            if clause.span.start <= pos < clause.span.end:
                line_end = text.find("\n", clause.span.start, pos)
                headings.append((clause.span.start, line_end if line_end >= 0 else pos))
    appendix = structure.appendix_at(pos)
    if appendix is not None and appendix.title is not None:
        headings.append((appendix.title.span.start, appendix.title.span.end))
    for start, end in reversed(headings):  # the innermost heading first
        period = _period_in(text[start:end])
        if period is not None:
            return TimeRef(None, period.start_year, period.end_year, start + period.pos)
    return None


def find_requirements(
    text: str, ctx: ExtractionContext, structure: DocumentStructure | None = None
) -> list[Requirement]:
    """Funding totals and their parts (tables and prose), in text order."""
    plan = plan_period(ctx, text)
    reqs: list[Requirement] = []
    owners: list[tuple] = []  # the article (or appendix) of each requirement
    for s, e in sentences(text):
        if not hint_in(_TOTAL_HINT, text, s, e):
            continue  # every total's phrase holds "vốn"
        sent = text[s:e]
        for m in _TOTAL_RE.finditer(sent):
            clause_end = len(sent)
            stop = re.search(r"[;:]", sent[m.end() :])
            if stop:
                clause_end = m.end() + stop.start()
            qs = [q for q in find_quantities(sent[m.end() : clause_end], s + m.end()) if _money(q) is not None]
            if not qs:
                continue
            period = (_period_in(text[s + m.start() : qs[0].start]) or _period_in(sent)
                      or _heading_period(text, structure, s + m.start()) or plan)
            total = Requirement(qs[0], period, Span(s, e))
            reqs.append(total)
            owners.append(_owner_key(structure, s + m.start()))
            pos = qs[0].end - s
            for pm in _PERIOD_CLAUSE.finditer(sent, pos):
                if not _TRAILING_PERIOD.fullmatch(sent, pos, pm.start()):
                    break  # only clauses right after a total's figure (and its own period)
                end = _PERIOD_CLAUSE_END.search(sent, pm.end())
                seg_end = end.start() if end else len(sent)
                more = [q for q in find_quantities(sent[pm.end() : seg_end], s + pm.end()) if _money(q) is not None]
                if not more:
                    break
                reqs.append(Requirement(more[0], TimeRef(None, int(pm.group(1)), int(pm.group(2)), s + pm.start(1)),
                                        Span(s, e)))
                owners.append(owners[-1])
                pos = more[0].end - s
            first = _PROSE_PART.search(sent, m.end())
            more = list(_MORE_PART.finditer(sent, first.end())) if first else []
            for pm in ([first] if first else []) + more:
                source = classify_source(pm.group("label"))
                if source is None:
                    continue
                rest_end = min((i for i in (sent.find(";", pm.end()), _next_part(sent, pm.end())) if i >= 0),
                               default=len(sent))
                rest = sent[pm.end() : rest_end]
                pqs = find_quantities(rest, s + pm.end())
                amount = next((a for a in (_money(q) for q in pqs) if a is not None), None)
                share = next((q.value for q in pqs if q.unit.startswith("%") and q.value is not None), None)
                total.parts.append(Part(source, pm.group("label"), period, amount, share, Span(s, e)))
    for part in _table_parts(text):
        key = _owner_key(structure, part.span.start)
        owner = None
        for r, k in zip(reqs, owners, strict=True):
            if r.span.start <= part.span.start and (k == key or not key):
                owner = r
        if owner is None:
            owner = Requirement(None, _heading_period(text, structure, part.span.start) or plan, part.span)
            reqs.append(owner)
            owners.append(key)
        owner.parts.append(part)
    return reqs


def _year(y: int) -> Literal:
    return Literal(str(y), datatype=XSD.gYear)


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit ``qh:FundingRequirement`` nodes with total (VND) and ``qh:FundingPart`` parts."""
    g = emitter.triples
    stated_in = ctx.main_document or doc.iri
    for n, req in enumerate(find_requirements(doc.text, ctx, doc.structure)):
        key = req.period.key if req.period else str(n)
        iri = emitter.local_iri("funding", key if n == 0 else f"{key}-{n}")
        emitter.entity(iri, QH.FundingRequirement, req.span, label_vi=f"Nhu cầu vốn đầu tư {key}")
        if req.total is not None:
            emitter.add(iri, QH.totalAmount, decimal_literal(_money(req.total)), req.span)
            emitter.add(iri, QH.currency, Literal("VND"))
            if req.total.comparator:
                emitter.add(iri, QH.comparator, Literal(req.total.comparator), req.span)
        if req.period:
            emitter.add(iri, QH.periodStart, _year(req.period.start_year), req.span)
            emitter.add(iri, QH.periodEnd, _year(req.period.end_year), req.span)
        if ctx.scope_unit is not None:
            emitter.add(iri, QH.scope, ctx.scope_unit)
        emitter.add(iri, QH.statedIn, quoted_document(doc, ctx, req.span.start) or stated_in)
        for part in req.parts:
            pkey = f"{key}/{part.period.key if part.period else 'all'}/{part.source}"
            piri = emitter.local_iri("funding-part", pkey)
            emitter.entity(piri, QH.FundingPart, part.span, label_vi=f"{part.label} ({part.period.key if part.period else key})")
            emitter.add(iri, QH.hasPart, piri, part.span)
            src = source_concept(part.source)
            emitter.add(piri, QH.fundingSource, src, part.span)
            g.add((src, RDF.type, SKOS.Concept))
            if part.amount is not None:
                emitter.add(piri, QH.amount, decimal_literal(part.amount), part.span)
                g.add((piri, QH.currency, Literal("VND")))
            if part.share is not None:
                emitter.add(piri, QH.share, decimal_literal(part.share), part.span)
            if part.period:
                emitter.add(piri, QH.periodStart, _year(part.period.start_year), part.span)
                emitter.add(piri, QH.periodEnd, _year(part.period.end_year), part.span)


def source_concept(slug: str) -> URIRef:
    """IRI of a funding-source concept (``ID/funding-source/{slug}``)."""
    return ID[f"funding-source/{slug}"]


# Patterns that scan a whole text (or every sentence), led by a look-ahead on the characters a
# match can start with: the same matches, found faster.
_TOTAL_RE = lead_by_first_chars(_TOTAL_RE)
