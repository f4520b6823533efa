"""The store interface, and its default backend: the on-disk Oxigraph store.

:class:`KnowledgeStore` is the one store interface every command uses. ``KnowledgeStore(spec)``
opens the embedded pyoxigraph store for a directory (the default) or, for an ``http(s)://`` URL,
a :class:`~quyhoach.graph.remote.RemoteStore` that speaks the SPARQL 1.1 Protocol and the Graph
Store HTTP Protocol to a running engine. Both keep one named graph per source and replace a
graph atomically. Callers use the public methods only (``raw`` exists on the embedded store).
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from quyhoach.errors import UserError
from quyhoach.graph import shacl_kept
from quyhoach.namespaces import GRAPH

#: Staging graphs are filled first, then swapped in with one SPARQL Update (one transaction).
STAGING_PREFIX = str(GRAPH["staging/"])

DEFAULT_STORE = "./quyhoach-data"

#: A constant column :meth:`KnowledgeStore.insert_solutions` puts between the graph and the
#: subject, so that each tab-separated result row becomes one TriG statement ``<g> { s p o }``.
_OPEN = "urn:x-quyhoach:open"
#: Below this size (bytes of results) the rows go in with one transactional load, above it
#: through the bulk loader in chunks of this size (bounded memory).
_BULK_CHUNK = 32 << 20

_PROLOGUE = re.compile(r"\A((?:\s+|#[^\n]*\n|(?:PREFIX|prefix)\s+[^\s:]*:\s*<[^>]*>|(?:BASE|base)\s*<[^>]*>)*)(.*)\Z", re.S)


def split_prologue(sparql: str) -> tuple[str, str]:
    """A query's prologue (comments, ``PREFIX`` and ``BASE`` lines) and the rest, to wrap the rest."""
    match = _PROLOGUE.match(sparql)
    return match.group(1), match.group(2)

#: A running server holds an exclusive lock on this file inside the store directory. Servers open
#: the store read-only (no Oxigraph lock), so this is what keeps a writer away while one runs.
SERVER_LOCK = "quyhoach-serve.lock"


@contextmanager
def server_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold the server lock of the store at ``path`` while the block runs (nothing for a remote engine)."""
    if is_remote(path):
        yield
        return
    lock_path = Path(path) / SERVER_LOCK
    fh = lock_path.open("a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        fh.close()
        raise UserError(f"store {path} is already being served by another 'quyhoach serve'") from exc
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def _served_by(path: Path) -> str | None:
    """The pid of a server holding ``path``'s server lock, or None when no server runs."""
    lock_path = path / SERVER_LOCK
    if not lock_path.exists():
        return None
    with lock_path.open("r") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return fh.read().strip() or "?"
        fcntl.flock(fh, fcntl.LOCK_UN)
    return None


def default_store_path() -> Path:
    """The store path from ``QUYHOACH_STORE`` or ``./quyhoach-data``."""
    return Path(os.environ.get("QUYHOACH_STORE", DEFAULT_STORE))


def store_spec(spec: str | os.PathLike | None) -> str:
    """The store named by ``spec`` (a directory or an ``http(s)://`` URL; default ``QUYHOACH_STORE``).

    A URL that went through :class:`pathlib.Path` (``http:/host``) is given its second slash back.
    """
    text = str(spec) if spec is not None else os.environ.get("QUYHOACH_STORE", DEFAULT_STORE)
    return re.sub(r"^(https?):/(?!/)", r"\1://", text)


def is_remote(spec: str | os.PathLike | None) -> bool:
    """Whether ``spec`` names a remote SPARQL engine (an ``http://`` or ``https://`` URL)."""
    return re.match(r"^https?://", store_spec(spec)) is not None


def store_exists(spec: str | os.PathLike | None) -> bool:
    """Whether a store is there to read: a loaded directory, or any remote engine URL."""
    return is_remote(spec) or (Path(store_spec(spec)) / "CURRENT").exists()


def open_store(spec: str | os.PathLike | None = None, read_only: bool = False, **kwargs) -> KnowledgeStore:
    """Open the store named by ``spec`` (see :func:`store_spec`); same as ``KnowledgeStore(spec, ...)``."""
    return KnowledgeStore(spec, read_only=read_only, **kwargs)


