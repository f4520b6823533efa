"""K disjoint copies of a store's N-Quads export, for scaling tests and benchmarks.

Each copy is its own country: every data IRI (under ``https://w3id.org/quyhoach/id/``), every
named-graph IRI and every blank node gets the suffix ``-c{k}``, so no two copies share a resource,
a graph or a blank node. What stays shared is what the ontology graph defines (classes,
properties, and every IRI of the SKOS code lists it holds under ``id/`` — indicators, document
types, roles… — including concepts an extractor minted in a source graph) and every IRI outside
the project's namespaces. The ontology graph is written once.

Derived graphs (``…/graph/inferred…``, ``…/graph/findings…``) are left out by default: they are
re-derived by ``quyhoach reason`` / ``quyhoach check`` on the copies, which is what a scaling
measurement wants. With ``keep_derived=True`` they are copied like the rest.

The seed is parsed once, line by line, into a template with a marker where the suffix goes;
each copy is then one ``str.replace`` over the template (C speed, no per-quad Python work).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from quyhoach.namespaces import GRAPH, ID, ONTOLOGY_GRAPH

#: A raw NUL never occurs in N-Quads text (it would be written ``\u0000``), so it is a safe marker.
_MARK = "\x00"
_DERIVED = (str(GRAPH["inferred"]), str(GRAPH["findings"]))

# subject, predicate, object (anything, literals may hold spaces), optional graph, final dot
_LINE = re.compile(r"^(\S+) (\S+) (.+?)(?: (<[^>]*>|_:\S+))? \.\s*$")


class ReplicateError(ValueError):
    """The input is not N-Quads the replicator can read."""


def suffix(k: int) -> str:
    """The suffix of copy ``k`` (``-c{k}``), as written after every copied IRI and blank node."""
    return f"-c{k}"


def _shared_kinds(lines: Iterable[str]) -> tuple[str, ...]:
    """IRI prefixes (with ``<``) of the code lists the ontology graph defines under ``id/``.

    ``id/indicator/…``, ``id/doctype/…`` and the like are vocabulary: a concept an extractor mints
    in a source graph (a new indicator) stays shared too, as it would be between two countries.
    """
    onto = f"<{ONTOLOGY_GRAPH}>"
    kinds: set[str] = set()
    for line in lines:
        m = _LINE.match(line)
        if m and m.group(4) == onto and m.group(1).startswith(f"<{ID}"):
            kind = m.group(1)[len(str(ID)) + 1 :].split("/", 1)
            if len(kind) == 2 and kind[0]:
                kinds.add(f"<{ID}{kind[0]}/")
    return tuple(sorted(kinds))


def _rewrite(term: str, shared: tuple[str, ...]) -> str:
    """One term of a line with the suffix marker put where a copy's suffix goes."""
    if term.startswith("_:"):
        return term + _MARK
    if term.startswith("<") and not term.startswith(shared) and (
        term.startswith(f"<{ID}") or term.startswith(f"<{GRAPH}")
    ):
        return term[:-1] + _MARK + ">"
    return term


def build_template(nquads: str, keep_derived: bool = False) -> tuple[str, str, int]:
    """Split an N-Quads text into (shared part, per-copy template, quads per copy)."""
    lines = [line for line in nquads.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    shared = _shared_kinds(lines)
    onto = f"<{ONTOLOGY_GRAPH}>"
    once: list[str] = []
    template: list[str] = []
    for number, line in enumerate(lines, start=1):
        m = _LINE.match(line)
        if not m:
            raise ReplicateError(f"line {number}: not an N-Quads statement: {line[:80]!r}")
        s, p, o, g = m.groups()
        if g == onto:
            once.append(line.rstrip())
            continue
        if g is not None and not keep_derived and g.strip("<>").startswith(_DERIVED):
            continue
        if _MARK in line:
            raise ReplicateError(f"line {number}: raw NUL character in N-Quads text")
        o_new = _rewrite(o, shared) if not o.startswith('"') else o
        parts = [_rewrite(s, shared), _rewrite(p, shared), o_new]
        if g is not None:
            parts.append(_rewrite(g, shared))
        template.append(" ".join(parts) + " .")
    shared_text = "\n".join(once) + ("\n" if once else "")
    return shared_text, "\n".join(template) + ("\n" if template else ""), len(template)


def replicate(source_nquads: Path, k: int, out: Path, keep_derived: bool = False) -> int:
    """Write ``k`` disjoint copies of the N-Quads file ``source_nquads`` to ``out``; return the quad count.

    The ontology graph is written once; every other graph ``k`` times with suffixes ``-c1`` … ``-c{k}``.
    """
    if k < 1:
        raise ReplicateError("k must be at least 1")
    shared_text, template, per_copy = build_template(
        Path(source_nquads).read_text(encoding="utf-8"), keep_derived=keep_derived
    )
    with Path(out).open("w", encoding="utf-8") as fh:
        fh.write(shared_text)
        for copy in range(1, k + 1):
            fh.write(template.replace(_MARK, suffix(copy)))
    return shared_text.count("\n") + per_copy * k
