"""Legal documents and citations: numbers, dates, issuers, signers and links between documents.

A document number is read from its code: ``1161/QĐ-TTg`` (number / type - issuer),
``37/2019/NĐ-CP`` (number / year / type - issuer), ``21/2017/QH14`` (a law or resolution of
the National Assembly: the type comes from the word before it), ``4286/TTr- UBND`` (spaces
around ``/`` and ``-`` tolerated). The word before the code (``Quyết định số``, ``Luật``…) and
the date after it (``ngày 11/10/2024``, ``ngày 07 tháng 12 năm 2023``) complete the mention.
Named laws without a number (``Luật Quy hoạch``) come from a list of law titles, and from the list
of laws an amending law changes (``Luật số 56/2024/QH15 … sửa đổi, bổ sung một số điều của Luật Chứng
khoán, Luật Kế toán, …``), keyed by their titles. An official letter is keyed by its whole code
(``4368/SNV-VTLT`` -> ``cv-snv-vtlt-{province}/2021/4368``). A law's date may follow its passing
(``… được Quốc hội … thông qua ngày …``) or an unreadable code (``số 21/2017/QD14 ngày …``); a code
mistyped beside the right one on the page (``114/2021/NĐ-CO``) is that document; a document dated
twice keeps the date of its number's year.

The document the text *is* or reports on becomes ``ctx.main_document``: the decision a text
is attached to ("Kèm theo Quyết định số …"), the one just signed or issued ("vừa ký Quyết
định …", "vừa ban hành Kế hoạch …"), one named in the title, or the first one in the lead;
on a page with none of these, the first quoted, the numbered one a text saying "… này" names as
a paragraph's subject, else the decision the first sentence of the first body paragraph names
(after the title and lines of questions). Without a date of its own, the main document takes
the date its first sentence gives for its passing ("… thông qua ngày 27/06/2024"), else the
date of the sentence reporting its act.
The main document ``eli:cites`` every other document mentioned; it ``qh:implements`` those
it carries out ("triển khai thực hiện Quyết định …"); changes between documents are the
``changes`` extractor's.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from rdflib import OWL, RDFS, XSD, Literal, URIRef

from quyhoach.loaders.documents.structure import DocumentStructure
from quyhoach.loaders.extract import mentions
from quyhoach.loaders.extract.dates import DateMention, date_at, find_dates
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.loaders.reference.units import REFORM_DATE
from quyhoach.namespaces import ELI, FOAF, ID, ORG, QH
from quyhoach.text import slugify

#: Type code -> (IRI slug, ontology class, Vietnamese word, English word).
TYPES: dict[str, tuple[str, str, str, str]] = {
    "QĐ": ("qd", "Decision", "Quyết định", "Decision"),
    "NĐ": ("nd", "Decree", "Nghị định", "Decree"),
    "NQ": ("nq", "Resolution", "Nghị quyết", "Resolution"),
    "KH": ("kh", "ProvincialPlanDocument", "Kế hoạch", "Plan"),
    "TTr": ("ttr", "Submission", "Tờ trình", "Submission"),
    "TTLT": ("ttlt", "Circular", "Thông tư liên tịch", "Joint Circular"),
    "TT": ("tt", "Circular", "Thông tư", "Circular"),
    "CV": ("cv", "OfficialLetter", "Công văn", "Official Letter"),
    "BC": ("bc", "Report", "Báo cáo", "Report"),
    "CT": ("ct", "LegalDocument", "Chỉ thị", "Directive"),
    "TB": ("tb", "LegalDocument", "Thông báo", "Notice"),
    "CĐ": ("cd", "LegalDocument", "Công điện", "Official Dispatch"),
    "HD": ("hd", "LegalDocument", "Hướng dẫn", "Guidance"),
    "Luật": ("luat", "Law", "Luật", "Law"),
    "PL": ("pl", "LegalDocument", "Pháp lệnh", "Ordinance"),
}
#: The word before a number -> type code.
HEAD_WORDS = {
    "quyết định": "QĐ",
    "nghị định": "NĐ",
    "nghị quyết": "NQ",
    "kế hoạch": "KH",
    "tờ trình": "TTr",
    "thông tư liên tịch": "TTLT",
    "thông tư": "TT",
    "công văn": "CV",
    "văn bản": "CV",
    "báo cáo": "BC",
    "bộ luật": "Luật",
    "luật": "Luật",
    "chỉ thị": "CT",
    "thông báo": "TB",
    "công điện": "CĐ",
    "hướng dẫn": "HD",
    "pháp lệnh": "PL",
}
_TYPE_ALT = "TTLT|TTr|QĐ|QD|NĐ|ND|NQ|KH|TT|CV|BC|CT|TB|CĐ|HD|PL"
_ISSUER = r"[A-ZĐ][A-Za-zĐđ0-9&]*"
#: An official letter's code: issuer and the drafting unit ("UBND-XDCT", "TTg-CN", "BXD-KHTC").
_LETTER_ISSUER = re.compile(r"[A-ZĐ][A-Za-zĐđ&]*-[A-ZĐ][A-Za-zĐđ0-9&]*")
CODE_RE = re.compile(  # the first digit before the look-behind (the regex engine skips to it in C)
    rf"(?P<num>\d(?<![\w/.]\d)\d{{0,4}})(?P<sub>\.\d{{1,2}})?\s?/\s?(?:(?P<year>(?:19|20)\d{{2}})\s?/\s?)?"
    rf"(?:(?P<type>{_TYPE_ALT})\s?-\s?)?(?P<issuer>{_ISSUER}(?:\s?-\s?{_ISSUER})?)(?![\w/])"
)
_HEAD_RE = re.compile(
    # words of a head may be split by a line break of a wrapped table cell ("Nghị\nquyết số 02/2025/NQ-HĐND")
    r"(?<!\w)(?P<head>(?i:thông\s+tư\s+liên\s+tịch|quyết\s+định|nghị\s+định|nghị\s+quyết|kế\s+hoạch|tờ\s+trình|"
    r"thông\s+tư|công\s+văn|văn\s+bản|báo\s+cáo|bộ\s+luật|chỉ\s+thị|thông\s+báo|công\s+điện|hướng\s+dẫn|pháp\s+lệnh)|Luật)"
    r"(?:\s+(?i:số|so))?\s*[:.]?\s*$"
)

#: Titles of laws (after "Luật"), longest first when matched.
LAW_NAMES = (
    "Quy hoạch đô thị và nông thôn", "Quy hoạch đô thị", "Quy hoạch", "Đất đai", "Đầu tư công",
    "Đầu tư theo phương thức đối tác công tư", "Đầu tư", "Xây dựng", "Bảo vệ môi trường",
    "Ngân sách nhà nước", "Tổ chức chính quyền địa phương", "Tổ chức Chính phủ", "Tổ chức Quốc hội",
    "Ban hành văn bản quy phạm pháp luật", "Lâm nghiệp", "Thủy lợi", "Tài nguyên nước", "Đường bộ",
    "Giao thông đường bộ", "Trật tự, an toàn giao thông đường bộ", "Đường sắt", "Giao thông đường thủy nội địa",
    "Hàng không dân dụng Việt Nam", "Biển Việt Nam", "Khoáng sản", "Địa chất và khoáng sản", "Nhà ở",
    "Kinh doanh bất động sản", "Di sản văn hóa", "Du lịch", "Điện lực", "Quốc phòng", "An ninh quốc gia",
    "Biên giới quốc gia", "Thủ đô", "Đa dạng sinh học", "Phòng, chống thiên tai", "Đê điều", "Thủy sản",
    "Trồng trọt", "Chăn nuôi", "Doanh nghiệp", "Đấu thầu", "Quản lý, sử dụng tài sản công", "Quản lý nợ công",
    "Tài nguyên, môi trường biển và hải đảo", "Khí tượng thủy văn", "Năng lượng nguyên tử",
    "Sử dụng năng lượng tiết kiệm và hiệu quả", "Tiếp cận thông tin", "Phòng cháy và chữa cháy",
    "Phòng cháy, chữa cháy và cứu nạn, cứu hộ", "Giáo dục", "Giáo dục đại học", "Giáo dục nghề nghiệp",
    "Khám bệnh, chữa bệnh", "Thể dục, thể thao", "Viễn thông", "Công nghệ thông tin", "Dầu khí", "Hợp tác xã",
    "Thuế thu nhập doanh nghiệp", "Chuyển giao công nghệ", "Khoa học và công nghệ", "Cán bộ, công chức",
    "Dân quân tự vệ", "Công an nhân dân", "Cảnh sát biển Việt Nam", "Biên phòng Việt Nam", "Thanh tra",
    "Bảo vệ và phát triển rừng", "Tần số vô tuyến điện", "Bưu chính", "Thống kê", "Kiến trúc",
    "Lưu trữ", "Chứng khoán", "Kế toán", "Kiểm toán độc lập", "Kiểm toán nhà nước", "Quản lý thuế",
    "Thuế thu nhập cá nhân", "Thuế giá trị gia tăng", "Dự trữ quốc gia", "Xử lý vi phạm hành chính",
    "Bảo hiểm xã hội", "Bảo hiểm y tế", "Hải quan", "Lao động", "Việc làm", "Phí và lệ phí",
    "Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân", "Tổ chức Tòa án nhân dân", "Tổ chức Toà án nhân dân",
    "Tổ chức Viện kiểm sát nhân dân", "Viên chức", "Tổ chức Mặt trận Tổ quốc Việt Nam", "Mặt trận Tổ quốc Việt Nam",
)
_LAW_RE = re.compile(  # the look-ahead on the head's first letter is tested before the look-behind
    r"(?=[BL])(?<!\w)(?P<head>Bộ luật|Luật)\s+(?P<name>(?i:"
    + "|".join(re.escape(n).replace("\\ ", r"\s+") for n in sorted(LAW_NAMES, key=len, reverse=True))
    + r"))(?!\w)(?:(?P<amending>\s+sửa đổi(?:,?\s*bổ sung)?)?\s+(?:năm\s+)?(?P<year>(?:19|20)\d{2})(?![\d/]))?"
)

#: An omnibus law named by its title and year: "Luật sửa đổi, bổ sung một số điều của 37 luật có liên quan đến
#: quy hoạch 2018" (its key is its title: it amends many laws, none of them named in the title).
_OMNIBUS_RE = re.compile(
    r"(?<!\w)Luật\s+(?P<name>(?i:sửa\s+đổi,?\s*bổ\s+sung\s+một\s+số\s+điều\s+của\s+(?:\d+\s+|các\s+)?luật\s+"
    r"(?:có\s+)?liên\s+quan\s+đến\s+)[^\W\d][^\d(),.;:\n]{1,60}?)\s+(?:năm\s+)?(?P<year>(?:19|20)\d{2})(?![\d/])"
)

#: An amending law named by the laws of its title: "Luật sửa đổi Luật Đấu thầu; Luật Hải quan; …; Luật Quản lý,
#: sử dụng tài sản công 2025", "Luật sửa đổi, bổ sung một số điều của Luật A, Luật B năm 2024" (two laws at least;
#: the year after the last title is the amending law's).
_AMENDING_TITLE_RE = re.compile(
    r"(?<!\w)Luật\s+(?P<name>(?i:sửa\s+đổi(?:,?\s*bổ\s+sung)?(?:\s+một\s+số\s+điều(?:\s+của)?)?)\s+"  # name: the whole title
    r"(?P<laws>(?:Bộ\s+luật|Luật)\s+[^\W\d][^\n.()\d]{2,400}?))\s+(?:năm\s+)?(?P<year>(?:19|20)\d{2})(?![\d/])"
)
#: Where one title of that list ends: "; Luật …" (or ", Luật …" in a list without semicolons).
_TITLE_SEP = {";": re.compile(r"\s*;\s*(?=(?:Bộ\s+luật|Luật)\s)"), ",": re.compile(r"\s*(?:,|\s+và)\s*(?=(?:Bộ\s+luật|Luật)\s)")}


def _amending_titles(text: str) -> list[tuple[re.Match, list[tuple[int, int]]]]:
    """The amending laws named by their titles' laws, each with the spans of the laws it names."""
    out = []
    if "sửa đổi" not in text:
        return out
    for m in _AMENDING_TITLE_RE.finditer(text):
        laws = m.group("laws")
        sep = _TITLE_SEP[";" if ";" in laws else ","]
        parts, pos = [], m.start("laws")
        for cut in sep.finditer(text, m.start("laws"), m.end("laws")):
            parts.append((pos, cut.start()))
            pos = cut.end()
        parts.append((pos, m.end("laws")))
        if len(parts) >= 2:
            out.append((m, parts))
    return out


