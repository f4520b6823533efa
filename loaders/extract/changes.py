"""Changes between documents: amendment, replacement, repeal (and plan adjustments).

Rules (all on the document mentions :func:`citations.resolve_documents` found, left to right; a
statement's sentence runs across the soft line breaks of a table cell printed over several lines,
:func:`mentions.wrapped_sentence_at`):

* **active amendment** — ``A … sửa đổi, bổ sung (một số điều | Điều N | khoản …) (của) B``
  in one sentence: ``A eli:amends B``; ``và C`` / ``, C`` right after B extends the list.
  A title line ``Về việc sửa đổi … Quyết định số B`` makes the main document A.
* **passive amendment** — ``B … được sửa đổi, bổ sung (một số điều) bởi/tại A`` and
  ``B …, được (phê duyệt) điều chỉnh (cục bộ) tại A``: ``A eli:amends B``; every further
  document of the list written by its type and number only (``…, Luật số A2, Luật số A3 và Luật
  số A4``) amends B too; a titled one (``, Luật Quy hoạch số …``) ends the list. A document never
  amends one above it (law > ordinance > decree > the rest): after ``Nghị định B … quy định chi tiết
  … Luật X đã được sửa đổi … theo Nghị định A``, A amends B, the nearest earlier one not above it.
* **change items** — after a lead line about ``sửa đổi`` / ``bổ sung`` ending with ``:``, a list
  item that opens with the change (``- Sửa đổi, bổ sung khoản 4 Điều 45 Luật X số B …``,
  ``2. Bổ sung … vào … kèm theo Luật Y số C``): the main document amends the first document the
  item names, unless a source phrase (``theo quy định tại``) comes before it.
* **amending law** — ``Luật sửa đổi, bổ sung một số điều của Luật X số N`` names the *amending*
  law N; it amends the law ``Luật X số M`` just before it in the same sentence, never the other
  way round.
* **plan adjustment** — ``(phê duyệt) điều chỉnh Quy hoạch … được phê duyệt tại Quyết định B``:
  the document that speaks (the previous mention in the sentence, else the main document)
  amends B, the decision that approved the plan; so does adjusting what a decision set
  (``chấp thuận điều chỉnh tiến độ … quy định tại Điều 1 Quyết định B``; not ``theo quy định tại``).
* **replacement and repeal by the main document** — an operative sentence (inside an article,
  or one saying ``Quyết định này / Kế hoạch này …``) with ``thay thế`` or ``bãi bỏ``: the main
  document ``qh:replaces`` / ``eli:repeals`` every document listed after the word (to the end
  of the sentence, or of the article when the word opens a list with ``:``); a listed document
  is one preceded by a list separator (``;``, ``,``, ``và``, ``1.``) or the first after the word.
  ``B … hết hiệu lực`` in such a sentence: the main document repeals B (not a document named in
  brackets inside B's title, ``(thực hiện … Luật Thủ đô)``). Only text before the
  signature block is the main document's own (appendices and portal lists after it are not); a
  consolidated text (VBHN) speaks for the document it consolidates.
"""

from __future__ import annotations

import re

from quyhoach.loaders.extract import mentions
from quyhoach.loaders.extract._shared import prefiltered, word_phrase
from quyhoach.loaders.extract.citations import (
    DocMention,
    QuoteRegion,
    doc_iri,
    quote_regions,
    resolve_documents,
)
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.namespaces import ELI, QH

