"""The scanning helpers of the extractors find what the plain patterns find."""

import re
from functools import lru_cache

from quyhoach.loaders.extract import targets, tasks
from quyhoach.loaders.extract._shared import (
    alternation,
    alternative,
    hint_in,
    lead_by_first_chars,
    prefiltered,
    top_level_alternatives,
)

TEXT = (
    "Các bộ, ngành liên quan và UBND các huyện, thành phố phối hợp; GRDP bình quân đầu người đạt 120 triệu "
    "đồng, tốc độ tăng trưởng kinh tế bình quân 8%/năm. Đơn vị tư vấn hoàn thiện hồ sơ; BAN CÁN SỰ ĐẢNG "
    "chỉ đạo. Tỷ lệ đô thị hóa đạt 45%, thu nhập bình quân tăng; các địa phương có liên quan thực hiện."
)


def _plain(patterns: list[str], prefix: str, flags: int) -> re.Pattern:
    return re.compile("|".join(f"(?P<{prefix}{n}>{p})" for n, p in enumerate(patterns)), flags)


def _found(pattern: re.Pattern, text: str, index) -> list[tuple[tuple[int, int], int]]:
    return [(m.span(), index(m)) for m in pattern.finditer(text)]


def test_alternation_finds_the_same_matches_by_the_same_alternative():
    cases = [
        ([ind.pattern for ind in targets.INDICATORS], "i"),
        ([p for p, _ in tasks.COLLECTIVES], "c"),
        ([r"bình quân", r"(?:tốc độ )?tăng trưởng", r"tăng", r"[tT]ỷ lệ|thu nhập", r"(?:đầu |mức )?người"], "x"),
    ]
    for patterns, prefix in cases:
        plain = _plain(patterns, prefix, re.IGNORECASE)
        grouped = alternation(patterns, prefix, re.IGNORECASE)
        want = _found(plain, TEXT, lambda m, p=prefix: int(m.lastgroup[len(p):]))
        assert want, prefix
        assert _found(grouped, TEXT, alternative) == want
        for start in range(0, len(TEXT), 37):  # windows, as the extractors scan clauses
            assert [(m.span(), alternative(m)) for m in grouped.finditer(TEXT, start, start + 60)] == [
                (m.span(), int(m.lastgroup[len(prefix):])) for m in plain.finditer(TEXT, start, start + 60)
            ]


def test_alternation_falls_back_when_a_first_character_is_unknown():
    grouped = alternation([r"\w+ năm", r"tăng"], "x", re.IGNORECASE)  # \w: no first characters
    assert [m.group() for m in grouped.finditer("Tăng 5 năm")] == ["Tăng", "5 năm"]


def test_prefiltered_leads_an_inline_ignorecase_pattern_by_a_look_ahead_ignoring_case():
    pattern = prefiltered(r"(?i:\bthay thế\b)")
    assert pattern.pattern == r"\b(?=(?i:[t]))(?:(?i:\bthay thế\b))"
    assert pattern.search("Quyết định này THAY THẾ Quyết định số 1")
    mixed = prefiltered(r"(?<!x)(?i:dự án|Quy)|Ab")
    assert mixed.pattern.startswith("(?=[A]|(?i:[Qd]))")
    text = "xdự án, Dự án; DỰ ÁN quy QUY ab Ab aB"
    assert [m.span() for m in mixed.finditer(text)] == [
        m.span() for m in re.finditer(r"(?<!x)(?i:dự án|Quy)|Ab", text)
    ]
    led = lead_by_first_chars(re.compile(r"\bthay thế\b", re.IGNORECASE))
    assert led.pattern.startswith(r"\b(?=[") and led.search("THAY THẾ")  # every match starts at \b


def test_hint_in_tells_spans_without_a_hint_word():
    hint = re.compile("vốn", re.IGNORECASE)
    text = "Tổng nhu cầu VỐN đầu tư. Năm 2025 đạt 8%. Vốn ngân sách."
    assert hint_in(hint, text, 0, 24)
    assert not hint_in(hint, text, 24, 41)
    assert hint_in(hint, text, 41, len(text))
    assert hint_in(hint, text, 14, 15)  # a span inside the word overlaps it


def test_top_level_alternatives_split_only_outside_groups_and_classes():
    assert top_level_alternatives(r"a|b(?=,\s|\s+và\s)|[|]c|\|d") == ["a", r"b(?=,\s|\s+và\s)", "[|]c", r"\|d"]