#: The year written after a number without one: "Quyết định 957/QĐ-TTg năm 2025" (not "…, năm 2025").
_YEAR_AFTER_RE = re.compile(r"[ \t]+(?i:năm)[ \t]+(?P<year>(?:19|20)\d{2})(?![\d/\w])")

#: Triggers before a document mention.
#: "(Kèm theo Quyết định …)" opening a line: the text is the annex; "… Quy chế ban hành kèm theo
#: Quyết định …" inside a sentence only names where a quoted text comes from.
_ATTACHED_LINE_RE = re.compile(r"[\W_]*(?i:ban hành\s+)?(?i:kèm theo|đính kèm)\s*$")
_ISSUED_RE = re.compile(
    r"(?:(?i:vừa|đã|mới)\s+(?i:ký|ký ban hành|ban hành|phê duyệt|thông qua|ký phê duyệt)|"
    r"(?<!về )(?<!về việc )(?i:ban hành|ký ban hành))\s*(?:[^\s.;]+\s+){0,1}$"
)
#: The document's own number in the header of a legal text: "Số: 1363/QĐ-TTg".
_SELF_RE = re.compile(r"^\s*(?i:số)\s*[:.]\s*$")
#: The place and date line of a legal text's header: "Hà Nội, ngày 08 tháng 11 năm 2022".
_PLACE_DATE_RE = re.compile(r"^[^\n,]{2,40},\s*(?=ngày\s+\d)", re.MULTILINE)
#: A date opening the sentence of a news report: "Ngày 12/3/2024, UBND tỉnh … ban hành …".
_LEADING_DATE_RE = re.compile(r"\s*(?:(?i:theo đó|như vậy),\s*)?(?:(?i:sáng|chiều|tối|trưa)\s+)?(?i:ngày)\s+")
_IMPLEMENTS_RE = re.compile(
    r"(?i:(?:triển khai\s+)?thực hiện|thi hành|cụ thể hóa|cụ thể hoá)"
    r"(?:\s+(?i:có hiệu quả|hiệu quả|nghiêm túc|đầy đủ|tốt|kịp thời))?\s*$"
)
#: A document that guides the carrying out of the next one: "… hướng dẫn (triển khai) thực hiện".
_GUIDES_RE = re.compile(r"(?i:hướng dẫn)\s+(?i:triển khai\s+)?(?i:thực hiện|thi hành)\s*$")
#: A document that details the next one, in the page's prose: "Nghị định 08/2022/NĐ-CP … quy định chi tiết
#: (thi hành) một số điều (và biện pháp thi hành) (của) Luật …" (not in a list of legal bases, ``Căn cứ …``).
_DETAILS_RE = re.compile(
    r"(?i:quy định chi tiết|hướng dẫn chi tiết)(?:\s+(?i:thi hành|thực hiện))?"
    r"(?:\s+(?i:một số điều|điều\s+\d+|các điều)(?:\s+(?i:và biện pháp thi hành))?)?(?:\s+(?i:của))?\s*$"
)
def _in_basis_list(text: str, pos: int) -> bool:
    """Whether the mention at ``pos`` is an entry of a list of legal bases: it opens its line (a title
    in a list or a table's column), its line or its sentence opens with ``Căn cứ`` or a list or table
    mark, or it is the document an entry amends (``… sửa đổi, bổ sung một số điều Nghị định số …``)."""
    for at in (pos, mentions.sentence_at(text, pos)[0]):
        line = text.rfind("\n", 0, at) + 1
        if _LEGAL_BASIS_LINE.match(text, line) or not text[line:pos].strip(" *_\t"):
            return True
    return bool(_AMENDED_BEFORE.search(text, max(0, pos - 60), pos))


_AMENDED_BEFORE = re.compile(r"(?i:sửa đổi|bổ sung|thay thế)[^.;:\n]{0,30}$")
_LEGAL_BASIS_LINE = re.compile(r"[\W_]*(?i:căn cứ)\b|\s*[-+•|]")  # a legal basis, a list item, a table row


