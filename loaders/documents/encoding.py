"""Decode the bytes of a text document to NFC Unicode, or refuse with a reason.

Order of decisions: byte-order marks (UTF-8, UTF-16, UTF-32); UTF-16 without a mark, recognised
by its pattern of NUL bytes; other NUL-bearing or control-heavy data is binary; strict UTF-8;
Windows-1258 (``cp1258``, whose Vietnamese letters are partly base letter plus combining tone
mark, hence NFC afterwards) when the text reads as Vietnamese; ``charset-normalizer`` last.
Text in the legacy 8-bit Vietnamese font encodings TCVN3 (ABC) and VNI is refused with a
message naming the encoding: read as Unicode or Windows code pages it looks like Latin-1
symbols and foreign letters (``ViÖt Nam``, ``Vieät Nam``), and converting it needs a font table
the project does not guess.
"""

from __future__ import annotations

import codecs
import re

from quyhoach.text import nfc

#: Letters and marks only Vietnamese text has (ă â đ ê ô ơ ư and the precomposed tone block).
_VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")
#: Latin-1 symbols that TCVN3 (ABC) uses for Vietnamese letters: ¨©ª«¬­®µ¶·¸¹ and ½¾ etc.
_TCVN3 = re.compile("[\u00a1-\u00a9\u00aa-\u00ae\u00b5-\u00b9\u00bd-\u00bf\u00c6\u00c7\u00cb\u00ce\u00cf\u00d6\u00d7\u00d8\u00de\u00e6\u00e7\u00f7\u00fc\u00fe]")
#: Latin-1 letters that are not Vietnamese letters but that VNI uses as tone/shape marks after a vowel.
_VNI = re.compile("[aeiouyAEIOUY][\u00e4\u00e5\u00eb\u00ef\u00f8\u00fb\u00fc\u00f6\u00c4\u00c5\u00cb\u00cf\u00d8\u00db\u00dc\u00d6]|[\u00f1\u00d1](?=[aeiouAEIOU])")
#: A TCVN3 pair that is very common in Vietnamese: 'đ' written as '®' before a vowel, 'ư' as soft hyphen.
_TCVN3_PAIR = re.compile("\u00ae[\u00a8-\u00b9a-zA-Z]|[a-z\u00a8-\u00b9]\u00ad[a-z\u00a8-\u00b9]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class EncodingRefused(ValueError):
    """The bytes are not text in an encoding the project reads; the message says why."""


def legacy_encoding(text: str) -> str | None:
    """Name the legacy Vietnamese encoding (``"TCVN3 (ABC)"`` or ``"VNI"``) ``text`` looks like, if any.

    Works on text decoded as if it were Windows-1252/1258 or Unicode: a document in a legacy
    font encoding shows many of the symbols or foreign letters those encodings use for
    Vietnamese letters and few genuine Vietnamese letters.
    """
    text = nfc(text)
    vietnamese = len(_VIETNAMESE.findall(text))
    tcvn3 = len(_TCVN3.findall(text)) + 2 * len(_TCVN3_PAIR.findall(text))
    vni = len(_VNI.findall(text))
    if tcvn3 >= 6 and tcvn3 > 2 * vietnamese and tcvn3 >= vni:
        return "TCVN3 (ABC)"
    if vni >= 6 and vni > vietnamese:
        return "VNI"
    return None


def _refuse_legacy(text: str) -> None:
    name = legacy_encoding(text)
    if name:
        raise EncodingRefused(
            f"text is in the legacy Vietnamese {name} font encoding; convert it to Unicode (UTF-8) first"
        )


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NUL bytes sit regularly at odd / even positions."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even_nuls = sum(1 for i in range(0, 2 * pairs, 2) if sample[i] == 0)
    odd_nuls = sum(1 for i in range(1, 2 * pairs, 2) if sample[i] == 0)
    if odd_nuls > 0.3 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.3 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` (not UTF-16/32) is binary: NUL bytes or many control characters."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > 0.02 * len(sample)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x7F <= ord(ch) < 0xA0)
    return bad / len(text)


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data`` to NFC text; return ``(text, encoding name)``.

    Raises :class:`EncodingRefused` for binary data, legacy TCVN3/VNI text and bytes that no
    supported encoding reads.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as exc:
                raise EncodingRefused(f"starts with a {name.upper()} byte-order mark but is not valid {name.upper()}") from exc
            return _finish(text, name)
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return _finish(data.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        raise EncodingRefused("binary data, not a text document")
    try:
        return _finish(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    as_1258 = data.decode("cp1258", errors="replace")
    _refuse_legacy(data.decode("cp1252", errors="replace"))
    _refuse_legacy(as_1258)
    if "\ufffd" not in as_1258 and _VIETNAMESE.search(as_1258) and _control_ratio(as_1258) < 0.01:
        return _finish(as_1258, "cp1258")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise EncodingRefused("not text in any supported encoding (UTF-8, UTF-16, Windows-1258)")
    text = str(best)
    if _control_ratio(text) > 0.01:
        raise EncodingRefused("binary data, not a text document")
    return _finish(text, best.encoding)


def _finish(text: str, encoding: str) -> tuple[str, str]:
    text = text.lstrip("\ufeff")
    _refuse_legacy(text)
    return nfc(text), encoding
