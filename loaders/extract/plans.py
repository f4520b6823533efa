"""Plans of the planning system: national master, sectoral, regional, provincial, implementation.

A plan mention is ``Quy hoạch`` followed by what it covers — ``tổng thể quốc gia``, a region
(``vùng Trung du và miền núi phía Bắc``), a province or centrally-run city (``tỉnh Lai Châu``,
``Thủ đô Hà Nội``), or a national sector (``sử dụng đất quốc phòng``, ``mạng lưới đường bộ``)
— then its period (``thời kỳ 2021 - 2030``) and vision (``tầm nhìn đến năm 2050``).
``Kế hoạch thực hiện Quy hoạch …`` is the implementation plan of that plan. A mention without
a period takes the period stated for the same plan elsewhere in the text.

Links: the decision before ``phê duyệt`` approves the plan; a decision that ``ban hành`` an
implementation plan approves it and implements the plan; a plan followed by ``theo`` /
``kèm theo`` a decision is approved by it; a document that ``triển khai thực hiện`` a plan
implements it. A provincial plan must conform to the regional plan of its region (from the
reference data) and a regional plan to the national master plan of the same period. A national
master plan and a national sectoral plan cover the country unit.
``Dự thảo Quy hoạch …`` states the plan as a draft in this source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import XSD, Literal, URIRef

from quyhoach.loaders.extract import mentions
from quyhoach.loaders.extract.citations import DocMention, doc_iri, resolve_documents
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.loaders.reference.units import country_iri
from quyhoach.namespaces import ID, QH
from quyhoach.text import slugify

KIND_CLASS = {
    "national-master": QH.NationalMasterPlan,
    "sectoral": QH.SectoralPlan,
    "regional": QH.RegionalPlan,
    "provincial": QH.ProvincialPlan,
    "implementation": QH.ImplementationPlan,
}
NATIONAL_SCOPE = "viet-nam"

#: "Quy hoạch …", and the all-capitals titles of decisions and annexes ("QUY HOẠCH TỈNH ĐIỆN BIÊN").
#: (The same matches as ``(?<!\w)(?:[Qq]uy hoạch|QUY HOẠCH)\s+``, written with the first letter
#: before the look-behind: the regex engine skips to the next ``Q``/``q`` in C.)
_QH_RE = re.compile(r"[Qq](?<!\w[Qq])(?:uy hoạch|(?<=Q)UY HOẠCH)\s+")
_IMPL_BEFORE_RE = re.compile(r"(?i:kế hoạch)\s+(?i:triển khai\s+)?(?i:thực hiện)\s+$")
_DRAFT_BEFORE_RE = re.compile(r"(?i:dự thảo)\s+$")
_NATIONAL_RE = re.compile(r"tổng thể quốc gia(?!\w)", re.IGNORECASE)
_SECTOR_RE = re.compile(
    r"(?P<sector>(?:sử dụng đất|mạng lưới|hệ thống|tổng thể phát triển|tổng thể|phát triển|kết cấu hạ tầng|"
    r"bảo tồn|bảo vệ|thăm dò|khai thác|không gian biển|điện lực|năng lượng|tài nguyên nước|lâm nghiệp|"
    r"thủy lợi|phòng, chống thiên tai|đê điều)[^.;:()\n]{0,90}?)\s*,?\s*"
    # "… giai đoạn 2021-2030, tầm nhìn đến năm 2050": a plan's period written as a stage
    r"(?=thời kỳ|giai đoạn\s+(?:19|20)\d{2}\s*[-–—]\s*(?:19|20)\d{2}\s*,?\s*tầm nhìn)",
    re.IGNORECASE,
)
#: Inside a sector plan's name: the start of the next plan of a list that shares its period.
_NEXT_PLAN = re.compile(r"\s*(?:,|\s(?:và|hoặc))\s*(?:(?:và|hoặc)\s+)?quy hoạch\s", re.IGNORECASE)
_LOCAL_WORDS = re.compile(r"\b(tỉnh|huyện|xã|thành phố|thị xã|quận|đô thị|vùng|nông thôn|chi tiết|phân khu)\b", re.IGNORECASE)
_PERIOD_RE = re.compile(
    r"\s*,?\s*(?:thời kỳ|giai đoạn)\s+(?:năm\s+)?(?P<a>(?:19|20)\d{2})\s*[-–—]\s*(?P<b>(?:19|20)\d{2})", re.IGNORECASE
)
_VISION_RE = re.compile(r"\s*,?\s*(?:và\s+)?tầm nhìn\s+(?:đến\s+)?(?:năm\s+)?(?P<v>(?:20|21)\d{2})", re.IGNORECASE)
_APPROVES_GAP = re.compile(
    r"^[^.;]{0,160}?(?:về việc|về)?\s*phê duyệt\s*$"
    # "Quyết định X … (có) quy định về mục tiêu tổng quát / phạm vi ranh giới quy hoạch …": the decision that
    # sets out the plan's aims or extent is the one that approved it
    r"|^(?:\s+năm\s+\d{4})?\s+(?:có\s+)?quy định (?:về\s+)?(?:các\s+)?(?:mục tiêu|phạm vi|ranh giới|quan điểm|tầm nhìn|"
    r"định hướng|tính chất)(?:\s+(?:tổng quát|cụ thể|phát triển|ranh giới|và\s+\w+))*\s+(?:của\s+)?$",
    re.IGNORECASE,
)
_ISSUES_GAP = re.compile(r"^[^.;]{0,160}?(?:về việc|về)?\s*ban hành\s*$", re.IGNORECASE)
_IMPLEMENTS_GAP = re.compile(r"^[^.;]{0,160}?(?:triển khai\s+)?thực hiện(?:\s+có hiệu quả)?\s*$", re.IGNORECASE)
_BY_AFTER = re.compile(
    r"^\s*,?\s*(?:(?:đã\s+)?(?:được\s+)?(?:[^.;,]{0,40}?\s)?(?:phê duyệt|thông qua|ban hành)\s+)?"
    r"(?:theo|tại|bằng|kèm theo|ban hành kèm theo)\s+$",
    re.IGNORECASE,
)
#: "Phê duyệt Quy hoạch …" in the title or first article of the decision itself.
_SELF_APPROVES = re.compile(r"(?:^|\n|\.\s)\s*(?:Điều 1\.\s*)?(?:(?i:về việc)\s+)?(?i:phê duyệt)\s+$")


@dataclass
class PlanMention:
    """One mention of a plan."""

    start: int
    end: int
    kind: str
    scope_slug: str
    scope_label: str
    scope_iri: URIRef | None
    period: tuple[int, int] | None
    vision: int | None
    target_kind: str = ""  # for implementation plans: the kind of the plan implemented
    draft: bool = False
    unit_word: str = "tỉnh"

    @property
    def period_key(self) -> str:
        return f"{self.period[0]}-{self.period[1]}" if self.period else ""

    @property
    def iri(self) -> URIRef:
        return plan_iri(self.kind, self.scope_slug, self.period_key)

    @property
    def target_iri(self) -> URIRef | None:
        if self.kind != "implementation":
            return None
        return plan_iri(self.target_kind, self.scope_slug, self.period_key)


def plan_iri(kind: str, scope_slug: str, period: str) -> URIRef:
    """``ID/plan/{kind}/{scope-slug}/{period}``."""
    return ID[f"plan/{kind}/{scope_slug}/{period}"]


def _units_by_start(doc: CleanDocument, ctx: ExtractionContext) -> dict[int, tuple[int, object]]:
    cached = doc.extra.get("_units_by_start")
    if cached is None:
        cached = {s: (e, m) for s, e, m in mentions.find_units(ctx, doc.text)}
        doc.extra["_units_by_start"] = cached
    return cached


def find_plans(doc: CleanDocument, ctx: ExtractionContext) -> list[PlanMention]:
    """All plan mentions of ``doc``, periods filled from other mentions of the same plan."""
    text = doc.text
    units = _units_by_start(doc, ctx)
    found: list[PlanMention] = []
    for m in _QH_RE.finditer(text):
        start, pos = m.start(), m.end()
        impl = _IMPL_BEFORE_RE.search(text[max(0, start - 40) : start])
        if impl:
            start -= len(text[max(0, start - 40) : start]) - impl.start()
        draft = bool(_DRAFT_BEFORE_RE.search(text[max(0, start - 12) : start]))
        kind = scope_slug = scope_label = ""
        scope_iri = None
        unit_word = ""
        name_end = pos
        shared_period = 0
        national = _NATIONAL_RE.match(text, pos)
        if national:
            kind, scope_slug, scope_label, name_end = "national-master", NATIONAL_SCOPE, "quốc gia", national.end()
        elif pos in units:
            end, match = units[pos]
            if match.level == "region":
                kind, scope_slug = "regional", match.code or slugify(match.label)
            elif match.level == "province":
                kind, scope_slug = "provincial", slugify(match.label)
            if kind:
                scope_label, scope_iri, name_end = match.label, match.iri, end
                unit_word = text[pos:end].split(" ", 1)[0]
        else:
            sector = _SECTOR_RE.match(text, pos)
            if sector and not _LOCAL_WORDS.search(sector["sector"]):
                words = sector["sector"]
                # "quy hoạch không gian biển quốc gia, quy hoạch sử dụng đất quốc gia thời kỳ 2021-2030":
                # two plans sharing one period; this one's name ends before the next "quy hoạch"
                nxt = _NEXT_PLAN.search(words)
                if nxt is not None:
                    words, shared_period = words[: nxt.start()], sector.end()
                phrase = " ".join(words.split()).rstrip(" ,")
                kind, scope_slug, scope_label, name_end = "sectoral", slugify(phrase), phrase, pos + len(words.rstrip(" ,"))
        if not kind:
            continue
        period = vision = None
        end = name_end
        pm = _PERIOD_RE.match(text, end) or (_PERIOD_RE.match(text, shared_period) if shared_period else None)
        if pm:
            period, end = (int(pm["a"]), int(pm["b"])), pm.end()
        vm = _VISION_RE.match(text, end)
        if vm:
            vision, end = int(vm["v"]), vm.end()
        mention = PlanMention(start, end, kind, scope_slug, scope_label, scope_iri, period, vision,
                              draft=draft, unit_word=unit_word)
        if impl:
            mention.target_kind, mention.kind = kind, "implementation"
        found.append(mention)
    # fill periods and visions from other mentions of the same plan (same kind and scope)
    periods: dict[tuple[str, str], tuple[int, int]] = {}
    visions: dict[tuple[str, str, str], int] = {}
    for p in found:
        base = p.target_kind or p.kind
        if p.period:
            periods.setdefault((base, p.scope_slug), p.period)
    for p in found:
        base = p.target_kind or p.kind
        if p.period is None:
            p.period = periods.get((base, p.scope_slug))
        if p.vision and p.period:
            visions.setdefault((base, p.scope_slug, p.period_key), p.vision)
    for p in found:
        base = p.target_kind or p.kind
        if p.vision is None and p.period:
            p.vision = visions.get((base, p.scope_slug, p.period_key))
    return [p for p in found if p.period is not None]


@lru_cache(maxsize=1)
def _region_of() -> dict[URIRef, tuple[URIRef, str, str]]:
    """Province IRI -> (region IRI, region slug, region name), from the reference units."""
    try:
        from quyhoach.loaders.reference.units import load_units
    except ImportError:
        return {}
    result: dict[URIRef, tuple[URIRef, str, str]] = {}
    for unit in load_units():
        if unit.level == "region":
            slug = str(unit.iri).rsplit("/", 1)[-1]
            for member in unit.members:
                result[member] = (unit.iri, slug, unit.name)
    return result


def _labels(p: PlanMention, kind: str | None = None) -> tuple[str, str]:
    kind = kind or p.kind
    period = f" thời kỳ {p.period[0]}-{p.period[1]}" if p.period else ""
    period_en = f" {p.period[0]}-{p.period[1]}" if p.period else ""
    if kind == "national-master":
        return f"Quy hoạch tổng thể quốc gia{period}", f"National master plan{period_en}"
    if kind == "regional":
        return f"Quy hoạch vùng {p.scope_label}{period}", f"Regional plan of {p.scope_label}{period_en}"
    if kind == "provincial":
        word = p.unit_word.lower() if p.unit_word else "tỉnh"
        word = "tỉnh" if word not in ("tỉnh", "thành", "thủ") else {"thành": "thành phố", "thủ": "Thủ đô"}.get(word, word)
        return f"Quy hoạch {word} {p.scope_label}{period}", f"Provincial plan of {p.scope_label}{period_en}"
    if kind == "sectoral":
        return f"Quy hoạch {p.scope_label}{period}", f"National sectoral plan: {p.scope_label}{period_en}"
    vi, en = _labels(p, p.target_kind)
    return f"Kế hoạch thực hiện {vi}", f"Implementation plan of the {en[0].lower()}{en[1:]}"


def _declare(emitter: Emitter, p: PlanMention, iri: URIRef, kind: str, span: Span) -> None:
    vi, en = _labels(p, kind)
    emitter.entity(iri, KIND_CLASS[kind], span, vi, en)
    emitter.add(iri, QH.periodStart, Literal(str(p.period[0]), datatype=XSD.gYear), span)
    emitter.add(iri, QH.periodEnd, Literal(str(p.period[1]), datatype=XSD.gYear), span)
    if p.vision:
        emitter.add(iri, QH.visionYear, Literal(str(p.vision), datatype=XSD.gYear), span)
    if p.scope_iri is not None:
        emitter.add(iri, QH.covers, p.scope_iri, span)
    elif kind in ("national-master", "sectoral"):  # national plans cover the whole country
        emitter.add(iri, QH.covers, country_iri(), span)


def _conformance(emitter: Emitter, p: PlanMention, plan: URIRef, kind: str, span: Span) -> None:
    """Provincial plan -> regional plan of its region -> national master plan (same period)."""
    period = p.period_key
    if kind == "provincial" and p.scope_iri is not None:
        region = _region_of().get(p.scope_iri)
        if region is None:
            return
        region_iri, slug, name = region
        regional = plan_iri("regional", slug, period)
        emitter.entity(regional, QH.RegionalPlan, None, f"Quy hoạch vùng {name} thời kỳ {period}")
        emitter.add(regional, QH.covers, region_iri)
        _period_of_derived(emitter, regional, p)
        emitter.add(plan, QH.mustConformTo, regional, span)
        kind, plan = "regional", regional
    if kind == "regional":
        national = plan_iri("national-master", NATIONAL_SCOPE, period)
        emitter.entity(national, QH.NationalMasterPlan, None, f"Quy hoạch tổng thể quốc gia thời kỳ {period}")
        emitter.add(national, QH.covers, country_iri())
        _period_of_derived(emitter, national, p)
        emitter.add(plan, QH.mustConformTo, national, span)


def _period_of_derived(emitter: Emitter, plan: URIRef, p: PlanMention) -> None:
    """A higher plan implied by the hierarchy shares the period of the plan that implies it."""
    if p.period:
        emitter.add(plan, QH.periodStart, Literal(str(p.period[0]), datatype=XSD.gYear))
        emitter.add(plan, QH.periodEnd, Literal(str(p.period[1]), datatype=XSD.gYear))


def _document_before(found: tuple[DocMention, ...], text: str, start: int) -> DocMention | None:
    """The last document mention before ``start`` in the same sentence."""
    s, _e = mentions.sentence_at(text, start)
    best = None
    for d in found:
        if s <= d.start and d.end <= start:
            best = d
    return best


def _document_after(found: tuple[DocMention, ...], text: str, end: int) -> DocMention | None:
    for d in found:
        if d.start >= end:
            return d if _BY_AFTER.match(text[end : d.start]) else None
    return None


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit the plans ``doc`` mentions, their links to documents and to each other; set the context."""
    text = doc.text
    found_docs, main, why = resolve_documents(doc, ctx)
    plans = find_plans(doc, ctx)
    source = doc.iri
    approved: dict[URIRef, URIRef] = {}
    implemented_by_main: list[URIRef] = []
    declared: set[URIRef] = set()
    counts: dict[URIRef, int] = {}
    for p in plans:
        span = Span(p.start, p.end)
        iri = p.iri
        counts[iri] = counts.get(iri, 0) + 1
        if iri not in declared:
            declared.add(iri)
            _declare(emitter, p, iri, p.kind, span)
            if p.kind == "implementation":
                target = p.target_iri
                _declare(emitter, p, target, p.target_kind, span)
                emitter.add(iri, QH.implementsPlan, target, span)
                _conformance(emitter, p, target, p.target_kind, span)
            else:
                _conformance(emitter, p, iri, p.kind, span)
        else:
            emitter.cite(iri, span)
        emitter.add(source, QH.mentions, iri, span)
        if p.draft:
            emitter.add(iri if p.kind != "implementation" else p.target_iri, QH.planStatus, QH.Draft, span)
        # links to documents
        before = _document_before(found_docs, text, p.start)
        gap = text[before.end : p.start] if before is not None else ""
        linked = False
        if before is not None and (_APPROVES_GAP.match(gap) or _assembly_resolution_on(before, gap)):
            _approve(emitter, before, iri, Span(before.start, p.end), approved)
            linked = True
        elif before is not None and _ISSUES_GAP.match(gap) and p.kind == "implementation":
            _approve(emitter, before, iri, Span(before.start, p.end), approved)
            linked = True
            emitter.add(doc_iri(before.key), QH.implements, p.target_iri, Span(before.start, p.end))
        elif before is not None and _IMPLEMENTS_GAP.match(gap):
            target = p.target_iri if p.kind == "implementation" else iri
            emitter.add(doc_iri(before.key), QH.implements, target, Span(before.start, p.end))
            if main is not None and before.key == main.key:
                implemented_by_main.append(target)
        if linked:
            continue
        after = _document_after(found_docs, text, p.end)
        if after is not None:
            _approve(emitter, after, iri, Span(p.start, after.end), approved)
        else:
            if main is not None and why == "attached" and p.end <= main.start and p.start < 400:
                _approve(emitter, main, iri, Span(p.start, main.end), approved)
            elif main is not None and why in ("self", "title") and _SELF_APPROVES.search(text[max(0, p.start - 40) : p.start]):
                _approve(emitter, main, iri, Span(p.start, p.end), approved)
    _generic_draft(emitter, text, plans)
    _set_context(doc, ctx, plans, approved, implemented_by_main, counts, main)