@dataclass
class DocMention:
    """One mention of a legal document in a text."""

    start: int  # span of the mention (head word .. code .. date)
    end: int
    code_start: int
    code_end: int
    type_code: str
    issuer: str  # "TTg", "UBND", "QH14", "BKHĐT-QLQH"; "" for a named law
    number: int | None
    number_text: str
    year: int | None
    id_local: str  # "1161/QĐ-TTg" as written, normalised
    date: DateMention | None = None
    name: str = ""  # title of a named law
    year_unknown: bool = False
    key: str = ""
    number_suffix: str = ""  # ".2" of "66.2/2025/NQ-CP"
    province: URIRef | None = None  # the issuing province of a provincial body's document
    unit: str = ""  # the drafting unit of an official letter's code: "VTLT" of "4368/SNV-VTLT"
    aliases: list[str] = field(default_factory=list)
    amended: list[DocMention] = field(default_factory=list)  # the laws an amending law's title names

    @property
    def cls(self) -> str:
        return TYPES[self.type_code][1]

    @property
    def label_vi(self) -> str:
        word = TYPES[self.type_code][2]
        if self.id_local:
            named = f"{word} {self.name}" if self.name else word
            return f"{named} số {self.id_local}"
        return f"{word} {self.name}".strip()

    @property
    def label_en(self) -> str:
        word = TYPES[self.type_code][3]
        if self.id_local:
            return f"{word} No. {self.id_local}"
        return ""


def _type_of(code: str) -> str:
    return {"QD": "QĐ", "ND": "NĐ"}.get(code, code)


def _norm_code(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _key(
    type_code: str, issuer: str, year: int | None, number: int | str, suffix: str = "", place: str = "", unit: str = ""
) -> str:
    """IRI key of a document: type, issuer (and the drafting unit of a letter's two-part code, with
    the province of a provincial body), year, number: ``cv-snv-vtlt-dong-nai/2021/4368``."""
    prefix = f"{TYPES[type_code][0]}-{slugify(issuer)}" + (f"-{slugify(unit)}" if unit else "") + (f"-{place}" if place else "")
    number = f"{number}{suffix}"
    return f"{prefix}/{year}/{number}" if year else f"{prefix}/{number}"


def _doc_key(d: DocMention, place: str = "") -> str:
    return _key(d.type_code, d.issuer, d.year, d.number, d.number_suffix, place, d.unit)


#: Issuer codes of Party bodies: the Central Committee and its organs (``TW``, ``BTCTW``, ``VPTW``), provincial
#: and district committees (``TU``, ``HU``), Party committees (``ĐU``), Party caucuses (``BCSĐ``), and the
#: steering committees that review a Party resolution (``BCĐTKNQ18``, also written ``BCDDTKNQ18``).
_PARTY_ISSUER = re.compile(r"(?:BTC|VP|BTG|BDV|BTGDV|UBKT|QU)?TW|TU|HU|ĐU[A-ZĐ]*|BCSĐ[A-ZĐ]*|BC(?:Đ|DD)TKNQ\d*")


def find_documents(text: str, default_year: int | None = None) -> tuple[DocMention, ...]:
    """All legal-document mentions of ``text`` with years resolved and IRI keys set."""
    found: list[DocMention] = []
    for m in CODE_RE.finditer(text):
        issuer = _norm_code(m["issuer"])
        if _PARTY_ISSUER.fullmatch(issuer):
            continue  # a Party body's document ("130/KH-BCĐTKNQ18", "15/KH-TU"): not a legal document
        type_code = _type_of(m["type"]) if m["type"] else ""
        before = text[max(0, m.start() - 100) : m.start()]
        head_type, name, start = "", "", m.start()
        head = _HEAD_RE.search(before)
        if head:
            head_type = HEAD_WORDS[" ".join(head["head"].lower().split())]
            start = m.start() - (len(before) - head.start())
        else:
            for law in _LAW_RE.finditer(before):
                # "Luật Ngân sách nhà nước 2015 số 83/2015/QH13": a year equal to the code's is part of the head
                same_year = law["year"] is not None and law["year"] == m["year"]
                if re.fullmatch(r"\s+(?:(?i:số)\s*)?", before[law.end() :]) and (not law["year"] or same_year):
                    head_type, name = "Luật", _law_title(law["name"])
                    start = m.start() - (len(before) - law.start())
        if not type_code:
            if re.fullmatch(r"QH\d*", issuer):
                type_code = head_type if head_type in ("Luật", "NQ", "PL") else "Luật"
            elif head_type in ("CV", "BC", "TTr") and m["year"] is None:
                type_code = head_type
            elif not head_type and m["year"] is None and _LETTER_ISSUER.fullmatch(issuer):
                type_code = "CV"  # "6131/UBND-XDCT", "1234/TTg-CN": an official letter's code
            else:
                continue  # a slash-separated code without a type: not a document number
        number_text = m["num"]
        year = int(m["year"]) if m["year"] else None
        if m["sub"] and year is None:
            continue  # "1.5/KH": a dotted number only with a year (66.2/2025/NQ-CP)
        code_end = m.end()
        year_after = None
        if year is None and (after := _YEAR_AFTER_RE.match(text, code_end)):
            year_after, code_end = int(after["year"]), after.end()
        when = date_at(text, code_end, default_year)
        if when is None and (type_code in ("Luật", "NQ", "PL")) and (passed := _PASSED_AFTER_RE.match(text, code_end)):
            # "Luật Doanh nghiệp số 59/2020/QH14 được Quốc hội … thông qua ngày 17 tháng 6 năm 2020"
            when = date_at(text, passed.end(), default_year)
        if when is not None and when.inferred_year:
            when = None
        end = when.end if when else code_end
        written = number_text + (m["sub"] or "")
        if type_code in ("Luật", "PL") or (m["type"] is None and re.fullmatch(r"QH\d*", issuer)):
            id_local = f"{written}/{year}/{issuer}" if year else f"{written}/{issuer}"
        elif m["type"] is None:
            id_local = f"{written}/{issuer}"
        else:
            id_local = f"{written}/{year}/{type_code}-{issuer}" if year else f"{written}/{type_code}-{issuer}"
        issuer_key, unit = issuer, ""
        if m["type"] is None and not re.fullmatch(r"QH\d*", issuer):
            # a letter's code "4368/SNV-VTLT": the issuer is the first part; the whole code keys it,
            # since each drafting unit's letters are a series of their own on the page
            issuer_key, _sep, unit = issuer.partition("-")
        found.append(
            DocMention(
                start=start,
                end=end,
                code_start=m.start(),
                code_end=m.end(),
                type_code=type_code,
                issuer=issuer_key,
                number=int(number_text),
                number_text=number_text,
                year=year if year is not None else year_after,
                id_local=id_local,
                date=when,
                name=name,
                number_suffix=m["sub"] or "",
                unit=unit,
            )
        )
    # years from dates, then from another mention of the same number that has one
    for d in found:
        if d.year is None and d.date is not None:
            d.year = d.date.value.year
    known: dict[tuple[str, str, int], int] = {}
    for d in found:
        if d.year is not None:
            known.setdefault((d.type_code, d.issuer, d.number), d.year)
    for d in found:
        if d.year is None:
            d.year = known.get((d.type_code, d.issuer, d.number))
            d.year_unknown = d.year is None
        d.key = _doc_key(d)
        if d.name:
            d.aliases.append(_law_key(d.name, None))
    # named laws without a number
    taken = [(d.start, d.end) for d in found]
    amending = [(m, parts) for m, parts in _amending_titles(text) if not any(a <= m.start() < b for a, b in taken)]
    in_titles = {}  # start of a law named in an amending law's title -> its end
    for m, parts in amending:
        title = " ".join(m["name"].split()).lower()  # the whole title, its laws included
        law = DocMention(
            start=m.start(), end=m.end(), code_start=m.start(), code_end=m.end(), type_code="Luật", issuer="",
            number=None, number_text="", year=int(m["year"]), id_local="", name=f"{title} năm {m['year']}",
            key=_law_key(title, int(m["year"])),
        )
        for a, b in parts:
            head = re.match(r"(?:Bộ\s+luật|Luật)\s+", text[a:b])
            name = _law_title(" ".join(text[a + head.end() : b].split()))
            item = DocMention(
                start=a, end=b, code_start=a, code_end=b, type_code="Luật", issuer="", number=None,
                number_text="", year=None, id_local="", name=name, key=_law_key(name, None),
            )
            in_titles[a] = item
            law.amended.append(item)
        found.append(law)
    for m in _LAW_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken) or m.start() in in_titles:
            continue
        title = _law_title(m["name"])
        if m["amending"]:
            title += " sửa đổi"  # "Luật Hàng không dân dụng Việt Nam sửa đổi 2014": the amending law
        year = int(m["year"]) if m["year"] else None
        when = None
        amended_by_other = re.search(r"(?i:sửa đổi|bổ sung)[^.;]{0,60}$", text[max(0, m.start() - 80) : m.start()])
        if year is None and not amended_by_other:
            when = date_at(text, m.end(), default_year)
            if when is None and (bad := _UNREAD_CODE_RE.match(text, m.end())):
                # "Luật Quy hoạch số 21/2017/QD14 ngày 24/11/2017": no valid code, the date is the law's
                when = date_at(text, bad.end(), default_year)
            if when is not None and not when.inferred_year:
                year = when.value.year
            else:
                when = None
        found.append(
            DocMention(
                start=m.start(),
                end=when.end if when else m.end(),
                code_start=m.start(),
                code_end=m.end(),
                type_code="Luật",
                issuer="",
                number=None,
                number_text="",
                year=year,
                id_local="",
                name=title + (f" năm {year}" if year else ""),
                key=_law_key(title, year),
                date=when,
            )
        )
    found.extend(in_titles.values())
    for m in _OMNIBUS_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        title = " ".join(m["name"].split()).lower()
        year = int(m["year"])
        found.append(DocMention(
            start=m.start(), end=m.end(), code_start=m.start(), code_end=m.end(), type_code="Luật", issuer="",
            number=None, number_text="", year=year, id_local="", name=f"{title} năm {year}",
            key=_law_key(title, year),
        ))
    found.extend(_amended_titles(text, found))
    _same_law(found)
    found.sort(key=lambda d: d.start)
    return tuple(found)


