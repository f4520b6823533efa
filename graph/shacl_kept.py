"""SHACL results kept per source graph, so that ``quyhoach check`` validates only what changed.

The shapes are validated per source graph (:mod:`quyhoach.graph.shacl_sources` gives the
semantics), so the results of one source graph stay true until that graph changes. They are kept
in ``shacl-kept.json`` in the store folder: per source graph, when it was validated and its
results, under a digest of the shapes, ontology and concepts files (a change to any of them
discards everything).

Every write path forgets what it may change, before it writes:

- :meth:`KnowledgeStore.replace_graph` / :meth:`~KnowledgeStore.remove_graph` of a source graph
  forget that graph (``quyhoach load`` then validates the new graph at once, see :func:`refresh`);
- :meth:`KnowledgeStore.import_file` (an RDF import) and a SPARQL Update (the ``/update``
  endpoint and the Graph Store endpoint, :mod:`quyhoach.api.update`) forget every graph;
- reasoning writes only inferred graphs, which the shapes do not read (no inference), so it keeps
  the results.

``quyhoach check`` (:func:`validate`) uses the kept results of every source graph that has them;
it validates the few that have none one by one, each copied into an in-memory store and checked by
the same compiled queries (:mod:`quyhoach.graph.shacl_sparql`); when many have none (an old store,
an import) or with ``--full-shacl`` it validates the whole store in the engine. A writable store
then keeps what was validated. A remote store keeps nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from quyhoach.namespaces import GRAPH

#: The file inside the store folder.
KEPT_FILE = "shacl-kept.json"
#: Bump when the compiled validation changes (a change to the shapes or ontology files is seen by itself).
KEPT_VERSION = 1
#: Up to this many source graphs without kept results are validated one by one; above, the whole store at once.
ONE_BY_ONE = 200
SOURCE_PREFIX = str(GRAPH["source/"])


def is_source(graph_iri: str) -> bool:
    """Whether ``graph_iri`` is a source graph (the graphs the shapes validate)."""
    return graph_iri.startswith(SOURCE_PREFIX)


def store_file(store, name: str) -> Path | None:
    """The file ``name`` in an embedded store's folder; None for a remote store (or one without a folder)."""
    if getattr(store, "remote", False):
        return None
    path = getattr(store, "path", None)
    return Path(path) / name if path is not None and Path(path).is_dir() else None


def _path(store) -> Path | None:
    """The kept file of an embedded store, None for a remote one (or one without a folder)."""
    return store_file(store, KEPT_FILE)


def files_digest(tag: str) -> str:
    """sha256 of ``tag`` and the shapes, ontology and concepts files (what SHACL results depend on)."""
    from quyhoach.graph.resources import concepts_path, ontology_path, shapes_path

    digest = hashlib.sha256(tag.encode())
    for path in (shapes_path(), ontology_path(), concepts_path()):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def read_versioned(path: Path | None, version: str, key: str) -> dict:
    """``data[key]`` of the JSON file at ``path`` when its ``version`` is ``version``; empty otherwise."""
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get(key, {}) if data.get("version") == version else {}


def version() -> str:
    """What the kept results depend on: the validation, the shapes, the ontology and the concepts."""
    return files_digest(f"kept {KEPT_VERSION}")


def read(store) -> dict[str, dict]:
    """The kept entries (source graph IRI: ``{"at": ISO time, "results": [...]}``); empty when none or stale."""
    return read_versioned(_path(store), version(), "sources")


