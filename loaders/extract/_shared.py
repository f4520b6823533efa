"""Helpers shared by the thematic extractors: sentences, time expressions, resolver access, literals."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rdflib import XSD, Literal

from quyhoach.loaders.model import ExtractionContext, Match
from quyhoach.text import DASHES, UPPER_CLASS

D = f"[{DASHES}-]"

#: A period "giai đoạn 2021 - 2030" / "thời kỳ quy hoạch 2021-2030" / "2021–2030".
PERIOD_RE = re.compile(
    rf"(?:(?:giai đoạn|thời kỳ|thời kì|cả thời kỳ|trong thời kỳ|trong giai đoạn)(?:\s+quy hoạch)?\s+)?"
    rf"(?<!\d)((?:19|20)\d\d)\s*{D}\s*((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)
#: A period introduced by a period word (for trailing adverbials).
PERIOD_WORD_RE = re.compile(
    rf"(?:giai đoạn|thời kỳ|thời kì)(?:\s+quy hoạch)?\s+((?:19|20)\d\d)\s*{D}\s*((?:19|20)\d\d)",
    re.IGNORECASE,
)
#: A target year "đến năm 2030" / "năm 2030" / "vào năm 2030".
YEAR_RE = re.compile(r"(?:(?:đến|tới|vào|trong)\s+)?năm\s+((?:19|20)\d\d)(?!\d|\s*[-–—]\s*\d)", re.IGNORECASE)


_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class TimeRef:
    """A target year or a period found in the text."""

    year: int | None
    start_year: int | None
    end_year: int | None
    pos: int

    @property
    def key(self) -> str:
        """``2030`` or ``2021-2030``."""
        return str(self.year) if self.year else f"{self.start_year}-{self.end_year}"


def time_refs(text: str, offset: int = 0) -> list[TimeRef]:
    """Years and periods of ``text`` in order of position (offsets shifted by ``offset``)."""
    refs: list[TimeRef] = []
    if _DIGIT.search(text) is None:
        return refs  # every year has digits
    taken: list[tuple[int, int]] = []
    for m in PERIOD_RE.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        if b > a:
            refs.append(TimeRef(None, a, b, offset + m.start()))
            taken.append((m.start(), m.end()))
    for m in YEAR_RE.finditer(text):
        if any(s <= m.start(1) < e for s, e in taken):
            continue
        refs.append(TimeRef(int(m.group(1)), None, None, offset + m.start()))
    return sorted(refs, key=lambda r: r.pos)


def plan_period(ctx: ExtractionContext, text: str) -> TimeRef | None:
    """The period of the plan the document is about: from ``ctx.main_plan`` or the first 'thời kỳ A-B'."""
    if ctx.main_plan is not None:
        m = re.search(r"(\d{4})-(\d{4})$", str(ctx.main_plan))
        if m:
            return TimeRef(None, int(m.group(1)), int(m.group(2)), -1)
    m = PERIOD_WORD_RE.search(text)
    if m:
        return TimeRef(None, int(m.group(1)), int(m.group(2)), -1)
    return None


def paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the paragraph (line) holding ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end < 0 else end)


#: Unit abbreviations written with a full stop before a name ("TP. Hồ Chí Minh", "TX. Sơn Tây").
NAME_ABBREVIATIONS = ("TP", "Tp", "TX", "Tx", "TT")
#: Lookbehinds: the full stop of one of NAME_ABBREVIATIONS ends no sentence or clause.
NOT_ABBREVIATION_STOP = "".join(rf"(?<!\b{a}\.)" for a in NAME_ABBREVIATIONS)
#: A full stop that ends a clause (not the one of "TP.").
FULL_STOP = "".join(rf"(?<!\b{a})" for a in NAME_ABBREVIATIONS) + r"\."
# The same matches as ``(?<=[.!?…]){NOT_ABBREVIATION_STOP}\s+(?=…)|\n+``, written with the first
# space or line break first (the look-behinds then reach over it) so that the regex engine skips
# to the next space in C.
_SENT_END = re.compile(
    r"\s(?:(?<=[.!?…]\s)" + "".join(rf"(?<!\b{a}\.\s)" for a in NAME_ABBREVIATIONS)
    + r"\s*(?=[A-ZÀ-ỸĐ\"“(])|(?<=\n)\n*)"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split at line breaks and at '.'/'!'/'?' followed by a capital."""
    return list(_sentences(text))


