"""Link the names documents use for units and agencies to the reference resources.

Names are compared token by token (a token is a word or one punctuation sign), after NFC,
lower-casing, dash folding and moving tone marks of word-final ``oa``/``oe``/``uy`` to the
first vowel (``Hoà``/``Hòa``, ``Uỷ``/``Ủy``, ``thuỷ``/``thủy``). Working on whole tokens keeps
every match on Vietnamese syllable boundaries. In free text, bare names must be written
as proper names (each syllable capitalised), so ``hòa bình`` (peace) is not the province
``Hòa Bình``; kind words before a name (``tỉnh``, ``thành phố``, ``TP.``, ``huyện``, ``vùng``…)
may be in any case and restrict which kind of unit the name may denote.

The date a text speaks at (``as_of``) picks the unit or agency valid then: before 2025-07-01
the 63 provinces, after it the 34; before 2025-03-01 the ministries of 2021-2025. With no
date the legacy units and agencies (those of 2021-2024) are chosen. A name that fits more
than one resource (a district name used in two provinces, a ``UBND tỉnh`` without a
province) resolves only when a province hint or the nearby text decides, otherwise not at all.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from itertools import accumulate, compress, count
from typing import NamedTuple

from rdflib import URIRef

from quyhoach.loaders.model import Match
from quyhoach.namespaces import ID
from quyhoach.text import fold_dashes, nfc, strip_diacritics

from .agencies import AgencyRecord, PostRecord, agency_data, load_agencies
from .units import UnitRecord, load_units

#: The date assumed when a text gives none: the seed documents speak of 2021-2024.
DEFAULT_AS_OF = date(2024, 12, 31)

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_FINAL_PAIRS = {"oa", "oe", "uy"}

#: Kind words before a unit name and the (level, kind) pairs they allow.
_UNIT_PREFIXES: dict[str, frozenset[tuple[str, str]]] = {
    "tỉnh": frozenset({("province", "tỉnh")}),
    "thành phố": frozenset({("province", "thành phố"), ("district", "thành phố")}),
    "tp": frozenset({("province", "thành phố"), ("district", "thành phố")}),
    "tp .": frozenset({("province", "thành phố"), ("district", "thành phố")}),
    "thủ đô": frozenset({("province", "capital")}),
    "huyện": frozenset({("district", "huyện")}),
    "quận": frozenset({("district", "quận")}),
    "thị xã": frozenset({("district", "thị xã")}),
    "vùng": frozenset({("region", "vùng")}),
}
#: Plural kind words that open a list of districts: "các huyện Hữu Lũng, Chi Lăng, Lộc Bình".
_LIST_PREFIXES = {
    "các huyện": "huyện",
    "các quận": "quận",
    "các thị xã": "thị xã",
    "các thành phố": "thành phố",
}
_LIST_SEPARATORS = (",", "và", ";")
#: Titles that may precede an agency name in a looked-up mention ("Bộ trưởng Bộ Tài chính").
_TITLES = (
    "phó chủ tịch thường trực",
    "phó chủ tịch",
    "chủ tịch",
    "bộ trưởng , chủ nhiệm",
    "bộ trưởng",
    "thứ trưởng",
    "phó giám đốc",
    "giám đốc",
    "đại diện lãnh đạo",
    "lãnh đạo",
    "đại diện",
    "thủ trưởng",
    "chủ nhiệm",
    "thống đốc",
    "tổng thanh tra",
    "phó trưởng ban",
    "trưởng ban",
)
_CHAIR_TITLES = {
    "chủ tịch": "chu-tich-ubnd",
    "phó chủ tịch": "pho-chu-tich-ubnd",
    "phó chủ tịch thường trực": "pho-chu-tich-ubnd",
}


def _tone_canonical(word: str) -> str:
    """Move the tone of a word-final ``oa``/``oe``/``uy`` to its first vowel (length-preserving)."""
    if len(word) < 2:
        return word
    decomposed = [unicodedata.normalize("NFD", ch) for ch in word[-2:]]
    bases = "".join(d[0] for d in decomposed)
    if bases not in _FINAL_PAIRS or (bases == "uy" and word[:-2].endswith("q")):
        return word
    tone = [m for m in decomposed[1][1:] if m in _TONES]
    if not tone or any(m in _TONES for m in decomposed[0][1:]):
        return word
    first = unicodedata.normalize("NFC", decomposed[0] + tone[0])
    second = unicodedata.normalize("NFC", "".join(m for m in decomposed[1] if m not in _TONES))
    return word[:-2] + first + second


@lru_cache(maxsize=65536)
def token_key(raw: str) -> str:
    """The comparison key of one token (cached: a text's vocabulary is small)."""
    return _tone_canonical(fold_dashes(raw).lower())


class Token(NamedTuple):
    """One word or punctuation token of a text, with its offsets."""

    start: int
    end: int
    raw: str
    key: str
    gap: str  # the text between the previous token and this one


_new_token = partial(tuple.__new__, Token)  # Token(*fields) without a Python-level call


class _Tokens:
    """The tokens of one text as parallel lists (what a whole-text scan reads); ``tokens[i]`` and
    ``tokens[i:j]`` give :class:`Token` objects, built only for the positions a scan looks at."""

    __slots__ = ("starts", "ends", "raws", "keys", "gaps")

    def __init__(self, starts: list[int], ends: list[int], raws: list[str], keys: list[str], gaps: list[str]) -> None:
        self.starts, self.ends, self.raws, self.keys, self.gaps = starts, ends, raws, keys, gaps

    def __len__(self) -> int:
        return len(self.raws)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self.raws)))]
        return _new_token((self.starts[index], self.ends[index], self.raws[index], self.keys[index], self.gaps[index]))

    def __iter__(self):
        return map(_new_token, zip(self.starts, self.ends, self.raws, self.keys, self.gaps, strict=True))

    def pop(self) -> Token:
        """Remove and return the last token."""
        last = self[-1]
        for column in (self.starts, self.ends, self.raws, self.keys, self.gaps):
            column.pop()
        return last


