"""A light lexical look at SPARQL text, made before a worker evaluates it.

It finds the query form (SELECT, ASK, CONSTRUCT, DESCRIBE or an update), whether the query
names its own dataset (``FROM``), how deeply its groups nest and how long its numbers are.
Comments, strings and IRIs are skipped as tokens, so a keyword inside a literal or an IRI is
never mistaken for one. Nothing about security is decided here: which hosts a request would
contact is decided on a full parse (:mod:`quyhoach.api.outbound`); syntax checking is left to
the real parser in the worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w\-.\u00b7\u00c0-\uffff]*)?:(?:[\w\-.:%\\\u00b7\u00c0-\uffff]*[\w\-:%\u00b7\u00c0-\uffff])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

#: One match per token :func:`analyse` looks at (a bracket, a number, a word), the tokens it
#: never looks at before it (comments, strings, IRIs, variables, prefixed names, white space,
#: and any other character that can start neither a number nor a word) consumed in the same
#: match, possessively (``*+``: never taken apart again, so a keyword inside a string stays
#: inside it); at the end of the text, those alone. The alternatives are :data:`_TOKEN`'s in its
#: order: only ``pname`` and ``word`` can start at the same character (``pname`` first in both),
#: and a single character is tried last in both.
_SIGNIFICANT = re.compile(
    r"""
    (?: \#[^\n\r]*
      | '''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
      | <[^<>"{}|^`\\\x00-\x20]*>
      | [?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+
      | (?:[A-Za-z\u00c0-\uffff][\w\-.\u00b7\u00c0-\uffff]*)?:(?:[\w\-.:%\\\u00b7\u00c0-\uffff]*[\w\-:%\u00b7\u00c0-\uffff])?
      | \s+
      | [^({\[)}\]0-9.A-Za-z_]
    )*+
    (?: (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<other>.)
      | \Z
    )
    """,
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass
class QueryText:
    """What the lexer found in one request."""

    form: str | None = None  # 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE' | 'UPDATE' | None
    has_dataset: bool = False  # FROM / FROM NAMED present
    depth: int = 0  # deepest nesting of ( [ {
    longest_number: int = 0  # characters of the longest numeric literal


def tokens(text: str) -> list[tuple[str, str]]:
    """The significant tokens of ``text`` as ``(kind, text)`` (no comments, no white space)."""
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "space"):
            out.append((kind, match.group()))
    return out


def analyse(text: str) -> QueryText:
    """Find the form, the dataset clause, the nesting depth and the longest number of a request."""
    info = QueryText()
    depth = 0
    for match in _SIGNIFICANT.finditer(text):
        kind = match.lastgroup
        if kind == "other":
            value = match.group(kind)
            if value in "({[":
                depth += 1
                if depth > info.depth:
                    info.depth = depth
            elif value in ")}]":
                depth -= 1
        elif kind == "number":
            info.longest_number = max(info.longest_number, match.end(kind) - match.start(kind))
        elif kind == "word":
            upper = match.group(kind).upper()
            if info.form is None and upper in QUERY_FORMS:
                info.form = upper
            elif info.form is None and upper in UPDATE_WORDS:
                info.form = "UPDATE"
            elif upper == "FROM":
                info.has_dataset = True
    return info
