"""Caps on what one request may ask of the server, checked before a worker sees it."""

from __future__ import annotations

import pyoxigraph as ox

from quyhoach.api.querytext import QueryText, analyse
from quyhoach.api.workers import QueryFailed

#: Deepest nesting of ``{ ( [`` a query or update may have (the parsers recurse per level).
MAX_DEPTH = 64
#: Longest numeric literal, in characters.
MAX_NUMBER_CHARS = 100


def check_text(text: str, max_chars: int, what: str = "query") -> QueryText:
    """Refuse an oversized (413), too deeply nested or huge-number (400) request; return its analysis."""
    if max_chars and len(text) > max_chars:
        raise QueryFailed(413, f"the {what} is {len(text)} characters long; this server accepts at most {max_chars}")
    info = analyse(text)
    if info.depth > MAX_DEPTH:
        raise QueryFailed(400, f"the {what} nests groups {info.depth} deep; at most {MAX_DEPTH} levels are accepted")
    if info.longest_number > MAX_NUMBER_CHARS:
        raise QueryFailed(400, f"the {what} has a numeric literal of {info.longest_number} characters;"
                               f" at most {MAX_NUMBER_CHARS} are accepted")
    return info


def graph_iris(values: list[str], parameter: str) -> list[str]:
    """Validate IRIs given as ``default-graph-uri``/``named-graph-uri`` (400 on a malformed one)."""
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise QueryFailed(400, f"{parameter}: not a valid absolute IRI: {value[:200]!r}") from None
    return values