_RESOLUTION_ON_GAP = re.compile(r"^[^.;]{0,160}?\bvề\s*$", re.IGNORECASE)


def _assembly_resolution_on(d: DocMention, gap: str) -> bool:
    """A National Assembly resolution "về Quy hoạch …" is the act that decides (approves) that plan."""
    return d.type_code == "NQ" and d.issuer.upper().startswith("QH") and bool(_RESOLUTION_ON_GAP.match(gap))


#: "dự thảo (Báo cáo) Quy hoạch tỉnh" with no name after it: the draft of the text's provincial plan.
_GENERIC_DRAFT = re.compile(r"(?i:dự thảo)\s+(?:(?i:báo cáo)\s+)?[Qq]uy hoạch\s+(?i:tỉnh|thành phố)(?!\s+[A-ZÀ-ỸĐ])")


def _generic_draft(emitter: Emitter, text: str, plans: list[PlanMention]) -> None:
    provincial = {p.iri for p in plans if p.kind == "provincial"}
    if len(provincial) != 1:
        return
    plan = next(iter(provincial))
    for m in _GENERIC_DRAFT.finditer(text):
        emitter.add(plan, QH.planStatus, QH.Draft, Span(m.start(), m.end()))


#: Documents that ask for, report on or forward a decision never approve a plan themselves
#: ("Tờ trình … về việc phê duyệt Quy hoạch tỉnh …").
NON_APPROVING_TYPES = frozenset({"TTr", "BC", "CV", "TB"})