#: The passing of a law written after its number: "… được Quốc hội (nước …) thông qua (vào)".
_PASSED_AFTER_RE = re.compile(r"\s*,?\s*(?i:được|do)\s+(?i:Quốc hội)[^.;\d]{0,90}?(?i:thông qua)(?:\s+(?i:vào))?")
#: A document code the code pattern did not read as a document ("số 21/2017/QD14": no issuer type).
_UNREAD_CODE_RE = re.compile(r"\s+(?i:số)\s*\d{1,5}/(?:\d{4}/)?[A-ZĐ][\w\-]*(?![\w/])")
#: What follows an amending law's number: "(ngày …) sửa đổi, bổ sung một số điều của" + a list of laws.
_AMENDS_LAWS_RE = re.compile(r"[^.;\n]{0,40}?(?i:sửa đổi,?\s*bổ sung)\s+(?i:một số điều\s+)?(?i:của\s+)(?=(?:Bộ luật|Luật)\s)")
#: One item of such a list: "Luật " and its title, up to the next item, the end of the sentence or a new list item.
_LIST_TITLE_RE = re.compile(
    r"(?P<head>Bộ luật|Luật)\s+(?!này\b)(?P<name>[^\W\d_][^.;:()\d\n]*?(?:\n[a-zđà-ỹ][^.;:()\d\n]*?)*)"
    r"(?=\s*,\s*(?:Bộ luật|Luật)\s|\s+và\s+(?:Bộ luật|Luật)\s|\s*[.;]|\s*\n(?![a-zđà-ỹ])|\s*$)"
)


def _amended_titles(text: str, found: list[DocMention]) -> list[DocMention]:
    """Laws named by title only in the list an amending law changes.

    "Luật số 56/2024/QH15 ngày 29/11/2024 sửa đổi, bổ sung một số điều của Luật Chứng khoán, Luật Kế
    toán, …, Luật Xử lý vi phạm hành chính": each title of the list is a law (keyed by its title,
    ``luat/luat-chung-khoan``, as laws without a number are), also when the title list of
    :data:`LAW_NAMES` does not hold it. Only after a numbered law's code, so no pass over the text.
    """
    taken = [(d.start, d.end) for d in found]
    added: list[DocMention] = []
    for d in list(found):
        if d.type_code != "Luật" or not d.id_local:
            continue
        lead = _AMENDS_LAWS_RE.match(text, d.end)
        if lead is None:
            continue
        pos = lead.end()
        for _ in range(30):  # an omnibus law names a few dozen laws at most
            item = _LIST_TITLE_RE.match(text, pos)
            if item is None:
                break
            known = _LAW_RE.match(text, pos)
            end = known.end("name") if known else item.end()
            if known and re.match(r"\s*(?:,|và\b)", text[end:]) is None and re.match(r"\s*[.;\n]|\s*$", text[end:]) is None:
                end = item.end()
            if not any(a <= pos < b for a, b in taken):
                title = _law_title(" ".join(text[item.start("name") : end].split()))
                added.append(
                    DocMention(
                        start=pos, end=end, code_start=pos, code_end=end, type_code="Luật", issuer="", number=None,
                        number_text="", year=None, id_local="", name=title, key=_law_key(title, None),
                    )
                )
            sep = re.match(r"\s*(?:,|và)\s*(?=(?:Bộ luật|Luật)\s)", text[end:])
            if sep is None:
                break
            pos = end + sep.end()
    return added


def _same_law(found: list[DocMention]) -> None:
    """A bare law title names the law of that title the same text dates or numbers elsewhere.

    "Căn cứ Luật Quy hoạch ngày 24 tháng 11 năm 2017; … một số điều của Luật Quy hoạch" speaks of
    one law: the bare mention takes the key of the dated one when the text has exactly one.
    """
    by_title: dict[str, set[str]] = {}
    for d in found:
        if d.type_code == "Luật" and d.name and (d.year is not None or d.number is not None):
            # dated ("Luật Quy hoạch ngày 24/11/2017") or numbered ("Luật Doanh nghiệp số 59/2020/QH14")
            title = re.sub(r" năm \d{4}$", "", d.name)
            by_title.setdefault(title.lower(), set()).add(d.key)
    for d in found:
        if d.type_code == "Luật" and d.number is None and d.year is None:
            keys = by_title.get(d.name.lower(), set())
            if len(keys) == 1:
                d.key = next(iter(keys))


def _law_title(name: str) -> str:
    name = " ".join(name.split())
    for title in LAW_NAMES:
        if title.lower() == name.lower():
            return title
    return name


def _law_key(title: str, year: int | None) -> str:
    slug = slugify(f"Luật {title}")
    return f"luat/{slug}-{year}" if year else f"luat/{slug}"


def doc_iri(key: str) -> URIRef:
    """IRI of a legal document from its key (``qd-ttg/2024/1161``)."""
    return ID[f"doc/{key}"]


# -- main document ----------------------------------------------------------------------------

def choose_main(doc: CleanDocument, found: tuple[DocMention, ...]) -> tuple[DocMention | None, str]:
    """The document the text is or reports on, and why (``attached``, ``issued``, ``title``, ``lead``)."""
    text = doc.text
    numbered = [d for d in found if d.id_local]
    structure = doc.structure
    own = structure.header.number if structure.header is not None else None
    own = own or structure.info_box.get("number")
    if own is not None:
        for d in numbered:
            if own.span.start <= d.code_start < own.span.end:
                return d, "self"
    for d in numbered:
        line_start = text.rfind("\n", 0, d.code_start) + 1
        if d.start < 800 and _SELF_RE.match(text[line_start : d.code_start]):
            return d, "self"
    for d in numbered:
        line_start = text.rfind("\n", 0, d.start) + 1
        if d.start < 1500 and _ATTACHED_LINE_RE.fullmatch(text[line_start : d.start]):
            return d, "attached"
    later = None  # where a later section of a page begins (after the page's own prose)
    for d in numbered:
        if _ISSUED_RE.search(text[max(0, d.start - 40) : d.start]):
            if later is None:
                later = _later_section(doc)
            if d.start < later:
                return d, "issued"
    title = _norm_code(doc.title)
    for d in numbered:
        if _norm_code(d.id_local) in title:
            return d, "title"
    # a portal's title names it by type and number only: "… ra sao theo Quyết định 1893?"
    for m in _TITLE_NUMBER_RE.finditer(doc.title):
        code = HEAD_WORDS[m["head"].lower()]
        for d in numbered:
            if d.type_code == code and d.number_text.lstrip("0") == m["num"].lstrip("0"):
                return d, "title"
    lead_end = text.find("\n", 200)
    lead_end = len(text) if lead_end < 0 else lead_end
    for d in numbered:
        if d.start >= lead_end:
            break
        before = text[max(0, d.start - 60) : d.start]
        if (
            d.type_code in ("QĐ", "KH", "NQ", "NĐ", "TT", "CT")
            and not _IMPLEMENTS_RE.search(before)
            and not _ASIDE_RE.search(before)
        ):
            return d, "lead"
    first = _first_quoted(doc, found)
    if first is not None:
        return first, "quoted"
    this, why = _this_document(text, numbered)
    if this is not None:
        return this, why
    return _first_paragraph(doc, numbered)