_ACTIVE_RE = re.compile(
    r"(?<!được )(?i:sửa đổi,?\s*bổ sung|sửa đổi|bổ sung)"
    r"(?:\s+(?i:một số điều|một số nội dung|các điều [\d,\sv\u00e0]+|điều \d+|khoản \d+(?:\s+điều \d+)?))?"
    r"(?:\s+(?i:của|tại))?\s*(?i:các\s+)?"
    r"(?:(?i:quy định|quy chế|điều lệ)[^;.]{0,200}?(?i:ban hành\s+)?(?i:kèm theo)\s*)?$"
)
#: The provision of the changing document a portal's note names: "điểm a, b khoản 8 Điều 28".
#: Parts joined by "," or "và" ("điểm a, b khoản 3 và điểm b khoản 18 Điều 28").
_PART = r"(?i:điểm|khoản|điều|mục|tiết)"
_PROVISION = (
    rf"(?:(?:\s*,|\s+(?i:và))?\s+{_PART}\s+[\w.]+(?:\s*,\s*(?!{_PART}\b)[\w.]+|\s+(?i:và)\s+(?!{_PART}\b)[\w.]+)*)*"
)
_PASSIVE_RE = re.compile(
    r"(?i:được\s+(?:phê duyệt\s+)?(?:sửa đổi(?:,\s*bổ sung)?|bổ sung|điều chỉnh(?:\s+cục bộ)?)"
    r"(?:\s+(?:một số điều|cập nhật một số điều|một số nội dung))?\s+(?:bởi|tại|theo)|(?:sửa đổi(?:,\s*bổ sung)?|bổ sung)\s+bởi)"
    + _PROVISION + r"\s*(?i:của\s+)?$"
)
#: "B có cụm từ (này) bị bãi bỏ / thay thế bởi khoản 8 Điều 28 A": A repeals part of B, or amends
#: B by replacing its words.
_STRUCK_RE = re.compile(
    r"(?i:bị\s+(?P<verb>bãi bỏ|thay thế)\s+(?:bởi|tại|theo))" + _PROVISION + r"\s*(?i:của\s+)?$"
)
_AMENDING_LAW_RE = re.compile(r"(?i:luật\s+sửa đổi,\s*bổ sung\s+một số điều\s+của)\s+(?P<title>Luật\s+[^\d;.]{3,120}?)\s*(?i:số)?\s*$")
_PROVISION_WORDS = r"(?:\s+(?i:điểm|khoản|điều|mục|tiết|phụ lục)\s+[\w.]+(?:\s*(?:,|và)\s*[\w.]+)*)*"
_ADJUSTED_PLAN_RE = re.compile(
    r"(?i:điều chỉnh\s+(?:cục bộ\s+)?quy hoạch)[^.;]{0,300}?(?i:được\s+(?:[^.;]{0,60}\s)?phê duyệt\s+tại)\s*$"
    # "chấp thuận điều chỉnh tiến độ thực hiện dự án quy định tại Điều 1 Quyết định B": what B set
    r"|(?i:điều chỉnh)\s+(?!theo\b)[^.;]{0,120}?(?<!theo )(?<!các )(?i:quy định\s+tại)" + _PROVISION_WORDS + r"\s*(?i:của\s+)?$"
)
_OPERATIVE_RE = re.compile(r"(?i:\b(?:quyết định|nghị quyết|kế hoạch|thông tư|nghị định|chỉ thị|quy định) này\b)")
_REPLACE_RE = word_phrase("thay thế")  # word_phrase: these scan the whole text
_REPEAL_RE = word_phrase("bãi bỏ")
_EXPIRED_RE = word_phrase("hết hiệu lực")
_LIST_SEP_RE = re.compile(
    r"(?:[;,]|\svà|\d+\.|:)\s*(?:(?:\d+\.|[a-zđ]\))\s*)?(?i:và\s+)?(?i:các\s+)?\s*(?i:số\s*)?$"
)
#: Where the main document's own text ends when the structure found no signature block.
_SIGN_OFF_RE = prefiltered(r"(?:Nơi nhận\s*:|\bTM\.\s*(?:ỦY|UỶ|UBND|HỘI ĐỒNG)|\bKT\.\s*(?:CHỦ TỊCH|BỘ TRƯỞNG|THỦ TƯỚNG))")
_CHAIN_RE = re.compile(r"(?:,|\svà)\s*$")
_ITEM_MARK_RE = re.compile(r"(?:[-+•*]|\d+(?:\.\d+)*\.|[a-zđ]\))\s")
#: An item of a change list that opens with the change: "- Sửa đổi, bổ sung …", "2. Bổ sung …".
_CHANGE_ITEM_RE = re.compile(r"(?m)^[ \t]*(?:[-+•]|\d+(?:\.\d+)*\.|[a-zđ]\))[ \t]*(?:\*\*)?[ \t]*(?:Sửa đổi|Bổ sung|Thay thế)\b")
_CHANGE_LEAD_RE = re.compile(r"(?i:sửa đổi|bổ sung)[^\n]*:\s*$")
#: Words before the first document of an item that make it a source, not the changed document.
_NOT_CHANGED_RE = re.compile(r"(?i:theo quy định|quy định tại|căn cứ|theo hướng dẫn|\bphù hợp với)")
_BARE_HEAD_RE = re.compile(
    r"\s*(?:,|và|,\s*và)\s*(?i:(?:luật|pháp lệnh|nghị định|nghị quyết|quyết định|thông tư(?:\s+liên tịch)?)\s*)?(?i:số\s*)?"
)