def tokenize(text: str) -> _Tokens:
    """Split ``text`` (NFC) into word and punctuation tokens with their offsets (a fresh copy)."""
    tokens = _scan_tokens(text)[0]
    return _Tokens(*(list(column) for column in (tokens.starts, tokens.ends, tokens.raws, tokens.keys, tokens.gaps)))


def _scan_tokens(text: str) -> tuple[_Tokens, list[str]]:
    """The tokens of ``text`` and their keys, memoised for the texts scanned last (read-only)."""
    cached = _TOKEN_MEMO.get(text)
    if cached is not None:
        return cached
    # Every character is a word character, whitespace or punctuation, so what lies between two
    # tokens is whitespace: one split gives gap, token, gap, token, …, trailing gap, and the
    # offsets are the running sums of their lengths (no per-token match objects or slices).
    parts = _SPLIT_TOKENS_RE.split(text)
    raws = parts[1::2]
    bounds = list(accumulate(map(len, parts[:-1])))
    vocabulary = dict.fromkeys(raws)  # a text's distinct tokens are few: each key is worked out once
    for raw in vocabulary:
        vocabulary[raw] = token_key(raw)
    keys = list(map(vocabulary.__getitem__, raws))
    result = (_Tokens(bounds[0::2], bounds[1::2], raws, keys, parts[0:-1:2]), keys)
    if len(_TOKEN_MEMO) >= _TOKEN_MEMO_SIZE:
        _TOKEN_MEMO.pop(next(iter(_TOKEN_MEMO)))
    _TOKEN_MEMO[text] = result
    return result


_SPLIT_TOKENS_RE = re.compile(r"(\w+|[^\w\s])")  # a token (captured) between runs of whitespace
_TOKEN_MEMO: dict[str, tuple[_Tokens, list[str]]] = {}
_TOKEN_MEMO_SIZE = 64


def _keys(phrase: str) -> tuple[str, ...]:
    return tuple(token_key(t) for t in _TOKEN_RE.findall(nfc(phrase)))


def _ascii_keys(phrase: str) -> tuple[str, ...]:
    return tuple(strip_diacritics(k) for k in _keys(phrase))


def _is_capitalised(raw: str) -> bool:
    return raw[:1].isupper() or raw[:1].isdigit() or not raw[:1].isalpha()


def _is_title_word(raw: str) -> bool:
    """A capitalised word that is not all capitals ("Định", not "TỈNH")."""
    return raw[:1].isupper() and not raw.isupper() and raw.isalpha()


class _Trie:
    """Token-sequence trie: ``add(keys, payload)``, ``walk(tokens, i)`` -> [(end, payloads)]."""

    def __init__(self) -> None:
        self.root: dict = {}

    def add(self, keys: tuple[str, ...], payload) -> None:
        node = self.root
        for key in keys:
            node = node.setdefault(key, {})
        node.setdefault(None, []).append(payload)

    def walk(self, keys: list[str], i: int, tokens: _Tokens | None = None) -> list[tuple[int, list]]:
        """All entries starting at ``keys[i]``, longest first; no match spans a blank line."""
        found = []
        node = self.root
        gaps = tokens.gaps if tokens is not None else None
        j = i
        while j < len(keys) and keys[j] in node:
            if gaps is not None and j > i and gaps[j].count("\n") > 1:
                break
            node = node[keys[j]]
            j += 1
            if None in node:
                found.append((j, node[None]))
        return found[::-1]


@dataclass(frozen=True)
class _Name:
    """A trie payload: a written form and what it may denote."""

    target: object  # UnitRecord | AgencyRecord | PostRecord | str (provincial agency kind)
    form: str  # the written form (to check case of abbreviations)
    case_sensitive: bool = False
    lookup_only: bool = False
    original: tuple[str, ...] = ()  # keys of the diacritic form (ascii trie only)


@dataclass
class _Found:
    """A candidate match in a text, before overlaps are settled."""

    i: int  # first token
    j: int  # token after the last
    match: Match
    contest: bool = True  # takes part in the crossing-overlap check
    extra: dict = field(default_factory=dict)