#: A document named in a title by its type and bare number ("theo Quyết định 1893?").
_TITLE_NUMBER_RE = re.compile(
    r"(?<!\w)(?P<head>(?i:quyết định|nghị định|nghị quyết|thông tư|chỉ thị|kế hoạch|công điện))\s+(?i:số\s+)?"
    r"(?P<num>\d{1,5})(?![\d/.,])"
)
#: A source given in brackets for one statement: "… phường Hải Vân (theo khoản 9 Điều 1 Nghị quyết …".
_ASIDE_RE = re.compile(r"\((?i:theo|căn cứ|xem)\b[^()\n]{0,50}$")
#: A document speaking of itself: "Nghị định này", "Quyết định này".
_THIS_RE = re.compile(r"(?<!\w)(?P<head>(?i:quyết định|nghị định|nghị quyết|thông tư|chỉ thị|kế hoạch))\s+này\b")
#: A mention that opens its paragraph as the subject of a verb: "Nghị định 55/2025/NĐ-CP quy định …".
_SUBJECT_VERB_RE = re.compile(r"\s*(?i:quy định|ban hành|có hiệu lực|gồm|nêu rõ|xác định)\b")


def _first_quoted(doc: CleanDocument, found: tuple[DocMention, ...]) -> DocMention | None:
    """The document a page quotes first, when the quotation opens the page's body (only the
    title, furniture and question headings before it): "Căn cứ theo khoản 4 Điều 3 Nghị định
    123/2025/NĐ-CP có quy định như sau:" under the page's questions. A page that opens with
    prose of its own and quotes later has no subject from its quotations."""
    regions = quote_regions(doc, found, None, "")
    if not regions or not regions[0].document.id_local:
        return None
    structure = doc.structure
    pos = structure.body.start if structure.page_title is not None else 0
    return None if _own_prose_in(doc, pos, regions[0].start) else regions[0].document


def _own_prose_in(doc: CleanDocument, start: int, end: int) -> bool:
    """True when ``doc.text[start:end]`` holds a line of the page's own prose: not blank, not the
    title, not a question line, not furniture."""
    text = doc.text
    structure = doc.structure
    title = " ".join(doc.title.split())
    pos = start
    for line in text[start:end].split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        words = " ".join(line.split())
        if not re.search(r"\w", words) or words == title or _QUESTION_RE.fullmatch(line):
            continue
        if structure.is_furniture(Span(line_start, line_start + len(line))):
            continue
        return True
    return False


def _later_section(doc: CleanDocument) -> int:
    """Where a page's later section begins: its first marked heading after a line of the page's
    own prose (``## Mục tiêu quy hoạch sân bay … như thế nào?`` under a list of hotels). A document
    reported as issued only there is background to the page's topic, not what the page reports
    on. The text's end for a page without one, and for a text that is not a page."""
    structure = doc.structure
    if structure.page_title is None:
        return len(doc.text)
    pos = structure.body.start
    # a question line of the body (``**Sáp nhập trường học là gì?**``) opens a section as a heading does
    marks = [(h.span.start, h.span.end) for h in structure.headings]
    marks += [(m.start(), m.end()) for m in _QUESTION_LINE_RE.finditer(doc.text, pos)]
    for start, end in sorted(marks):
        if start < pos:
            continue
        if _own_prose_in(doc, pos, start):
            return start
        pos = end
    return len(doc.text)


#: A line of the body that is one question, bold or not.
_QUESTION_LINE_RE = re.compile(r"^[ \t*_]*[^\n?]{3,250}\?[ \t*_]*$", re.MULTILINE)


#: A line of questions only (a Q&A page's lead): "Mục tiêu … phải không? Việc … ra sao?".
_QUESTIONS_RE = re.compile(r"(?:[^?\n]{3,300}\?[\s*_\-–]*)+")


def _first_paragraph(doc: CleanDocument, numbered: list[DocMention]) -> tuple[DocMention | None, str]:
    """A page whose title names no document reports on the one its first body paragraph names in
    its first sentence (``Tại Mục I Điều 1 Quyết định 2161/QĐ-TTg năm 2025 … đã phê duyệt …``):
    the paragraph after the title, the question lines and furniture, before any heading."""
    text = doc.text
    structure = doc.structure
    title = " ".join(doc.title.split())
    pos = structure.body.start if structure.page_title is not None else 0
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        start, line, pos = pos, text[pos:end], end + 1
        words = " ".join(line.replace("*", " ").split())
        if not re.search(r"\w", words) or words == title or _QUESTIONS_RE.fullmatch(words):
            continue
        if structure.is_furniture(Span(start, end)) or line.lstrip().startswith("#"):
            continue
        s, e = mentions.sentence_at(text, start + len(line) - len(line.lstrip()))
        for d in numbered:
            if s <= d.start < min(e, end) and d.type_code in ("QĐ", "KH", "NQ", "NĐ", "TT", "CT"):
                before = text[max(s, d.start - 60) : d.start]
                if not _IMPLEMENTS_RE.search(before) and not _ASIDE_RE.search(before):
                    return d, "paragraph"
        return None, ""
    return None, ""


def _this_document(text: str, numbered: list[DocMention]) -> tuple[DocMention | None, str]:
    """A page that speaks of "Nghị định này" without a numbered lead is about the document of
    that type it names as the subject of a paragraph ("Nghị định 55/2025/NĐ-CP quy định …")."""
    kinds = {HEAD_WORDS[m["head"].lower()] for m in _THIS_RE.finditer(text)}
    for d in numbered:
        if d.type_code not in kinds:
            continue
        line_start = text.rfind("\n", 0, d.start) + 1
        if not text[line_start : d.start].strip(" *_") and _SUBJECT_VERB_RE.match(text, d.end):
            return d, "this"
    return None, ""


def resolve_documents(doc: CleanDocument, ctx: ExtractionContext) -> tuple[tuple[DocMention, ...], DocMention | None, str]:
    """The document mentions of ``doc``, its main document and why; computed once per document.

    A main document reported as just issued ("vừa ban hành Kế hoạch 268/KH-UBND") without a
    year in its number or a date takes the year of the report's publication date.
    """
    cached = doc.extra.get("_documents")
    if cached is not None:
        return cached
    approx = doc.published or doc.extra.get("published_approx")
    default_year = approx.year if isinstance(approx, date) else None
    found = find_documents(doc.text, default_year)
    _mistyped_issuers(found, ctx)
    main, why = choose_main(doc, found)
    header = doc.structure.header
    if main is not None and main.date is None and why == "self" and header is not None and header.date is not None:
        main.date = DateMention(header.date_text.span.start, header.date_text.span.end, header.date)
    if main is not None and main.date is None:
        main.date = _main_date(doc.text, main, why, default_year)
        if main.date is None and why != "self":
            # the title names it; the sentence that reports it dates it ("Ngày 01/6/2025, … ban hành …")
            for d in found:
                if d is not main and d.key == main.key:
                    if d.date is not None:
                        main.date = d.date
                        break
                    main.date = _main_date(doc.text, d, why, default_year)
                    if main.date is not None:
                        break
    if main is not None and main.date is None and why != "self":
        main.date = _passed_date(doc.text, found, main) or _reported_date(doc.text, found, main)
    if main is not None and main.date is not None and main.year is None:
        main.year, main.year_unknown = main.date.value.year, False
        main.key = _doc_key(main)
    if main is not None and main.year is not None and main.id_local:
        # its other mentions without a year ("Tại Điều 2 Quyết định 01906/QĐ-UBND …" after "Ngày 28/11/2025,
        # UBND tỉnh X ban hành Quyết định 01906/QĐ-UBND"): the year the page dates it by
        for d in found:
            if d is not main and d.year is None and (d.type_code, d.issuer, d.number, d.number_suffix) == (
                main.type_code, main.issuer, main.number, main.number_suffix
            ):
                d.year, d.year_unknown = main.year, False
                d.key = _doc_key(d)
    if main is not None and main.year_unknown and why == "issued" and default_year is not None:
        for d in found:
            if (d.type_code, d.issuer, d.number) == (main.type_code, main.issuer, main.number) and d.year is None:
                d.year, d.year_unknown = default_year, False
                d.key = _doc_key(d)
    _date_issue_reports(doc.text, found, main, default_year)
    _qualify_provincial(doc, ctx, found, main, why)
    result = (found, main, why)
    doc.extra["_documents"] = result
    return result


