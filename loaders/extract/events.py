"""Events, people and posts: meetings, steering committees, officials and the posts they hold.

* A steering committee is ``Ban Chỉ đạo`` followed by its remit up to the unit it serves
  (``Ban Chỉ đạo lập quy hoạch tỉnh Lai Châu``): ``ID/agency/ban-chi-dao/{slug of the remit}``.
* A meeting is a sentence where someone ``tổ chức`` / ``họp`` a ``Phiên họp``, ``Cuộc họp`` or
  ``Hội nghị`` (with an ordinal ``lần thứ 3`` if given): its date is the date of that sentence
  (``Sáng nay (4/6)`` takes the year of the document; ``hôm nay`` alone is the document date),
  its organiser the agency or committee named before the verb, its subject the plan after it;
  the people before ``chủ trì`` / ``đồng chủ trì`` chair it.
* A person is a Vietnamese name (family name + 1-3 capitalised syllables) preceded by post
  titles (``Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo … Trần Tiến Dũng``) or followed by one
  (``Đồng chí Trần Tiến Dũng - Chủ tịch UBND tỉnh``). Each post becomes an ``org:Post`` (the
  reference post when the resolver knows it) and a ``qh:PostHolding`` dated with the
  document's date.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from rdflib import XSD, Literal, URIRef

from quyhoach.loaders.extract import mentions
from quyhoach.loaders.extract._shared import position_test
from quyhoach.loaders.extract.citations import person_iri
from quyhoach.loaders.extract.dates import find_dates
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.namespaces import FOAF, ID, ORG, QH
from quyhoach.text import slugify

#: Post titles, longest first; English labels for posts minted here.
TITLES = {
    "Phó Chủ tịch Thường trực": "Permanent Vice Chairman",
    "Phó Chủ tịch": "Vice Chairman",
    "Chủ tịch": "Chairman",
    "Phó Thủ tướng Thường trực": "Permanent Deputy Prime Minister",
    "Phó Thủ tướng": "Deputy Prime Minister",
    "Thủ tướng": "Prime Minister",
    "Bộ trưởng": "Minister",
    "Thứ trưởng": "Deputy Minister",
    "Phó Giám đốc": "Deputy Director",
    "Giám đốc": "Director",
    "Phó Trưởng Ban Thường trực": "Permanent Deputy Head",
    "Phó Trưởng Ban": "Deputy Head",
    "Trưởng Ban": "Head",
    "Tổng Bí thư": "General Secretary",
    "Phó Bí thư": "Deputy Secretary",
    "Bí thư": "Secretary",
    "Phó Chủ nhiệm": "Vice Chairman",
    "Chủ nhiệm": "Chairman",
    "Tổng cục trưởng": "Director General",
    "Phó Cục trưởng": "Deputy Director",
    "Cục trưởng": "Director",
    "Vụ trưởng": "Director",
    "Chánh Văn phòng": "Chief of Office",
    "Thống đốc": "Governor",
}
_TITLE_RE = re.compile(
    r"(?<!\w)(?P<title>" + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)
_HONORIFIC_RE = re.compile(r"(?i:đồng chí|ông|bà)\s+$")
_AFTER_POST_RE = re.compile(r"\s*[-–—,]\s*(?P<post>[^.;:()\n]{3,120}?)(?=\s+(?:phát biểu|nhấn mạnh|cho biết|khẳng định|"
                            r"kết luận|chủ trì|đề nghị|yêu cầu|chỉ đạo|trao đổi|báo cáo|trình bày)|[.;:()\n]|$)")
# Both scan the whole text from the first letter, the look-behind after it (the regex engine
# skips to that letter in C): the same matches as ``(?<!\w)Ban [Cc]hỉ đạo(?!\w)`` and
# ``(?<!\w)(?P<kind>[Pp]hiên họp|[Cc]uộc họp|[Hh]ội nghị|[Bb]uổi làm việc)…``.
_COMMITTEE_RE = re.compile(r"B(?<!\wB)an [Cc]hỉ đạo(?!\w)")
_MEETING_RE = re.compile(
    r"(?P<kind>[PpCcHhBb](?<!\w[PpCcHhBb])(?:(?<=[Pp])hiên họp|(?<=[Cc])uộc họp|(?<=[Hh])ội nghị|(?<=[Bb])uổi làm việc))"
    r"(?:\s+(?:trực tuyến|thường kỳ|chuyên đề|thường niên|(?:lần\s+)?thứ\s+(?P<ord>\d+|nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)))*"
)
_ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
_ORGANISE_RE = re.compile(r"(?i:đã\s+|vừa\s+)?(?i:tổ chức|họp|chủ trì tổ chức)\s+$")
_TODAY_RE = re.compile(r"(?i:(?:sáng|chiều|tối|trưa)\s+nay|hôm nay)")
_CHAIR_RE = re.compile(r"(?i:đồng chủ trì|chủ trì)")
_ABOUT_RE = re.compile(
    r"\s*(?i:(?:để|nhằm)\s+)?(?i:bàn về|về|cho ý kiến về|cho ý kiến vào|góp ý|thảo luận về|nghe báo cáo về)\s+"
)
#: The subject named generically: "(dự thảo) (Báo cáo) Quy hoạch tỉnh" = the plan the text is about.
_GENERIC_PLAN_RE = re.compile(r"(?i:(?:dự thảo\s+)?(?:báo cáo\s+)?quy hoạch\s+(?:tỉnh|thành phố))(?!\s+[A-ZÀ-ỸĐ])")
_PLAN_PERIOD_TAIL = re.compile(r"\s*,?\s*(?:thời kỳ|giai đoạn)\s+\d{4}.*$")


@dataclass
class Committee:
    """A steering committee named in the text."""

    start: int
    end: int
    name: str
    iri: URIRef
    province: URIRef | None


@dataclass
class Person:
    """A named official with the post phrases found around the name."""

    start: int
    end: int
    name: str
    posts: list[tuple[str, int, int]] = field(default_factory=list)  # (phrase, start, end)


def find_committees(doc: CleanDocument, ctx: ExtractionContext) -> list[Committee]:
    """Steering committees: ``Ban Chỉ đạo`` + remit, ending at the unit it serves."""
    text = doc.text
    units = [(s, e, m) for s, e, m in mentions.find_units(ctx, text) if m.level in ("province", "region")]
    starts = [s for s, _e, _m in units]  # in text order, as the resolver returns them
    found: list[Committee] = []
    for m in _COMMITTEE_RE.finditer(text):
        k = bisect_left(starts, m.end())  # the first unit starting at or after the name
        if k == len(units) or units[k][0] > m.end() + 80:
            continue
        unit = units[k]
        s, e, match = unit
        if re.search(r"[,.;()\n]", text[m.end() : s]):
            continue
        name = " ".join(text[m.start() : e].split())
        remit = name[len("Ban Chỉ đạo") :].strip()
        found.append(Committee(m.start(), e, name, ID[f"agency/ban-chi-dao/{slugify(remit)}"],
                               match.iri if match.level == "province" else None))
    return found


def _excluded_spans(doc: CleanDocument, ctx: ExtractionContext) -> list[tuple[int, int]]:
    spans = [(s, e) for s, e, _m in mentions.find_units(ctx, doc.text)]
    resolver = ctx.resolver
    if resolver is not None:
        spans += [(s, e) for s, e, _m in resolver.find_agencies(doc.text, ctx.as_of, ctx.scope_unit)]
    return spans




def find_people(doc: CleanDocument, ctx: ExtractionContext) -> list[Person]:
    """Officials: names with post titles before them (``Chủ tịch UBND tỉnh X Trần Văn A``) or after a dash."""
    text = doc.text
    excluded = _excluded_spans(doc, ctx)
    inside = position_test(excluded)
    people: list[Person] = []
    for words in mentions.capitalised_runs(text):
        if len(words) < 2:
            continue
        # drop words inside unit or agency names, then take the part from the first family name
        free = [w for w in words if not inside(w[0])]
        if not free or free[-1] != words[-1]:
            continue
        tail: list[tuple[int, int]] = []
        for w in reversed(free):
            if tail and w[1] + 1 != tail[0][0]:
                break
            tail.insert(0, w)
        for i, w in enumerate(tail):
            if text[w[0] : w[1]] in mentions.SURNAMES and 2 <= len(tail) - i <= 4:
                start, end = w[0], tail[-1][1]
                name = text[start:end]
                person = Person(start, end, name)
                _posts_before(text, person)
                _posts_after(text, person)
                if person.posts:
                    people.append(person)
                break
    return people


def _posts_before(text: str, person: Person) -> None:
    """Post phrases between the previous clause boundary and the name, split at commas."""
    left = max(0, person.start - 160)
    segment = text[left : person.start]
    cut = max(segment.rfind(ch) for ch in ";.:()\n")
    if cut >= 0:
        segment, left = segment[cut + 1 :], left + cut + 1
    titles = list(_TITLE_RE.finditer(segment))
    if not titles:
        return
    # post phrases start at titles that open a comma-separated part
    starts = [t.start() for t in titles if t.start() == 0 or re.search(r"(?:,|^)\s*$", segment[: t.start()]) or segment[: t.start()].strip() == ""]
    if not starts:
        starts = [titles[0].start()]
    first = starts[0]
    if segment[:first].strip() and not re.fullmatch(r"\s*(?:[Đđ]ồng chí|[Óó]ng|[Bb]à)?\s*", segment[:first]):
        # text before the first title must be a clause start ("Phát biểu kết luận Phiên họp, ")
        if not re.search(r",\s*$", segment[:first]):
            return
    bounds = [*starts, len(segment)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        phrase = segment[a:b].strip().rstrip(",").strip()
        if phrase:
            person.posts.append((phrase, left + a, left + a + len(phrase)))


def _posts_after(text: str, person: Person) -> None:
    """``Trần Tiến Dũng - Chủ tịch UBND tỉnh`` (only after an honorific or at a clause start)."""
    before = text[max(0, person.start - 20) : person.start]
    if not _HONORIFIC_RE.search(before) and not re.search(r"(?:^|[\n.;])\s*$", before):
        return
    m = _AFTER_POST_RE.match(text, person.end)
    if m and _TITLE_RE.match(m["post"].strip()):
        # "Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo": one post per comma part that opens with a title
        a = m.start("post")
        for part in re.split(r"(,\s*)(?=" + _TITLE_RE.pattern + ")", m["post"]):
            if part is None or not part.strip():
                continue
            if re.fullmatch(r",\s*", part) or not _TITLE_RE.match(part.strip()):
                a += len(part)
                continue
            lead = len(part) - len(part.lstrip())
            person.posts.append((part.strip(), a + lead, a + lead + len(part.strip())))
            a += len(part)


def _resolve_post(phrase: str, ctx: ExtractionContext, committees: list[Committee], province) -> tuple[URIRef, str, str, URIRef | None] | None:
    """(post IRI, label vi, label en, agency IRI) of a post phrase, or ``None``."""
    title_m = _TITLE_RE.match(phrase)
    if not title_m:
        return None
    title = next(t for t in TITLES if t.lower() == title_m["title"].lower())
    org = phrase[title_m.end() :].strip()
    if title.endswith(" Ban"):  # "Trưởng Ban Chỉ đạo …": the title's last word opens the body's name
        org = f"Ban {org}".strip()
    org = " ".join(_PLAN_PERIOD_TAIL.sub("", org).split())
    named = {c.iri for c in committees}
    for c in committees:
        # "Trưởng Ban Chỉ đạo" with no remit: the one committee the text names
        bare = org.lower() == "ban chỉ đạo" and len(named) == 1
        if org.lower().startswith("ban chỉ đạo") and (org.lower() == c.name.lower() or bare):
            key = str(c.iri).split("agency/", 1)[1]
            return ID[f"post/{key}/{slugify(title)}"], f"{title} {c.name}", f"{TITLES[title]} of the {c.name}", c.iri
    match = mentions.post(ctx, f"{title} {org}".strip(), province)
    agency = mentions.agency(ctx, org, province) if org else None
    if match is not None:
        return match.iri, match.label, "", agency.iri if agency else None
    if agency is not None:
        return ID[f"post/{agency.code}/{slugify(title)}"], f"{title} {agency.label}", f"{TITLES[title]}", agency.iri
    return None


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit steering committees, meetings, people, posts and post holdings of ``doc``."""
    text = doc.text
    source = doc.iri
    committees = find_committees(doc, ctx)
    for c in committees:
        span = Span(c.start, c.end)
        emitter.entity(c.iri, QH.SteeringCommittee, span, c.name)
        if c.province is not None:
            emitter.add(c.iri, QH.jurisdiction, c.province, span)
        emitter.add(source, QH.mentions, c.iri, span)
    province = ctx.scope_unit if ctx.scope_unit and "/province" in str(ctx.scope_unit) else mentions.dominant_province(doc, ctx)
    people = find_people(doc, ctx)
    for person in people:
        iri = person_iri(person.name)
        span = Span(person.start, person.end)
        emitter.entity(iri, QH.Person, span, person.name)
        emitter.add(iri, FOAF.name, Literal(person.name), span)
        emitter.add(source, QH.mentions, iri, span)
        for phrase, a, b in person.posts:
            post_span = Span(min(a, person.start), max(b, person.end))
            local = mentions.province_near(text, a, ctx) or province
            resolved = _resolve_post(phrase, ctx, committees, local)
            if resolved is None:
                continue
            post_iri, label_vi, label_en, agency = resolved
            emitter.entity(post_iri, ORG.Post, post_span, label_vi, label_en or None)
            if agency is not None:
                emitter.add(post_iri, ORG.postIn, agency, post_span)
            holding = emitter.local_iri("holding", f"{slugify(person.name)}/{str(post_iri).rsplit('id/', 1)[-1]}")
            emitter.entity(holding, QH.PostHolding, post_span)
            emitter.add(holding, QH.person, iri, post_span)
            emitter.add(holding, QH.post, post_iri, post_span)
            if agency is not None:
                emitter.add(holding, QH.agency, agency, post_span)
            # a signer's holding is already dated with the act signed (citations run first)
            if ctx.as_of is not None and not emitter.has(holding, QH.asOf):
                emitter.add(holding, QH.asOf, Literal(ctx.as_of, datatype=XSD.date), post_span)
    _meetings(doc, emitter, ctx, committees, people)


