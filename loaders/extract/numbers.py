"""Vietnamese numbers, ranges, comparators and scaled amounts as written in planning documents.

Vietnamese writes ``.`` as the thousands separator and ``,`` as the decimal comma: ``545.000`` is
545000 and ``9,5`` is 9.5. Ranges use a dash of any kind (``9–11%``, ``1,4%-1,5%``, ``02 - 03%/năm``)
or words (``từ 9 đến 11%``); a comparator word may precede (``trên 56%``, ``khoảng 30%``,
``gần 545.000 người``, ``ít nhất 03``). Money carries a scale word (``168 nghìn tỷ đồng``,
``3.000 tỷ đồng``, ``105 triệu đồng/người``).

:func:`find_quantities` returns every :class:`Quantity` of a text with its character span;
:func:`parse_number` reads one number. Money keeps the unit as written (``tỷ đồng``) and exposes
the amount in đồng through :attr:`Quantity.vnd`; other counts with a scale word (``2 triệu khách``)
are multiplied out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from quyhoach.text import DASHES

#: Scale words and their multipliers, longest first.
SCALES: list[tuple[str, Decimal]] = [
    ("triệu tỷ", Decimal(10) ** 15),
    ("triệu tỉ", Decimal(10) ** 15),
    ("nghìn tỷ", Decimal(10) ** 12),
    ("ngàn tỷ", Decimal(10) ** 12),
    ("nghìn tỉ", Decimal(10) ** 12),
    ("ngàn tỉ", Decimal(10) ** 12),
    ("tỷ", Decimal(10) ** 9),
    ("tỉ", Decimal(10) ** 9),
    ("triệu", Decimal(10) ** 6),
    ("nghìn", Decimal(10) ** 3),
    ("ngàn", Decimal(10) ** 3),
]

#: Comparator words (lower case) -> comparator concept used by ``qh:comparator``.
COMPARATORS: list[tuple[str, str]] = [
    ("không dưới", "at-least"),
    ("không thấp hơn", "at-least"),
    ("ít nhất", "at-least"),
    ("tối thiểu", "at-least"),
    ("từ ... trở lên", "at-least"),
    ("không quá", "below"),
    ("tối đa", "below"),
    ("dưới", "below"),
    ("trên dưới", "about"),
    ("khoảng", "about"),
    ("xấp xỉ", "about"),
    ("gần", "about"),
    ("chừng", "about"),
    ("trên", "above"),
    ("hơn", "above"),
    ("vượt", "above"),
]

#: Units recognised after a number (lower case), longest first. Each maps to its written form.
UNITS = [
    "%/năm",
    "đồng/người/năm",
    "đồng/người",
    "usd/người",
    "đồng",
    "usd",
    "%",
    "lượt khách",
    "lượt người",
    "khách",
    "người",
    "hộ",
    "xã",
    "huyện",
    "ha",
    "km",
    "mw",
    "m²",
    "m2",
]

_D = f"[{DASHES}-]"
_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?(?:\.\d+)?"
_SCALE = "|".join(re.escape(s) for s, _ in SCALES)
_UNIT = "|".join(re.escape(u) for u in UNITS)
_COMP = "|".join(re.escape(c) for c, _ in COMPARATORS if "..." not in c)

_QUANTITY_RE = re.compile(
    rf"""
    (?:(?P<comp>{_COMP})\s+)?
    (?:(?P<from>từ)\s+)?
    (?P<a>{_NUM})
    (?:\s*(?P<ua>%(?:/năm)?))?
    (?:
        \s*(?:{_D}|đến|tới)\s*
        (?P<b>{_NUM})
    )?
    (?:\s+(?P<scale>{_SCALE})(?![\wÀ-ỹ]))?
    (?:\s*(?P<unit>{_UNIT})(?![\wÀ-ỹ]))?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_YEAR_RE = re.compile(r"^(19|20)\d\d$")
_DIGIT = re.compile(r"\d")


def parse_number(text: str) -> Decimal:
    """Read one Vietnamese-formatted number: ``545.000`` -> 545000, ``9,5`` -> 9.5, ``03`` -> 3.

    A dot followed by exactly three digits (repeated) is a thousands separator; a comma is the
    decimal mark. A lone dot followed by other than three digits is read as a decimal point
    (``4.0``), which covers text written in the international style.
    """
    s = text.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", s):
        s = s.replace(".", "").replace(",", ".")
    elif "," in s:
        s = s.replace(".", "").replace(",", ".")
    try:
        return Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex only feeds digits
        raise ValueError(f"not a number: {text!r}") from exc