def _law_title(text: str, d: DocMention) -> str:
    """The words before ``số`` of a law mention (``Luật Ban hành văn bản quy phạm pháp luật``)."""
    before = text[max(0, d.code_start - 160) : d.code_start]
    m = re.search(r"(Luật\s+[^\d;.]{3,120}?)\s*(?i:số)?\s*$", before)
    return " ".join(m.group(1).lower().split()) if m else ""


def _bare_head(text: str, prev: DocMention, d: DocMention) -> bool:
    """True when ``d`` is written by its type and number only (``, Luật số 23/2018/QH14``), as the
    further amending documents of a passive list are; a titled one (``, Luật Quy hoạch số …``) is
    a document of its own."""
    return _BARE_HEAD_RE.fullmatch(text[prev.end : d.code_start]) is not None


def _rank(d: DocMention) -> int:
    """Place in the hierarchy of legal documents: laws and National Assembly resolutions 0,
    ordinances 1, decrees and Government resolutions 2, all others 3."""
    if d.type_code == "Luật" or d.issuer.startswith("QH"):
        return 0
    return {"PL": 1, "NĐ": 2}.get(d.type_code, 2 if d.type_code == "NQ" and d.issuer == "CP" else 3)


def _changed_of_rank(found: tuple[DocMention, ...], i: int, sentence_start: int) -> DocMention | None:
    """In ``B … được sửa đổi, bổ sung theo A``, a document never amends one above it: "Nghị định
    số 37/2019/NĐ-CP … quy định chi tiết … của Luật Quy hoạch đã được sửa đổi, bổ sung … theo Nghị
    định số 58/2023/NĐ-CP": the decree amends the decree whose title names the law, the nearest
    earlier document of the sentence not above it. None when the previous one is not above it."""
    d, prev = found[i], found[i - 1]
    if _rank(prev) >= _rank(d):
        return None
    for p in reversed(found[: i - 1]):
        if p.start < sentence_start:
            break
        if _rank(p) >= _rank(d) and p.key != d.key:
            return p
    return None


def _emit(emitter: Emitter, seen: set, a: DocMention, p, b: DocMention, span: Span) -> None:
    if a.key == b.key or (a.key, p, b.key) in seen:
        return
    seen.add((a.key, p, b.key))
    emitter.add(doc_iri(a.key), p, doc_iri(b.key), span)