@lru_cache(maxsize=8)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    # several extractors split the same document: split it once
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return tuple((s, e) for s, e in spans if text[s:e].strip())


def decimal_literal(value: Decimal) -> Literal:
    """An ``xsd:decimal`` literal in plain notation (``545000``, ``9.5``)."""
    d = value.normalize()
    text = format(d, "f")
    return Literal(text, datatype=XSD.decimal)


def find_units(
    ctx: ExtractionContext, text: str, offset: int = 0, hint: bool = False
) -> list[tuple[int, int, Match]]:
    """Unit mentions of ``text`` through the resolver (empty without one), offsets shifted.

    With ``hint``, ``ctx.scope_unit`` is passed as the province hint (districts named bare or
    ambiguous across provinces resolve in the document's province).
    """
    if ctx.resolver is None:
        return []
    try:
        if hint and province_code(ctx) is not None:
            found = ctx.resolver.find_units(text, as_of=ctx.as_of, province=ctx.scope_unit)
        else:
            found = ctx.resolver.find_units(text, as_of=ctx.as_of)
    except Exception:  # noqa: BLE001 - a resolver failure must not stop extraction
        return []
    return [(offset + s, offset + e, m) for s, e, m in found]


def resolve_unit(ctx: ExtractionContext, name: str, level: str | None = None) -> Match | None:
    """Resolve a unit name through the resolver (``None`` without one or when unknown)."""
    if ctx.resolver is None or not name.strip():
        return None
    try:
        return ctx.resolver.unit(name.strip(), as_of=ctx.as_of, level=level)
    except Exception:  # noqa: BLE001
        return None


def province_code(ctx: ExtractionContext) -> str | None:
    """Legacy code of ``ctx.scope_unit`` when it is a province (``…/unit/province/20`` -> ``20``)."""
    if ctx.scope_unit is None:
        return None
    m = re.search(r"/unit/province(?:-2025)?/(\d+)$", str(ctx.scope_unit))
    return m.group(1) if m else None


_WORD_RE = re.compile(r"[^\W\d_][\w]*", re.UNICODE)
#: The words of ``_WORD_RE`` that start with a capital and not right after a letter (the only
#: ones a dash sequence can start at), so a scan skips the lower-case words in the regex engine.
#: (Written capital first, the look-behind after it, so the regex engine skips to the next capital
#: in C; the same matches as ``(?<![^\W\d_])[{UPPER_CLASS}][\w]*``.)
_CAPITAL_WORD_RE = re.compile(rf"[{UPPER_CLASS}](?<![^\W\d_](?s:.))[\w]*")
_SEQ_SEP = re.compile(rf"\s*{D}\s*")
_DASH = re.compile(D)
_DOT_GAP = re.compile(r"\.[ \u00a0]*")
#: Unit kinds written with a capital head and a lower-case tail inside a name: "Thành phố Hồ Chí
#: Minh", "Thị xã Sơn Tây" (head -> tail).
UNIT_PREFIX_HEADS = {"Thành": "phố", "Thị": "xã"}
_UNIT_PREFIX_TAIL = re.compile(r"[ \u00a0]+(phố|xã)([ \u00a0]+)")
_SPACES = re.compile(r"[ \u00a0]+")
#: Lower-case words that may sit inside a proper name ("Trung du và miền núi" is not one).
NAME_JOINERS: frozenset[str] = frozenset()


def is_title_word(word: str) -> bool:
    """True for a capitalised syllable (``Lạng``, ``Sơn``, ``U``)."""
    return bool(word) and word[0].isupper()