def test_role_verbs_one_phrase_per_alternative_find_what_the_grouped_pattern_finds():
    text = (TEXT + " Sở Tài chính chủ trì, phối hợp kiểm tra, giám sát; lập, và cần xử lý, quá trình thẩm định, "
            "trình độ, trình Thủ tướng; Công khai, CẬP NHẬT và theo dõi.")
    grouped = re.compile("|".join(f"(?P<v{n}>\\b(?:{p})\\b)" for n, (p, _) in enumerate(tasks.ROLE_VERBS)), re.I)
    expected = [(m.span(), tasks.ROLE_VERBS[int(m.lastgroup[1:])][1]) for m in grouped.finditer(text)]
    found = [(m.span(), tasks._VERB_PHRASES[alternative(m)][1]) for m in tasks._VERB_RE.finditer(text)]
    assert found == expected and len(found) >= 10


def test_a_boundary_lead_only_when_every_match_starts_at_a_boundary():
    assert prefiltered(r"\bthay thế\b", re.IGNORECASE).pattern.startswith(r"\b(?=[")
    assert prefiltered(r"(?<!x )\bthay\b|\bbãi bỏ", re.IGNORECASE).pattern.startswith(r"\b(?=[")
    assert prefiltered(r"\bthay|bãi bỏ", re.IGNORECASE).pattern.startswith("(?=[")
    assert prefiltered(r"(?a:\bthay)", re.IGNORECASE).pattern.startswith("(?=[")  # another \b
    assert tasks._VERB_RE.pattern.startswith(r"\b(?=[")
    assert not tasks._COLLECTIVE_RE.pattern.startswith(r"\b")
    text = "x_thay thế, THAY THẾ;thay thếx (thay thế)"
    for pattern in (r"\bthay thế\b", r"(?<!x )\bthay thế|\bbãi bỏ"):
        assert [m.span() for m in prefiltered(pattern, re.IGNORECASE).finditer(text)] == [
            m.span() for m in re.finditer(pattern, text, re.IGNORECASE)
        ]


@lru_cache(maxsize=1)
def _corpus_texts() -> tuple[str, ...]:
    from pathlib import Path

    from quyhoach.loaders.documents.pipeline import read_source
    from quyhoach.loading import bundled_corpus

    root = Path(__file__).parent / "fixtures"
    paths = sorted(bundled_corpus().glob("*.txt")) + sorted((root / "corpus-dev").glob("*.md"))
    return tuple(read_source(p).text for p in paths)


ODD = (
    "x_Hà Nội–Lạng Sơn. TP. Hà Nội, Tp. Huế. TX. Sơn Tây;\nBan Quản lý dự án, Ban quản lý Dự án, BAN QUẢN LÝ DỰ ÁN "
    "aDự án ĐDự án dự án  Dự Án\n\n\nLuật Đất đai 2024, Bộ luật Dân sự năm 2015, xLuật Đầu tư; 12.3/QĐ-TTg, "
    "a1/2024/NĐ-CP, 1161/QĐ-UBND, 123456/QĐ, 1.2.2024, 01/02/2024, /3/4/2025, 4/6, x4/6, 20/6.5 "
    "xBan Chỉ đạo, Ban chỉ đạo; Ban Chỉ đạox phiên họp thứ hai, xCuộc họp, Hội nghị trực tuyến, buổi làm việc\n"
    "xQuy hoạch, QUY HOẠCH  Quy  hoạch QUy hoạch qUY HOẠCH quy hoạch\n"
    "ngày 5 tháng 6 năm 2024, NGÀY 1 THÁNG 2, 2023, tháng 7/2025. Kết thúc!  “Mở” ? (Một) … Hai.\tBa ıK dı \u212a"
)


#: The look-ahead (and word boundary) that ``prefiltered`` and ``alternation`` put before a pattern.
_LEAD = re.compile(r"(?:\\b)?\(\?=(?:\[(?:\\.|[^\]\\])*\]|\(\?i:\[(?:\\.|[^\]\\])*\]\)|\|)+\)\(\?:")