def _pairwise(text: str, found: tuple[DocMention, ...], main: DocMention | None, emitter: Emitter, seen: set) -> None:
    """Amendments stated between two mentions of one sentence (active, passive, law, plan)."""
    subject_of: dict[int, DocMention] = {}
    changed_of: dict[int, DocMention] = {}
    for i, d in enumerate(found):
        s, _e = mentions.wrapped_sentence_at(text, d.start)
        prev = found[i - 1] if i > 0 else None
        same = prev is not None and prev.end <= d.start and prev.start >= s
        between = text[prev.end : d.start] if same else text[max(s, d.start - 200) : d.start]
        span_start = prev.start if same else d.start
        law = _AMENDING_LAW_RE.search(text[max(s, d.code_start - 220) : d.code_start])
        if law is not None:
            title = " ".join(law.group("title").lower().split())
            for p in reversed(found[:i]):
                if p.start < s or d.start - p.end > 400:
                    break
                if p.type_code == "Luật" and _law_title(text, p) == title:
                    _emit(emitter, seen, d, ELI.amends, p, Span(p.start, d.end))
                    break
            continue
        if same and len(between) < 400 and _PASSIVE_RE.search(between) and ";" not in between[-120:]:
            changed = _changed_of_rank(found, i, s) or prev
            changed_of[i] = changed
            _emit(emitter, seen, d, ELI.amends, changed, Span(changed.start, d.end))
            continue
        if same and (i - 1) in changed_of and _CHAIN_RE.search(between) and _bare_head(text, prev, d):
            # "B được sửa đổi, bổ sung theo Luật số A1, Luật số A2 và Luật số A3": each amends B
            changed_of[i] = changed_of[i - 1]
            _emit(emitter, seen, d, ELI.amends, changed_of[i], Span(changed_of[i].start, d.end))
            continue
        struck = _STRUCK_RE.search(between) if same and len(between) < 400 and ";" not in between else None
        if struck is not None:
            predicate = ELI.repeals if struck["verb"].lower() == "bãi bỏ" else ELI.amends
            _emit(emitter, seen, d, predicate, prev, Span(prev.start, d.end))
            continue
        if _ADJUSTED_PLAN_RE.search(text[max(s, d.start - 400) : d.start]):
            speaker = prev if same and _ADJUSTED_PLAN_RE.search(between) else main
            if speaker is not None:
                _emit(emitter, seen, speaker, ELI.amends, d, Span(min(speaker.start, d.start), d.end))
            continue
        if same and len(between) < 400 and _ACTIVE_RE.search(between) and "." not in between.rstrip(". "):
            subject = subject_of.get(i - 1) if _CHAIN_RE.search(between) and (i - 1) in subject_of else prev
            subject_of[i] = subject
            _emit(emitter, seen, subject, ELI.amends, d, Span(span_start, d.end))
            continue
        if same and (i - 1) in subject_of and _CHAIN_RE.search(between) and len(between) < 400:
            subject_of[i] = subject_of[i - 1]
            _emit(emitter, seen, subject_of[i], ELI.amends, d, Span(span_start, d.end))
            continue
        if not same and main is not None and d.start < 800:
            line = text[text.rfind("\n", 0, d.start) + 1 : d.start]
            if re.fullmatch(r"\s*(?i:về việc|v/v)?\s*(?i:sửa đổi,\s*bổ sung|sửa đổi|bổ sung)[^\n]{0,80}?", line):
                _emit(emitter, seen, main, ELI.amends, d, Span(d.start, d.end))


def _operative(doc: CleanDocument, start: int, end: int, trigger: int | None = None) -> bool:
    """True for a sentence of an article, one opened by ``Điều N.``, or one about "Quyết định này"."""
    structure = getattr(doc, "structure", None)
    if structure is not None and structure.article_at(start) is not None:
        return True
    if trigger is not None:
        line = doc.text[doc.text.rfind("\n", 0, trigger) + 1 : trigger]
        if re.search(r"(?:^|\s)Điều\s+\d+\s*\.\s*$", line.replace("*", "")):
            return True
    return bool(_OPERATIVE_RE.search(doc.text, start, end))


def _scope_end(doc: CleanDocument, trigger_end: int, sentence_end: int) -> int:
    """End of the list a ``bãi bỏ`` / ``thay thế`` governs: the sentence, or the article after ``:``."""
    head = doc.text[trigger_end : min(sentence_end, trigger_end + 200)]
    if ":" not in head:
        return sentence_end
    structure = getattr(doc, "structure", None)
    article = structure.article_at(trigger_end) if structure is not None else None
    if article is not None:
        return article.span.end
    nxt = re.compile(r"\n\s*(?:\*\*)?Điều\s+\d+").search(doc.text, trigger_end)
    return nxt.start() if nxt else min(len(doc.text), trigger_end + 4000)