def title_run(text: str, pos: int, max_words: int = 5) -> int:
    """End of the run of capitalised words starting at ``pos`` (``pos`` itself when none)."""
    end = pos
    i = pos
    words = 0
    while words < max_words:
        m = _WORD_RE.match(text, i)
        if not m or not is_title_word(m.group()):
            break
        end = m.end()
        words += 1
        if words == 1 and m.group() in NAME_ABBREVIATIONS and text[end : end + 1] == ".":
            gap = _DOT_GAP.match(text, end)
            nxt = _WORD_RE.match(text, gap.end())
            if nxt and is_title_word(nxt.group()):
                i = nxt.start()  # "TP. Hồ Chí Minh": the abbreviation belongs to the name
                continue
        if words == 1 and m.group() in UNIT_PREFIX_HEADS:
            kind = _UNIT_PREFIX_TAIL.match(text, end)
            nxt = _WORD_RE.match(text, kind.end()) if kind and kind.group(1) == UNIT_PREFIX_HEADS[m.group()] else None
            if nxt and is_title_word(nxt.group()):
                end = kind.end() - len(kind.group(2))
                i = nxt.start()  # "Thành phố Hồ Chí Minh": the unit's kind word belongs to the name
                continue
        sp = _SPACES.match(text, end)  # match at a position: no copy of the rest of the text
        if not sp:
            break
        i = sp.end()
    return end


@dataclass(frozen=True)
class DashSequence:
    """Capitalised names joined by dashes: ``Hà Nội – Bắc Giang – Lạng Sơn``."""

    start: int
    end: int
    items: tuple[tuple[int, int], ...]

    def names(self, text: str) -> list[str]:
        """The item names as written."""
        return [text[s:e] for s, e in self.items]


def _word_start(text: str, s: int, start: int) -> bool:
    """Whether a ``_WORD_RE`` word of a scan from ``start`` starts at ``s`` (a letter after no
    letter): only after an underscore can ``s`` still lie inside a word ("x_Hà" is one word)."""
    if s == start or text[s - 1] != "_":
        return True
    k = s - 1
    while k > start and (text[k - 1].isalnum() or text[k - 1] == "_"):
        k -= 1
    return not any(ch.isalpha() or (ch.isalnum() and not ch.isdecimal()) for ch in text[k:s])


def dash_sequences(text: str, start: int = 0, end: int | None = None, min_items: int = 2) -> list[DashSequence]:
    """All maximal dash sequences of capitalised names in ``text[start:end]``."""
    end = len(text) if end is None else end
    out: list[DashSequence] = []
    i = start
    # One pass over the words. Every position the scan resumes from (the end of a word, of a
    # name, of a sequence) is where a word of this pass ends, so the next word at or after it
    # is the one a fresh search from there would find.
    for m in _CAPITAL_WORD_RE.finditer(text, start, end):
        s = m.start()
        if s < i:
            continue  # inside a sequence already taken
        if not text[s].isupper() or (s > 0 and text[s - 1].isalnum()) or not _word_start(text, s, start):
            continue
        items = []
        cur = s
        while True:
            e = title_run(text, cur)
            if e <= cur or e > end:
                break
            items.append((cur, e))
            sep = _SEQ_SEP.match(text, e)
            if not sep or sep.end() == e or sep.end() >= end or not _DASH.search(text, e, sep.end()):
                break
            nxt = _WORD_RE.match(text, sep.end())
            if not nxt or not is_title_word(nxt.group()):
                break
            cur = sep.end()
        if len(items) >= min_items:
            out.append(DashSequence(items[0][0], items[-1][1], tuple(items)))
            i = items[-1][1]
        else:
            i = (items[0][1] if items else m.end())
    return out


def _first_chars(items, ignore: bool = False) -> tuple[set[tuple[str, bool]], bool] | None:
    """Characters a parsed regex sequence can start with, each with whether it is compared ignoring
    case (inside an inline ``(?i:…)``, or everywhere with ``ignore``), and whether the sequence can
    match empty (None: unknown)."""
    try:
        from re import _constants as c
    except ImportError:  # Python < 3.11
        return None
    chars: set[tuple[str, bool]] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add((chr(av), ignore))
            return chars, False
        if op is c.IN:
            for item_op, item_av in av:
                if item_op is c.LITERAL:
                    chars.add((chr(item_av), ignore))
                elif item_op is c.RANGE and item_av[1] - item_av[0] < 512:
                    chars.update((chr(n), ignore) for n in range(item_av[0], item_av[1] + 1))
                else:
                    return None
            return chars, False
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: look further
        if op is c.SUBPATTERN:
            # a (?-i:…) inside an ignore-case pattern is still tested ignoring case: a look-ahead
            # that lets more characters through changes no match
            inner = _first_chars(av[-1], ignore or bool(av[1] & re.IGNORECASE))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            inner = _first_chars(av[2], ignore)
            if inner is not None and av[0] == 0:
                inner = (inner[0], True)
        elif op is c.BRANCH:
            inner = (set(), False)
            for branch in av[1]:
                sub = _first_chars(branch, ignore)
                if sub is None:
                    return None
                inner = (inner[0] | sub[0], inner[1] or sub[1])
        else:
            return None
        if inner is None:
            return None
        chars |= inner[0]
        if not inner[1]:
            return chars, False
    return chars, True


