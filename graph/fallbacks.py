"""Standard SPARQL 1.1 stand-ins for the project's custom functions, for engines without them.

The embedded store registers ``qhfn:fold`` (:func:`quyhoach.text.ascii_key`) as a pyoxigraph
custom function. A remote engine has no such function, so before a query is sent,
:func:`rewrite_custom_functions` replaces every call ``qhfn:fold(X)`` by an expression built
only from ``LCASE``, ``REPLACE`` and ``STR``: lower case, dashes folded to ``-`` with single
spaces around them, runs of spaces collapsed, trimmed, and every Latin letter with a diacritic
of Vietnamese (``ạ``, ``ơ``, ``đ``…) replaced by its base letter. The character classes are
derived from the Unicode database. Unlike ``ascii_key`` it leaves accents on other letters
(``ç``, ``ñ``) and folds an IRI argument to an error (unbound), as the custom function does.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from quyhoach.text import DASHES

#: Namespace of the project's SPARQL functions (``qhfn:``).
FUNCTIONS = "https://w3id.org/quyhoach/function#"
#: Base letters whose accented forms are folded: the Vietnamese vowels (``đ`` is added to ``d``).
#: Each costs one nested ``REPLACE``; SPARQL parsers take time exponential in call nesting.
VIETNAMESE_VOWELS = "aeiouy"
SPACES = "[ \t\u00a0\u2009\u202f]+"
_LATIN_RANGES = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))


@lru_cache(maxsize=1)
def _letter_classes() -> list[tuple[str, str]]:
    """(base letter, regex class of its lower-case accented forms), from the Unicode tables."""
    groups: dict[str, set[str]] = {}
    for low, high in _LATIN_RANGES:
        for code in range(low, high + 1):
            char = chr(code).lower()
            if len(char) != 1:
                continue
            base = unicodedata.normalize("NFD", char)[0]
            if char != base and base in VIETNAMESE_VOWELS:
                groups.setdefault(base, set()).add(char)
    groups.setdefault("d", set()).add("đ")
    return [(base, "[" + "".join(sorted(chars)) + "]") for base, chars in sorted(groups.items())]


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fold_expression(arg: str, restring: bool = False) -> str:
    """A standard SPARQL expression equal to ``qhfn:fold(arg)`` (unbound for a non-literal).

    ``restring`` wraps every step in ``STR()``: Virtuoso's ``REPLACE`` returns a string its next
    ``REPLACE`` matches byte-wise, so non-ASCII classes would not match without it. (Not the
    default: Oxigraph's parser takes time exponential in nesting depth.)
    """

    def step(expr: str, pattern: str, replacement: str) -> str:
        inner = f"STR({expr})" if restring else expr
        return f"REPLACE({inner}, {_literal(pattern)}, {_literal(replacement)})"

    expr = f"LCASE(STR({arg}))"
    expr = step(expr, SPACES, " ")
    expr = step(expr, " ?[-" + DASHES + "] ?", " - ")
    expr = step(expr, "^ +| +$", "")
    for base, klass in _letter_classes():
        expr = step(expr, klass, base)
    return f"IF(isLITERAL({arg}), {expr}, 1/0)"


def _prefixes_for(sparql: str, namespace: str) -> list[str]:
    found = re.findall(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", sparql, flags=re.IGNORECASE)
    return [name for name, iri in found if iri == namespace]


def _call_end(text: str, open_paren: int) -> int:
    """Index of the parenthesis closing the one at ``open_paren`` (strings and IRIs skipped)."""
    depth, i = 0, open_paren
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i += 1
            while i < len(text) and text[i] != ch:
                i += 2 if text[i] == "\\" else 1
        elif ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i = text.index(">", i)
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise SyntaxError("unbalanced parentheses in a qhfn:fold call")


def rewrite_custom_functions(sparql: str, prefixes: dict[str, str] | None = None, restring: bool = False) -> str:
    """``sparql`` with every ``qhfn:fold(...)`` call replaced by :func:`fold_expression`.

    ``prefixes`` are the extra prefix declarations the query runs with (as pyoxigraph's);
    ``restring`` as in :func:`fold_expression`.
    """
    names = _prefixes_for(sparql, FUNCTIONS) + [p for p, iri in (prefixes or {}).items() if iri == FUNCTIONS]
    callee = "|".join([re.escape(f"<{FUNCTIONS}fold>")] + [re.escape(f"{n}:fold") for n in set(names)])
    pattern = re.compile(rf"(?<![\w:])(?:{callee})\s*\(")
    while match := pattern.search(sparql):
        end = _call_end(sparql, match.end() - 1)
        inner = rewrite_custom_functions(sparql[match.end() : end], prefixes, restring)
        sparql = sparql[: match.start()] + fold_expression(inner, restring) + sparql[end + 1 :]
    return sparql


# -- LATERAL (an Oxigraph extension, from the SPARQL 1.2 drafts) ---------------------------------
_LATERAL = re.compile(r"\bLATERAL\s*\{", re.IGNORECASE)
_LIMITED_SELECT = re.compile(
    r"^\s*OPTIONAL\s*\{\s*SELECT\s[^{]*?WHERE\s*\{(?P<body>.*)\}\s*LIMIT\s+\d+\s*\}\s*$", re.IGNORECASE | re.DOTALL
)


def _group_end(text: str, start: int) -> int:
    """Index just past the ``}`` that closes the ``{`` at ``start`` (strings and IRIs skipped)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = text.find(c, i + 1)
            while j > 0 and text[j - 1] == "\\":
                j = text.find(c, j + 1)
            i = j if j > 0 else len(text)
        elif c == "<" and (m := re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])):
            i += len(m.group(0)) - 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise SyntaxError("unbalanced braces after LATERAL")


def without_lateral(sparql: str) -> str:
    """The query with every ``LATERAL { OPTIONAL { P } }`` written as ``OPTIONAL { P }``.

    The project writes ``LATERAL`` only around an ``OPTIONAL`` whose pattern starts from a
    variable already bound, so on an engine without ``LATERAL`` the plain ``OPTIONAL`` gives the
    same rows (it may be slower). A lateral ``SELECT … LIMIT n`` (one row per binding: "some
    type of ?s") becomes its inner pattern: every row instead of the first, which the callers
    de-duplicate.
    """
    while (m := _LATERAL.search(sparql)) is not None:
        open_at = m.end() - 1
        end = _group_end(sparql, open_at)
        inner = sparql[open_at + 1 : end - 1]
        limited = _LIMITED_SELECT.match(inner)
        replacement = f"OPTIONAL {{ {limited.group('body')} }}" if limited else inner.strip()
        sparql = sparql[: m.start()] + replacement + sparql[end:]
    return sparql
