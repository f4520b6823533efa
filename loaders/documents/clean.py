"""Separate an article's body from page furniture (menus, related lists, counters, footers).

General rules, never tuned to one site:

* a *furniture heading* (a short line such as "Tin liên quan", "Cùng chuyên mục",
  "Ý kiến bạn đọc") that follows the article body starts a block that runs to the end of the
  page: everything from it on is dropped; before any body text it drops only the heading and
  the short lines that follow it;
* *line patterns* drop single lines: visitor counters, view/download counts, timestamp-only
  lines, ratings, "Powered by"/copyright lines, login time-outs, lottery and football teasers,
  punctuation-only lines, runs of very short menu lines before the body, a repeat of the title;
* a line naming the source ("Nguồn: https://…", "(Nguồn: author/site") and an update stamp
  become metadata, not body.

For HTML, :func:`html_to_text` first drops ``nav``/``header``/``footer``/``aside``/``script``/
``style`` and elements whose class or id names a menu, related list, sidebar, footer, comment
or advertisement, then keeps the block with the most paragraph text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quyhoach.text import nfc

#: Headings that open a block of furniture (compared without case, trailing colon ignored).
FURNITURE_HEADINGS = (
    "tin liên quan",
    "tin cùng chuyên mục",
    "tin khác",
    "các tin khác",
    "tin đã đưa",
    "tin mới",
    "tin mới nhất",
    "tin mới hơn",
    "tin cũ hơn",
    "tin nổi bật",
    "tin nóng",
    "tin đọc nhiều",
    "đọc nhiều nhất",
    "xem nhiều nhất",
    "xem nhiều",
    "bài viết liên quan",
    "bài liên quan",
    "các bài viết khác",
    "bài viết khác",
    "cùng chủ đề",
    "cùng tác giả",
    "cùng chuyên mục",
    "cùng danh mục",
    "xem thêm",
    "đọc thêm",
    "có thể bạn quan tâm",
    "bạn có thể quan tâm",
    "ý kiến bạn đọc",
    "ý kiến của bạn",
    "bình luận",
    "gửi bình luận",
    "viết bình luận",
    "gửi ý kiến",
    "đường dây nóng",
    "liên kết website",
    "liên kết web",
    "thống kê truy cập",
    "văn bản mới",
    "văn bản mới nhất",
    "thông báo mới",
    "chuyên mục",
    "từ khóa",
    "tags",
)

_HEADING_RE = re.compile(
    r"^[\s\-•*#>|]*(" + "|".join(re.escape(h) for h in sorted(FURNITURE_HEADINGS, key=len, reverse=True)) + r")\s*[:：]?\s*$",
    re.IGNORECASE,
)

_COUNTER_WORDS = (
    r"đang truy cập|đang online|đang trực tuyến|trực tuyến|hôm nay|hôm qua|tuần này|tuần trước|"
    r"tháng này|tháng hiện tại|tháng trước|năm nay|năm hiện tại|tổng lượt truy cập|lượt truy cập|"
    r"số lượt truy cập|tổng số lượt truy cập|lượt truy cập hiện tại|thành viên|khách"
)
_LINE_DROP = [
    # visitor counters: "Đang truy cập76", "• Hôm nay: 16,857"
    re.compile(rf"^[\s•*\-]*({_COUNTER_WORDS})\s*[:：]?\s*[\d.,\s]+$", re.IGNORECASE),
    # view / download / like counts anywhere in a short line
    re.compile(r"\blượt (xem|tải|đọc|thích|chia sẻ|bình luận)\b\s*[:：]?\s*\d", re.IGNORECASE),
    re.compile(r"^\s*\d[\d.,]*\s+lượt (xem|tải|đọc|thích)\s*$", re.IGNORECASE),
    # ratings
    re.compile(r"^tổng số điểm của bài viết", re.IGNORECASE),
    re.compile(r"^\s*(đánh giá|bình chọn)\s*[:：]?\s*[\d/.,\s]*(sao)?\s*$", re.IGNORECASE),
    # site credits, copyright
    re.compile(r"^\s*(powered by|designed by|developed by|copyright|bản quyền|thiết kế bởi|phát triển bởi|©)", re.IGNORECASE),
    # login time-outs
    re.compile(r"duy trì trạng thái đăng nhập|thời gian chờ\s*:\s*\d+\s*giây", re.IGNORECASE),
    # lottery and football teasers
    re.compile(r"\b(XSMB|XSMN|XSMT|KQXS\w*|xổ số|lịch thi đấu|kết quả bóng đá|tỷ lệ kèo|nhận định bóng đá)\b", re.IGNORECASE),
    # menu words that stand alone on a line
    re.compile(
        r"^\s*(top|down|lên đầu trang|về đầu trang|đầu trang|in bài|in bài viết|bản in|chia sẻ|gửi email|"
        r"gửi bài|facebook|zalo|twitter|print|email|trang chủ|home|quay lại|trở về|đăng nhập|đăng ký|"
        r"tìm kiếm|menu|liên hệ|sơ đồ site|rss)\s*$",
        re.IGNORECASE,
    ),
    # lines of punctuation only
    re.compile(r"^[\s\W_]*$"),
]

_DATE = r"\d{1,2}\s*[/\-.]\s*\d{1,2}(?:\s*[/\-.]\s*\d{2,4})?"
_TIME = r"\d{1,2}\s*(?:[:hg]\s*\d{2}\s*'?|giờ(?:\s*\d{1,2}\s*phút)?)(?:\s*(?:SA|CH|AM|PM))?"
_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)"
#: A line holding only a weekday, a date, a time and counters: a page time-stamp.
_TIMESTAMP_RE = re.compile(
    rf"^[\s(|\-–•]*(?:(?:ngày\s+)?(?:đăng|cập nhật|thời gian đăng|ngày đăng|ngày cập nhật|thời gian)\s*[:：]?\s*)?"
    rf"(?:{_WEEKDAY}\s*[,\-–|]?\s*)?(?:(?:ngày\s*)?{_DATE}|{_TIME})"
    rf"(?:\s*[,\-–|]?\s*(?:ngày\s*)?(?:{_DATE}|{_TIME}))*"
    rf"(?:\s+\d[\d.,]*)*[\s)|.]*$",
    re.IGNORECASE,
)
#: A line "ngày 20/11/2019." right after a line ending with a document number is that number's date
#: (a table cell wrapped after the code), not a page time-stamp.
_DATE_OF_NUMBER_RE = re.compile(r"(?i:ngày)\s+\d")
_ENDS_WITH_NUMBER_RE = re.compile(r"\d{1,5}(?:\.\d{1,2})?/(?:(?:19|20)\d{2}/)?[A-ZĐ][\wĐđ\-]*\s*$|(?i:\bsố)\s*$")
_UPDATE_RE = re.compile(
    r"^[\s(]*(?:cập nhật|ngày cập nhật|thời gian đăng|ngày đăng|giờ đăng|đăng ngày|đăng lúc)\s*[:：]?\s*(?P<stamp>.*?)[\s)]*$",
    re.IGNORECASE,
)
#: "Nguồn: https://…", "(Nguồn: Lê Dũng/www.laichau.gov.vn", "Nguồn: Báo X" (short lines).
_SOURCE_RE = re.compile(r"^[\s(]*(?:nguồn|theo nguồn|source)\s*[:：]\s*(?P<src>[^\n]{1,200}?)[\s)]*$", re.IGNORECASE)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s)<>\"]+", re.IGNORECASE)

#: A line is prose when it is long enough to be a sentence of the article.
PROSE_CHARS = 120
#: Lines up to this long, without sentence punctuation, count as menu items.
MENU_CHARS = 30
MENU_RUN = 4


@dataclass
class CleanResult:
    """The body text and what the cleaner learnt on the way (source address, credit, stamps)."""

    text: str
    source_url: str = ""
    source_credit: str = ""
    stamps: list[str] = field(default_factory=list)
    removed_lines: int = 0


def _normalise_lines(text: str) -> list[str]:
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = text.replace("\u200b", "").replace("\ufeff", "")
    # Markdown bold/italic markers that some captures keep around headings become line breaks.
    text = re.sub(r"\*\*+", "\n", text)
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"[ \u2009\u202f]{2,}", " ", line).strip(" ")
        lines.append(line.strip())
    return lines


def _is_prose(line: str) -> bool:
    return len(line) >= PROSE_CHARS


def _is_menu_item(line: str) -> bool:
    if not line or len(line) > MENU_CHARS or re.search(r"[.;:!?\d]", line):
        return False
    words = line.split()
    return 1 <= len(words) <= 5 and not line.isupper()


def _drop_line(line: str) -> bool:
    return any(p.search(line) for p in _LINE_DROP) or bool(_TIMESTAMP_RE.match(line))


def clean_text(raw: str, title: str = "") -> CleanResult:
    """Return the article body of ``raw`` (plain text of a page or document) with its metadata."""
    lines = _normalise_lines(raw)
    result = CleanResult(text="")
    kept: list[str] = []
    seen_prose = False
    skipping_block = False
    first_line = ""
    removed = 0
    i = 0
    # menu runs: >= MENU_RUN consecutive short non-sentence lines before any prose
    menu_idx: set[int] = set()
    run: list[int] = []
    for idx, line in enumerate(lines):
        if _is_prose(line):
            break
        if _is_menu_item(line):
            run.append(idx)
        elif line:
            if len(run) >= MENU_RUN:
                menu_idx.update(run)
            run = []
    if len(run) >= MENU_RUN:
        menu_idx.update(run)

    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if _HEADING_RE.match(line):
            if seen_prose:
                removed += len(lines) - i + 1
                break
            skipping_block = True
            removed += 1
            continue
        if skipping_block:
            if _is_prose(line):
                skipping_block = False
            else:
                removed += 1
                continue
        if (i - 1) in menu_idx:
            removed += 1
            continue
        source = _SOURCE_RE.match(line)
        if source and (len(line) < 200):
            src = source.group("src").strip()
            url = _URL_RE.search(src)
            if url and url.group(0).lower().startswith("http") and not result.source_url:
                result.source_url = url.group(0).rstrip(".,;")
            if not result.source_credit:
                result.source_credit = src
            removed += 1
            continue
        update = _UPDATE_RE.match(line)
        if update and len(line) < 80:
            result.stamps.append(update.group("stamp").strip())
            removed += 1
            continue
        dates_number = bool(kept) and _DATE_OF_NUMBER_RE.match(line) is not None and _ENDS_WITH_NUMBER_RE.search(kept[-1]) is not None
        if _TIMESTAMP_RE.match(line) and not dates_number:
            result.stamps.append(line.strip(" ()|-"))
            removed += 1
            continue
        if not dates_number and _drop_line(line):
            removed += 1
            continue
        if not first_line:
            first_line = line
        elif len(line) < PROSE_CHARS * 2 and line in (first_line, title) and not seen_prose:
            removed += 1  # the title repeated above the body
            continue
        if _is_prose(line):
            seen_prose = True
        kept.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    while kept and kept[0] == "":
        kept.pop(0)
    result.text = "\n".join(kept)
    result.removed_lines = removed
    return result


# -- HTML ------------------------------------------------------------------------------------

#: Tokens of a class or id that mark furniture.
FURNITURE_TOKENS = {
    "nav", "navbar", "navigation", "menu", "menus", "mainmenu", "topmenu", "submenu", "breadcrumb", "breadcrumbs",
    "related", "relate", "lienquan", "tinlienquan", "sidebar", "side", "aside", "widget", "widgets",
    "footer", "foot", "copyright", "comment", "comments", "binhluan", "ads", "ad", "advert", "adv",
    "advertisement", "banner", "qc", "quangcao", "share", "social", "sharing", "tags", "tag", "popup",
    "modal", "cookie", "login", "counter", "thongke", "hotline", "topbar", "toolbar", "pagination",
    "pager", "rss", "newsletter", "subscribe", "most", "mostview", "mostread", "hot", "other", "others",
    "samecategory", "cungchuyenmuc", "morenews", "readmore", "recommend", "trending",
}
_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "button", "select", "input", "template", "object", "embed", "canvas", "map", "dialog")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
               "h6", "blockquote", "tr", "table", "pre", "figure", "figcaption", "dd", "dt", "dl", "center")


def _tokens(value) -> set[str]:
    if not value:
        return set()
    if isinstance(value, (list, tuple)):
        value = " ".join(value)
    return {t for t in re.split(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])", str(value).lower()) if t}


def html_to_text(html: str, headings: list[str] | None = None) -> tuple[str, str]:
    """Return ``(body text, page title)`` of an HTML page, furniture elements removed; when
    ``headings`` is a list, the words of the body's ``h1``–``h6`` elements are appended to it.

    Linear in the size of the page (a 50 MB page in seconds): the tree is parsed once by lxml and
    never edited; furniture is skipped, paragraph lengths are summed bottom-up, and the text is
    written in one walk (block elements on lines of their own, table cells tab-separated,
    ``<br>`` as a line break).
    """
    from lxml import etree

    if not html.strip():
        return "", ""
    try:
        root = etree.fromstring(html.encode("utf-8", errors="replace"), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return "", ""
    if root is None:
        return "", ""
    title = ""
    h1 = next(root.iter("h1"), None)
    if h1 is not None and _words(h1):
        title = " ".join(_words(h1))
    else:
        element = next(root.iter("title"), None)
        if element is not None and len(element) == 0 and element.text:
            title = " ".join(element.text.split())
    body = root.find("body")
    body = root if body is None else body
    main = _widen(_main_block(body))
    text = "".join(_text(node) for node in main)
    if headings is not None:
        for node in main:
            for h in node.iter("h1", "h2", "h3", "h4", "h5", "h6"):
                if not any(_skipped(a) for a in h.iterancestors()) and (words := _words(h)):
                    headings.append(" ".join(words))
    if title and title not in text[: len(title) + 200]:
        text = title + "\n" + text
    return text, title


def _html_parser():
    from lxml import etree

    return etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)


_PARSER = _html_parser()


def _words(element) -> list[str]:
    return "".join(element.itertext()).split()


def _skipped(tag) -> bool:
    """Whether an element is furniture: dropped with everything in it."""
    name = tag.tag
    if name in _DROP_TAGS or not isinstance(name, str):
        return True
    if name in ("html", "body"):
        return False
    cls, ident, role = tag.get("class"), tag.get("id"), tag.get("role")
    if cls is None and ident is None and role is None:
        return False
    tokens = _tokens(cls) | _tokens(ident) | _tokens(role)
    return bool(tokens & FURNITURE_TOKENS and not tokens & {"content", "article", "detail", "body", "main"})


def _walk(root):
    """``("open", el)``, ``("text", str)`` and ``("close", el)`` events below ``root``, furniture skipped.

    The tail text of an element (what follows it inside its parent) comes after its close event.
    """
    from lxml import etree

    walker = etree.iterwalk(root, events=("start", "end"))
    skipping = None
    for event, node in walker:
        if event == "start":
            if node is not root and _skipped(node):
                walker.skip_subtree()
                skipping = node
                continue
            yield "open", node
            if node.text:
                yield "text", node.text
        else:
            if node is skipping:
                skipping = None
            else:
                yield "close", node
            if node is not root and node.tail:
                yield "text", node.tail


def _text(root) -> str:
    """The text of ``root`` as the page shows it (see :func:`html_to_text`)."""
    parts: list[str] = []
    keep_space = 0  # inside <pre>/<textarea>, white space is kept as it is
    for event, node in _walk(root):
        if event == "text":
            if not keep_space and not node.strip():  # a run of white space between elements
                node = "\n" if "\n" in node else " "
            parts.append(node)
            continue
        if node.tag in ("pre", "textarea"):
            keep_space += 1 if event == "open" else -1
        if node.tag == "br":
            if event == "open":
                parts.append("\n")
        elif event == "open":
            if node.tag in _BLOCK_TAGS and node is not root:
                parts.append("\n")
        else:
            if node.tag in ("td", "th"):
                parts.append("\t")
            if node.tag in _BLOCK_TAGS and node is not root:
                parts.append("\n")
    return "".join(parts)


#: Class/id tokens of an article's lead paragraph or summary, kept with the body next to it.
LEAD_TOKENS = {"sapo", "lead", "summary", "description", "desc", "intro", "chapeau", "tomtat", "abstract", "teaser"}


def _widen(block):
    """The body block widened to the article around it.

    The block with most paragraph text is often only the article's content element; its lead
    (sapo, summary), which names the decision being reported, sits in a sibling. When the block
    lies inside an ``<article>`` element, that whole element is the body (furniture inside it was
    already removed); otherwise lead-classed siblings before the block are kept with it.
    """
    article = block if block.tag == "article" else next(block.iterancestors("article"), None)
    if article is not None:
        return [article]
    if block.getparent() is None:
        return [block]
    leads = [
        sib for sib in block.itersiblings(preceding=True)
        if isinstance(sib.tag, str) and not _skipped(sib)
        and (_tokens(sib.get("class")) | _tokens(sib.get("id"))) & LEAD_TOKENS
    ]
    return [*reversed(leads), block]


_PARAGRAPHS = ("p", "li", "td", "pre", "blockquote")


def _main_block(body):
    """The element holding most paragraph text (scores go to a paragraph's parent and grandparent).

    A paragraph's length is that of its words joined by single spaces, summed bottom-up in one
    walk (furniture skipped), so nested paragraphs cost nothing extra.
    """
    scores: dict[int, float] = {}
    nodes: dict[int, object] = {}
    counts: list[list[int]] = []  # per open element: [characters of words, words]
    for event, node in _walk(body):
        if event == "text":
            words = node.split()
            if words and counts:
                counts[-1][0] += sum(map(len, words))
                counts[-1][1] += len(words)
        elif event == "open":
            counts.append([0, 0])
        else:
            chars, words = counts.pop()
            if counts:
                counts[-1][0] += chars
                counts[-1][1] += words
            if node.tag not in _PARAGRAPHS or node is body:
                continue
            n = chars + words - 1 if words else 0
            if n < 25:
                continue
            parent = node.getparent()
            for weight in (1.0, 0.5):
                if parent is None:
                    break
                scores[id(parent)] = scores.get(id(parent), 0.0) + weight * n
                nodes[id(parent)] = parent
                parent = parent.getparent()
    if not scores:
        return body
    return nodes[max(scores, key=scores.get)]