def _date_issue_reports(text: str, found: tuple[DocMention, ...], main: DocMention | None, default_year: int | None) -> None:
    """Documents other than the main one reported as issued in a sentence the date opens ("Ngày
    15/4/2025, Bộ Xây dựng đã ban hành Quyết định 427/QĐ-BXD …"): that date is theirs, and its year
    the year of their other mentions without one."""
    for d in found:
        if not d.id_local or d.date is not None or (main is not None and d.key == main.key):
            continue
        if not _ISSUED_RE.search(text[max(0, d.start - 40) : d.start]):
            continue
        when = _main_date(text, d, "issued", default_year)
        if when is None or d.year not in (None, when.value.year):
            continue
        d.date = when
        if d.year is None:
            for other in found:
                if (other.type_code, other.issuer, other.number) == (d.type_code, d.issuer, d.number) and other.year is None:
                    other.year, other.year_unknown = when.value.year, False
                    other.key = _doc_key(other)


#: Issuer codes of national bodies the agency resolver is not asked about.
_NATIONAL_ISSUERS = frozenset({"TTg", "CP", "VPCP", "UBTVQH"})


def _mistyped_issuers(found: tuple[DocMention, ...], ctx: ExtractionContext) -> None:
    """A code whose issuer no agency has, one letter away from the issuer of the same type,
    number and year written more often on the page, is that document mistyped: the page's
    "114/2021/NĐ-CO" among its "114/2021/NĐ-CP" is Nghị định 114/2021/NĐ-CP. Without such a twin,
    or when the odd issuer is an agency's code (BTP beside BTC), the code stays as written."""
    groups: dict[tuple, dict[str, list[DocMention]]] = {}
    for d in found:
        if d.id_local and d.year is not None and d.issuer:
            groups.setdefault((d.type_code, d.number, d.number_suffix, d.year), {}).setdefault(d.issuer, []).append(d)
    for by_issuer in groups.values():
        if len(by_issuer) < 2:
            continue
        ranked = sorted(by_issuer.items(), key=lambda kv: -len(kv[1]))
        common, twins = ranked[0]
        for issuer, odd in ranked[1:]:
            if len(odd) >= len(twins) or not _one_letter_apart(issuer, common):
                continue
            if issuer in _NATIONAL_ISSUERS or _PROVINCIAL_ISSUERS.fullmatch(issuer) or mentions.agency(ctx, issuer) is not None:
                continue
            for d in odd:
                d.issuer, d.key = common, twins[0].key


def _one_letter_apart(a: str, b: str) -> bool:
    """Same length and one letter different (a typing slip: "CO" for "CP")."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _qualify_provincial(
    doc: CleanDocument, ctx: ExtractionContext, found: tuple[DocMention, ...], main: DocMention | None, why: str
) -> None:
    """Give documents of provincial bodies (``UBND``, ``HĐND``, ``Sở``) their province in the key.

    Every province numbers its own ``268/KH-UBND``: the province is the issuing body's in the
    header for the document itself, else the one named before the mention in its sentence
    (``… của UBND tỉnh Lạng Sơn``), else the main document's when the issuer is the same, else
    the province the text is about. Without a province the key stays unqualified.
    """
    resolver = ctx.resolver
    if resolver is None:
        return
    text = doc.text
    header = doc.structure.header
    own_province = None
    if main is not None and why == "self" and header is not None and header.issuer is not None:
        own_province = _province_in(ctx, header.issuer.value)
    dominant = None
    for d in found:
        if not d.id_local or not _PROVINCIAL_ISSUERS.fullmatch(d.issuer):
            continue
        if d is main and own_province is not None:
            province = own_province
        else:
            province = _province_after(text, d, ctx) or mentions.province_near(text, d.start, ctx, window=120)
            if province is None and main is not None and d is not main and main.issuer == d.issuer and main.province:
                province = main.province if d.year == main.year or d.year is None else None
            if province is None:
                if dominant is None:
                    dominant = mentions.dominant_province(doc, ctx) or False
                province = dominant or None
        if province is None:
            continue
        unit = resolver.unit_by_iri.get(province)
        if unit is None:
            continue
        d.province = province
        d.key = _doc_key(d, slugify(unit.name))
    if main is not None:
        for d in found:
            if d is not main and d.key != main.key and d.province is None and d.id_local == main.id_local:
                d.key, d.province = main.key, main.province


def _province_in(ctx: ExtractionContext, name: str) -> URIRef | None:
    """The province a body's name carries (``ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN``)."""
    for _a, _b, match in mentions.find_units(ctx, " ".join(w.capitalize() for w in name.split())):
        if match.level == "province":
            return match.iri
    return None


_OF_BODY = re.compile(r"\s*(?:của|do)\s+(?:UBND|HĐND|Ủy ban nhân dân|Uỷ ban nhân dân|Hội đồng nhân dân)\s+")


def _province_after(text: str, d: DocMention, ctx: ExtractionContext) -> URIRef | None:
    """``268/KH-UBND ngày … của UBND tỉnh Lạng Sơn``: the province named right after the mention."""
    m = _OF_BODY.match(text, d.end)
    if not m:
        return None
    for _a, _b, match in mentions.find_units(ctx, text[m.end() : m.end() + 60]):
        if match.level == "province":
            return match.iri
        break
    return None


def _main_date(text: str, main: DocMention, why: str, default_year: int | None) -> DateMention | None:
    """The date of the main document when it does not follow the number.

    A legal text's header gives it on the place-and-date line ("Hà Nội, ngày 08 tháng 11 năm
    2022"); a news report often opens the sentence with it ("Ngày 12/3/2024, UBND tỉnh … ban
    hành Kế hoạch số 45/KH-UBND").
    """
    if why == "self":
        for m in _PLACE_DATE_RE.finditer(text, 0, min(len(text), main.end + 300)):
            found = date_at(text, m.end() - 1, None)
            if found is not None:
                return found
        return None
    s, _e = mentions.sentence_at(text, main.start)
    lead = _LEADING_DATE_RE.match(text, s)
    if lead is None:
        s = text.rfind("\n", 0, main.start) + 1
        lead = _LEADING_DATE_RE.match(text, s)
    if lead and lead.end() < main.start:
        found = find_dates(text[lead.end() : main.start], default_year, include_short=False)
        if found and found[0].start == 0:
            d = found[0]
            return DateMention(lead.end() + d.start, lead.end() + d.end, d.value, d.precision)
    return None


#: A page's sentence that reports what the quoted decision does, with its date: "Theo đó, Thủ tướng
#: Chính phủ đã chấp thuận chủ trương đầu tư … ngày 18/5/2025", "… từ 05/03/2024".
_REPORTED_RE = re.compile(
    r"(?:^|(?<=[.:]\s))(?i:theo đó|như vậy),[^.\n]{0,200}?\bđã\s+(?i:chấp thuận|phê duyệt|quyết định|ban hành|thông qua|đồng ý)"
    r"[^.\n]{0,300}?(?<!\w)(?i:ngày|từ)\s+(?:(?i:ngày)\s+)?",
    re.MULTILINE,
)


#: The act of passing or issuing a document, right before its date: "(được Quốc hội …) thông qua
#: ngày 27/06/2024", "ký ban hành ngày …" (not "có hiệu lực từ ngày …").
_PASSED_RE = re.compile(
    r"(?<!\w)(?i:thông qua|ký ban hành|ban hành|ký|phê duyệt)\s+(?:(?i:vào)\s+)?(?i:ngày)\s+"
)


def _passed_date(text: str, found: tuple[DocMention, ...], main: DocMention) -> DateMention | None:
    """The date the sentence of the main document's first mention gives for its passing or issue
    (``Luật Đường bộ số 35/2024/QH15 được Quốc hội … thông qua ngày 27/06/2024 và có hiệu lực
    từ …``), with no other document between; its year must be the document's when the number
    gives one."""
    first = min((d for d in found if d.key == main.key), key=lambda d: d.start, default=main)
    _s, e = mentions.sentence_at(text, first.start)
    nxt = min((d.start for d in found if first.end <= d.start < e), default=e)
    m = _PASSED_RE.search(text, first.end, nxt)
    if m is None or m.start() - first.end > 200:
        return None
    return _date_after(text, m, main)


def _date_after(text: str, m: re.Match, main: DocMention) -> DateMention | None:
    """The day the match ``m`` (ending at ``ngày`` or ``từ``) is followed by, read with its ``ngày`` so
    that ``ngày 18 tháng 4 năm 2025`` is a day, not April; its year must be the document's when the
    number gives one."""
    k = m.group().lower().rfind("ngày")
    at = m.start() + k if k >= 0 else m.end()
    for when in find_dates(text[at : m.end() + 40], None, include_short=False)[:1]:
        if at + when.start <= m.end() and when.precision == "day" and main.year in (None, when.value.year):
            return DateMention(at + when.start, at + when.end, when.value)
    return None


