"""RDF files to import: format detection, the RDF/XML entity guard, the validation pass.

An RDF file (N-Quads, TriG, Turtle, N-Triples, JSON-LD, RDF/XML, optionally gzipped) is loaded
by :meth:`quyhoach.graph.store.KnowledgeStore.import_file` in two passes over the file, both in
Oxigraph's Rust parser:

1. :func:`validate` parses the whole file strictly (IRIs, literals, syntax) and counts the quads
   per target graph; a syntax error stops here, with its line and column, before anything is
   written;
2. the store's ``bulk_load`` writes the file, leniently (it was just validated), which is faster
   than a strict ``bulk_load`` alone.

Triple formats go into one named graph: ``--graph IRI`` or :func:`default_graph` of the file
(``…/graph/import/{stem}``). Quad formats keep their named graphs; their default-graph
statements go to that same graph.
"""

from __future__ import annotations

import collections
import gzip
import io
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from quyhoach.errors import UserError
from quyhoach.namespaces import GRAPH
from quyhoach.text import slugify

#: File extensions read as RDF (each also with ``.gz``); anything else is a document.
EXTENSIONS: dict[str, ox.RdfFormat] = {
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
}

#: ``--format`` names.
FORMAT_NAMES: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

#: Bytes read at a time (and the granularity of the progress bar).
CHUNK = 1 << 20

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _stem_and_extension(path: Path) -> tuple[str, str]:
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    stem, _, ext = name.rpartition(".")
    return (stem or name), ext.lower()


def rdf_format(path: Path) -> ox.RdfFormat | None:
    """The RDF format of ``path`` by its extension (``graph.nq``, ``data.ttl.gz``), or None."""
    return EXTENSIONS.get(_stem_and_extension(path)[1])


def is_rdf(path: Path) -> bool:
    """Whether ``path`` is an RDF file by its extension."""
    return rdf_format(path) is not None


def parse_format_name(name: str) -> ox.RdfFormat:
    """The format of a ``--format`` name (``nquads``, ``turtle``…), or a :class:`UserError`."""
    try:
        return FORMAT_NAMES[name.lower()]
    except KeyError:
        raise UserError(f"unknown RDF format '{name}': choose one of {', '.join(FORMAT_NAMES)}") from None


def default_graph(path: Path) -> str:
    """The named graph a triple file goes into unless ``--graph`` says otherwise: ``…/graph/import/{stem}``."""
    stem = slugify(_stem_and_extension(path)[0]) or "file"
    return str(GRAPH[f"import/{stem}"])


class ProgressReader(io.RawIOBase):
    """A binary file (gunzipped when it ends in ``.gz``) that reports the compressed bytes read."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None = None) -> None:
        self._raw = path.open("rb")
        self._inner: BinaryIO = gzip.GzipFile(fileobj=self._raw) if path.name.lower().endswith(".gz") else self._raw
        self._on_bytes = on_bytes
        self._seen = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._inner.readinto(buffer)
        if self._on_bytes is not None:
            position = self._raw.tell()
            self._on_bytes(position - self._seen)
            self._seen = position
        return n

    def close(self) -> None:
        if self._inner is not self._raw:
            self._inner.close()
        self._raw.close()
        super().close()


def open_rdf(path: Path, on_bytes: Callable[[int], None] | None = None) -> io.BufferedReader:
    """Open ``path`` for the parser, reporting progress in bytes of the file on disk."""
    return io.BufferedReader(ProgressReader(path, on_bytes), buffer_size=CHUNK)


def reject_xml_declarations(path: Path) -> None:
    """Refuse an RDF/XML file with a DOCTYPE or ENTITY declaration (entity-expansion attacks).

    RDF/XML never needs them; a file that has one is refused before it is parsed.
    """
    tail = b""
    with open_rdf(path) as fh:
        while chunk := fh.read(CHUNK):
            if _DECLARATION.search(tail + chunk):
                raise UserError(f"{path}: RDF/XML with a DOCTYPE or ENTITY declaration is refused (entity expansion)")
            tail = chunk[-16:]


def syntax_error(path: Path, exc: SyntaxError) -> UserError:
    """A one-line error naming the file, line and column of a parse error."""
    where = f":{exc.lineno}:{exc.offset}" if exc.lineno else ""
    message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc).splitlines()[0]
    return UserError(f"{path}{where}: {message}")


def validate(
    path: Path, fmt: ox.RdfFormat, graph: str, on_bytes: Callable[[int], None] | None = None
) -> collections.Counter:
    """Parse the whole file strictly; return the number of statements per target graph IRI.

    Nothing is written. The counting runs in C (``Counter`` over ``map``), not in a Python loop.
    """
    if fmt == ox.RdfFormat.RDF_XML:
        reject_xml_declarations(path)
    try:
        with open_rdf(path, on_bytes) as fh:
            names = collections.Counter(map(operator.attrgetter("graph_name"), ox.parse(fh, format=fmt)))
    except SyntaxError as exc:
        raise syntax_error(path, exc) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UserError(f"{path}: cannot read: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    counts: collections.Counter = collections.Counter()
    for name, n in names.items():
        if isinstance(name, ox.NamedNode):
            counts[name.value] += n
        elif isinstance(name, ox.DefaultGraph):
            counts[graph] += n
        else:
            raise UserError(f"{path}: a graph named by a blank node ({name}) cannot be imported; name it with an IRI")
    return counts


def import_target(path: Path, format: ox.RdfFormat | None, graph: str | None) -> tuple[ox.RdfFormat, str]:
    """The format of an RDF file to import and the graph its triples go into, or a one-line error.

    ``format`` defaults to the file's extension; ``graph`` to ``…/graph/import/{stem}``. Every
    store backend's ``import_file`` starts here.
    """
    from quyhoach.errors import UserError

    if not Path(path).is_file():
        raise UserError(f"{path}: no such file")
    fmt = format or rdf_format(Path(path))
    if fmt is None:
        raise UserError(f"{path}: not an RDF file by its extension; give --format")
    target = graph or default_graph(Path(path))
    try:
        ox.NamedNode(target)
    except ValueError as exc:
        raise UserError(f"--graph {target}: not an IRI") from exc
    return fmt, target
