"""Helpers the document, plan and event extractors share: sentences, provinces, personal names.

Vietnamese personal names are two to four capitalised syllables, the first a family name
(Nguyễn, Trần, Lê … and the family names of ethnic minorities: Giàng, Lò, Sùng, Vàng …).
Requiring the family name keeps place and organisation names (also capitalised) out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from datetime import date
from functools import lru_cache

from rdflib import URIRef

from quyhoach.loaders.model import CleanDocument, Match
from quyhoach.text import UPPER_CLASS

#: Family names (Kinh and ethnic-minority) that open a personal name.
SURNAMES = frozenset(
    """
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Lương Mai Trịnh Đào Đinh
    Cao Lâm Thái Chu Tạ Quách Vương Triệu Kiều Khổng Hầu Tô Tống Hà Lã La Lục Nông Hứa Âu Mạc
    Giàng Lò Sùng Vàng Thào Mùa Lầu Hờ Ly Lù Tòng Quàng Cầm Bế Đèo Điêu Lường Khà Pờ Chang Chẻo Tẩn
    Phùng Bàn Lưu Từ Nghiêm Doãn Khúc Lạc Lại Thân Tăng Trương Quản Đoàn Diệp Đàm Giáp Khuất Kha
    Khương Lỗ Mã Mẫn Phí Sầm Thạch Thiều Tiêu Trình Ứng Viên Bạch Biện Cù Đậu Đường Hàn Mông Nhữ
    Thiệu Tôn Vy
    """.split()
)
_WORD_RE = re.compile(r"[^\W\d_]+")
#: The words of ``_WORD_RE`` that start with a capital (a name's syllables are among them).
# capital first, the look-behind after it: the regex engine skips to the next capital in C (the
# same matches as a look-behind before the capital)
_CAPITAL_WORD_RE = re.compile(rf"[{UPPER_CLASS}](?<![^\W\d_](?s:.))[^\W\d_]*")
# (the first space or line break is matched first, then what lies before it, so that the regex
# engine skips to the next space in C: the same matches as ``(?<=[.!?…])\s+(?=…)|\n+``)
_SENTENCE_END = re.compile(r"\s(?:(?<=[.!?…]\s)\s*(?=[A-ZĐÀ-Ỹ(\"“])|(?<=\n)\n*)")


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence (split at . ! ? followed by a capital, and at line breaks)."""
    return list(_sentences(text))


@lru_cache(maxsize=16)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    # Extractors ask for the sentences of the same document many times: split it once.
    spans: list[tuple[int, int]] = []
    last = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > last:
            spans.append((last, m.start()))
        last = m.end()
    if last < len(text):
        spans.append((last, len(text)))
    return tuple(spans)


@lru_cache(maxsize=16)
def _sentence_starts(text: str) -> tuple[int, ...]:
    return tuple(start for start, _end in _sentences(text))


def sentence_at(text: str, pos: int) -> tuple[int, int]:
    """The sentence holding ``pos``."""
    spans = _sentences(text)
    # the last sentence starting at or before pos, or the one ending exactly at pos
    k = bisect_right(_sentence_starts(text), pos) - 1
    for n in (k, k - 1):
        if 0 <= n < len(spans):
            start, end = spans[n]
            if start <= pos < end or pos == end:
                return start, end
    return 0, len(text)


#: What opens a line that continues the line before it in a hard-wrapped capture (a table cell
#: printed over several lines): a lower-case word, or a document number or date ("15/9/2024").
_CONTINUES_RE = re.compile(r"[a-zđà-ỹ]|\d{1,5}(?:\.\d{1,2})?\s?/\s?\d")


def _continues(text: str, line_start: int) -> bool:
    """True when the line at ``line_start`` goes on with the sentence of the line before it."""
    if _CONTINUES_RE.match(text, line_start):
        return True
    # "… Luật Kế toán,\nLuật Kiểm toán độc lập, …", "… Nghị định số 22/2025/NĐ-CP của\nChính phủ: …":
    # a line ending with a comma or a word that cannot end a sentence, unless an item follows
    if _ITEM_OPEN_RE.match(text, line_start) is not None:
        return False
    return text[line_start - 2] == "," or _OPEN_END_RE.search(text, max(0, line_start - 12), line_start - 1) is not None


_OPEN_END_RE = re.compile(r"(?<!\w)(?i:của|và|số|ngày|tại|theo|về|với|cho|bởi|các|những|do)$")


_ITEM_OPEN_RE = re.compile(r"\s*(?:[-+•*]|\d+(?:\.\d+)*\.|[a-zđ]\))\s")


def wrapped_sentence_at(text: str, pos: int) -> tuple[int, int]:
    """The sentence holding ``pos`` across the soft line breaks of a hard-wrapped capture.

    :func:`sentence_at` ends a sentence at every line break; in a table cell printed over several
    lines ("… Nghị định số 114/2024/NĐ-CP ngày\n15/9/2024 của Chính phủ sửa đổi …") one sentence
    runs over several lines. A single line break continues the sentence when the line before it
    ends without sentence punctuation and the next line opens with a lower-case word or a number
    code or date, or the line before ends with a comma; an item mark (``-``, ``1.``), a capital
    after a line without a comma or an empty line ends it.
    """
    start, end = sentence_at(text, pos)
    for _ in range(20):  # bounded: a cell is a few lines
        if start < 2 or text[start - 1] != "\n" or text[start - 2] in ".;:!?…\n" or not _continues(text, start):
            break
        start = sentence_at(text, start - 2)[0]
    for _ in range(20):
        if end >= len(text) - 1 or text[end] != "\n" or text[end - 1 : end] in (".", ";", ":", "!", "?", "…", "\n") or not _continues(text, end + 1):
            break
        end = sentence_at(text, end + 1)[1]
    return start, end