def _reported_date(text: str, found: tuple[DocMention, ...], main: DocMention) -> DateMention | None:
    """The date of the main document a page quotes, from the sentence that reports its act (see
    ``_REPORTED_RE``) within the paragraphs after its first mention; its year must be the
    document's when the number gives one."""
    first = min((d.end for d in found if d.key == main.key), default=main.end)
    for m in _REPORTED_RE.finditer(text, first, min(len(text), first + 2500)):
        return _date_after(text, m, main)
    return None


# -- issuers ------------------------------------------------------------------------------------

_CENTRAL_ISSUERS = {"TTg": "TTg", "CP": "CP"}
#: Issuers whose documents are numbered per province: the key carries the province.
_PROVINCIAL_ISSUERS = re.compile(r"(?:UBND|HĐND|S[A-ZĐ][A-Za-zĐđ&]*)(?:-.*)?")


def issuer_agency(d: DocMention, text: str, ctx: ExtractionContext, doc: CleanDocument) -> URIRef | None:
    """The agency that issued the document, from its issuer code and, for provinces, the context."""
    issuer = d.issuer
    if not issuer:
        return ID["agency/quoc-hoi"] if d.type_code == "Luật" else None
    if re.fullmatch(r"QH\d*", issuer):
        match = mentions.agency(ctx, "QH")
        return match.iri if match else ID["agency/quoc-hoi"]
    if issuer in ("UBND", "HĐND"):
        province = d.province or mentions.province_near(text, d.start, ctx) or mentions.dominant_province(doc, ctx)
        if province is None:
            return None
        match = mentions.agency(ctx, f"{issuer} tỉnh", province)
        return match.iri if match else None
    province = mentions.dominant_province(doc, ctx) if issuer.startswith("S") else None
    match = mentions.agency(ctx, issuer, province)
    if match is not None:
        return match.iri
    if issuer == "TTg":
        return ID["agency/thu-tuong-chinh-phu"]
    if issuer == "CP":
        return ID["agency/chinh-phu"]
    return None


# -- signers ------------------------------------------------------------------------------------

_POST_WORDS = (
    r"Phó Thủ tướng(?: Thường trực)?(?: Chính phủ)?|Thủ tướng(?: Chính phủ)?|Bộ trưởng(?: Bộ [^\s,.;]+(?: [^\s,.;A-Z]+)*)?|"
    r"Phó Chủ tịch(?: Thường trực)?(?: (?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân) (?:tỉnh|thành phố)(?: [A-ZĐ][^\s,.;]*){0,3})?|"
    r"Chủ tịch(?: (?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân) (?:tỉnh|thành phố)(?: [A-ZĐ][^\s,.;]*){0,3})?|"
    r"Thứ trưởng(?: Bộ [^\s,.;]+(?: [^\s,.;A-Z]+)*)?"
)
_PROSE_SIGNER_RE = re.compile(
    rf"(?P<post>{_POST_WORDS})\s+(?P<name>[A-ZĐ][^\s,.;]*(?: [A-ZĐ][^\s,.;]*){{1,3}})\s+"
    r"(?:(?:vừa|đã|mới)\s+)*(?:ký|thay mặt[^.;]{0,40}?ký)\s+(?:ban hành\s+)?"
)
@dataclass
class Signer:
    """A person who signed a document, the post they signed in, and where the text says so."""

    name: str
    post_text: str
    span: Span
    document: DocMention | None


def find_signers(
    text: str, found: tuple[DocMention, ...], main: DocMention | None, structure: DocumentStructure | None = None
) -> list[Signer]:
    """Signers in prose ("Phó Thủ tướng … Trần Hồng Hà vừa ký Quyết định số …") and in the signature
    blocks of the document's structure (``KT. THỦ TƯỚNG`` / ``PHÓ THỦ TƯỚNG`` / name), who sign
    the main document."""
    result: list[Signer] = []
    for m in _PROSE_SIGNER_RE.finditer(text):
        name = m["name"]
        if not mentions.is_person_name(name):
            # the post may carry an agency whose last words look like a name; take the name suffix
            ending = mentions.person_name_ending(text, m.end("name"))
            if ending is None:
                continue
            name = ending[2]
        following = [d for d in found if m.end() <= d.start <= m.end() + 40]
        target = following[0] if following else None
        result.append(Signer(name, m["post"], Span(m.start(), m.end() if target is None else target.end), target))
    for block in structure.signatures if structure is not None else ():
        if block.name is None or block.title is None:
            continue
        name = mentions.normalise_name(block.name.value)
        if not mentions.is_person_name(name):
            continue
        result.append(Signer(name, block.title.value, block.span, main))
    return result


def _post_for(signer: Signer, d: DocMention | None, ctx: ExtractionContext, doc: CleanDocument, text: str) -> tuple[URIRef, str, str, URIRef | None]:
    """(post IRI, Vietnamese label, English label, agency) of a signer's post."""
    words = " ".join(signer.post_text.split())
    lower = words.lower()
    province = mentions.province_near(text, signer.span.start, ctx) or mentions.dominant_province(doc, ctx)
    match = mentions.post(ctx, _title_words(words), province)
    if match is None and lower.startswith(("phó thủ tướng", "thủ tướng")):
        match = mentions.post(ctx, "Phó Thủ tướng Chính phủ" if lower.startswith("phó") else "Thủ tướng Chính phủ")
    if match is None and lower.startswith(("chủ tịch", "phó chủ tịch")) and d is not None and d.issuer == "UBND":
        base = "Phó Chủ tịch" if lower.startswith("phó") else "Chủ tịch"
        match = mentions.post(ctx, f"{base} UBND tỉnh", province)
    if match is not None:
        return match.iri, match.label, "", None
    role = slugify(words)
    return ID[f"post/{role}"], _title_words(words), "", None


def _title_words(words: str) -> str:
    if words.isupper():
        parts = words.lower().split()
        return " ".join(p.capitalize() if i == 0 else p for i, p in enumerate(parts)).replace(
            "thủ tướng", "Thủ tướng"
        ).replace("chính phủ", "Chính phủ").replace("chủ tịch", "Chủ tịch")
    return words


# -- emission -----------------------------------------------------------------------------------