def _write(path: Path, sources: dict[str, dict]) -> None:
    """Write the file atomically (a reader sees the old file or the new one)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": version(), "sources": sources}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def forget(store, graphs: Iterable[str] | None = None) -> None:
    """Forget the kept results of ``graphs`` (source graph IRIs), or of every graph when None.

    Called before a write that may change them; cheap when nothing is kept.
    """
    path = _path(store)
    if path is None or not path.exists():
        return
    if graphs is None:
        path.unlink(missing_ok=True)
        return
    wanted = [g for g in graphs if is_source(g)]
    if not wanted:
        return
    sources = read(store)
    if any(g in sources for g in wanted):
        for g in wanted:
            sources.pop(g, None)
        _write(path, sources)


def keep(store, results: dict[str, list], graphs: Iterable[str], at: str | None = None) -> None:
    """Keep the results of ``graphs`` (every one validated, ``results`` holding those that have some)."""
    path = _path(store)
    if path is None or getattr(store, "read_only", False):
        return
    at = at or datetime.now(timezone.utc).isoformat(timespec="seconds")
    sources = read(store)
    for g in graphs:
        sources[g] = {"at": at, "results": [asdict(r) for r in results.get(g, ())]}
    _write(path, sources)


def validate_graph(store, graph_iri: str) -> list:
    """The results of one source graph: its triples copied into an in-memory store, the compiled queries run there."""
    import pyoxigraph as ox

    from quyhoach.graph.shacl_sparql import validate_store

    memory = ox.Store()
    node = ox.NamedNode(graph_iri)
    memory.extend(ox.Quad(q.subject, q.predicate, q.object, node)
                  for q in store.quads_for_pattern(None, None, None, node))
    return validate_store(memory, workers=1)


def refresh(store, graphs: Iterable[str]) -> None:
    """Validate ``graphs`` now and keep their results, when the store keeps results at all.

    ``quyhoach load`` calls it for the source graphs it wrote. A store with no kept results (never
    checked, or forgotten by an import or an update) is left so: its next check validates it all.
    """
    graphs = [g for g in graphs if is_source(g)]
    if not graphs or _path(store) is None or not read(store):
        return
    keep(store, {g: validate_graph(store, g) for g in graphs}, graphs)


@dataclass
class Outcome:
    """What :func:`validate` did, for the report."""

    results: list
    mode: str  # "kept" (all from kept results), "kept+new" (some validated now), "full"
    kept: int = 0  # source graphs whose results were read from the file
    validated: int = 0  # source graphs validated in this run
    kept_from: str = ""  # the oldest validation time of the kept results used
    kept_to: str = ""  # the newest
    saved: bool = False  # whether this run's results were kept
    parts: list[dict] = field(default_factory=list)

    def note(self) -> str:
        """One line for the report: where the results come from."""
        if not self.kept and not self.validated:
            return "no source graph to validate"
        if self.mode == "full":
            return (f"every shape validated now on the whole store ({self.validated} source graphs)"
                    + ("; results kept for the next check" if self.saved else ""))
        text = (f"every shape: kept results of {self.kept} source graphs (validated {self.kept_from}"
                + (f" to {self.kept_to}" if self.kept_to != self.kept_from else "") + ")")
        if self.validated:
            text += f"; {self.validated} source graphs validated now" + (" and kept" if self.saved else "")
        return text


def validate(store, workers: int = 2, full: bool = False) -> Outcome:
    """SHACL results of every source graph, from the kept results where they hold (see the module)."""
    from quyhoach.graph.shacl_sparql import validate_store

    sources = [g for g in store.named_graphs() if is_source(g)]
    kept = {} if full else read(store)
    missing = [g for g in sources if g not in kept]
    writable = _path(store) is not None and not getattr(store, "read_only", False)
    if full or len(missing) > ONE_BY_ONE:
        outcome = Outcome([], "full", validated=len(sources))
        by_graph: dict[str, set] = {}
        outcome.results = validate_store(store, workers=workers, profile=outcome.parts, by_graph=by_graph)
        if writable:
            forget(store)
            keep(store, {g: sorted(rs, key=str) for g, rs in by_graph.items()}, sources)
            outcome.saved = True
        return outcome
    from quyhoach.graph.shacl import ShaclResult

    results: set = set()
    used = [kept[g] for g in sources if g in kept]
    for entry in used:
        results.update(ShaclResult(**r) for r in entry["results"])
    fresh = {g: validate_graph(store, g) for g in missing}
    for rs in fresh.values():
        results.update(rs)
    times = sorted(e["at"] for e in used)
    outcome = Outcome(sorted(results, key=lambda r: (r.severity != "Violation", r.focus_node, r.shape, r.path or "")),
                      "kept+new" if missing else "kept", kept=len(used), validated=len(missing),
                      kept_from=times[0] if times else "", kept_to=times[-1] if times else "")
    if missing and writable:
        keep(store, fresh, missing)
        outcome.saved = True
    return outcome
