"""Economic corridors written as dash sequences of places: ``Hà Nội – Bắc Giang – Lạng Sơn – Cao Bằng``.

Rule (decided by the words before a sequence, never by the file):

1. A *dash sequence* is two or more capitalised names joined by a dash of any kind (``-``, ``–``,
   ``—``), with or without spaces. Lower-case sequences (``nghiên cứu – quảng bá – bảo tồn``,
   ``công nghiệp – đô thị – dịch vụ``) are not sequences at all.
2. Its *trigger* is the nearest of these words before it in the same clause (since the last
   ``.``, ``;``, ``:`` or line break): corridor words ``hành lang``, ``trục`` (kinh tế / động lực …);
   route words ``tuyến``, ``cao tốc``, ``đường sắt``, ``quốc lộ``; place words ``tại``, ``ở``,
   ``khu vực``, ``khu kinh tế``, ``cửa khẩu``. A sequence that follows another one with only a comma
   or ``và`` between them inherits its trigger (``hành lang kinh tế … như A – B, C – D – E``).
3. Only a corridor trigger makes a corridor; route triggers are the infrastructure extractor's
   business (a railway ``Lạng Sơn – Hà Nội``), place triggers make an area cluster
   (``tập trung chủ yếu tại Bắc Giang – Thái Nguyên – Phú Thọ – Hòa Bình``), which is not a corridor.
4. The names must resolve *mostly* (more than half) to administrative units, unless the corridor
   word stands right before the sequence (``hành lang kinh tế Cầu Treo - Vũng Áng``, ``hành lang
   kinh tế Nam Ninh - Singapore``): a corridor named by its ends, which may be border gates, ports
   or foreign cities; a sequence of compass words (``Bắc - Nam``, ``Đông - Tây``) is a direction,
   never a corridor. Unresolved stops are kept as flagged stops (``qh:unresolved true``) with their
   label, never dropped. A unit's kind word inside a stop belongs to it (``Thành phố Hồ Chí Minh``).

Each corridor: ``ID/corridor/{slug of the stops joined by --}``, ``qh:EconomicCorridor`` labelled
``"A - B - C"@vi``, ordered ``qh:hasStop`` nodes (``qh:position`` 1..n, ``qh:stopUnit``,
``rdfs:label``), ``qh:connects`` each resolved unit, ``qh:listedIn`` the plan or document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from rdflib import RDFS, XSD, Literal, URIRef

from quyhoach.loaders.extract._shared import (
    FULL_STOP,
    DashSequence,
    dash_sequences,
    prefiltered,
    resolve_unit,
)
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Match, Span
from quyhoach.namespaces import ID, QH
from quyhoach.text import slugify

TRIGGERS: list[tuple[str, str]] = [
    (r"hành lang", "corridor"),
    (r"\btrục(?= (?:kinh tế|động lực|phát triển|giao thông|đô thị|chính|dọc|ngang)\b)", "corridor"),
    (r"\bcao tốc|đường sắt|quốc lộ|\btuyến\b|đường bộ|đường thủy", "route"),
    (r"\btại\b|\bở\b|khu vực|khu kinh tế|cửa khẩu|\bgiữa\b", "place"),
]
_TRIGGER_RE = prefiltered("|".join(f"(?P<t{n}>{p})" for n, (p, _) in enumerate(TRIGGERS)), re.IGNORECASE)
_CLAUSE_BREAK = prefiltered(rf"[;:\n]|{FULL_STOP}")
_CHAIN_GAP = re.compile(r"^\s*(?:,|và|,\s*và)\s*$")
#: The corridor phrase with nothing between it and the sequence but its own qualifiers.
_RIGHT_BEFORE = re.compile(
    r"(?i:hành lang(?:\s+(?:kinh tế|giao thông|vận tải|thương mại|phát triển|động lực|quốc tế|xuyên biên giới|biên giới))*"
    r"|trục\s+(?:kinh tế|động lực|phát triển)(?:\s+(?:kinh tế|đô thị|chính))*)\s+"
)
_DIRECTION = re.compile(r"(?:(?:Bắc|Nam|Đông|Tây|Trung)(?:\s+|$))+")


@dataclass
class Sequence:
    """A dash sequence with its trigger kind and the units its names resolve to."""

    seq: DashSequence
    kind: str  # corridor | route | place | none
    trigger_pos: int
    names: list[str]
    units: list[Match | None]

    @property
    def mostly_units(self) -> bool:
        """More than half of the names resolve to units."""
        return 2 * sum(u is not None for u in self.units) > len(self.units)

    def named_by_ends(self, text: str) -> bool:
        """A corridor word right before the sequence (``hành lang kinh tế Cầu Treo - Vũng Áng``)
        names a corridor by its ends, whether or not they are units (border gates, ports, foreign
        cities); a sequence of compass words (``Bắc - Nam``, ``Đông - Tây``) names a direction."""
        if self.kind != "corridor" or not 0 <= self.trigger_pos < self.seq.start:
            return False
        if not _RIGHT_BEFORE.fullmatch(text, self.trigger_pos, self.seq.start):
            return False
        return not all(_DIRECTION.fullmatch(n) for n in self.names)


@lru_cache(maxsize=16)
def _clause_break_ends(text: str) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` of every clause break of ``text``, in order (computed once per text)."""
    return tuple((m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(text))


def _trigger(text: str, start: int) -> tuple[str, int]:
    breaks = _clause_break_ends(text)
    # the last break that lies wholly before ``start`` (as finditer(text, 0, start) would find it)
    k = bisect_right(breaks, (start, start)) - 1
    while k >= 0 and breaks[k][1] > start:
        k -= 1
    lo = breaks[k][1] if k >= 0 else 0
    kind, pos = "none", -1
    for m in _TRIGGER_RE.finditer(text, lo, start):
        kind, pos = TRIGGERS[int(m.lastgroup[1:])][1], m.start()  # the phrase's own group closes last
    return kind, pos


def classify(text: str, ctx: ExtractionContext) -> list[Sequence]:
    """Every dash sequence of ``text`` with its trigger kind and resolved units."""
    out: list[Sequence] = []
    prev: Sequence | None = None
    for seq in dash_sequences(text):
        if prev is not None and _CHAIN_GAP.match(text[prev.seq.end : seq.start]):
            kind, pos = prev.kind, prev.trigger_pos
        else:
            kind, pos = _trigger(text, seq.start)
        names = seq.names(text)
        units = [resolve_unit(ctx, n) for n in names]
        current = Sequence(seq, kind, pos, names, units)
        out.append(current)
        prev = current
    return out


def corridor_iri(names: list[str]) -> URIRef:
    """``ID/corridor/{slug of the names joined by --}``."""
    return ID["corridor/" + "--".join(slugify(n) for n in names)]


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit ``qh:EconomicCorridor`` with ordered stops for each corridor sequence of the document."""
    text = doc.text
    g = emitter.triples
    listed_in = ctx.main_plan or ctx.main_document or doc.iri
    for s in classify(text, ctx):
        if s.kind != "corridor" or not (s.mostly_units or s.named_by_ends(text)):
            continue
        iri = corridor_iri(s.names)
        span = Span(s.seq.start, s.seq.end)
        evidence_span = Span(s.trigger_pos, s.seq.end) if 0 <= s.trigger_pos < s.seq.start else span
        emitter.entity(iri, QH.EconomicCorridor, span, label_vi=" - ".join(s.names))
        emitter.cite(iri, evidence_span)
        emitter.add(iri, QH.listedIn, listed_in, span)
        for pos, ((a, b), name, unit) in enumerate(zip(s.seq.items, s.names, s.units, strict=True), start=1):
            stop = URIRef(f"{iri}/stop/{pos}")
            emitter.entity(stop, QH.CorridorStop, Span(a, b), label_vi=name)
            g.add((iri, QH.hasStop, stop))
            g.add((stop, QH.position, Literal(pos, datatype=XSD.integer)))
            if unit is not None:
                emitter.add(stop, QH.stopUnit, unit.iri, Span(a, b))
                emitter.add(iri, QH.connects, unit.iri, Span(a, b))
            else:
                g.add((stop, QH.unresolved, Literal(True)))
                g.add((stop, RDFS.comment, Literal("tên địa danh chưa liên kết được với đơn vị hành chính", lang="vi")))