def test_fast_forms_find_what_their_plain_forms_find():
    from quyhoach.loaders.extract import _shared, citations, dates, mentions, projects
    from quyhoach.text import UPPER_CLASS

    stops = "".join(rf"(?<!\b{a}\.)" for a in _shared.NAME_ABBREVIATIONS)
    pairs = [
        (_shared._CAPITAL_WORD_RE, rf"(?<![^\W\d_])[{UPPER_CLASS}][\w]*"),
        (mentions._CAPITAL_WORD_RE, rf"(?<![^\W\d_])[{UPPER_CLASS}][^\W\d_]*"),
        (mentions._SENTENCE_END, r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ(\"“])|\n+"),
        (_shared._SENT_END, rf"(?<=[.!?…]){stops}\s+(?=[A-ZÀ-ỸĐ\"“(])|\n+"),
        (projects._PROSE_PROJECT_RE, r"(?<!Ban Quản lý )(?<!Ban quản lý )(?i:dự án)\s+"),
        (citations.CODE_RE, citations.CODE_RE.pattern.replace(r"(?P<num>\d(?<![\w/.]\d)\d{0,4})", r"(?<![\w/.])(?P<num>\d{1,5})")),
        (dates._NUMERIC, dates._NUMERIC.pattern.replace(r"(?P<d>\d(?<![\d/.\-]\d)\d?)", r"(?<![\d/.\-])(?P<d>\d{1,2})")),
        (dates._SHORT, dates._SHORT.pattern.replace(r"(?P<d>\d(?<![\d/.\-\w]\d)\d?)", r"(?<![\d/.\-\w])(?P<d>\d{1,2})")),
        (citations._LAW_RE, citations._LAW_RE.pattern.removeprefix("(?=[BL])")),
        (projects._EXAMPLES_RE, r"\((?:như|gồm|bao gồm)?:?\s*|\b(?:như|gồm|bao gồm):\s*"),
    ]
    from quyhoach.loaders.extract import events, funding, infrastructure, plans

    pairs.append((plans._QH_RE, r"(?<!\w)(?:[Qq]uy hoạch|QUY HOẠCH)\s+"))
    pairs.append((events._COMMITTEE_RE, r"(?<!\w)Ban [Cc]hỉ đạo(?!\w)"))
    pairs.append((events._MEETING_RE, events._MEETING_RE.pattern.replace(
        r"(?P<kind>[PpCcHhBb](?<!\w[PpCcHhBb])(?:(?<=[Pp])hiên họp|(?<=[Cc])uộc họp|(?<=[Hh])ội nghị|(?<=[Bb])uổi làm việc))",
        r"(?<!\w)(?P<kind>[Pp]hiên họp|[Cc]uộc họp|[Hh]ội nghị|[Bb]uổi làm việc)")))
    vocab = projects._vocab()
    for led in (funding._TOTAL_RE, infrastructure._EXPRESSWAY,
                infrastructure._PARK, tasks._PURPOSE, tasks._VERB_RE, vocab.opener_re, vocab.group_re, dates._WORDS,
                dates._MONTH, tasks._MINISTRY_LIST):
        lead = _LEAD.match(led.pattern)
        assert lead, led.pattern[:40]
        pairs.append((led, led.pattern[lead.end() : -1]))
    texts = [ODD, *_corpus_texts()]
    assert len(texts) > 100
    for fast, plain_pattern in pairs:
        plain = re.compile(plain_pattern, fast.flags)
        assert fast.pattern != plain.pattern
        total = 0
        for text in texts:
            want = [(m.span(), m.groups()) for m in plain.finditer(text)]
            assert [(m.span(), m.groups()) for m in fast.finditer(text)] == want, plain_pattern[:40]
            total += len(want)
            for start in range(0, min(len(text), 3000), 97):  # windows: a scan from inside a text
                assert [m.span() for m in fast.finditer(text, start, start + 150)] == [
                    m.span() for m in plain.finditer(text, start, start + 150)
                ]
        assert total, plain_pattern[:40]


def test_an_ignore_case_ascii_letter_is_itself_or_its_capital_but_for_i_k_s():
    everything = "".join(map(chr, range(0x110000)))
    for letter in "abcdefghijklmnopqrstuvwxyz":
        found = re.findall(f"(?i:{letter})", everything)
        assert (found == [letter.upper(), letter]) == (letter not in "iks"), letter


def test_a_word_phrase_finds_what_the_plain_pattern_finds():
    from quyhoach.loaders.extract import changes
    from quyhoach.loaders.extract._shared import word_phrase

    text = ODD + " thay thế, Thay Thế; xthay thế thay thếx _thay thế (THAY THẾ) bãi bỏ, BÃI BỎ hết hiệu lực. ík"
    for pattern in (changes._REPLACE_RE, changes._REPEAL_RE, changes._EXPIRED_RE):
        assert pattern.pattern.startswith("[")
    for phrase in ("thay thế", "bãi bỏ", "hết hiệu lực", "ík", "Kết"):
        fast = word_phrase(phrase)
        plain = re.compile(rf"\b{phrase}\b", re.IGNORECASE)
        for source in (text, *_corpus_texts()[:40]):
            assert [m.span() for m in fast.finditer(source)] == [m.span() for m in plain.finditer(source)], phrase
            assert [m.span() for m in fast.finditer(source, 0, 200)] == [m.span() for m in plain.finditer(source, 0, 200)]
