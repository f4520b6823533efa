"""Dates as Vietnamese documents write them.

``11/10/2024``, ``19/3/2024``, ``11-10-2024``, ``11.10.2024``; ``ngày 07 tháng 12 năm 2023``;
``4/6`` or ``ngày 20/6`` with the year taken from the context (the document's date); a
month ``tháng 11/2024`` / ``tháng 11 năm 2024``. Day-first throughout, as in Vietnamese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from quyhoach.loaders.extract._shared import prefiltered

# The first digit comes before the look-behind (``(?<![\d/.\-])(?P<d>\d{1,2})`` written as
# ``(?P<d>\d(?<![\d/.\-]\d)\d?)``, the same matches): the regex engine skips to the next digit in C.
_NUMERIC = re.compile(r"(?P<d>\d(?<![\d/.\-]\d)\d?)\s*(?P<sep>[/.\-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>(?:19|20)\d{2})(?![\d/])")
_WORDS = prefiltered(  # prefiltered (as _MONTH): both scan every window that holds a digit
    r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s*(?:,\s*)?năm\s+(?P<y>(?:19|20)\d{2})",
    re.IGNORECASE,
)
#: Day and month without a year: "4/6", "(4/6)", "ngày 20/6". Not inside a longer number or code.
_SHORT = re.compile(r"(?P<d>\d(?<![\d/.\-\w]\d)\d?)/(?P<m>\d{1,2})(?![\d/\-]|\.\d)")
_DIGIT = re.compile(r"\d")
_MONTH = prefiltered(r"tháng\s+(?P<m>\d{1,2})\s*(?:/|\s+năm\s+)(?P<y>(?:19|20)\d{2})", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """A date found at ``[start, end)``; ``precision`` is 'day' or 'month'; ``inferred_year`` when the year came from context."""

    start: int
    end: int
    value: date
    precision: str = "day"
    inferred_year: bool = False


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str, default_year: int | None = None) -> date | None:
    """Parse one date written in ``text`` (the first found), or ``None``."""
    found = find_dates(text, default_year)
    return found[0].value if found else None


def find_dates(text: str, default_year: int | None = None, include_short: bool = True) -> list[DateMention]:
    """All dates in ``text``, in order; short ``d/m`` dates only when ``default_year`` is given."""
    found: list[DateMention] = []
    if _DIGIT.search(text) is None:
        return found  # every form of a date has a digit
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _WORDS.finditer(text):
        value = _make(int(m["y"]), int(m["m"]), int(m["d"]))
        if value:
            found.append(DateMention(m.start(), m.end(), value))
            taken.append((m.start(), m.end()))
    for m in _NUMERIC.finditer(text):
        if not free(m.start(), m.end()):
            continue
        value = _make(int(m["y"]), int(m["m"]), int(m["d"]))
        if value:
            found.append(DateMention(m.start(), m.end(), value))
            taken.append((m.start(), m.end()))
    for m in _MONTH.finditer(text):
        if not free(m.start(), m.end()):
            continue
        value = _make(int(m["y"]), int(m["m"]), 1)
        if value:
            found.append(DateMention(m.start(), m.end(), value, precision="month"))
            taken.append((m.start(), m.end()))
    if include_short and default_year:
        for m in _SHORT.finditer(text):
            if not free(m.start(), m.end()):
                continue
            value = _make(default_year, int(m["m"]), int(m["d"]))
            if value:
                found.append(DateMention(m.start(), m.end(), value, inferred_year=True))
                taken.append((m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found


def date_at(text: str, pos: int, default_year: int | None = None, window: int = 60) -> DateMention | None:
    """The date that a legal-document number at ``pos`` carries: ``ngày …`` right after it.

    Tolerates a comma, ``ban hành``, ``được ký`` between number and date, but not a new clause.
    """
    tail = text[pos : pos + window]
    m = re.match(r"\s*,?\s*(?:(?:ban hành|ký|được ký|đã ký)\s+)?(?=ngày\b)", tail, re.IGNORECASE)
    if not m:
        return None
    start = pos + m.end()
    for found in find_dates(text[start : start + 40], default_year):
        if found.start <= 6:
            return DateMention(start + found.start, start + found.end, found.value, found.precision, found.inferred_year)
        break
    return None


def parse_iso(value) -> tuple[date | None, str]:
    """A metadata date (``date`` object, ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) and its precision."""
    if value is None or value == "":
        return None, ""
    if isinstance(value, date):
        return value, "day"
    text = str(value).strip()
    m = re.fullmatch(r"((?:19|20)\d{2})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if m:
        y, mo, d = int(m[1]), int(m[2] or 1), int(m[3] or 1)
        value = _make(y, mo, d)
        return value, "day" if m[3] else ("month" if m[2] else "year")
    return parse_date(text), "day"


#: The day the merged provinces of 2025 took office (Nghị quyết 202/2025/QH15).
MERGER_DAY = date(2025, 7, 1)
#: A statement that the 2025 merger has happened: "Tỉnh X đã sáp nhập với tỉnh Y, lấy tên gọi mới là tỉnh Y",
#: "sau sáp nhập", "sau khi sáp nhập" (not "sẽ sáp nhập", "trước sáp nhập": a plan or the old map).
_AFTER_MERGER_RE = re.compile(
    r"(?i:đã\s+(?:được\s+)?sáp\s+nhập\s+(?:với|vào)|sau\s+(?:khi\s+)?sáp\s+nhập|lấy\s+tên\s+(?:gọi\s+)?mới\s+là)"
)


def merger_day_if_stated(text: str) -> date | None:
    """:data:`MERGER_DAY` when ``text`` says the 2025 merger of provinces has happened, else ``None``:
    an undated page saying so was written after it, so its units and bodies are the merged ones."""
    if "sáp nhập" not in text.lower() and "tên" not in text:
        return None
    return MERGER_DAY if _AFTER_MERGER_RE.search(text) else None