def _lead(chars: set[tuple[str, bool]], flags: int) -> str:
    """A look-ahead accepting exactly the characters of :func:`_first_chars` (an inline ``(?i:[…])``
    for those compared ignoring case in a pattern that is not; ``(?i:[x])`` and ``(?i:x)`` accept
    the same characters)."""
    if flags & re.IGNORECASE:
        return f"(?=[{_class(ch for ch, _ in chars)}])"
    exact = [ch for ch, ignore in chars if not ignore]
    folded = [ch for ch, ignore in chars if ignore]
    parts = ([f"[{_class(exact)}]"] if exact else []) + ([f"(?i:[{_class(folded)}])"] if folded else [])
    return f"(?={'|'.join(parts)})"


def _class(chars) -> str:
    return "".join(re.escape(ch) for ch in sorted(set(chars)))


def _starts_at_boundary(items) -> bool:
    """Whether every match of a parsed regex sequence starts at a word boundary (``\\b`` among the
    zero-width assertions it opens with, in every branch)."""
    from re import _constants as c

    for op, av in items:
        if op is c.AT:
            if av is c.AT_BOUNDARY:
                return True
            continue
        if op in (c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width at the same position: look further
        if op is c.SUBPATTERN:
            if (av[1] | av[2]) & (re.ASCII | re.LOCALE | re.UNICODE):
                return False  # an inline flag would change what ``\b`` means
            return _starts_at_boundary(av[-1])
        if op is c.BRANCH:
            return all(_starts_at_boundary(branch) for branch in av[1])
        return False
    return False


def _boundary_lead(parsed) -> str:
    """``\\b`` when every match of ``parsed`` starts at a word boundary, else nothing: tested first,
    it skips the positions inside words before the look-ahead is tried (the same matches)."""
    return r"\b" if _starts_at_boundary(parsed) else ""


def prefiltered(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, led by a look-ahead on the characters a match can start with.

    The look-ahead only skips positions where no match can start, so the matches are the same;
    alternations of many phrases are scanned several times faster. Falls back to the plain
    pattern when the first characters cannot be worked out.
    """
    try:
        from re import _parser
    except ImportError:  # Python < 3.11
        return re.compile(pattern, flags)
    parsed = _parser.parse(pattern, flags)
    first = _first_chars(parsed, bool(parsed.state.flags & re.IGNORECASE))
    if first is None or first[1] or not first[0]:
        return re.compile(pattern, flags)
    return re.compile(f"{_boundary_lead(parsed)}{_lead(first[0], flags)}(?:{pattern})", flags)


def word_phrase(phrase: str) -> re.Pattern:
    """``re.compile(rf"\\b{phrase}\\b", re.IGNORECASE)`` for a phrase (a regex) that opens with a
    letter, written with that letter first so that the regex engine skips to it in C.

    ``(?i:x)`` accepts exactly ``x`` and ``X`` for the ASCII letters other than ``i``, ``k`` and
    ``s`` (``tests/test_scan_helpers.py`` checks it over all of Unicode); for those and the others
    the pattern is :func:`prefiltered`.
    """
    first = phrase[:1]
    if first.isascii() and first.isalpha() and first.lower() not in "iks":
        letter = f"[{first.lower()}{first.upper()}]"
        return re.compile(rf"{letter}(?<!\w{letter})(?i:{phrase[1:]})\b")
    return prefiltered(rf"\b{phrase}\b", re.IGNORECASE)


def alternation(patterns: list[str], prefix: str, flags: int = 0) -> re.Pattern:
    """``(?P<{prefix}0>p0)|(?P<{prefix}1>p1)|…`` compiled so that at a position only the alternatives
    that can start with its character are tried, in their order (the same matches, each by the
    same alternative); :func:`alternative` gives the index of the one that matched.

    The alternatives are grouped by first character, each group led by a look-ahead on it; an
    alternative that can start with several characters is repeated in each of their groups
    (``{prefix}{n}_{k}``). When the first characters of some alternative cannot be worked out, or
    two groups could both start at one character, it is the plain alternation led by
    :func:`prefiltered`.
    """
    named = [f"(?P<{prefix}{n}>{p})" for n, p in enumerate(patterns)]
    plain = "|".join(named)
    try:
        from re import _parser
    except ImportError:  # Python < 3.11
        return prefiltered(plain, flags)
    groups: dict[str, list[int]] = {}
    parsed = [_parser.parse(pattern, flags) for pattern in patterns]
    ignore = bool(flags & re.IGNORECASE)
    for n, tree in enumerate(parsed):
        first = _first_chars(tree, ignore)
        if first is None or first[1] or not first[0] or any(folded != ignore for _ch, folded in first[0]):
            return prefiltered(plain, flags)  # (an inline (?i:…) in a case-sensitive alternation)
        for ch, _folded in first[0]:
            key = ch.lower() if flags & re.IGNORECASE else ch
            members = groups.setdefault(key, [])
            if n not in members:
                members.append(n)
    keys = sorted(groups)
    for a in keys:  # the groups' look-aheads must never accept one character together
        for b in keys:
            if a != b and re.fullmatch(f"[{re.escape(a)}]", b, flags):
                return prefiltered(plain, flags)
    branches = []
    for k, key in enumerate(keys):
        members = "|".join(f"(?P<{prefix}{n}_{k}>{patterns[n]})" for n in sorted(groups[key]))
        branches.append(f"(?=[{re.escape(key)}])(?:{members})")
    leads = "".join(re.escape(key) for key in keys)
    boundary = r"\b" if all(_starts_at_boundary(p) for p in parsed) else ""
    return re.compile(f"{boundary}(?=[{leads}])(?:{'|'.join(branches)})", flags)


def top_level_alternatives(pattern: str) -> list[str]:
    """The alternatives of ``pattern`` at its top level, in order (``a|b(?=c|d)`` -> ``a``, ``b(?=c|d)``)."""
    out, depth, start, escaped, in_class = [], 0, 0, False, False
    for k, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:k])
            start = k + 1
    out.append(pattern[start:])
    return out


def alternative(m: re.Match) -> int:
    """The index of the alternative of an :func:`alternation` that matched (its group closes last)."""
    return int(_ALTERNATIVE_NAME.match(m.lastgroup).group(1))


_ALTERNATIVE_NAME = re.compile(r"\D*(\d+)")


def lead_by_first_chars(pattern: re.Pattern) -> re.Pattern:
    """``pattern`` recompiled by :func:`prefiltered` (same matches), for patterns that scan a whole text."""
    return prefiltered(pattern.pattern, pattern.flags & ~re.UNICODE)


@lru_cache(maxsize=16)
def _hint_spans(pattern: re.Pattern, text: str) -> tuple[list[int], list[int]]:
    spans = [m.span() for m in pattern.finditer(text)]
    return [a for a, _b in spans], [b for _a, b in spans]


def hint_in(pattern: re.Pattern, text: str, start: int, end: int) -> bool:
    """Whether a match of ``pattern`` found by one scan of the whole ``text`` (memoised) overlaps
    ``[start, end)``.

    Every occurrence of a word of ``pattern`` overlaps a match of that scan, so when a pattern
    matches only text holding such a word, ``False`` here means it has no match in the span: a
    cheap test before running the pattern on a sentence.
    """
    starts, ends = _hint_spans(pattern, text)
    k = bisect_right(ends, start)
    return k < len(starts) and starts[k] < end


def position_test(spans: list[tuple[int, int]]):
    """A function telling whether a position lies in one of ``spans`` (binary search over merged spans)."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    starts = [a for a, _b in merged]

    def inside(pos: int) -> bool:
        k = bisect_right(starts, pos) - 1
        return k >= 0 and merged[k][0] <= pos < merged[k][1]

    return inside