class Resolver:
    """Name resolver over the reference units and agencies (see the module docstring)."""

    def __init__(
        self, units: tuple[UnitRecord, ...], agencies: tuple[AgencyRecord, ...], posts: tuple[PostRecord, ...]
    ) -> None:
        self.units = units
        self.unit_by_iri = {u.iri: u for u in units}
        self.agency_by_iri = {a.iri: a for a in agencies}
        self.agency_by_key = {a.key: a for a in agencies}
        self.post_by_iri = {p.iri: p for p in posts}
        self.unit_names = _Trie()
        self.unit_ascii = _Trie()
        self.prefixes = _Trie()
        for phrase, allowed in _UNIT_PREFIXES.items():
            self.prefixes.add(tuple(phrase.split()), ("single", allowed))
        for phrase, kind in _LIST_PREFIXES.items():
            self.prefixes.add(tuple(phrase.split()), ("list", frozenset({("district", kind)})))
        self._prefix_length = max(len(phrase.split()) for phrase in (*_UNIT_PREFIXES, *_LIST_PREFIXES))
        for unit in units:
            names = [unit.name, *unit.variants]
            for name in names:
                self.unit_names.add(_keys(name), _Name(unit, name))
                self.unit_ascii.add(_ascii_keys(name), _Name(unit, name, original=_keys(name)))
            for abbr in unit.abbreviations:
                self.unit_names.add(_keys(abbr), _Name(unit, abbr, case_sensitive=True))
        self.agency_names = _Trie()
        self.agency_ascii = _Trie()
        for agency in agencies:
            if agency.kind:
                continue
            for name in (agency.name, *agency.variants):
                self.agency_names.add(_keys(name), _Name(agency, name))
                self.agency_ascii.add(_ascii_keys(name), _Name(agency, name, original=_keys(name)))
            for abbr in agency.abbreviations:
                self.agency_names.add(_keys(abbr), _Name(agency, abbr, case_sensitive=True))
            for code in agency.codes:
                self.agency_names.add(_keys(code), _Name(agency, code, case_sensitive=True, lookup_only=True))
        data = agency_data()
        kinds = [("ubnd", data["peoples_committee"]), ("hdnd", data["peoples_council"])]
        kinds += [(d["slug"], d) for d in data["departments"]]
        for kind, info in kinds:
            for name in (info["vi"], *(info.get("variants") or ())):
                self.agency_names.add(_keys(name), _Name(kind, name))
                self.agency_ascii.add(_ascii_keys(name), _Name(kind, name, original=_keys(name)))
            for abbr in info.get("abbreviations") or ():
                self.agency_names.add(_keys(abbr), _Name(kind, abbr, case_sensitive=True))
            for code in info.get("codes") or ():
                self.agency_names.add(_keys(code), _Name(kind, code, case_sensitive=True, lookup_only=True))
        self.posts = _Trie()
        for post in posts:
            if "/" in str(post.iri).rsplit("post/", 1)[1]:
                continue  # per-agency posts are reached through their agency
            for name in (post.name, *post.variants):
                self.posts.add(_keys(name), _Name(post, name))

    # -- choosing among candidates --------------------------------------------------------
    @staticmethod
    def _day(as_of: date | None) -> date:
        return as_of or DEFAULT_AS_OF

    def _province_codes(self, province: URIRef | None, day: date) -> set[URIRef]:
        """The province IRIs a hint stands for on ``day`` (a legacy hint after 2025 maps forward)."""
        if province is None or province not in self.unit_by_iri:
            return set()
        unit = self.unit_by_iri[province]
        result = {province}
        if unit.successor is not None and unit.level == "province":
            result.add(unit.successor)
        if unit.valid_from is not None:  # a 2025 province: the legacy ones it absorbed
            result |= {u.iri for u in self.units if u.level == "province" and u.successor == province}
        return result

    def _choose_units(
        self,
        candidates: list[UnitRecord],
        day: date,
        allowed: frozenset[tuple[str, str]] | None,
        level: str | None,
        provinces: set[URIRef],
    ) -> UnitRecord | None:
        cands = list(dict.fromkeys(candidates))
        if allowed is not None:
            cands = [
                u
                for u in cands
                if (u.level, u.kind) in allowed or ("province", "capital") in allowed and u.is_capital
            ]
        if level is not None:
            cands = [u for u in cands if u.level == level]
        if not cands:
            return None
        for wanted in ("region", "province", "district"):  # a bare "Lai Châu" is the province
            same = [u for u in cands if u.level == wanted]
            if same:
                cands = same
                break
        if len(cands) > 1 and cands[0].level == "district" and provinces:
            cands = [u for u in cands if u.parent in provinces] or cands
        valid = [u for u in cands if u.valid_on(day)]
        if len(valid) == 1:
            return valid[0]
        if not valid and len(cands) == 1:
            return cands[0]  # a former unit named in a later text: the name still denotes it
        return None

    def _choose_agency(self, candidates: list[AgencyRecord], day: date) -> AgencyRecord | None:
        cands = list(dict.fromkeys(candidates))
        valid = [a for a in cands if a.valid_on(day)]
        if len(valid) == 1:
            return valid[0]
        if not valid and len(cands) == 1:
            return cands[0]
        return None

    # -- unit matching ----------------------------------------------------------------------
    def _unit_at(
        self,
        tokens: _Tokens,
        keys: list[str],
        i: int,
        day: date,
        level: str | None,
        provinces: set[URIRef],
        free_text: bool,
        bare_districts: bool = False,
        candidates: dict | None = None,
        walks: dict | None = None,
    ) -> _Found | None:
        """The longest unit mention starting at token ``i``.

        ``candidates`` (a dict for one text) keeps the names that may start at each token, which
        depend on the tokens only, for scans of the same text with another date or province.
        """
        names = candidates.get(i) if candidates is not None else None
        if names is None:
            names = self._unit_candidates(tokens, keys, i, free_text, bare_districts, walks)
            if candidates is not None:
                candidates[i] = names
        for j, mode, allowed, cands in names:
            chosen = self._choose_units(cands, day, allowed, level, provinces)
            if chosen is None and allowed is not None:
                chosen = self._choose_units(
                    cands, day, allowed, level, provinces | self._trailing_province(tokens, keys, j, day)
                )
            if chosen is None:
                if allowed is not None and cands and any((u.level, u.kind) in allowed for u in cands):
                    return _Found(
                        i, j, None, extra={"ambiguous": cands, "mode": mode, "allowed": allowed}
                    )
                continue
            return _Found(i, j, self._unit_match(chosen), extra={"mode": mode, "allowed": allowed})
        return None

    def _unit_candidates(
        self, tokens: _Tokens, keys: list[str], i: int, free_text: bool, bare_districts: bool,
        walks: dict | None = None,
    ) -> tuple[tuple[int, str | None, frozenset | None, list[UnitRecord]], ...]:
        """The names that may start at token ``i`` as ``(end, mode, allowed, units)``, in the order
        :meth:`_unit_at` tries them (after a kind word first, longest first); date-independent."""
        starts: list[tuple[int, str | None, frozenset | None]] = []
        for end, payloads in self.prefixes.walk(keys, i, tokens):
            mode, allowed = payloads[0]
            starts.append((end, mode, allowed))
        starts.append((i, None, None))
        out = []
        for j0, mode, allowed in starts:
            for j, payloads in self._unit_walk(keys, j0, tokens, walks):
                span = tokens.raws[j0:j]
                names = self._fitting(payloads, span, free_text, bare=allowed is None)
                if not names:
                    continue
                cands = [p.target for p in names]
                if allowed is None and free_text:
                    if not bare_districts:
                        cands = [u for u in cands if u.level != "district"]
                    if not cands or not self._bare_name_ok(tokens, j0, j):
                        continue
                out.append((j, mode, allowed, cands))
        return tuple(out)

    @staticmethod
    def _fitting(names: list[_Name], span: list[str], free_text: bool, bare: bool) -> list[_Name]:
        """The names of ``names`` the tokens ``span`` (their raw text) are written as they must be
        (the capitals of the span tested once for all of them)."""
        out = []
        capitalised = None
        for name in names:
            if name.case_sensitive:
                fits = "".join(span) == "".join(_TOKEN_RE.findall(name.form))
            elif not free_text:
                fits = True
            elif isinstance(name.target, UnitRecord) and name.target.level == "region" and (not bare or len(span) >= 4):
                fits = True  # "vùng trung du và miền núi phía Bắc": long region names in any case
            else:
                if capitalised is None:
                    capitalised = all(_is_capitalised(raw) for raw in span if raw[:1].isalpha())
                fits = capitalised
            if fits:
                out.append(name)
        return out

    @staticmethod
    def _form_fits(name: _Name, span: list[str], free_text: bool, bare: bool) -> bool:
        """Whether the tokens ``span`` (their raw text) are written as ``name`` must be."""
        return bool(Resolver._fitting([name], span, free_text, bare))

    @staticmethod
    def _bare_name_ok(tokens: _Tokens, i: int, j: int) -> bool:
        """A bare name is not part of a longer proper name ("Hà Nam Định", "Nguyễn Thái Bình")."""
        if j < len(tokens) and tokens[j].gap == " " and _is_title_word(tokens[j].raw):
            return False
        if i > 0 and tokens[i].gap == " " and _is_title_word(tokens[i - 1].raw):
            before = tokens[i - 2] if i > 1 else None
            sentence_start = before is None or "\n" in tokens[i - 1].gap or before.raw in '.!?:;"“(-'
            if not sentence_start:
                return False
        return True

    def _trailing_province(self, tokens: _Tokens, keys: list[str], j: int, day: date) -> set[URIRef]:
        """A province named right after a district: "huyện Tân Uyên, tỉnh Lai Châu", "(Sơn La)"."""
        k = j
        if k < len(keys) and keys[k] in {",", "(", "-"}:
            k += 1
        found = (
            self._unit_at(tokens, keys, k, day, "province", set(), free_text=True) if k < len(keys) else None
        )
        if found is None or found.match is None:
            return set()
        return self._province_codes(found.match.iri, day)

    def _unit_match(self, unit: UnitRecord) -> Match:
        return Match(unit.iri, unit.name, unit.level, unit.code)

    # -- public: units --------------------------------------------------------------------
    def unit(
        self,
        mention: str,
        as_of: date | None = None,
        level: str | None = None,
        province: URIRef | None = None,
    ) -> Match | None:
        """The unit a whole mention names ("tỉnh Lạng Sơn", "Hữu Lũng", "TP. Hà Nội"), or None."""
        day = self._day(as_of)
        provinces = self._province_codes(province, day)
        text = nfc(mention).strip()
        tokens = tokenize(text)
        while tokens and tokens[-1].raw in ".,;:":
            tokens.pop()
        if not tokens:
            return None
        keys = [t.key for t in tokens]
        found = self._unit_at(tokens, keys, 0, day, level, provinces, free_text=False, bare_districts=True)
        if found is not None and found.j == len(tokens):
            return found.match
        if found is not None and found.match is None:
            return None  # ambiguous with its kind word: never guess
        return self._unit_ascii(keys, day, level, provinces)

    def _unit_ascii(
        self, keys: list[str], day: date, level: str | None, provinces: set[URIRef]
    ) -> Match | None:
        """Diacritic-insensitive fallback: only when the name it stands for is unambiguous."""
        akeys = [strip_diacritics(k) for k in keys]
        starts: list[tuple[int, frozenset | None]] = [(0, None)]
        prefix_trie = _Trie()
        for phrase, allowed in _UNIT_PREFIXES.items():
            prefix_trie.add(tuple(strip_diacritics(phrase).split()), allowed)
        for end, payloads in prefix_trie.walk(akeys, 0):
            starts.insert(0, (end, payloads[0]))
        for j0, allowed in starts:
            for j, payloads in self.unit_ascii.walk(akeys, j0):
                if j != len(akeys):
                    continue
                if len({p.original for p in payloads}) != 1:
                    return None
                chosen = self._choose_units([p.target for p in payloads], day, allowed, level, provinces)
                return self._unit_match(chosen) if chosen else None
        return None

    def find_units(
        self,
        text: str,
        as_of: date | None = None,
        province: URIRef | None = None,
        bare_districts: bool = False,
    ) -> list[tuple[int, int, Match]]:
        """Unit mentions in free text (memoised: extractors scan the same text many times)."""
        return list(_memo(self, ("units", text, as_of, province, bare_districts),
                          lambda: self._find_units(text, as_of, province, bare_districts)))

    def _find_units(
        self,
        text: str,
        as_of: date | None = None,
        province: URIRef | None = None,
        bare_districts: bool = False,
    ) -> list[tuple[int, int, Match]]:
        """Unit mentions in free text as ``(start, end, Match)``, longest first, without overlaps.

        Districts are found after their kind word ("huyện Hữu Lũng", "thành phố Lai Châu") and in
        lists opened by a plural kind word ("các huyện Hữu Lũng, Chi Lăng, Lộc Bình"); bare
        district names only with ``bare_districts``. Offsets refer to ``text`` (NFC expected).
        """
        day = self._day(as_of)
        provinces = self._province_codes(province, day)
        tokens, keys = _scan_tokens(text)
        found: list[_Found] = []
        # what depends on the tokens only is shared by the scans of this text with other arguments
        walks = _memo_dict(self, ("unit walks", text))  # the names starting at each token, walked once
        shadows = _memo(self, ("unit shadows", text), lambda: self._unit_shadows(text, tokens, keys, walks))[0]
        candidates = _memo_dict(self, ("unit candidates", text, bare_districts))
        for i in _memo(self, ("unit starts", text), lambda: self._unit_starts(tokens, keys, walks)):
            # any capitalised known name, even one the rules reject, may contest a crossing match
            found.extend(_Found(i, j, None, extra={"shadow": True}) for j in shadows.get(i, ()))
            hit = self._unit_at(tokens, keys, i, day, None, provinces, True, bare_districts, candidates, walks)
            if hit is None:
                continue
            if hit.extra.get("mode") == "list":
                hit.i += 1  # the span starts at the kind word: "huyện Hữu Lũng", not "các huyện …"
            if hit.match is not None:
                found.append(hit)
            if hit.extra.get("mode") == "list":
                found.extend(self._district_list(tokens, keys, hit, day, provinces))
        return self._settle(tokens, found)

    def _unit_shadows(
        self, text: str, tokens: _Tokens, keys: list[str], walks: dict | None = None
    ) -> list[dict[int, list[int]]]:
        """For each token where a capitalised known name starts, the ends of those names."""
        shadows: dict[int, list[int]] = {}
        for i in _memo(self, ("unit starts", text), lambda: self._unit_starts(tokens, keys, walks)):
            for j, payloads in self._unit_walk(keys, i, tokens, walks):
                span = tokens.raws[i:j]
                if self._fitting(payloads, span, True, bare=True):
                    shadows.setdefault(i, []).append(j)
        return [shadows]

    def _unit_walk(self, keys: list[str], i: int, tokens: _Tokens, walks: dict | None) -> list[tuple[int, list]]:
        """``unit_names.walk`` at token ``i``, kept in ``walks`` (one dict per text) when given."""
        if walks is None:
            return self.unit_names.walk(keys, i, tokens)
        found = walks.get(i)
        if found is None:
            found = walks[i] = self.unit_names.walk(keys, i, tokens)
        return found

    def _unit_starts(self, tokens: _Tokens, keys: list[str], walks: dict | None = None) -> list[int]:
        """The tokens where a known unit name starts, directly or after a kind word.

        Elsewhere :meth:`_find_units` finds nothing, whatever the date or province hint, so
        the list is worked out once per text and shared by scans with other arguments.
        """
        prefixes = self.prefixes
        singles, pairs = self._unit_heads()
        # A name starts at token i only if it is one token long or its first two tokens begin a
        # name (tested in C over the keys): the trie is walked there and nowhere else.
        named: set[int] = set()
        for i in sorted({*compress(count(), map(singles.__contains__, keys)),
                         *compress(count(), map(pairs.__contains__, zip(keys, keys[1:], strict=False)))}):
            if self._unit_walk(keys, i, tokens, walks):
                named.add(i)
        # after a kind word only where a name starts as far after it as a kind word is long
        lengths = range(1, self._prefix_length + 1)
        led = [
            i for i in compress(count(), map(prefixes.root.__contains__, keys))
            if any(i + n in named for n in lengths) and any(end in named for end, _ in prefixes.walk(keys, i, tokens))
        ]
        return sorted(named.union(led))

    def _unit_heads(self) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
        """The first keys of one-token unit names, and the first two keys of longer ones."""
        heads = self.__dict__.get("_heads")
        if heads is None:
            root = self.unit_names.root
            singles = frozenset(k for k, node in root.items() if None in node)
            pairs = frozenset((k, k2) for k, node in root.items() for k2 in node if k2 is not None)
            heads = self.__dict__["_heads"] = (singles, pairs)
        return heads

    def _district_list(
        self, tokens: _Tokens, keys: list[str], first: _Found, day: date, provinces: set[URIRef]
    ) -> list[_Found]:
        """The further members of "các huyện A, B và C" (ambiguous ones settled by their siblings)."""
        members: list[tuple[int, int, list[UnitRecord]]] = []
        if first.match is not None:
            members.append((first.i, first.j, [self.unit_by_iri[first.match.iri]]))
        else:
            members.append((first.i, first.j, first.extra["ambiguous"]))
        j = first.j
        while j < len(keys) and keys[j] in _LIST_SEPARATORS:
            k = j + 1
            if k < len(keys) and keys[k] == "và" and keys[j] == ",":
                k += 1
            walked = self.unit_names.walk(keys, k, tokens)
            hit = None
            for end, payloads in walked:
                cands = [
                    p.target
                    for p in payloads
                    if p.target.level == "district" and self._form_fits(p, tokens.raws[k:end], True, bare=False)
                ]
                if cands:
                    hit = (k, end, cands)
                    break
            if hit is None:
                break
            members.append(hit)
            j = hit[1]
        context = set(provinces) | self._trailing_province(tokens, keys, j, day)
        sure = {c[0].parent for _, _, c in members if len(c) == 1}
        if len(sure) == 1:
            context |= sure
        results = []
        for n, (i, end, cands) in enumerate(members):
            if n == 0 and first.match is not None:
                continue
            chosen = self._choose_units(cands, day, None, "district", context)
            if chosen is not None:
                results.append(_Found(i, end, self._unit_match(chosen), contest=False))
        return results

    @staticmethod
    def _settle(tokens: _Tokens, found: list[_Found]) -> list[tuple[int, int, Match]]:
        """Drop candidates that cross each other, then keep the longest without overlaps."""
        contested = set()
        # Sweep in token order: a candidate can only cross those that start before it ends.
        by_start = sorted((n for n, f in enumerate(found) if f.contest), key=lambda n: found[n].i)
        count = len(by_start)
        for pos, a in enumerate(by_start):
            x = found[a]
            for k in range(pos + 1, count):
                b = by_start[k]
                y = found[b]
                if y.i >= x.j:
                    break
                nested = (x.i <= y.i and y.j <= x.j) or (y.i <= x.i and x.j <= y.j)
                if not nested:
                    contested |= {a, b}
        chosen: list[_Found] = []
        starts, ends = tokens.starts, tokens.ends
        order = sorted(
            (f for n, f in enumerate(found) if n not in contested and f.match is not None),
            key=lambda f: (-(ends[f.j - 1] - starts[f.i]), starts[f.i]),
        )
        taken = bytearray(len(tokens))  # 1 for each token inside a chosen mention (mentions are never empty)
        for f in order:
            if taken.find(1, f.i, f.j) < 0:
                chosen.append(f)
                taken[f.i : f.j] = b"\x01" * (f.j - f.i)
        chosen.sort(key=lambda f: f.i)
        return [(starts[f.i], ends[f.j - 1], f.match) for f in chosen]

    # -- agency matching ------------------------------------------------------------------
    def _agency_at(
        self, tokens: _Tokens, keys: list[str], i: int, day: date, provinces: set[URIRef], free_text: bool
    ) -> _Found | None:
        for j, payloads in self.agency_names.walk(keys, i, tokens):
            names = [
                p
                for p in payloads
                if not (free_text and p.lookup_only) and self._agency_form_fits(p, tokens.raws[i:j], free_text)
            ]
            if not names:
                continue
            central = [p.target for p in names if isinstance(p.target, AgencyRecord)]
            if central:
                follow = [p for a in central for p in a.not_followed_by]
                if follow and any(self._followed_by(keys, j, phrase) for phrase in follow):
                    continue
                chosen = self._choose_agency(central, day)
                if chosen is not None:
                    return _Found(i, j, self._agency_match(chosen))
                continue
            kind = next(p.target for p in names if isinstance(p.target, str))
            hit = self._provincial_at(tokens, keys, i, j, kind, day, provinces, free_text)
            if hit is not None:
                return hit
        return None

    @staticmethod
    def _followed_by(keys: list[str], j: int, phrase: str) -> bool:
        words = _keys(phrase)
        return tuple(keys[j : j + len(words)]) == words

    @staticmethod
    def _agency_form_fits(name: _Name, span: list[str], free_text: bool) -> bool:
        if name.case_sensitive:
            return "".join(span) == "".join(_TOKEN_RE.findall(name.form))
        return not free_text or _is_capitalised(span[0])

    def _provincial_at(
        self,
        tokens: _Tokens,
        keys: list[str],
        i: int,
        j: int,
        kind: str,
        day: date,
        provinces: set[URIRef],
        free_text: bool,
    ) -> _Found | None:
        """ "UBND tỉnh Lạng Sơn", "Sở Kế hoạch và Đầu tư" (+ hint), "HĐND tỉnh" (+ hint)."""
        unit_hit = None
        if j < len(keys):
            k = j + 1 if keys[j] in {",", "-"} else j
            unit_hit = self._unit_at(tokens, keys, k, day, "province", set(), free_text)
            if unit_hit is not None and unit_hit.match is None:
                unit_hit = None
        end = j
        if unit_hit is not None:
            province = unit_hit.match.iri
            end = unit_hit.j
        else:
            province_word = None
            for phrase in ("tỉnh", "thành phố", "tp .", "tp"):
                if self._followed_by(keys, j, phrase):
                    province_word = phrase
                    break
            if kind in ("ubnd", "hdnd") and province_word is None:
                return None  # "UBND" alone may be a district's committee
            if province_word is not None:
                end = j + len(province_word.split())
            hint = [p for p in provinces if self.unit_by_iri[p].valid_on(day)] or sorted(provinces)
            if len(hint) != 1:
                return None
            province = hint[0]
        agency = self._provincial_agency(kind, province, day)
        if agency is None:
            return None
        return _Found(i, end, self._agency_match(agency))

    def _provincial_agency(self, kind: str, province: URIRef, day: date) -> AgencyRecord | None:
        unit = self.unit_by_iri[province]
        if kind in ("ubnd", "hdnd"):
            suffix = "" if unit.valid_until is not None else "-2025"
            return self.agency_by_key.get(f"{kind}{suffix}/{unit.code}")
        if unit.valid_until is None:  # a province of 1 July 2025: its departments of that date
            return self.agency_by_key.get(f"so-2025/{kind}/{unit.code}")
        return self.agency_by_key.get(f"so/{kind}/{unit.code}")

    @staticmethod
    def _agency_match(agency: AgencyRecord) -> Match:
        return Match(agency.iri, agency.name, agency.cls, agency.key)

    # -- public: agencies ------------------------------------------------------------------
    def agency(self, mention: str, as_of: date | None = None, province: URIRef | None = None) -> Match | None:
        """The agency a whole mention names; leading titles ("Bộ trưởng", "Chủ tịch") are skipped."""
        day = self._day(as_of)
        provinces = self._province_codes(province, day)
        tokens = tokenize(nfc(mention).strip())
        while tokens and tokens[-1].raw in ".,;:":
            tokens.pop()
        keys = [t.key for t in tokens]
        for start in self._title_starts(keys):
            found = self._agency_at(tokens, keys, start, day, provinces, free_text=False)
            if found is not None and found.j == len(tokens):
                return found.match
        return self._agency_ascii(keys, day, provinces)

    @staticmethod
    def _title_starts(keys: list[str]) -> list[int]:
        starts = [0]
        i = 0
        while True:
            for title in _TITLES:
                words = title.split()
                if tuple(keys[i : i + len(words)]) == tuple(words):
                    i += len(words)
                    starts.append(i)
                    break
            else:
                return starts

    def _agency_ascii(self, keys: list[str], day: date, provinces: set[URIRef]) -> Match | None:
        akeys = [strip_diacritics(k) for k in keys]
        for j, payloads in self.agency_ascii.walk(akeys, 0):
            if len({p.original for p in payloads}) != 1:
                return None
            central = [p.target for p in payloads if isinstance(p.target, AgencyRecord)]
            if central and j == len(akeys):
                chosen = self._choose_agency(central, day)
                return self._agency_match(chosen) if chosen else None
            kind = next((p.target for p in payloads if isinstance(p.target, str)), None)
            if kind is None:
                return None
            rest = " ".join(keys[j:])
            unit = self.unit(rest, as_of=day, level="province") if rest else None
            if unit is not None:
                agency = self._provincial_agency(kind, unit.iri, day)
                return self._agency_match(agency) if agency else None
            if rest not in ("", "tinh", "thanh pho") or (kind in ("ubnd", "hdnd") and not rest):
                return None
            valid = [p for p in provinces if self.unit_by_iri[p].valid_on(day)] or sorted(provinces)
            if len(valid) != 1:
                return None
            agency = self._provincial_agency(kind, valid[0], day)
            return self._agency_match(agency) if agency else None
        return None

    def find_agencies(
        self, text: str, as_of: date | None = None, province: URIRef | None = None
    ) -> list[tuple[int, int, Match]]:
        """Agency mentions in free text (memoised like :meth:`find_units`)."""
        return list(_memo(self, ("agencies", text, as_of, province),
                          lambda: self._find_agencies(text, as_of, province)))

    def _find_agencies(
        self, text: str, as_of: date | None = None, province: URIRef | None = None
    ) -> list[tuple[int, int, Match]]:
        """Agency mentions in free text as ``(start, end, Match)``, longest first, without overlaps.

        Provincial committees and departments named without their province ("UBND tỉnh",
        "Sở Kế hoạch và Đầu tư") resolve only with ``province``.
        """
        day = self._day(as_of)
        provinces = self._province_codes(province, day)
        tokens, keys = _scan_tokens(text)
        found = []
        root = self.agency_names.root
        for i in compress(count(), map(root.__contains__, keys)):  # where an agency name starts
            hit = self._agency_at(tokens, keys, i, day, provinces, free_text=True)
            if hit is not None:
                found.append(hit)
        return self._settle(tokens, found)

    def units_within(
        self, text: str, start: int, end: int, as_of: date | None = None, province: URIRef | None = None
    ) -> list[tuple[int, int, Match]]:
        """Unit mentions of ``text`` lying inside ``[start, end)``, offsets into ``text``.

        One scan of the whole text (memoised) serves every window an extractor asks about, so
        windows are looked up by offset instead of being tokenised and scanned again.
        """
        return _within(self, ("units", text, as_of, province, False), start, end,
                       lambda: self.find_units(text, as_of, province))

    def agencies_within(
        self, text: str, start: int, end: int, as_of: date | None = None, province: URIRef | None = None
    ) -> list[tuple[int, int, Match]]:
        """Agency mentions of ``text`` inside ``[start, end)`` from one whole-text scan (as :meth:`units_within`)."""
        return _within(self, ("agencies", text, as_of, province), start, end,
                       lambda: self.find_agencies(text, as_of, province))

    # -- public: posts --------------------------------------------------------------------
    def post(self, mention: str, as_of: date | None = None, province: URIRef | None = None) -> Match | None:
        """The post a mention names: "Thủ tướng Chính phủ", "Bộ trưởng Bộ Tài chính", "Chủ tịch UBND tỉnh"."""
        tokens = tokenize(nfc(mention).strip())
        keys = [t.key for t in tokens]
        for j, payloads in self.posts.walk(keys, 0):
            if j == len(keys):
                return self._post_match(payloads[0].target)
        for title, slug in sorted(_CHAIR_TITLES.items(), key=lambda kv: -len(kv[0])):
            words = tuple(title.split())
            if tuple(keys[: len(words)]) == words:
                rest = mention[tokens[len(words)].start :] if len(tokens) > len(words) else ""
                agency = self.agency(rest, as_of, province) if rest else None
                if agency is None or agency.level != "PeoplesCommittee":
                    return None
                committee, code = agency.code.split("/")
                post = self.post_by_iri.get(ID[f"post/{slug}{committee.removeprefix('ubnd')}/{code}"])
                return self._post_match(post) if post else None
        if keys[:2] in (["bộ", "trưởng"], ["thủ", "trưởng"]):
            agency = self.agency(mention, as_of, province)
            post = self.post_by_iri.get(ID[f"post/head/{agency.code}"]) if agency else None
            return self._post_match(post) if post else None
        return None

    @staticmethod
    def _post_match(post: PostRecord) -> Match:
        return Match(post.iri, post.name, "post", str(post.iri).rsplit("post/", 1)[1])


