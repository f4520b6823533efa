"""Vietnamese text helpers: Unicode normalisation, dash folding, diacritic-free keys, slugs."""

from __future__ import annotations

import re
import unicodedata

#: Dashes that documents use interchangeably in names and ranges.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_RE = re.compile(f"[{DASHES}]")
_SPACE_RE = re.compile(r"[ \t\u00a0\u2009\u202f]+")
#: A character class (body) of every upper-case letter: those of the Basic Multilingual Plane
#: one by one, and the planes above as one range (callers still test ``str.isupper``). Word scans
#: use it to jump to capitalised words instead of looking at every word.
UPPER_CLASS = "".join(
    re.escape(ch) for ch in map(chr, range(0x10000)) if ch.isupper() and ch.isalpha()
) + "\U00010000-\U0010FFFF"


#: The upper-case Latin letters with Vietnamese diacritics and ``Đ`` (a short class for patterns
#: that need a capital where ``À-Ỹ`` would also take lower-case letters).
VI_UPPER = "A-Z" + "".join(ch for ch in map(chr, range(0xC0, 0x1F00)) if ch.isupper() and ch.isalpha())


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def fold_dashes(text: str) -> str:
    """Replace en dash, em dash and other dash characters by ``-``."""
    return _DASH_RE.sub("-", text)


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics (``Lạng Sơn`` -> ``Lang Son``; ``đ`` -> ``d``)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(text: str) -> str:
    """A comparison key for names: NFC, dashes folded, lower case, single spaces."""
    text = fold_dashes(nfc(text)).lower()
    text = re.sub(r"\s*-\s*", " - ", text)
    return _SPACE_RE.sub(" ", text).strip()


def ascii_key(text: str) -> str:
    """A diacritic-insensitive comparison key (``Lạng Sơn`` -> ``lang son``)."""
    return strip_diacritics(name_key(text))


def slugify(text: str) -> str:
    """A stable ASCII slug for IRIs (``Bộ Kế hoạch và Đầu tư`` -> ``bo-ke-hoach-va-dau-tu``)."""
    key = strip_diacritics(nfc(text)).lower()
    key = re.sub(r"[^a-z0-9]+", "-", key)
    return key.strip("-")
