"""Infrastructure named in plans: routes, economic and border-gate zones, border gates, industrial
parks and clusters, growth poles and centres, with location, status and the plan that lists them.

Rules (general patterns of the genre):

* Routes: ``cao tốc`` + a dash name (``cao tốc Bắc Giang - Lạng Sơn``, ``cao tốc cửa khẩu Hữu Nghị -
  Chi Lăng``) -> ``qh:Expressway``; ``đường sắt [tốc độ cao]`` + dash names (a comma list continues the
  kind: ``các tuyến đường sắt tốc độ cao Lạng Sơn – Hà Nội, Lào Cai – Hà Nội – Hải Phòng – Quảng Ninh``)
  -> ``qh:Railway`` / ``qh:HighSpeedRailway``; a ring line ``đường sắt vành đai phía Đông thành phố X``
  -> ``qh:Railway``; ``quốc lộ 4A`` / ``QL.4B`` / ``QL 279`` (and lists
  ``quốc lộ 4A, 4B``) -> ``qh:NationalHighway``, ``Đường tỉnh 386`` / ``ĐT.386`` / ``ĐT 633`` ->
  ``qh:ProvincialRoad``, with ``qh:routeNumber`` (not in an address: ``Địa chỉ: Km 6, Quốc lộ 39``).
  ``ID/route/{kind}/{slug}``.
  ``qh:connects`` the units of a route's name and those of ``nối X với Y`` right after it (shared by
  routes coordinated with ``và`` just before ``nối``).
* Zones: ``khu kinh tế cửa khẩu`` + name -> ``qh:BorderGateEconomicZone``; ``khu kinh tế`` + name ->
  ``qh:EconomicZone`` (also ``khu kinh tế ven biển như X``); ``ID/zone/{slug of kind + name, dashes folded, "tỉnh" dropped}`` so the same zone
  gets the same IRI in every document. ``khu kinh tế cửa khẩu tại cửa khẩu X`` names zone X.
* Border gates: ``cửa khẩu [quốc tế|chính|phụ|song phương]`` + a capitalised name -> ``qh:BorderGate``,
  ``ID/border-gate/{slug}``; not inside a zone or route name; lower-case words (``cửa khẩu thông minh``)
  are not names.
* Industrial parks / clusters: a capitalised name (``Khu công nghiệp Đồng Bành``; the name in brackets
  after it, ``(KCN B)``, is the same park wherever it is written; not inside a company's name,
  ``Công ty … khu công nghiệp X``) or a group located
  by a list of places (``các khu công nghiệp trên địa bàn các huyện Hữu Lũng, Chi Lăng, Lộc Bình``: one
  group entity located in each district, districts resolved with the document's province hint).
* Growth poles: ``cực tăng trưởng … tại A, B, C`` -> one ``qh:GrowthPole`` per place;
  ``X … là một trong các cực tăng trưởng`` -> a pole at the first unit of the sentence.
* Centres: ``trung tâm <what> tại A [và B]`` -> ``qh:UrbanCentre`` located at each place.
* Location: ``…, tỉnh X`` right after the name, else a unit inside the name, else the document's
  province. Status: ``ưu tiên`` earlier in the sentence -> priority; ``nghiên cứu`` earlier in the
  sentence -> to-be-studied for the first entity after it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from rdflib import RDF, Literal, URIRef

from quyhoach.loaders.extract._shared import (
    D,
    dash_sequences,
    find_units,
    lead_by_first_chars,
    province_code,
    resolve_unit,
    sentences,
    title_run,
)
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Match, Span
from quyhoach.namespaces import ID, QH, SKOS
from quyhoach.text import fold_dashes, slugify

STATUS = {s: ID[f"development-status/{s}"] for s in ("planned", "to-be-studied", "priority", "existing")}


@dataclass
class Item:
    """One infrastructure entity found in the text."""

    iri: URIRef
    cls: URIRef
    label: str
    span: Span
    written: str = ""
    locations: list[Match] = field(default_factory=list)
    connects: list[Match] = field(default_factory=list)
    route_number: str = ""
    status: str = ""
    full: bool = False  # written with the full name of its kind ("khu kinh tế ven biển phía Nam X")


#: Space inside one line: a kind word never takes its name from the next line (a heading).
_SP = r"[ \t\u00a0]+"
_EXPRESSWAY = re.compile(rf"(?:đường{_SP})?cao tốc{_SP}(?P<pre>cửa khẩu{_SP})?", re.IGNORECASE)
_RAILWAY = re.compile(r"đường sắt(?P<hs>\s+tốc độ cao|\s+cao tốc)?(?P<kind>\s+đô thị|\s+quốc gia)?\s+", re.IGNORECASE)
#: National highways and provincial roads: "quốc lộ 4A", "QL.4B", "Đường tỉnh 386", "ĐT.386", "ĐT 633".
_HIGHWAY = re.compile(
    r"(?:[Qq]uốc lộ|QL|(?P<pr>[Đđ]ường tỉnh|(?<!\w)ĐT))\s*\.?\s*(?P<n>\d{1,3}[A-Z]?)(?![\w/])"
    r"(?P<more>(?:\s*(?:,|và)\s*\d{1,3}[A-Z]?(?![\w/]))*)"
)
#: An address before a route on its line ("Địa chỉ: Km 6, Quốc lộ 39, …"): a place of a body, no work.
_ADDRESS_BEFORE = re.compile(r"(?i:địa chỉ|trụ sở)\s*(?:chính\s*)?:?[^\n]{0,60}$")
_BGEZ = re.compile(rf"khu kinh tế cửa khẩu{_SP}(?:(?P<at>tại{_SP}cửa khẩu){_SP}|(?:tỉnh|thành phố){_SP})?", re.IGNORECASE)
#: After "đường sắt": a ring line and the city it rings ("vành đai phía Đông thành phố Hà Nội").
_RING = re.compile(rf"vành đai(?:{_SP}phía{_SP}(?:Đông|Tây|Nam|Bắc)(?:{_SP}(?:Nam|Bắc))?)?{_SP}(?:(?i:thành phố|TP\.?|Thủ đô){_SP})?(?=[A-ZĐ])")
#: "khu kinh tế X"; "khu kinh tế ven biển như X" (an example of the kind: zone X).
_EZ = re.compile(rf"khu kinh tế{_SP}(?!cửa khẩu)(?:(?P<coast>ven biển|biển){_SP}(?P<side>phía{_SP}(?=Đông|Tây|Nam|Bắc))?)?(?:như{_SP})?",
                 re.IGNORECASE)
#: A management board named after a province's zones ("Ban Quản lý Khu kinh tế Hải Phòng"): no zone.
_BOARD_BEFORE = re.compile(r"(?i:ban quản lý)[ \t]+$")
_GATE = re.compile(rf"cửa khẩu(?P<kind>{_SP}quốc tế|{_SP}chính|{_SP}phụ|{_SP}song phương)?{_SP}", re.IGNORECASE)
_PARK = re.compile(rf"(?P<kind>khu|cụm) công nghiệp{_SP}", re.IGNORECASE)
_PLACE_INTRO = re.compile(r"(?:trên địa bàn|tại|ở)\s+", re.IGNORECASE)
#: "cực tăng trưởng … tại A, B" or a list right after the word ("các cực tăng trưởng Cần Thơ, Long An";
#: names that do not resolve to units end the list).
_POLE = re.compile(
    r"cực tăng trưởng(?:(?:\s+(?:của|quốc gia)[^,.;:]{0,30}?)?\s+(?:tại|là|gồm|ở)\s+|[ \t]+(?=\w))", re.IGNORECASE
)
_POLE_SUBJECT = re.compile(r"là một trong (?:các|những) cực tăng trưởng", re.IGNORECASE)
_CENTRE = re.compile(r"trung tâm\s+(?P<what>[^.;:\n]{3,120}?)\s+tại\s+", re.IGNORECASE)
_PROVINCE_AFTER = re.compile(r",?\s*(?P<u>(?:tỉnh|thành phố)\s+[^\W\d_][\w]*(?:\s+[^\W\d_][\w]*){0,3})")
_CONNECT = re.compile(r"\s*,?\s*(?:kết\s+)?nối\s+(?P<body>[^.;,\n]{3,80})", re.IGNORECASE)
_LIST_GAP = re.compile(
    r"^\s*(?:,|và|,\s*và|;)?\s*(?:các\s+)?(?:(?:tỉnh|thành phố|huyện|thị xã|quận)\s*)?$", re.IGNORECASE
)
_CLAUSE_END = re.compile(r"[.;:\n]")


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_END.search(text, pos)
    return m.start() if m else len(text)


def _name_at(text: str, pos: int) -> int:
    """End of a capitalised name at ``pos``, dash-joined parts included (``Đồng Đăng – Lạng Sơn``)."""
    seqs = [s for s in dash_sequences(text, pos, min(len(text), pos + 120)) if s.start == pos]
    if seqs:
        return seqs[0].end
    return title_run(text, pos)


_GATE_PART = re.compile(rf"[ \t]*{D}[ \t]*cửa khẩu[ \t]+(?=\w)", re.IGNORECASE)
_DIRECTION = re.compile(r"[ \t]+phía[ \t]+(?:Đông|Tây|Bắc|Nam)(?:[ \t]+(?:Bắc|Nam))?\b")


def _route_name_end(text: str, pos: int) -> int:
    """End of a route name: dash-joined places, a last part naming a gate ("Sơn La - Điện Biên -
    cửa khẩu Tây Trang") and a side ("Bắc - Nam phía Đông")."""
    e = _name_at(text, pos)
    if e <= pos:
        return e
    gate = _GATE_PART.match(text, e)
    if gate and text[gate.end() : gate.end() + 1].isupper():
        e = max(e, _name_at(text, gate.end()))
    side = _DIRECTION.match(text, e)
    return side.end() if side else e


def _clean(name: str) -> str:
    return re.sub(r"\s*-\s*", " - ", fold_dashes(name)).strip()


def _unit_list(text: str, pos: int, ctx: ExtractionContext) -> list[tuple[int, int, Match]]:
    """Units listed from ``pos`` on (``A, B và C``), stopping at the first gap that is not a separator."""
    end = _clause_end(text, pos)
    out = []
    last = pos
    for s, e, m in find_units(ctx, text[pos:end], pos, hint=True):
        if not _LIST_GAP.match(text[last:s]):
            break
        out.append((s, e, m))
        last = e
    return out


#: A unit in brackets right after a name: "(huyện Vị Xuyên)", "(Trà Vinh)", "(thành phố Cao Bằng)".
_BRACKET_AFTER = re.compile(r"[ \t]*\((?P<u>[^()\n]{2,60})\)")


def _bracket_unit(text: str, name_end: int, ctx: ExtractionContext) -> Match | None:
    m = _BRACKET_AFTER.match(text, name_end)
    if not m:
        return None
    found = find_units(ctx, m.group("u"), m.start("u"), hint=True)
    if len(found) == 1 and found[0][0] - m.start("u") <= 12 and m.end("u") - found[0][1] <= 2:
        return found[0][2]
    return resolve_unit(ctx, m.group("u"))


def _location(text: str, name_start: int, name_end: int, ctx: ExtractionContext) -> list[Match]:
    bracket = _bracket_unit(text, name_end, ctx)
    if bracket is not None:
        return [bracket]
    m = _PROVINCE_AFTER.match(text, name_end)
    if m:
        unit = resolve_unit(ctx, m.group("u"), level="province")
        if unit is not None:
            return [unit]
    inside = [u for _, _, u in find_units(ctx, text[name_start:name_end], name_start, hint=True)]
    if not inside:
        # bare names inside zone names ("Cao Bằng", "Đồng Đăng - Lạng Sơn")
        for part in re.split(D, text[name_start:name_end]):
            u = resolve_unit(ctx, part.strip(), level="province")
            if u is not None:
                inside.append(u)
    if inside:
        return [inside[-1]]
    return []


def _is_province(ctx: ExtractionContext, name: str) -> bool:
    """Whether ``name`` is a province's name."""
    u = resolve_unit(ctx, name, level="province")
    return u is not None


def _scope_province(ctx: ExtractionContext) -> list[Match]:
    if province_code(ctx) and ctx.scope_unit is not None:
        return [Match(ctx.scope_unit, "", "province", province_code(ctx) or "")]
    return []


def _route_connects(text: str, name_start: int, name_end: int, ctx: ExtractionContext) -> list[Match]:
    out = []
    for part in re.split(D, text[name_start:name_end]):
        u = resolve_unit(ctx, part.strip())
        if u is not None:
            out.append(u)
    return out


def _routes(text: str, ctx: ExtractionContext, taken: list[tuple[int, int]]) -> list[Item]:
    items: list[Item] = []
    for m in _EXPRESSWAY.finditer(text):
        p = m.end()
        if not text[p : p + 1].isupper():
            continue
        e = _route_name_end(text, p)
        if e <= p:
            continue
        name = (m.group("pre") or "") + _clean(text[p:e])
        slug = slugify(name)
        it = Item(ID[f"route/expressway/{slug}"], QH.Expressway, f"Cao tốc {name}", Span(m.start(), e), text[m.start() : e])
        it.connects = _route_connects(text, p, e, ctx)
        items.append(it)
        taken.append((m.start(), e))
    for m in _RAILWAY.finditer(text):
        p = m.end()
        high = bool(m.group("hs"))
        ring = _RING.match(text, p) if not high else None
        if ring is not None:
            e = _name_at(text, ring.end())
            if e > ring.end():
                name = _clean(text[p:e])
                it = Item(ID[f"route/railway/{slugify(name)}"], QH.Railway, f"Đường sắt {name}", Span(m.start(), e), text[p:e])
                items.append(it)
                taken.append((p, e))
            continue
        while p < len(text) and text[p].isupper():
            seqs = [s for s in dash_sequences(text, p, min(len(text), p + 160)) if s.start == p]
            if not seqs:
                break
            s = seqs[0]
            name = _clean(text[s.start : s.end])
            kind, cls, word = ("high-speed-railway", QH.HighSpeedRailway, "Đường sắt tốc độ cao") if high else (
                "railway", QH.Railway, "Đường sắt")
            it = Item(ID[f"route/{kind}/{slugify(name)}"], cls, f"{word} {name}", Span(m.start(), s.end), text[s.start : s.end])
            it.connects = _route_connects(text, s.start, s.end, ctx)
            items.append(it)
            taken.append((s.start, s.end))
            gap = _ROUTE_JOIN.match(text, s.end)
            if not gap:
                break
            p = gap.end()
    for m in _HIGHWAY.finditer(text):
        if _ADDRESS_BEFORE.search(text, max(0, m.start() - 80), m.start()):
            continue
        numbers = [m.group("n")] + re.findall(r"\d{1,3}[A-Z]?", m.group("more") or "")
        kind, cls, word = ("provincial-road", QH.ProvincialRoad, "Đường tỉnh") if m.group("pr") else (
            "national-highway", QH.NationalHighway, "Quốc lộ")
        for n in numbers:
            it = Item(ID[f"route/{kind}/{n.lower()}"], cls, f"{word} {n}", Span(m.start(), m.end()), m.group())
            it.route_number = n
            items.append(it)
    # "… nối X với Y": the route right before, and routes joined to it by "và"
    items.sort(key=lambda i: i.span.start)
    for idx, it in enumerate(items):
        c = _CONNECT.match(text, it.span.end)
        if not c:
            continue
        units = [u for _, _, u in find_units(ctx, c.group("body"), c.start("body"))]
        group = [it]
        j = idx
        while j > 0 and re.fullmatch(r"\s*và\s*", text[items[j - 1].span.end : items[j].span.start]):
            group.append(items[j - 1])
            j -= 1
        for g in group:
            g.connects.extend(units)
    return items


def _short_writings(items: list[Item]) -> None:
    """An expressway named by one place (``cao tốc Long Thành``) that is a stop of exactly one
    expressway the text names by its ends (``cao tốc TPHCM - Long Thành - Dầu Giây``) is that one."""
    routes = [it for it in items if it.cls == QH.Expressway and " - " in it.label]
    stops: dict[str, list[Item]] = {}
    for it in routes:
        for part in it.label.removeprefix("Cao tốc ").split(" - "):
            stops.setdefault(part.strip(), []).append(it)
    for it in items:
        if it.cls != QH.Expressway or " - " in it.label:
            continue
        same = stops.get(it.label.removeprefix("Cao tốc ").strip(), [])
        if len({s.iri for s in same}) == 1:
            it.iri, it.label, it.connects = same[0].iri, same[0].label, []


def _zone_iri(kind_words: str, name: str) -> URIRef:
    return ID["zone/" + slugify(f"{kind_words} {fold_dashes(name)}")]


def _zones_and_gates(text: str, ctx: ExtractionContext, taken: list[tuple[int, int]]) -> list[Item]:
    items: list[Item] = []
    zone_spans: list[tuple[int, int]] = []
    for m in _BGEZ.finditer(text):
        p = m.end()
        if not text[p : p + 1].isupper():
            continue
        e = _name_at(text, p)
        name = _clean(text[p:e])
        it = Item(_zone_iri("khu kinh tế cửa khẩu", name), QH.BorderGateEconomicZone,
                  f"Khu kinh tế cửa khẩu {name}", Span(m.start(), e), text[m.start() : e])
        it.locations = _location(text, p, e, ctx) or _scope_province(ctx)
        items.append(it)
        zone_spans.append((m.start(), m.start("at") if m.group("at") else e))
    for m in _EZ.finditer(text):
        p = m.end()
        if not text[p : p + 1].isupper():
            continue
        e = _name_at(text, p)
        name = _clean(text[p:e])
        if _BOARD_BEFORE.search(text, max(0, m.start() - 20), m.start()) and _is_province(ctx, name):
            continue  # the board of the province's zones, not a zone
        # "khu kinh tế ven biển phía Nam Hải Phòng" is the zone "Nam Hải Phòng" under its full name
        label = f"Khu kinh tế {m.group('coast').lower()} phía {name}" if m.group("side") else f"Khu kinh tế {name}"
        it = Item(_zone_iri("khu kinh tế", name), QH.EconomicZone, label, Span(m.start(), e), text[m.start() : e])
        it.full = bool(m.group("side"))
        it.locations = _location(text, p, e, ctx) or _scope_province(ctx)
        items.append(it)
        zone_spans.append((m.start(), e))
    for m in _GATE.finditer(text):
        p = m.end()
        if not text[p : p + 1].isupper():
            continue
        if any(s <= m.start() < e for s, e in zone_spans + taken):
            continue
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if "cao tốc" in before or "kinh tế" in before:
            continue
        e = _name_at(text, p)
        name = _clean(text[p:e])
        it = Item(ID[f"border-gate/{slugify(name)}"], QH.BorderGate, f"Cửa khẩu {name}", Span(m.start(), e), text[m.start() : e])
        it.locations = _location(text, p, e, ctx) or _scope_province(ctx)
        items.append(it)
    return items


#: A company whose name holds a kind of park ("Công ty Cổ phần đầu tư … khu công nghiệp Hưng Yên"):
#: the words from "Công ty" to the kind word, with no punctuation between.
_COMPANY_BEFORE = re.compile(r"(?i:công ty|tập đoàn|tổng công ty)[^\n,.;:()]{0,80}$")
#: Another name of a park in brackets right after it: "Khu công nghiệp A (KCN B)".
_PARK_ALIAS = re.compile(rf"{_SP}?\((?:(?i:KCN|khu công nghiệp)|(?P<c>(?i:CCN|cụm công nghiệp))){_SP}(?P<name>[^()\n]{{2,60}})\)")


def _cell_end(cells: list[tuple[int, int]], pos: int, text: str) -> int | None:
    """End of the name in the table cell holding ``pos`` (before a bracket), ``None`` outside cells."""
    k = bisect_right(cells, (pos, len(text) + 1)) - 1
    if k < 0 or not cells[k][0] <= pos < cells[k][1]:
        return None
    a, b = cells[k]
    bracket = text.find("(", pos, b)
    return len(text[a : bracket if bracket >= 0 else b].rstrip(" *")) + a


def _parks(text: str, ctx: ExtractionContext, emitter: Emitter, cells: list[tuple[int, int]] = ()) -> list[Item]:
    items: list[Item] = []
    aliases: dict[URIRef, URIRef] = {}  # the IRI of a park's other name -> the park's
    for m in _PARK.finditer(text):
        cls = QH.IndustrialPark if m.group("kind").lower() == "khu" else QH.IndustrialCluster
        kind_words = "khu công nghiệp" if cls == QH.IndustrialPark else "cụm công nghiệp"
        p = m.end()
        if _COMPANY_BEFORE.search(text, max(0, m.start() - 90), m.start()):
            continue  # a company named after the park, not the park
        if text[p : p + 1].isupper():
            e = _name_at(text, p)
            in_cell = _cell_end(cells, m.start(), text) if cells else None
            if in_cell is not None and in_cell > e:
                e = in_cell  # "Cụm công nghiệp Làng nghề Cổ Am": the cell is the name
            name = _clean(text[p:e])
            iri = _zone_iri(kind_words, name)
            it = Item(iri, cls, f"{kind_words.capitalize()} {name}", Span(m.start(), e), text[m.start() : e])
            it.locations = _location(text, p, e, ctx) or _scope_province(ctx)
            items.append(it)
            alias = _PARK_ALIAS.match(text, e)
            if alias is not None and (alias.group("c") is None) == (cls == QH.IndustrialPark):
                aliases.setdefault(_zone_iri(kind_words, _clean(alias.group("name"))), iri)
            continue
        intro = _PLACE_INTRO.match(text, p)
        if not intro:
            continue
        units = _unit_list(text, intro.end(), ctx)
        if not units:
            continue
        start = m.start()
        if text[max(0, start - 4) : start].lower() == "các ":
            start -= 4
        end = units[-1][1]
        label = text[start:end]
        label = label[0].upper() + label[1:]
        it = Item(emitter.local_iri("industrial-area", slugify(label)), cls, label, Span(start, end), text[start:end])
        it.locations = [u for _, _, u in units]
        items.append(it)
    # the park under its other name, before or after the brackets that give it, is the same park
    return [it for it in items if it.iri not in aliases or aliases[it.iri] == it.iri]


def _poles_and_centres(text: str, ctx: ExtractionContext, emitter: Emitter) -> list[Item]:
    items: list[Item] = []
    for m in _POLE.finditer(text):
        for s, e, u in _unit_list(text, m.end(), ctx):
            it = Item(emitter.local_iri("growth-pole", slugify(u.label or text[s:e])), QH.GrowthPole,
                      f"Cực tăng trưởng {text[s:e]}", Span(m.start(), e), text[s:e])
            it.locations = [u]
            items.append(it)
    for ss, se in sentences(text):
        m = _POLE_SUBJECT.search(text, ss, se)
        if not m:
            continue
        units = [(s, e, u) for s, e, u in find_units(ctx, text[ss : m.start()], ss) if u.level == "province"]
        if not units:
            continue
        s, e, u = units[0]
        it = Item(emitter.local_iri("growth-pole", slugify(u.label or text[s:e])), QH.GrowthPole,
                  f"Cực tăng trưởng {text[s:e]}", Span(s, m.end()), text[s:e])
        it.locations = [u]
        items.append(it)
    for m in _CENTRE.finditer(text):
        what = m.group("what")
        if "trung tâm" in what.lower():
            continue
        units = _unit_list(text, m.end(), ctx)
        if not units:
            continue
        label = f"Trung tâm {what}"
        it = Item(emitter.local_iri("centre", slugify(what)), QH.UrbanCentre, label, Span(m.start(), units[-1][1]), label)
        it.locations = [u for _, _, u in units]
        items.append(it)
    return items


#: A new action after a comma or "và" ("ưu tiên hoàn thành A, nghiên cứu B").
_NEW_ACTION = re.compile(
    r"(?:,|\bvà\b)\s*(?:nghiên cứu|nâng cấp|mở rộng|cải tạo|xây dựng|hoàn thiện|hoàn thành|thu hút|"
    r"hình thành|thành lập|khai thác|kêu gọi|bảo đảm|đảm bảo|phát triển)\b",
    re.IGNORECASE,
)
#: A study reaches the first entity after it within this many characters ("nghiên cứu mở cửa khẩu X").
STUDY_REACH = 40


def _priority_end(text: str, pos: int, end: int, starts: list[int]) -> int:
    """Where the reach of "ưu tiên" (ending at ``pos``) stops.

    At the first ";" or new action after a comma that follows an entity in reach: "ưu tiên phát
    triển A và B; phát triển C" gives A and B, not C; "ưu tiên hoàn thành A, nghiên cứu B" gives A.
    Before its first entity the phrase may run on ("ưu tiên tập trung đầu tư, hoàn thiện … tại A";
    "ưu tiên thu hút … vào công nghiệp; dịch vụ; … Khu kinh tế A").
    """
    first = next((s for s in starts if s > pos), None)
    if first is None or first >= end:
        return end
    stops = [i for i in (text.find(";", first, end),) if i >= 0]
    m = _NEW_ACTION.search(text, first, end)
    if m:
        stops.append(m.start())
    return min(stops) if stops else end


_ROUTE_JOIN = re.compile(r"\s*(?:,|và)\s*")


def _statuses(text: str, items: list[Item]) -> None:
    ordered = sorted(items, key=lambda i: i.span.start)  # stable: items at one offset keep their order
    offsets = [it.span.start for it in ordered]
    for ss, se in sentences(text):
        inside = ordered[bisect_left(offsets, ss) : bisect_left(offsets, se)]
        if not inside:
            continue
        starts = [it.span.start for it in inside]
        for pri in re.finditer(r"ưu tiên", text[ss:se], re.IGNORECASE):
            lo = ss + pri.start()
            hi = _priority_end(text, ss + pri.end(), se, starts)
            for it in inside:
                if lo < it.span.start < hi:
                    it.status = "priority"
        for st in re.finditer(r"\bnghiên cứu\b", text[ss:se], re.IGNORECASE):
            pos = ss + st.start()
            after = [it for it in inside if it.span.start > pos
                     and (it.cls != QH.BorderGate or it.span.start - pos <= STUDY_REACH)]
            if after:
                after[0].status = "to-be-studied"


def find_items(text: str, ctx: ExtractionContext, emitter: Emitter, structure=None) -> list[Item]:
    """All infrastructure entities of ``text`` (see the module rules); ``structure``: the document
    structure (a park named in a table cell is named by the whole cell)."""
    taken: list[tuple[int, int]] = []
    items = _routes(text, ctx, taken)
    _short_writings(items)
    items += _zones_and_gates(text, ctx, taken)
    cells = sorted((c.span.start, c.span.end) for t in (structure.tables if structure is not None else ())
                   for r in t.rows for c in r.cells)
    items += _parks(text, ctx, emitter, cells)
    items += _poles_and_centres(text, ctx, emitter)
    _statuses(text, items)
    return items


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit routes, zones, gates, parks, poles and centres with location, status and ``qh:listedIn``."""
    g = emitter.triples
    listed_in = ctx.main_plan or ctx.main_document or doc.iri
    items = find_items(doc.text, ctx, emitter, doc.structure)
    full = {it.iri: it.label for it in items if it.full}
    for it in items:
        it.label = full.get(it.iri, it.label)  # one label per zone: its full name where the text gives it
    for it in items:
        emitter.entity(it.iri, it.cls, it.span, label_vi=it.label)
        if it.written and _clean(it.written) != it.label:
            g.add((it.iri, SKOS.altLabel, Literal(_clean(it.written), lang="vi")))
        emitter.add(it.iri, QH.listedIn, listed_in, it.span)
        for u in it.locations:
            emitter.add(it.iri, QH.locatedIn, u.iri, it.span)
        seen = set()
        for u in it.connects:
            if u.iri not in seen:
                seen.add(u.iri)
                emitter.add(it.iri, QH.connects, u.iri, it.span)
        if it.route_number:
            emitter.add(it.iri, QH.routeNumber, Literal(it.route_number), it.span)
        if it.status:
            emitter.add(it.iri, QH.developmentStatus, STATUS[it.status], it.span)
            g.add((STATUS[it.status], RDF.type, SKOS.Concept))
            if it.status == "priority":
                emitter.add(it.iri, QH.priority, Literal("ưu tiên", lang="vi"), it.span)


# Patterns that scan a whole text (or every sentence), led by a look-ahead on the characters a
# match can start with: the same matches, found faster.
_EXPRESSWAY = lead_by_first_chars(_EXPRESSWAY)
_PARK = lead_by_first_chars(_PARK)