_MEMO_SIZE = 4096


def _memo(resolver: object, key: tuple, compute) -> tuple:
    """A bounded per-resolver memo of scan results (oldest entries dropped first)."""
    memo = resolver.__dict__.setdefault("_scan_memo", {})
    if key in memo:
        return memo[key]
    if len(memo) >= _MEMO_SIZE:
        memo.pop(next(iter(memo)))
    memo[key] = result = tuple(compute())
    return result


def _memo_dict(resolver: object, key: tuple) -> dict:
    """A bounded per-resolver memo of dicts that callers fill as they go (oldest dropped first);
    each kind (``key[0]``) has its own 16 entries, so one kind does not push out another's."""
    memo = resolver.__dict__.setdefault("_dict_memo", {}).setdefault(key[0], {})
    entry = memo.get(key)
    if entry is None:
        if len(memo) >= 16:
            memo.pop(next(iter(memo)))
        memo[key] = entry = {}
    return entry


def _within(resolver: object, key: tuple, start: int, end: int, scan) -> list[tuple[int, int, Match]]:
    """The hits of a memoised whole-text scan that lie inside ``[start, end)`` (bisection on starts)."""
    index = resolver.__dict__.setdefault("_within_index", {})
    entry = index.get(key)
    if entry is None:
        hits = sorted(scan(), key=lambda h: (h[0], h[1]))
        entry = ([h[0] for h in hits], hits)
        if len(index) >= 16:
            index.pop(next(iter(index)))
        index[key] = entry
    starts, hits = entry
    out = []
    for k in range(bisect_left(starts, start), bisect_left(starts, end)):
        if hits[k][1] <= end:
            out.append(hits[k])
    return out


@lru_cache(maxsize=1)
def get_resolver() -> Resolver:
    """The shared resolver, built once from the reference unit and agency data."""
    agencies, posts, _changes = load_agencies()
    return Resolver(load_units(), agencies, posts)
