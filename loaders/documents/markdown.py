"""Read a markdown capture into plain text: marks removed, paragraphs unwrapped, tables kept as rows.

Markdown captures of legal portals (trafilatura and similar tools) hard-wrap paragraphs, put
bold marks around parts of a word run, and write tables either as GitHub tables
(``| a | b |`` with a ``|---|`` rule) or with every cell on lines of its own between lone ``|``
lines. The reader turns this into the plain text the cleaner and the structure pass read:

* ``#`` headings become a line of their own (the first level-1 heading is the page title);
* the lines of one paragraph are joined with a space (markdown's soft line break), a list
  item (``-``, ``+``, ``*``, ``1.``) starts a new line;
* ``**``/``__``/``*`` marks are removed, ``[text](url)`` becomes ``text``, images and wiki
  edit links (``[sửa | sửa mã nguồn]``) are dropped, horizontal rules are dropped;
* a table row with several cells becomes one line, cells separated by a tab (as the HTML and
  DOCX readers write them; an empty cell inside the row stays an empty string between tabs); a row of one or two *layout* cells (a document header, a
  signature block next to the recipients list: cells of several lines) becomes the lines of
  its cells, so that a header or signature reads the same as in a text or PDF capture.

The text returned is raw text: the cleaner normalises it, and all offsets refer to the
cleaned text (``CleanDocument.text``).
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$")
_LIST = re.compile(r"^\s*(?:[-+*]|\d{1,3}[.)]|[a-zđ]\))\s+")
_GFM_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)+\|?\s*$")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\((?:[^()\n]|\([^)\n]*\))*\)")
_WIKI_EDIT = re.compile(r"\[\s*sửa\s*\|\s*sửa mã nguồn\s*\]", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_DASHES = re.compile(r"^[\s\-–—_=.*]*$")
_SPACES = re.compile(r"[ \t]{2,}")
_ESC_MARK = "\x00"


def _strip_marks(text: str) -> str:
    """Inline markdown of ``text`` removed: emphasis marks, links to their text, images."""
    text = _ESCAPE.sub(lambda m: _ESC_MARK + str(ord(m.group(1))) + _ESC_MARK, text)
    text = _IMAGE.sub("", text)
    text = _WIKI_EDIT.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = text.replace("**", "").replace("__", "").replace("*", "")
    if _ESC_MARK in text:
        text = re.sub(_ESC_MARK + r"(\d+)" + _ESC_MARK, lambda m: chr(int(m.group(1))), text)
    return _SPACES.sub(" ", text).strip()


def _open_emphasis(text: str) -> bool:
    """Whether ``text`` leaves a bold or italic mark open (its line continues on the next)."""
    bold = text.count("**")
    if bold % 2:
        return True
    return text.replace("**", "").count("*") % 2 == 1


_WHOLE_EMPHASIS = re.compile(r"^(?:\*\*[^*].*\*\*|\*[^*].*\*|__.+__)[.:;]?$")


def _new_block(previous: str, line: str) -> bool:
    """Whether ``line`` starts a new line although no blank line separates it from ``previous``:
    captures without blank lines still mark headings and preamble lines with emphasis."""
    if _WHOLE_EMPHASIS.match(line):
        return True
    if _WHOLE_EMPHASIS.match(previous.strip()) and not line[:1].islower():
        return True
    return line[:1] in "*_" and previous.rstrip()[-1:] in ("*", "_", ".", ";", ":")


def _join_lines(lines: list[str], keep_breaks: bool) -> list[str]:
    """Logical lines of ``lines``: a line continues while an emphasis is open or after ``Số:``;
    without ``keep_breaks`` every line of the paragraph continues (a soft break)."""
    out: list[str] = []
    current = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if current and (not keep_breaks or _open_emphasis(current) or (current.endswith(":") and len(current) < 24 and not _LIST.match(line))):
            if not keep_breaks and not _open_emphasis(current) and (_LIST.match(line) or _new_block(current, line)):
                out.append(current)
                current = line
            else:
                current = current + " " + line
            continue
        if current:
            out.append(current)
        current = line
    if current:
        out.append(current)
    result = []
    for line in out:
        text = _strip_marks(line)
        if text and not _DASHES.match(text):
            result.append(text)
    return result


def _table_rows(block: list[str]) -> list[list[list[str]]]:
    """Rows of a table block; each row a list of cells, each cell its lines."""
    rows: list[list[list[str]]] = []
    if any(_GFM_RULE.match(line) for line in block) and sum(line.strip().startswith("|") for line in block) * 2 >= len(block):
        for line in block:
            if _GFM_RULE.match(line):
                continue
            body = line.strip().strip("|")
            cells = [[c.strip()] for c in _split_cells(body)]
            rows.append(cells)
        return rows
    text = "\n".join(block)
    for chunk in re.split(r"\|[ \t]*\n[ \t]*\|", text):
        cells = [[ln for ln in c.split("\n")] for c in _split_cells(chunk.strip().strip("|"))]
        rows.append(cells)
    return rows


def _split_cells(body: str) -> list[str]:
    """Cells of a row body split at unescaped ``|`` (a ``|`` inside ``[…]`` link text stays)."""
    cells: list[str] = []
    depth = 0
    start = 0
    prev = ""
    for i, ch in enumerate(body):
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        elif ch == "|" and depth == 0 and prev != "\\":
            cells.append(body[start:i])
            start = i + 1
        prev = ch
    cells.append(body[start:])
    return cells


def _emit_table(block: list[str]) -> list[str]:
    lines: list[str] = []
    for row in _table_rows(block):
        every = [_join_lines(cell, keep_breaks=True) for cell in row]
        cells = [c for c in every if c]
        if not cells:
            continue
        layout = len(cells) <= 2 and (len(cells) == 1 or any(len(c) > 1 for c in cells))
        if layout:
            for cell in cells:
                lines.extend(cell)
        else:
            # an empty cell stays an empty string between two tabs, so columns stay aligned
            lines.append("\t".join(" ".join(c) for c in every).strip("\t"))
    return lines


def _table_end(lines: list[str], i: int) -> int:
    """Index of the first line after the table starting at ``i``.

    A table runs to a blank line. A table written with cells on lines of their own may also
    end without one: after a closing ``|`` that completes a row as wide as the row before
    it, a line that is not ``|`` is text after the table.
    """
    n = len(lines)
    gfm = any(_GFM_RULE.match(lines[k]) for k in range(i, min(n, i + 3)))
    widest = 0
    cells = 0
    content = False
    k = i
    while k < n and lines[k].strip():
        s = lines[k].strip()
        if not gfm and s == "|":
            nxt = lines[k + 1].strip() if k + 1 < n else ""
            if content:
                cells += 1
                content = False
            if nxt == "|":  # end of a row, start of the next
                widest = cells
                cells = 0
                k += 2
                continue
            if widest and cells >= widest and nxt and not nxt.startswith("|"):
                return k + 1
        elif not gfm:
            content = True
        k += 1
    return k


def _is_table_line(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") or (s.endswith("|") and "|" in s[:-1]) or bool(_GFM_RULE.match(s))


def markdown_to_text(markdown: str, headings: list[str] | None = None) -> tuple[str, str]:
    """``(plain text, page title)`` of a markdown document (title: its first ``#`` heading).

    When ``headings`` is a list, the text of every ``#`` heading is appended to it, in order.
    """
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    title = ""
    para: list[str] = []

    def flush() -> None:
        if para:
            out.extend(_join_lines(para, keep_breaks=False))
            para.clear()

    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush()
            out.append("")
            i += 1
            continue
        if para and _open_emphasis(" ".join(para)):
            para.append(stripped)
            i += 1
            continue
        if _is_table_line(stripped) or (i + 1 < n and _GFM_RULE.match(lines[i + 1]) and "|" in stripped):
            flush()
            end = _table_end(lines, i)
            out.extend(_emit_table(lines[i:end]))
            i = end
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            text = _strip_marks(heading.group(2) or "")
            if text:
                if not title and len(heading.group(1)) == 1:
                    title = text
                if headings is not None:
                    headings.append(text)
                out.append(text)
            i += 1
            continue
        if _RULE.match(stripped) and not para:
            i += 1
            continue
        if _LIST.match(stripped):
            flush()
        para.append(stripped)
        i += 1
    flush()
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text, title