def rdflib_to_triples(graph: Graph) -> list[ox.Triple]:
    """Convert an rdflib graph to pyoxigraph triples (through N-Triples, which both speak)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


class SolutionsWriter:
    """The rows of ``SELECT ?graph ?s ?p ?o`` queries, gathered on disk, then loaded into the store at once.

    The rows go from the engine straight into its loader, without a Python object per
    statement: the results are written as tab-separated values, whose terms are in Turtle
    syntax, so each row is one TriG statement once the tabs are replaced. Large results go
    through the bulk loader in chunks of :data:`_BULK_CHUNK` bytes (bounded memory), small ones
    in one transactional load.
    """

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._rows = None

    def __enter__(self) -> SolutionsWriter:
        self._rows = tempfile.TemporaryFile()
        return self

    def add(self, sparql: str, union: bool = False) -> int:
        """Run one query and keep its rows for the load; return the row count."""
        prologue, body = split_prologue(sparql)
        wrapped = f"{prologue}SELECT ?graph (<{_OPEN}> AS ?open) ?s ?p ?o WHERE {{ {{ {body} }} }}"
        with tempfile.TemporaryFile() as tsv:
            self._store.query(wrapped, use_default_graph_as_union=union).serialize(tsv, ox.QueryResultsFormat.TSV)
            tsv.seek(0)
            tsv.readline()  # the header
            rows = 0
            while chunk := tsv.read(_BULK_CHUNK):
                rows += chunk.count(b"\n")
                self._rows.write(chunk)
        return rows

    def load(self) -> None:
        """Write the rows gathered so far into the store (the end of the ``with`` block does it too)."""
        tsv, self._rows = self._rows, tempfile.TemporaryFile()
        with tsv:
            bulk = tsv.tell() > _BULK_CHUNK // 8
            tsv.seek(0)
            rest = b""
            while chunk := tsv.read(_BULK_CHUNK):
                chunk = rest + chunk
                cut = chunk.rfind(b"\n") + 1
                chunk, rest = chunk[:cut], chunk[cut:]
                trig = chunk.replace(f"\t<{_OPEN}>\t".encode(), b" { ").replace(b"\t", b" ").replace(b"\n", b" }\n")
                if bulk:
                    self._store.bulk_load(trig, format=ox.RdfFormat.TRIG)
                else:
                    self._store.load(trig, format=ox.RdfFormat.TRIG)

    def __exit__(self, kind, *exc) -> None:
        try:
            if kind is None:
                self.load()
        finally:
            self._rows.close()


class KnowledgeStore:
    """The store interface; this class itself is the embedded backend, a pyoxigraph store on disk.

    One named graph per source. Open read-write (one process at a time) or read-only (servers,
    many readers). ``KnowledgeStore(url)`` returns a :class:`~quyhoach.graph.remote.RemoteStore`.
    """

    #: Whether the data lives in another process (a SPARQL engine reached over HTTP).
    remote = False
    #: Whether the engine runs the shapes compiled to SPARQL (:mod:`quyhoach.graph.shacl_sparql`).
    runs_compiled_shapes = True

    def __new__(cls, path: str | os.PathLike | None = None, *args, **kwargs):
        """Pick the backend: a remote store for an ``http(s)://`` URL, the embedded one otherwise."""
        if cls is KnowledgeStore and is_remote(path):
            from quyhoach.graph.remote import RemoteStore

            return super().__new__(RemoteStore)
        return super().__new__(cls)

    def __init__(
        self, path: str | os.PathLike | None = None, read_only: bool = False, while_served: bool = False
    ) -> None:
        """Open the store; ``while_served`` lets a server's own update process write."""
        self.path = Path(store_spec(path))
        self.read_only = read_only
        self.while_served = while_served
        #: Statements per named graph of the last :meth:`import_file` (what to re-derive after it).
        self.last_import: dict[str, int] = {}
        self._store = self._open()

    def _open(self) -> ox.Store:
        if self.read_only:
            if not (self.path / "CURRENT").exists():
                raise UserError(f"no store at {self.path}: run 'quyhoach load' first")
            try:
                return ox.Store.read_only(str(self.path))
            except OSError as exc:
                raise UserError(f"cannot open store {self.path} read-only: {_first_line(exc)}") from exc
        if self.path.exists() and not self.path.is_dir():
            raise UserError(f"store path {self.path} is a file, not a directory")
        if not self.while_served and self.path.is_dir() and (pid := _served_by(self.path)):
            raise UserError(
                f"store {self.path} is in use by another process (a running 'quyhoach serve', pid {pid}); "
                "stop it or use another --store"
            )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(self.path))
        except OSError as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise UserError(
                    f"store {self.path} is in use by another process (a running 'quyhoach serve'?); "
                    "stop it or use another --store"
                ) from exc
            raise UserError(f"cannot open store {self.path}: {_first_line(exc)}") from exc
        self._drop_stale_staging(store)
        return store

    @staticmethod
    def _drop_stale_staging(store: ox.Store) -> None:
        for graph in list(store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(STAGING_PREFIX):
                store.remove_graph(graph)

    # -- access --------------------------------------------------------------------------
    @property
    def raw(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store`."""
        return self._store

    def query(self, sparql: str, **kwargs):
        """Run a SPARQL query; keyword arguments and results as :meth:`pyoxigraph.Store.query`.

        ``default_graph`` and ``named_graphs`` may name graphs by IRI string or pyoxigraph term.
        """
        for key in ("default_graph", "named_graphs"):
            if isinstance(kwargs.get(key), list):
                kwargs[key] = [ox.NamedNode(g) if isinstance(g, str) else g for g in kwargs[key]]
        return self._store.query(sparql, **kwargs)

    def update(self, sparql: str) -> None:
        """Apply a SPARQL Update in one transaction."""
        self._require_writable()
        self._store.update(sparql)

    def insert_solutions(self, sparql: str, union: bool = False) -> int:
        """Add the quads a ``SELECT ?graph ?s ?p ?o`` query yields (every variable bound); return the row count.

        ``union``: the query's default graph is the union of all graphs (for patterns outside
        ``GRAPH``). One query written at once; :meth:`solutions_writer` gathers several.
        """
        with self.solutions_writer() as writer:
            return writer.add(sparql, union=union)

    def solutions_writer(self) -> SolutionsWriter:
        """A writer that gathers the rows of several ``SELECT ?graph ?s ?p ?o`` queries and loads them once.

        ``with store.solutions_writer() as w: w.add(query)…``: the queries run when added (so their
        time is measured one by one), the rows are written when the block ends, in one load. A
        query added does not see the rows of the queries added before it.
        """
        self._require_writable()
        return SolutionsWriter(self._store)

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]:
        """The quads matching a pattern of pyoxigraph terms (``None``: any), staging graphs excepted."""
        for quad in self._store.quads_for_pattern(subject, predicate, object, graph):
            if not _is_staging(quad.graph_name):
                yield quad

    def dump_graph(self, graph_iri: str) -> bytes:
        """One named graph as N-Triples."""
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri))

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def has_graph(self, graph_iri: str) -> bool:
        """Whether the named graph exists."""
        return self._store.contains_named_graph(ox.NamedNode(graph_iri))

    def graph_size(self, graph_iri: str) -> int:
        """Number of triples in one named graph."""
        rows = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)

    # -- writing -------------------------------------------------------------------------
    def replace_graph(self, graph_iri: str, data: Graph | Iterable[ox.Triple] | bytes) -> int:
        """Replace the named graph ``graph_iri`` by ``data`` atomically; return the triple count.

        ``data`` is an rdflib graph, pyoxigraph triples, or an N-Triples document (``bytes``, what
        :func:`~quyhoach.loaders.documents.pipeline.extract_triples` gives: parsed by the engine
        in one call, no Python object per triple). A graph that does not exist yet is written
        in one transaction. Otherwise the data is first written into a staging graph (one
        transaction), then a single SPARQL Update drops the old graph and moves the staging
        graph in: readers see either the old graph or the new one, and a failure at any step
        leaves the old graph untouched.
        """
        self._require_writable()
        shacl_kept.forget(self, [graph_iri])  # before the write: a failure after it leaves nothing stale
        if isinstance(data, Graph):
            data = rdflib_to_triples(data)
        target = ox.NamedNode(graph_iri)
        if not self._store.contains_named_graph(target):
            # nothing to replace: one transaction straight into the graph (the staging copy and
            # move cost 16 s for 290 000 findings triples at 10 M quads)
            self._write(data, target)
            self._store.flush()
            return self.graph_size(graph_iri)
        staging = ox.NamedNode(STAGING_PREFIX + graph_iri.rsplit("/", 1)[-1] + f"-{os.getpid()}")
        self._store.remove_graph(staging) if self._store.contains_named_graph(staging) else None
        try:
            self._write(data, staging)
            self._store.update(
                f"DROP SILENT GRAPH <{graph_iri}> ; "
                f"ADD SILENT GRAPH <{staging.value}> TO GRAPH <{graph_iri}> ; "
                f"DROP SILENT GRAPH <{staging.value}>"
            )
        finally:
            if self._store.contains_named_graph(staging):
                self._store.remove_graph(staging)
        self._store.flush()
        return self.graph_size(graph_iri)

    def _write(self, data: Iterable[ox.Triple] | bytes, graph: ox.NamedNode) -> None:
        """Add triples (or an N-Triples document) to ``graph`` in one transaction."""
        if isinstance(data, bytes | bytearray):
            self._store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        else:
            self._store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in data)

    def import_file(
        self,
        path: Path,
        format: ox.RdfFormat | None = None,
        graph: str | None = None,
        *,
        on_bytes: Callable[[int], None] | None = None,
    ) -> int:
        """Import an RDF file; return the number of statements read.

        ``format`` defaults to the file's extension (see :mod:`quyhoach.loaders.rdf`). Quad
        formats keep their named graphs; triples (and a quad file's default graph) go into
        ``graph`` (default ``…/graph/import/{stem}``). Every named graph of the file replaces
        the graph of that name in the store. The file is parsed strictly first, so a file with
        a syntax error changes nothing (the error names its line); then it is bulk-loaded.
        ``on_bytes`` is told how many bytes of the file each pass has read (a progress bar:
        two passes, so twice the file size in all).
        """
        from quyhoach.loaders import rdf

        self._require_writable()
        path = Path(path)
        fmt, target = rdf.import_target(path, format, graph)
        target_node = ox.NamedNode(target)
        counts = rdf.validate(path, fmt, target, on_bytes)
        shacl_kept.forget(self)  # any graph may change: the next check validates the whole store
        replaced = [g for g in counts if self.has_graph(g)]
        if replaced:
            self._store.update(" ; ".join(f"DROP SILENT GRAPH <{g}>" for g in replaced))
        try:
            with rdf.open_rdf(path, on_bytes) as fh:
                self._store.bulk_load(fh, format=fmt, to_graph=target_node, lenient=True)
        except (OSError, SyntaxError, ValueError) as exc:
            # validated, so only an I/O failure (disk full) gets here: leave none of the file behind
            if counts:
                self._store.update(" ; ".join(f"DROP SILENT GRAPH <{g}>" for g in counts))
            raise UserError(f"{path}: import failed, nothing of it kept: {_first_line(exc)}") from exc
        self._store.flush()
        self.last_import = dict(counts)
        return sum(counts.values())

    def remove_graph(self, graph_iri: str) -> None:
        """Remove one named graph (no error if absent)."""
        self._require_writable()
        shacl_kept.forget(self, [graph_iri])
        self._store.update(f"DROP SILENT GRAPH <{graph_iri}>")

    def _require_writable(self) -> None:
        if self.read_only:
            raise UserError(f"store {self.path} is open read-only")

    def close(self) -> None:
        """Flush and release the store (and its lock)."""
        if not self.read_only:
            self._store.flush()
        del self._store

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_staging(graph) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(STAGING_PREFIX)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