def _approve(emitter: Emitter, d: DocMention, plan: URIRef, span: Span, approved: dict) -> None:
    if d.type_code in NON_APPROVING_TYPES:
        return
    document = doc_iri(d.key)
    emitter.add(document, QH.approves, plan, span)
    emitter.add(plan, QH.approvedBy, document, span)
    emitter.add(plan, QH.planStatus, QH.Approved, span)
    approved.setdefault(document, plan)


#: The title (trích yếu) of a document that adjusts a plan ("Phê duyệt điều chỉnh Quy hoạch …").
_ADJUSTS_PLAN = re.compile(r"\bđiều chỉnh\b[^\n]{0,40}?\bquy hoạch\b", re.IGNORECASE)
_DRAFT_CUES = re.compile(r"(?i:dự thảo|phiên họp|cuộc họp|hội nghị|hội thảo|góp ý|lấy ý kiến)")


def _set_context(doc, ctx, plans, approved, implemented_by_main, counts, main) -> None:
    main_plan = None
    if ctx.main_document is not None and ctx.main_document in approved:
        main_plan = approved[ctx.main_document]
    elif implemented_by_main:
        main_plan = implemented_by_main[0]
    elif counts:
        scoped = [p for p in plans if p.kind in ("provincial", "regional", "implementation")]
        if scoped:
            main_plan = max(counts, key=lambda iri: (counts[iri], -next(i for i, p in enumerate(plans) if p.iri == iri)))
    ctx.main_plan = main_plan
    scope = None
    for p in plans:
        if p.iri == main_plan or p.target_iri == main_plan:
            scope = p.scope_iri
            break
    ctx.scope_unit = scope or mentions.dominant_province(doc, ctx)
    issued = main is not None and ctx.main_document is not None
    ctx.status = "draft" if not issued and _DRAFT_CUES.search(doc.text) else "approved"
    header = doc.structure.header if doc.structure is not None else None
    if issued and header is not None and header.title is not None and _ADJUSTS_PLAN.search(header.title.value):
        ctx.status = "adjusted"  # "Quyết định phê duyệt điều chỉnh Quy hoạch …": its figures adjust the plan