def _meetings(doc, emitter: Emitter, ctx: ExtractionContext, committees: list[Committee], people: list[Person]) -> None:
    text = doc.text
    year = ctx.as_of.year if ctx.as_of else None
    seen: set[URIRef] = set()
    from quyhoach.loaders.extract.plans import find_plans

    plans = find_plans(doc, ctx)
    for m in _MEETING_RE.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        if not _ORGANISE_RE.search(before):
            continue
        s, e = mentions.sentence_at(text, m.start())
        sentence = text[s:e]
        when = None
        for d in find_dates(sentence, year):
            if d.start < m.start() - s:
                when = d.value
        if when is None and _TODAY_RE.search(sentence[: m.start() - s]) and ctx.as_of:
            when = ctx.as_of
        if when is None:
            continue
        organiser = None
        for c in committees:
            if s <= c.start < m.start():
                organiser = c.iri
        if organiser is None and ctx.resolver is not None:
            for a, _b, match in ctx.resolver.find_agencies(sentence[: m.start() - s], ctx.as_of, ctx.scope_unit):
                organiser = match.iri
                del a
        ordinal = m["ord"]
        number = int(ordinal) if ordinal and ordinal.isdigit() else _ORDINALS.get(ordinal or "")
        key = str(organiser).split("agency/", 1)[1] if organiser is not None else doc.key
        iri = ID[f"meeting/{key}/{when.isoformat()}"] if organiser is not None else emitter.local_iri("meeting", when.isoformat())
        if iri in seen:
            continue
        seen.add(iri)
        span = Span(s, e)
        kind_word = m["kind"][0].upper() + m["kind"][1:]
        label = f"{kind_word} lần thứ {number}" if number else kind_word
        emitter.entity(iri, QH.Meeting, span, label, "Meeting")
        emitter.add(iri, QH.meetingDate, Literal(when, datatype=XSD.date), span)
        if number:
            emitter.add(iri, QH.ordinal, Literal(number, datatype=XSD.integer), span)
        if organiser is not None:
            emitter.add(iri, QH.organizedBy, organiser, span)
        about = _ABOUT_RE.match(text, m.end())
        if about:
            plan = next((p for p in plans if p.start == about.end()), None)
            if plan is not None:
                emitter.add(iri, QH.about, plan.iri, span)
            elif ctx.main_plan is not None and _GENERIC_PLAN_RE.match(text, about.end()):
                emitter.add(iri, QH.about, ctx.main_plan, span)
        emitter.add(doc.iri, QH.describes, iri, span)
        _chairs(doc, emitter, iri, m.end(), people)


def _chairs(doc, emitter: Emitter, meeting: URIRef, after: int, people: list[Person]) -> None:
    """People named before ``chủ trì`` in the meeting's sentence or the sentence after it."""
    text = doc.text
    spans = mentions.sentences(text)
    idx = next((i for i, (a, b) in enumerate(spans) if a <= after <= b), None)
    if idx is None:
        return
    for a, b in spans[idx : idx + 2]:
        chair = _CHAIR_RE.search(text, a, b)
        if chair is None:
            continue
        for person in people:
            if a <= person.start and person.end <= chair.start():
                emitter.add(meeting, QH.chair, person_iri(person.name), Span(a, b))
        return