def person_iri(name: str) -> URIRef:
    """IRI of a person from the slug of their name."""
    return ID[f"person/{slugify(name)}"]


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit the legal documents of ``doc``, its main document, citations, amendments and signers."""
    text = doc.text
    found, main, why = resolve_documents(doc, ctx)
    g = emitter.triples
    source = doc.iri
    declared: set[str] = set()
    # a document dated twice keeps the date of its number's year: "Thông tư số 40/2017/TT-BTC ngày
    # 19/3/2025" inside the title of the circular amending it repeats the amending one's date
    dated_in_year = {d.key for d in found if d.date is not None and d.year == d.date.value.year}
    # a numbered mention declares its document first (a bare title may name the same law earlier)
    for d in sorted(found, key=lambda d: not d.id_local):
        iri = doc_iri(d.key)
        span = Span(d.start, d.end)
        if d.key not in declared:
            declared.add(d.key)
            emitter.entity(iri, QH[d.cls], span, d.label_vi, d.label_en or None)
            if d.id_local:
                emitter.add(iri, ELI.id_local, Literal(d.id_local), span)
                emitter.add(iri, QH.documentNumber, Literal(d.number, datatype=XSD.integer))
                emitter.add(iri, QH.typeCode, Literal(d.type_code))
                emitter.add(iri, QH.issuerCode, Literal(d.issuer))
            if d.name and d.id_local:
                g.add((iri, RDFS.label, Literal(f"Luật {d.name}", lang="vi")))
            if d.year is not None:
                g.add((iri, QH.documentYear, Literal(str(d.year), datatype=XSD.gYear)))
            if d.year_unknown:
                emitter.add(iri, QH.yearUnknown, Literal(True), span)
            agency = issuer_agency(d, text, ctx, doc)
            if agency is not None:
                emitter.add(iri, ELI.passed_by, agency, span)
            for alias in d.aliases:
                emitter.add(iri, OWL.sameAs, doc_iri(alias), span)
        else:
            emitter.cite(iri, span)
        if d.date is not None and (d.year == d.date.value.year or d.key not in dated_in_year):
            emitter.add(iri, ELI.date_document, Literal(d.date.value, datatype=XSD.date), span)
        emitter.add(source, QH.mentions, iri, span)

    if main is not None:
        main_iri = doc_iri(main.key)
        ctx.main_document = main_iri
        main_span = Span(main.start, main.end)
        emitter.add(source, QH.describes, main_iri, main_span)
        if why == "attached":
            emitter.add(source, QH.attachedTo, main_iri, main_span)
        if doc.published is None and main.date is not None:
            approx = doc.extra.get("published_approx")
            if approx is None or (approx.year, approx.month) == (main.date.value.year, main.date.value.month):
                ctx.as_of = main.date.value
    if doc.published is None and doc.extra.get("published_approx") is None and ctx.as_of is None:
        # an undated page is no older than the newest document it names: from the reorganisation on,
        # the units it speaks of are the new ones (a report citing "Quyết định … ngày 28/10/2025")
        newest = max((d.date.value for d in found if d.date is not None), default=None)
        if newest is not None and newest >= REFORM_DATE:
            ctx.as_of = newest
    if main is not None:
        regions = quote_regions(doc, found, main, why)
        for d in found:
            if d.key == main.key:
                continue
            citing = _citing(regions, d, main)
            if citing is not None and citing.key != d.key:
                emitter.add(doc_iri(citing.key), ELI.cites, doc_iri(d.key), Span(d.start, d.end))
    _relations(doc, emitter, found, main)
    for signer in find_signers(text, found, main, doc.structure):
        target = signer.document
        if target is None:
            continue
        person = person_iri(signer.name)
        emitter.entity(person, QH.Person, signer.span, signer.name)
        emitter.add(person, FOAF.name, Literal(signer.name), signer.span)
        post_iri, post_label, _en, _agency = _post_for(signer, target, ctx, doc, text)
        emitter.entity(post_iri, ORG.Post, signer.span, post_label)
        target_iri = doc_iri(target.key)
        emitter.add(target_iri, QH.signer, person, signer.span)
        emitter.add(target_iri, QH.signerPost, post_iri, signer.span)
        emitter.add(source, QH.mentions, person, signer.span)
        signed = target.date.value if target.date is not None else None
        when = signed or ctx.as_of
        holding = emitter.local_iri("holding", f"{slugify(signer.name)}/{str(post_iri).rsplit('id/', 1)[-1]}")
        emitter.entity(holding, QH.PostHolding, signer.span)
        emitter.add(holding, QH.person, person, signer.span)
        emitter.add(holding, QH.post, post_iri, signer.span)
        if when is not None:
            emitter.add(holding, QH.asOf, Literal(when, datatype=XSD.date), signer.span)


@dataclass(frozen=True)
class QuoteRegion:
    """A part of a page that quotes one document: its lead line (``Căn cứ theo Điều 4 Nghị định
    35/2022/NĐ-CP … như sau:``) and the text after it, up to the next lead or question heading."""

    start: int
    lead_end: int
    end: int
    document: DocMention


#: A line that introduces a quotation of the document it names: it opens with ``Căn cứ`` /
#: ``Theo`` / ``Tại`` or says ``(được) quy định tại`` before the document, and ends with ``:``.
_QUOTE_OPEN_RE = re.compile(r"[\W_]*(?i:căn cứ|theo|tại)\b[^.;:!?\n]{0,200}$")
_QUOTE_AT_RE = re.compile(r"[^\n]{0,300}?(?i:quy định tại)\s+(?:(?i:điểm|khoản|điều|mục|tiết|phụ lục)\b[^.;:!?\n]{0,80})?$")
#: A question heading of a Q&A page ("Dự kiến thời gian khởi công … là khi nào?"), bold or not.
_QUESTION_RE = re.compile(r"[^\n]{3,250}\?[\s*_\-–]*$")


def quote_regions(
    doc: CleanDocument, found: tuple[DocMention, ...], main: DocMention | None, why: str
) -> list[QuoteRegion]:
    """The parts of a page that quote a document, in order (none for a document's own text).

    A question-and-answer or news page quotes provisions under leads such as ``Căn cứ theo khoản 3
    Điều 1 Quyết định 2750/QĐ-UBND năm 2025 … như sau:`` or ``… được quy định tại Điều 1 Quyết định
    221/QĐ-TTg năm 2024 như sau:``; what follows, up to the next such lead, the next section heading
    the capture marked (``doc.structure.headings``) or the next question line, is that document's text. A document's own text (``why == "self"``) has no regions.
    """
    if why == "self" or not found:
        return []
    text = doc.text
    cached = doc.extra.get("_quote_regions")
    if cached is not None:
        return cached
    leads: list[tuple[int, int, DocMention]] = []
    stops: list[int] = [h.span.start for h in doc.structure.headings]
    pos = 0
    k = 0
    n = len(found)
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.rstrip(" *_\t")
        if _QUESTION_RE.fullmatch(line):
            stops.append(start)
            continue
        if not stripped.endswith(":"):
            continue
        while k < n and found[k].start < start:
            k += 1
        if k >= n or found[k].start >= end:
            continue
        d = found[k]
        prefix = text[start : d.start]
        if _QUOTE_OPEN_RE.fullmatch(prefix) or _QUOTE_AT_RE.fullmatch(prefix):
            leads.append((start, end, d))
    regions = []
    stops.sort()
    for i, (start, lead_end, d) in enumerate(leads):
        limit = leads[i + 1][0] if i + 1 < len(leads) else len(text)
        k = bisect_right(stops, lead_end)
        limit = min(stops[k], limit) if k < len(stops) else limit
        regions.append(QuoteRegion(start, lead_end, limit, d))
    doc.extra["_quote_regions"] = regions
    return regions


def _citing(regions: list[QuoteRegion], d: DocMention, main: DocMention) -> DocMention | None:
    """The document that cites mention ``d``: the one whose quoted text holds it, else the main
    document; none for a mention in the lead of a quotation of another document (the lead names
    what is quoted, and the portal's notes there, "được sửa đổi bởi …", are changes)."""
    for region in regions:
        if region.start <= d.start < region.end:
            if region.document.key == main.key:
                return main
            return None if d.start < region.lead_end else region.document
    return main


def _relations(doc: CleanDocument, emitter: Emitter, found: tuple[DocMention, ...], main: DocMention | None) -> None:
    """``qh:implements`` between the main document and those it carries out (amendments: ``changes``)."""
    text = doc.text
    implemented: set[int] = set()
    for i, d in enumerate(found):
        if main is not None and d.key == main.key:
            continue
        s, _e = mentions.sentence_at(text, d.start)
        before = text[max(s, d.start - 80) : d.start]
        previous = found[i - 1] if i > 0 else None
        same_sentence = previous is not None and previous.start >= s
        chained = (
            same_sentence
            and (i - 1) in implemented
            and re.search(r"(?:[;,]|\svà)\s*$", text[previous.end : d.start])
            and not re.search(r"[.:]\s", text[previous.end : d.start])
        )
        span = Span(d.start, d.end)
        if main is not None and (_IMPLEMENTS_RE.search(before) or chained):
            implemented.add(i)
            emitter.add(doc_iri(main.key), QH.implements, doc_iri(d.key), span)
            continue
        if previous is not None and previous.key != d.key and d.start - previous.end < 200:
            # "Quyết định số 480/QĐ-UBND ngày … ban hành hướng dẫn triển khai thực hiện Nghị quyết số …"
            # (a list of legal bases, a cell wrapped over lines): the guidance implements the resolution
            between = text[previous.end : d.start]
            details = _DETAILS_RE.search(between) and not _in_basis_list(text, previous.start)
            if (_GUIDES_RE.search(between) or details) and not re.search(r"[.;:]\s|\n\s*[-+•]", between):
                emitter.add(doc_iri(previous.key), QH.implements, doc_iri(d.key), Span(previous.start, d.end))


def quoted_document(doc: CleanDocument, ctx: ExtractionContext, pos: int) -> URIRef | None:
    """The document a fact at offset ``pos`` belongs to: the one whose quotation holds it on a page
    that quotes several (:func:`quote_regions`), else ``ctx.main_document``."""
    found, main, why = resolve_documents(doc, ctx)
    for region in quote_regions(doc, found, main, why):
        if region.start <= pos < region.end:
            if main is not None and region.document.key == main.key:
                break
            return doc_iri(region.document.key)
    return ctx.main_document


def main_mention(doc: CleanDocument, ctx: ExtractionContext) -> DocMention | None:
    """The mention of ``ctx.main_document`` in ``doc`` (for other extractors)."""
    if ctx.main_document is None:
        return None
    for d in resolve_documents(doc, ctx)[0]:
        if doc_iri(d.key) == ctx.main_document:
            return d
    return None