def _title_case(word: str) -> str:
    return word[:1] + word[1:].lower()


def is_syllable(word: str) -> bool:
    """A capitalised word: an upper-case letter then lower-case letters ("Trần", "A")."""
    return bool(word) and word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower())


def capitalised_runs(text: str, start: int = 0, end: int | None = None) -> list[list[tuple[int, int]]]:
    """Runs of capitalised words separated by single spaces, as lists of ``(start, end)``."""
    end = len(text) if end is None else end
    runs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    # Only capitalised words are visited: a lower-case word between two syllables leaves more
    # than one space between them, which ends the run just as visiting it would.
    # A window is scanned as a string of its own: a word cut by ``start`` counts from there.
    offset, scanned = (0, text) if start == 0 and end == len(text) else (start, text[start:end])
    for m in _CAPITAL_WORD_RE.finditer(scanned):
        word = m.group()
        # is_syllable, inlined
        if not (word[:1].isupper() and word.isalpha() and (len(word) == 1 or word[1:].islower())):
            if current:
                runs.append(current)
                current = []
            continue
        span = (m.start() + offset, m.end() + offset)
        if current and text[current[-1][1] : span[0]] not in (" ", "\u00a0"):
            runs.append(current)
            current = []
        current.append(span)
    if current:
        runs.append(current)
    return runs


def is_person_name(name: str) -> bool:
    """Whether ``name`` reads as a Vietnamese personal name (family name + 1-3 syllables)."""
    words = name.split()
    if not 2 <= len(words) <= 4:
        return False
    words = [_title_case(w) for w in words]
    return words[0] in SURNAMES and all(is_syllable(w) for w in words)


def person_name_ending(text: str, end: int) -> tuple[int, int, str] | None:
    """A personal name ending at ``end``: the longest 2-4 word suffix of the capitalised run that starts with a family name."""
    while end > 0 and text[end - 1] in " \u00a0":
        end -= 1
    runs = capitalised_runs(text, max(0, end - 80), end)
    if not runs or runs[-1][-1][1] != end:
        return None
    words = runs[-1][-4:]
    for i in range(len(words) - 1):
        first = text[words[i][0] : words[i][1]]
        if first in SURNAMES:
            return words[i][0], end, text[words[i][0] : end]
    return None


def normalise_name(name: str) -> str:
    """Title-case an all-capitals name ("TRẦN HỒNG HÀ" -> "Trần Hồng Hà"); collapse spaces."""
    words = name.split()
    if all(w.isupper() for w in words):
        words = [_title_case(w) for w in words]
    return " ".join(words)


def find_units(ctx, text: str) -> list[tuple[int, int, Match]]:
    """Unit mentions of ``text`` through the resolver (empty without one)."""
    resolver = getattr(ctx, "resolver", None)
    if resolver is None:
        return []
    return list(resolver.find_units(text, ctx.as_of))


def dominant_province(doc: CleanDocument, ctx) -> URIRef | None:
    """The province the document is about: the one named most often (at least half the mentions)."""
    cached = doc.extra.get("_dominant_province", False)
    if cached is not False:
        return cached
    counts: Counter = Counter()
    for _s, _e, match in find_units(ctx, doc.text):
        if match.level == "province":
            counts[match.iri] += 1
    result = None
    if counts:
        iri, n = counts.most_common(1)[0]
        if n >= 2 and n * 2 >= sum(counts.values()):
            result = iri
        elif n >= 1 and len(counts) == 1:
            result = iri
    doc.extra["_dominant_province"] = result
    return result


def province_near(text: str, pos: int, ctx, window: int = 300) -> URIRef | None:
    """The province named last before ``pos`` in the same sentence (or within ``window`` chars)."""
    s, _e = sentence_at(text, pos)
    start = max(s, pos - window)
    best = None
    for _a, _b, match in find_units(ctx, text[start:pos]):
        if match.level == "province":
            best = match.iri
    return best


def agency(ctx, mention: str, province: URIRef | None = None) -> Match | None:
    """The agency a whole mention names, through the resolver."""
    resolver = getattr(ctx, "resolver", None)
    if resolver is None:
        return None
    return resolver.agency(mention, ctx.as_of, province)


def post(ctx, mention: str, province: URIRef | None = None) -> Match | None:
    """The reference post a mention names ("Phó Thủ tướng Chính phủ"), through the resolver."""
    resolver = getattr(ctx, "resolver", None)
    if resolver is None or not hasattr(resolver, "post"):
        return None
    return resolver.post(mention, ctx.as_of, province)


def day_or_none(value) -> date | None:
    """``value`` when it is a date, else ``None``."""
    return value if isinstance(value, date) else None