@dataclass(frozen=True)
class Quantity:
    """A number or range as written, with comparator, unit and the span ``[start, end)`` it covers.

    ``value`` is set for a single number, ``min``/``max`` for a range. ``unit`` keeps the scale
    word for money (``tỷ đồng``, ``triệu đồng/người``) and is ``""`` when none was written.
    ``scale`` is the multiplier of the scale word (1 when none); for money :attr:`vnd` gives the
    amount in đồng.
    """

    value: Decimal | None
    min: Decimal | None
    max: Decimal | None
    comparator: str | None
    unit: str
    start: int
    end: int
    text: str
    scale: Decimal = Decimal(1)

    @property
    def is_range(self) -> bool:
        """True for ``min``–``max`` ranges."""
        return self.value is None

    @property
    def is_money(self) -> bool:
        """True when the unit is a currency (đồng, USD) or a bare scale word of money (``21 nghìn tỷ``)."""
        return "đồng" in self.unit or "usd" in self.unit.lower() or self.unit in {"nghìn tỷ", "tỷ", "triệu"}

    @property
    def is_year(self) -> bool:
        """True for a bare four-digit year (``2030``) with no unit or comparator."""
        return (
            self.value is not None
            and not self.unit
            and self.comparator is None
            and bool(_YEAR_RE.match(self.text.strip()))
        )

    def scaled(self, number: Decimal | None) -> Decimal | None:
        """``number`` multiplied by the scale word (for money: the amount in đồng)."""
        return None if number is None else number * self.scale

    @property
    def vnd(self) -> Decimal | None:
        """Amount in đồng of a single money value (``168 nghìn tỷ đồng`` -> 168e12)."""
        return self.scaled(self.value) if self.is_money else None


def _comparator(word: str | None) -> str | None:
    if not word:
        return None
    key = word.lower()
    for name, concept in COMPARATORS:
        if name == key:
            return concept
    return None


def _scale_of(word: str | None) -> Decimal:
    if not word:
        return Decimal(1)
    key = word.lower()
    for name, mult in SCALES:
        if name == key:
            return mult
    return Decimal(1)


def find_quantities(text: str, offset: int = 0) -> list[Quantity]:
    """Every number or range in ``text``, left to right, with spans shifted by ``offset``.

    Digits glued to letters or slashes (``1161/QĐ-TTg``, ``QL.4B``, ``20/6``) are not quantities.
    A range is accepted only when both ends are comparable (``2021-2030`` is returned as a range
    without unit; callers treat it as a period).
    """
    out: list[Quantity] = []
    if _DIGIT.search(text) is None:
        return out  # every quantity has a digit
    for m in _QUANTITY_RE.finditer(text):
        s, e = m.start("a"), m.end()
        before = text[s - 1] if s > 0 else " "
        after_a = text[m.end("a")] if m.end("a") < len(text) else " "
        if before.isalnum() or before in "/.,":
            continue
        if after_a == "/" and not m.group("ua") and not m.group("b"):
            # 20/6, 1161/QĐ-TTg: a date or a document number
            continue
        if m.group("a") and after_a.isalpha() and not m.group("scale") and not m.group("unit"):
            continue
        comp = _comparator(m.group("comp"))
        start = m.start("comp") if comp else (m.start("from") if m.group("from") else s)
        scale_word = m.group("scale") or ""
        unit_word = (m.group("unit") or "").strip()
        unit_pct = m.group("ua")
        if unit_pct and unit_word and not unit_word.startswith("%"):
            # "99% hộ dân": the word after a percentage is what it counts, not a unit
            unit_word = ""
            e = m.end("b") if m.group("b") else m.end("ua")
            if m.group("scale"):
                e = m.end("scale")
        if not unit_word and unit_pct:
            unit_word = unit_pct
        unit_word = unit_word.replace("% /", "%/")
        if unit_word.lower() in {"usd", "usd/người"}:
            unit_word = unit_word.upper().replace("NGƯỜI", "người")
        a = parse_number(m.group("a"))
        b = parse_number(m.group("b")) if m.group("b") else None
        if m.group("b") and m.group("from") is None and b is not None and b < a and not unit_word:
            # "2 - 1" is not a range; keep the first number only
            b = None
            e = m.end("a")
        scale = _scale_of(scale_word)
        money = "đồng" in unit_word.lower() or "usd" in unit_word.lower()
        if scale_word and money:
            unit = f"{scale_word} {unit_word}"
            mult = scale
        elif scale_word and not unit_word:
            unit = scale_word  # "21 nghìn tỷ": money by context
            mult = scale
        elif scale_word:
            unit = unit_word
            a, b = a * scale, (b * scale if b is not None else None)
            mult = Decimal(1)
        else:
            unit = unit_word
            mult = Decimal(1)
        q = Quantity(
            value=None if b is not None else a,
            min=a if b is not None else None,
            max=b,
            comparator=comp,
            unit=unit,
            start=offset + start,
            end=offset + e,
            text=text[start:e],
            scale=mult,
        )
        out.append(q)
    return out


def first_quantity(text: str, offset: int = 0) -> Quantity | None:
    """The first quantity of ``text`` that is not a bare year, or ``None``."""
    for q in find_quantities(text, offset):
        if not q.is_year and not (q.is_range and q.min is not None and _YEAR_RE.match(str(q.min))):
            return q
    return None
