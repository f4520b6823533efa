"""A light lexical look at SPARQL text, made before a worker evaluates it.

It finds what the server must decide up front: the query form (SELECT, ASK, CONSTRUCT,
DESCRIBE or an update), whether the query names its own dataset (``FROM``), and which remote
endpoints ``SERVICE`` (or ``LOAD``) would contact. Comments, strings and IRIs are skipped as
tokens, so a keyword inside a literal or an IRI is never mistaken for one. Syntax checking is
left to the real parser in the worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w\-.\u00b7\u00c0-\uffff]*)?:(?:[\w\-.:%\\\u00b7\u00c0-\uffff]*[\w\-:%\u00b7\u00c0-\uffff])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<space>\s+)
  | (?P<other>.)
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
    remote: list[str | None] = field(default_factory=list)  # SERVICE/LOAD targets; None = a variable


def tokens(text: str) -> list[tuple[str, str]]:
    """The significant tokens of ``text`` as ``(kind, text)`` (no comments, no white space)."""
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "space"):
            out.append((kind, match.group()))
    return out


def analyse(text: str) -> QueryText:
    """Find the form, the dataset clause and the remote targets of a query or update."""
    toks = tokens(text)
    info = QueryText()
    prefixes: dict[str, str] = {}
    base = ""
    for i, (kind, value) in enumerate(toks):
        upper = value.upper() if kind == "word" else ""
        if upper == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
            base = urljoin(base, toks[i + 1][1][1:-1])
        elif upper == "PREFIX" and i + 2 < len(toks) and toks[i + 1][0] == "pname" and toks[i + 2][0] == "iri":
            prefixes[toks[i + 1][1][:-1] if toks[i + 1][1].endswith(":") else toks[i + 1][1]] = urljoin(
                base, toks[i + 2][1][1:-1]
            )
        elif info.form is None and upper in QUERY_FORMS:
            info.form = upper
        elif info.form is None and upper in UPDATE_WORDS:
            info.form = "UPDATE"
        elif upper == "FROM":
            info.has_dataset = True
        if upper in ("SERVICE", "LOAD"):
            j = i + 1
            if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "SILENT":
                j += 1
            info.remote.append(_target(toks[j] if j < len(toks) else ("other", ""), prefixes, base))
    return info


def _target(token: tuple[str, str], prefixes: dict[str, str], base: str) -> str | None:
    kind, value = token
    if kind == "iri":
        return urljoin(base, value[1:-1])
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def refused_remote(info: QueryText, allowed_hosts: tuple[str, ...]) -> str | None:
    """The reason to refuse the request's remote calls, or ``None`` if all are allowed.

    ``allowed_hosts`` holds host names (``example.org``) or ``host:port`` pairs.
    """
    for target in info.remote:
        if target is None:
            return "SERVICE with a variable endpoint is not allowed on this server"
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        with_port = f"{host}:{parts.port}" if parts.port else host
        if parts.scheme not in ("http", "https") or not (
            host in allowed_hosts or with_port in allowed_hosts
        ):
            return (
                f"remote endpoint {target} is not on this server's allow-list"
                " (start the server with --allow-service HOST to permit it)"
            )
    return None
