"""Content negotiation for SPARQL results: ``?format=`` first, then the ``Accept`` header.

Pure functions, shared by the web process and the query workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

#: Result kinds: 'bindings' (SELECT), 'boolean' (ASK), 'graph' (CONSTRUCT/DESCRIBE).
MEDIA = {
    "bindings": [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("html", "text/html"),
    ],
    "graph": [
        ("turtle", "text/turtle"),
        ("ntriples", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("html", "text/html"),
    ],
}
MEDIA["boolean"] = MEDIA["bindings"]
GRAPH_NAMES = ("turtle", "ntriples", "jsonld", "rdfxml")

#: Other media types clients send for the same formats.
ALIASES = {
    "application/json": "json",
    "text/json": "json",
    "application/javascript": "json",
    "text/javascript": "json",
    "application/sparql-results+json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/html": "html",
    "application/xhtml+xml": "html",
}

#: Values of ``?format=`` (and ``output=``/``results=``, which some clients send).
FORMAT_NAMES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle", "ntriples": "ntriples", "nt": "ntriples",
    "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml",
    "rdf": "rdfxml", "rdf+xml": "rdfxml", "html": "html",
}

#: When the client asks for a results format that the result kind cannot use (e.g. ``json``
#: for a CONSTRUCT, as SPARQLWrapper does by default), the nearest graph format is used.
CROSS = {
    ("graph", "json"): "jsonld",
    ("graph", "xml"): "rdfxml",
    ("bindings", "jsonld"): "json",
    ("bindings", "rdfxml"): "xml",
    ("boolean", "jsonld"): "json",
    ("boolean", "rdfxml"): "xml",
}


@dataclass(frozen=True)
class Choice:
    """A negotiated format: short name and the Content-Type to send."""

    name: str
    media_type: str


class NotAcceptable(ValueError):
    """No format both sides accept."""


@lru_cache(maxsize=512)
def parse_accept(header: str | None) -> tuple[tuple[str, float], ...]:
    """``Accept`` as ``(media type, q)`` pairs, best first (stable for equal q); the last few
    hundred distinct headers are remembered (clients send the same few)."""
    items: list[tuple[str, float, int]] = []
    for index, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        items.append((media, q, index))
    items.sort(key=lambda item: (-item[1], item[2]))
    return tuple((media, q) for media, q, _ in items if q > 0)


def format_name(value: str | None) -> str | None:
    """The short format name for a ``?format=`` value (name or media type), or ``None``."""
    if not value:
        return None
    value = value.strip().lower()
    return FORMAT_NAMES.get(value) or ALIASES.get(value.split(";")[0].strip())


@lru_cache(maxsize=512)
def choose(kind: str, accept: str | None, fmt: str | None = None, html: bool = True) -> Choice:
    """Pick the result format for a result ``kind`` ('bindings', 'boolean', 'graph'); the choices
    for the last few hundred distinct ``Accept`` headers are remembered.

    ``fmt`` (from ``?format=``) wins over ``Accept``; without either the default is SPARQL
    JSON for SELECT/ASK and Turtle for graphs. ``html=False`` leaves HTML out.
    """
    offered = [(n, m) for n, m in MEDIA[kind] if html or n != "html"]
    names = {n: m for n, m in offered}
    if fmt:
        name = CROSS.get((kind, fmt), fmt)
        if name in names:
            return Choice(name, names[name])
        raise NotAcceptable(f"format '{fmt}' is not available for {_what(kind)}; use one of {', '.join(names)}")
    accepted = parse_accept(accept)
    if not accepted:
        return Choice(*offered[0])
    for media, _q in accepted:
        if media in ("*/*", "application/*"):
            return Choice(*offered[0])
        if media == "text/*":
            return next((Choice(n, m) for n, m in offered if m.startswith("text/") and n != "html"), Choice(*offered[0]))
        name = ALIASES.get(media)
        if name:
            name = CROSS.get((kind, name), name)
            if name in names:
                return Choice(name, names[name])
    raise NotAcceptable(
        f"none of the media types in Accept ({accept}) is available for {_what(kind)}; "
        f"available: {', '.join(m for _, m in offered)}"
    )


def _what(kind: str) -> str:
    return {"bindings": "SELECT results", "boolean": "ASK results", "graph": "CONSTRUCT/DESCRIBE results"}[kind]