def _by_main(
    doc: CleanDocument, found: tuple[DocMention, ...], main: DocMention | None, emitter: Emitter, seen: set,
    regions: list[QuoteRegion] = (),
) -> None:
    """Replacements and repeals the main document makes in its operative sentences (never in
    the quotation of another document on a page that quotes several)."""
    if main is None:
        return
    text = doc.text
    elsewhere = [(r.start, r.end) for r in regions if r.document.key != main.key]
    structure = getattr(doc, "structure", None)
    starts = [d.start for d in found]
    if "VBHN" in main.id_local:
        # a consolidated text speaks for the document it consolidates, the next one it names
        main = next((d for d in found if d.start > main.end and d.key != main.key), None)
        if main is None:
            return
    signature = structure.signature if structure is not None else None
    operative_end = signature.span.start if signature is not None and signature.span.start > main.start else len(text)
    if signature is None:
        sign = _SIGN_OFF_RE.search(text, main.end)
        operative_end = sign.start() if sign else len(text)
    for regex, predicate in ((_REPLACE_RE, QH.replaces), (_REPEAL_RE, ELI.repeals)):
        for t in regex.finditer(text):
            s, e = mentions.sentence_at(text, t.start())
            if t.start() >= operative_end or (structure is not None and structure.is_furniture(Span(t.start(), t.end()))):
                continue
            if not _operative(doc, s, e, t.start()) or any(a <= t.start() < b for a, b in elsewhere):
                continue
            if re.search(r"(?i:sửa đổi,\s*bổ sung,\s*$|đề nghị ban hành[^.;]{0,60}$|về việc[^.;]{0,80}$)", text[s : t.start()]):
                continue
            end = _scope_end(doc, t.end(), e)
            first = True
            last_end = t.end()
            for x in found[_bisect(starts, t.end()) :]:
                if x.start >= end:
                    break
                if first or _LIST_SEP_RE.search(text[last_end : x.start]):
                    _emit(emitter, seen, main, predicate, x, Span(t.start(), x.end))
                first = False
                last_end = x.end
    for t in _EXPIRED_RE.finditer(text, 0, operative_end):
        s, e = mentions.sentence_at(text, t.start())
        if not _operative(doc, s, e) or any(a <= t.start() < b for a, b in elsewhere):
            continue
        for x in found[_bisect(starts, s) :]:
            if x.end > t.start():
                break
            if text.count("(", s, x.start) > text.count(")", s, x.start):
                continue  # "(thực hiện điểm a khoản 2 Điều 28 Luật Thủ đô)": an aside names its basis
            _emit(emitter, seen, main, ELI.repeals, x, Span(x.start, t.end()))


def _change_items(
    text: str, found: tuple[DocMention, ...], main: DocMention | None, emitter: Emitter, seen: set,
    regions: list[QuoteRegion] = (),
) -> None:
    """Items of a change list: after a lead line that speaks of ``sửa đổi`` / ``bổ sung`` and ends
    with ``:``, an item opening with the change itself (``- Sửa đổi, bổ sung khoản 4 Điều 45 Luật X
    số B …``, ``- Bổ sung quy định … vào … ban hành kèm theo Luật Y số C``) is the main document's
    change of the first document it names (never in another document's quotation)."""
    if main is None:
        return
    elsewhere = [(r.start, r.end) for r in regions if r.document.key != main.key]
    starts = [d.start for d in found]
    for item in _CHANGE_ITEM_RE.finditer(text):
        lead = _lead_line(text, item.start())
        if lead is None or not _CHANGE_LEAD_RE.search(lead[1]) or any(a <= item.start() < b for a, b in elsewhere):
            continue
        line_end = text.find("\n", item.end())
        line_end = len(text) if line_end < 0 else line_end
        k = _bisect(starts, item.end())
        if k >= len(found) or found[k].start >= line_end:
            continue
        d = found[k]
        if _NOT_CHANGED_RE.search(text, item.end(), d.start):
            continue
        _emit(emitter, seen, main, ELI.amends, d, Span(item.start(), d.end))


def _lead_line(text: str, pos: int) -> tuple[int, str] | None:
    """The nearest line before ``pos`` that is not empty and not another item of the list."""
    end = text.rfind("\n", 0, pos)
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line and not _ITEM_MARK_RE.match(line):
            return start, line
        end = start - 1
    return None


def _bisect(starts: list[int], pos: int) -> int:
    from bisect import bisect_left

    return bisect_left(starts, pos)


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit ``eli:amends`` / ``eli:repeals`` / ``qh:replaces`` between the documents of ``doc``."""
    found, main, why = resolve_documents(doc, ctx)
    numbered = tuple(d for d in found if d.key)
    seen: set = set()
    for d in numbered:  # "Luật sửa đổi Luật A; Luật B … 2025": the amending law amends each law of its title
        for law in d.amended:
            _emit(emitter, seen, d, ELI.amends, law, Span(d.start, d.end))
    _pairwise(doc.text, numbered, main, emitter, seen)
    regions = quote_regions(doc, found, main, why)
    _change_items(doc.text, numbered, main, emitter, seen, regions)
    _by_main(doc, numbered, main, emitter, seen, regions)
