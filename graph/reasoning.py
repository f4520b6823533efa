"""Materialise what the ontology implies, inside the store, with the SPARQL Update rules of ``graph/rules``.

The rules (``graph/rules/*.rq``, data rather than code) read their axioms from the ontology graph,
so a new subclass, subproperty or inverse needs no change here:

- ``rdfs:subClassOf``: every instance gets the types of all its superclasses;
- ``rdfs:subPropertyOf``: a statement with a property also holds for its superproperties
  (``qh:memberOfRegion`` ⊂ ``qh:partOf``);
- ``owl:inverseOf`` / ``owl:SymmetricProperty``: each statement holds reversed for the inverse;
- ``owl:TransitiveProperty``: the transitive closure (region ⊃ province ⊃ district via ``qh:partOf``);
- successor chains: ``qh:currentSuccessor`` links a unit (``qh:successor``) or an agency
  (``qh:successorAgency``) to the end(s) of its chain, whoever holds its place today;
- plan conformity (Law on Planning 2017, art. 6): ``qh:mustConformTo`` from plan levels,
  coverage (joined by the covered units' IRIs) and overlapping periods;
- search keys: ``rx:searchKey``, the folded text of every label, title and quote, which the
  named query ``search`` matches instead of folding every label per query.

Where the results go, and why that makes reasoning incremental:

- **local rules** (subclass types, subproperties, inverses, search keys) need one statement of one graph
  and the ontology. What they derive from graph ``…/graph/X`` goes into ``…/graph/inferred/X``
  (:func:`inferred_graph_for`). Loading or replacing one source re-derives only its own
  inferred graph; removing it drops that graph.
- **cross-source rules** (transitive closure, successor chains, plan conformity) join
  statements that may sit in different graphs (a district's ``qh:partOf`` in the reference
  graph, a plan's ``qh:covers`` in a document). Each writes its own graph
  ``…/graph/inferred/global/{transitive,successor,conformity}``. The local rules also write into
  ``inferred/X`` the *keys* by which graph X feeds them (``local-keys.rq``: the resources of its
  containment, succession and plan statements). A change to X re-derives, for each rule its old
  or new version feeds, only what depends on those keys: the resources whose chains lead to a
  key (``delta-reaching.rq``), the plans involved; their statements are dropped from the global
  graph and derived again with the full rule restricted to them (delete and re-derive). A
  document with no plan, no containment and no succession re-runs nothing global.

The derived statements are written by the store's loader (``solutions_writer``: rule results
streamed from the engine into a file, then into its loader in one pass — the bulk loader for a
full rebuild — not through SPARQL Update transactions). A remote engine has no bulk loader: each
rule query is then one ``INSERT … WHERE`` request.
On engines that refuse property paths with both ends unbound (Virtuoso) the transitive and
successor rules run the portable way (statements gathered into a work graph, closed by a rule run
until stable) and a change re-runs a fed rule whole.

A local inferred graph holds what its source implies and does not itself state; a statement may
also be stated by another source (the sources stay independent). A cross-source graph holds what
no graph states. Changing the ontology graph re-derives everything (:func:`materialise`).

Only the store's public methods are used (``query``, ``update``, ``insert_solutions``,
``named_graphs``, ``graph_size``, ``remove_graph``): no Python loop over statements; Python
handles only the keys of a change (proportional to the changed graphs).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyoxigraph as ox

from quyhoach.graph.fallbacks import rewrite_custom_functions
from quyhoach.namespaces import FINDINGS_GRAPH, GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, QH

#: Prefix of every inferred graph.
INFERRED_PREFIX = str(INFERRED_GRAPH) + "/"
STAGING_PREFIX = str(GRAPH["staging/"])
#: The graphs of the cross-source rules.
GLOBAL_GRAPHS = {kind: f"{INFERRED_PREFIX}global/{kind}" for kind in ("transitive", "successor", "conformity")}
#: Namespace of the reasoning's own work vocabulary (``rx:transitiveKey``, ``rx:implies``…).
RX = "https://w3id.org/quyhoach/reasoning#"
#: How many source graphs one local-rule query covers (bounds what one query holds in memory).
BATCH = 200
#: How many keys one incremental query lists; above :data:`DELTA_LIMIT` keys a rule runs whole.
KEYS_BATCH = 500
DELTA_LIMIT = 20000
#: The key marker of each cross-source rule (``local-keys.rq``).
KEYS = {kind: f"{RX}{kind}Key" for kind in ("transitive", "successor", "conformity")}
#: Safety bound on the fixpoint loops (the seed ontology needs two or three rounds).
MAX_ROUNDS = 32


@dataclass
class RuleTime:
    """What one rule of a reasoning run took: wall and CPU seconds (this process), statements derived."""

    seconds: float = 0.0
    cpu: float = 0.0
    #: Rows the rule gave (before duplicates are merged); ``None`` when the engine does not count them.
    statements: int | None = 0
    runs: int = 0

    def add(self, rows: int) -> None:
        """Count ``rows`` more statements (a negative count: the engine did not count them)."""
        if rows < 0 or self.statements is None:
            self.statements = None
        else:
            self.statements += rows


class Profile(dict):
    """Time and statements per rule (name → :class:`RuleTime`) of one reasoning run, in the order run."""

    @contextmanager
    def timed(self, name: str) -> Iterator[RuleTime]:
        """Add the time of the block to rule ``name``."""
        entry = self.setdefault(name, RuleTime())
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield entry
        finally:
            entry.seconds += time.perf_counter() - wall
            entry.cpu += time.process_time() - cpu
            entry.runs += 1

    def lines(self) -> list[str]:
        """One line per rule: seconds, CPU seconds, statements, queries."""
        out = []
        for name, entry in self.items():
            rows = "?" if entry.statements is None else str(entry.statements)
            out.append(f"{name:<24} {entry.seconds:8.2f} s {entry.cpu:8.2f} s CPU {rows:>10} statements {entry.runs:6} runs")
        return out

    def as_dict(self) -> dict[str, dict]:
        """Per rule: ``seconds``, ``cpu``, ``statements`` (``None``: not counted), ``runs`` (JSON-ready)."""
        return {name: {"seconds": round(e.seconds, 3), "cpu": round(e.cpu, 3), "statements": e.statements, "runs": e.runs}
                for name, e in self.items()}

    @classmethod
    def parse_lines(cls, text: str) -> dict[str, dict]:
        """The :meth:`as_dict` form of the :meth:`lines` found in ``text`` (e.g. ``quyhoach reason``'s stderr)."""
        found = {}
        for match in _PROFILE_LINE.finditer(text):
            name, seconds, cpu, rows, runs = match.groups()
            found[name.strip()] = {"seconds": float(seconds), "cpu": float(cpu),
                                   "statements": None if rows == "?" else int(rows), "runs": int(runs)}
        return found


_PROFILE_LINE = re.compile(r"^\s*(\S.*?)\s+([\d.]+) s\s+([\d.]+) s CPU\s+(\?|\d+) statements\s+(\d+) runs\s*$", re.M)


@cache
def rule(name: str) -> str:
    """The text of rule ``graph/rules/{name}.rq``."""
    return (resources.files("quyhoach.graph.rules") / f"{name}.rq").read_text(encoding="utf-8")


def inferred_graph_for(graph_iri: str) -> str:
    """The inferred graph of one graph: ``…/graph/X`` → ``…/graph/inferred/X``.

    A graph outside the project's graph namespace (imported RDF) gets ``…/graph/inferred/other/{sha256}``.
    """
    base = str(GRAPH)
    if graph_iri.startswith(base):
        return INFERRED_PREFIX + graph_iri[len(base):]
    return INFERRED_PREFIX + "other/" + hashlib.sha256(graph_iri.encode("utf-8")).hexdigest()


def is_derived(graph_iri: str) -> bool:
    """Whether a graph is derived (inferred, findings, staging) rather than input to reasoning."""
    return (
        graph_iri == str(INFERRED_GRAPH)  # the single inferred graph of earlier versions
        or graph_iri.startswith(INFERRED_PREFIX)
        or graph_iri == str(FINDINGS_GRAPH)
        or graph_iri.startswith(STAGING_PREFIX)
    )


def input_graphs(store) -> list[str]:
    """The graphs reasoning reads: every named graph but the inferred, findings and staging ones."""
    return [g for g in store.named_graphs() if not is_derived(g)]


def inferred_graphs(store) -> list[str]:
    """Every inferred graph of the store (global and per source)."""
    return [g for g in store.named_graphs() if g == str(INFERRED_GRAPH) or g.startswith(INFERRED_PREFIX)]


# -- running rules ---------------------------------------------------------------------------------
def _bind(text: str, graphs: dict[str, str]) -> str:
    """Put graph IRIs in place of the rule's graph variables (``?axioms``, ``?source``…)."""
    for name, iri in graphs.items():
        text = re.sub(rf"\?{name}\b", lambda _, iri=iri: f"<{iri}>", text)
    return text


def _restrict(text: str, names: tuple[str, ...], rows: list[tuple[str, ...]] | None) -> str:
    """Fill the rule's ``# restrict ?a ?b`` lines with ``VALUES (?a ?b) { (<x> <y>) … }`` (IRIs);
    ``rows=None`` leaves them as comments (no restriction)."""
    if rows is None:
        return text
    head = " ".join(f"?{n}" for n in names)
    values = " ".join("(" + " ".join(f"<{v}>" for v in row) + ")" for row in rows)
    line = f"VALUES ({head}) {{ {values} }}"
    filled, count = re.subn(rf"^[ \t]*# restrict {re.escape(head)}[ \t]*$", lambda _: line, text, flags=re.M)
    if not count:
        raise ValueError(f"rule has no '# restrict {head}' line")
    return filled


def _batches(items, size: int):
    items = sorted(items)
    return [items[i:i + size] for i in range(0, len(items), size)]


def _staging(name: str) -> str:
    return f"{STAGING_PREFIX}reasoning-{name}-{os.getpid()}"


def _until_stable(store, update: str, graph: str) -> None:
    """Run ``update`` until ``graph`` stops growing."""
    size = store.graph_size(graph)
    for _ in range(MAX_ROUNDS):
        store.update(update)
        new = store.graph_size(graph)
        if new == size:
            return
        size = new


class _Axioms:
    """The work graph of composed axioms (property implications, subclass links), for one run."""

    def __init__(self, store) -> None:
        self.store = store
        self.graph = _staging("axioms")

    def __enter__(self) -> str:
        self.store.remove_graph(self.graph)
        names = {"ontology": str(ONTOLOGY_GRAPH), "axioms": self.graph}
        self.store.update(_bind(rule("axioms-seed"), names))
        _until_stable(self.store, _bind(rule("axioms-compose"), names), self.graph)
        return self.graph

    def __exit__(self, *exc) -> None:
        self.store.remove_graph(self.graph)


def _local(store, axioms: str, sources: list[str], profile: Profile) -> None:
    """The local rules (and their keys) over each graph of ``sources``, :data:`BATCH` graphs a query.

    The graphs are given as ``VALUES`` of (source, inferred graph) pairs: an index lookup per
    graph, and what one query holds is bounded by the batch, not by the store. The rows of every
    batch are gathered and written in one load (:meth:`~quyhoach.graph.store.KnowledgeStore.solutions_writer`),
    first those of the rules that read the source alone, then the keys, which also read what
    those derived (each key query reads one graph, the source or its inferred graph, named in its
    ``VALUES`` rows).
    """
    # qhfn:fold (search keys) written out in standard SPARQL: evaluated inside the engine
    restring = _engine(store) == "virtuoso"

    def text(name: str) -> str:
        return rewrite_custom_functions(_bind(rule(name), {"axioms": axioms}), restring=restring)

    batches = _batches(sources, BATCH)
    with store.solutions_writer() as writer:
        for name in ("local-properties", "local-types", "local-search"):
            rule_text = text(name)
            for batch in batches:
                with profile.timed(name) as entry:
                    entry.add(writer.add(_restrict(rule_text, ("source", "inferred"),
                                                   [(graph, inferred_graph_for(graph)) for graph in batch])))
        with profile.timed("write (local rules)"):
            writer.load()
    keys_text = text("local-keys")
    with store.solutions_writer() as writer:
        for batch in batches:
            rows = [(graph, inferred_graph_for(graph), read) for graph in batch
                    for read in (graph, inferred_graph_for(graph))]
            with profile.timed("local-keys") as entry:
                entry.add(writer.add(_restrict(keys_text, ("source", "inferred", "read"), rows)))
        with profile.timed("write (local-keys)"):
            writer.load()


def _engine(store) -> str:
    """The store's engine: ``oxigraph`` (embedded or server) or ``virtuoso``."""
    return getattr(getattr(store, "endpoints", None), "engine", "oxigraph")


def _paths(store) -> bool:
    """Whether the engine evaluates property paths with both ends unbound (all but Virtuoso)."""
    return _engine(store) != "virtuoso"


def _transitive_properties(store, axioms: str) -> list[str]:
    rows = store.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH <{axioms}> {{ ?p <{RX}transitive> ?t }} }}")
    return sorted(row["p"].value for row in rows)


def _select_iris(store, text: str, var: str, keys, **names: str) -> set[str]:
    """The IRIs a one-column rule (``delta-*.rq``) gives for ``keys``, :data:`KEYS_BATCH` keys a query."""
    found: set[str] = set()
    for batch in _batches(keys, KEYS_BATCH):
        query = _restrict(_bind(text, names), (var,), [(k,) for k in batch])
        found |= {row[0].value for row in store.query(query, use_default_graph_as_union=True)
                  if isinstance(row[0], ox.NamedNode)}
    return found


def _drop_touching(store, kind: str, nodes: set[str]) -> None:
    """Drop from a global graph the statements whose subject or object is one of ``nodes``."""
    text = _bind(rule("delta-drop"), {"global": GLOBAL_GRAPHS[kind]})
    for batch in _batches(nodes, KEYS_BATCH):
        rows = [(n,) for n in batch]
        store.update(_restrict(_restrict(text, ("s",), rows), ("o",), rows))


def _derive(store, name: str, names: dict[str, str], restrict: dict[str, set[str]] | None = None) -> None:
    """Run global rule ``name`` (restricted to the given resources per variable) into its graph."""
    text = _bind(rule(name), names)
    if restrict is None:
        store.insert_solutions(text, union=True)
        return
    for var, nodes in restrict.items():
        for batch in _batches(nodes, KEYS_BATCH):
            store.insert_solutions(_restrict(text, (var,), [(n,) for n in batch]), union=True)


# -- cross-source rules: whole ---------------------------------------------------------------------
def _transitive(store, axioms: str) -> None:
    """Rebuild the transitive closure graph (and what the closed statements imply), until stable."""
    glob = GLOBAL_GRAPHS["transitive"]
    names = {"axioms": axioms, "global": glob}
    store.remove_graph(glob)
    chained = bool(store.query(_bind(rule("axioms-transitive-chained"), names)))
    size = -1
    for _ in range(MAX_ROUNDS):
        if _paths(store):
            for prop in _transitive_properties(store, axioms):
                _derive(store, "global-transitive", {**names, "transitive": prop})
        else:
            _transitive_portable(store, names)
        store.insert_solutions(_bind(rule("global-transitive-imply"), names))
        new = store.graph_size(glob)
        if not chained or new == size:
            break
        size = new


def _close_in_work_graph(store, names: dict[str, str], gather: str, close: str, finish: str) -> None:
    """Gather pairs into a staging work graph, close them until stable, then write the result.

    The portable path for engines without unbound property paths: ``gather``, ``close`` and
    ``finish`` are rule names; ``?work`` is bound to the staging graph, removed afterwards.
    """
    work = _staging("work")
    names = {**names, "work": work}
    try:
        store.remove_graph(work)
        store.update(_bind(rule(gather), names))
        _until_stable(store, _bind(rule(close), names), work)
        store.update(_bind(rule(finish), names))
    finally:
        store.remove_graph(work)


def _transitive_portable(store, names: dict[str, str]) -> None:
    """One round of the closure through a work graph (engines without unbound property paths)."""
    _close_in_work_graph(store, names, "global-transitive-gather", "global-transitive-close", "global-transitive-keep")


def _successor(store, axioms: str) -> None:
    """Rebuild the successor graph (``qh:currentSuccessor``)."""
    glob = GLOBAL_GRAPHS["successor"]
    store.remove_graph(glob)
    if _paths(store):
        _derive(store, "global-successor", {"global": glob})
        return
    _close_in_work_graph(store, {"axioms": axioms, "global": glob}, "global-successor-gather",
                         "global-successor-close", "global-current-successor")


def _conformity(store, axioms: str) -> None:
    """Rebuild the conformity graph (``qh:mustConformTo`` from plan levels and coverage)."""
    glob = GLOBAL_GRAPHS["conformity"]
    store.remove_graph(glob)
    _derive(store, "global-conformity", {"global": glob})


#: The cross-source rules, in the order they run (conformity reads the closed qh:partOf).
GLOBAL_RULES = {"transitive": _transitive, "successor": _successor, "conformity": _conformity}


# -- cross-source rules: incremental ---------------------------------------------------------------
def _keys(store, graphs: list[str]) -> dict[str, set[str]]:
    """The keys (``local-keys.rq``) the inferred graphs of ``graphs`` hold, per cross-source rule."""
    found: dict[str, set[str]] = {kind: set() for kind in KEYS}
    by_marker = {marker: kind for kind, marker in KEYS.items()}
    for batch in _batches(graphs, BATCH):
        pairs = " ".join(f"(<{g}> <{inferred_graph_for(g)}>)" for g in batch)
        markers = " ".join(f"<{m}>" for m in by_marker)
        rows = store.query(
            f"SELECT ?key ?k WHERE {{ VALUES (?source ?inferred) {{ {pairs} }} VALUES ?key {{ {markers} }} "
            f"GRAPH ?inferred {{ ?source ?key ?k }} }}"
        )
        for row in rows:
            found[by_marker[row["key"].value]].add(row["k"].value)
    return found


def _reaching(store, link: str, keys: set[str]) -> set[str]:
    return _select_iris(store, rule("delta-reaching"), "m", keys, link=link)


def _incremental(store, axioms: str, keys: dict[str, set[str]]) -> None:
    """Re-derive what depends on ``keys`` in each cross-source graph (delete and re-derive).

    For each rule the statements of the resources the change can reach are dropped from its
    graph and derived again by the same rule restricted to them; a rule with too many keys, or
    a transitive property implying another one (the closure would have to iterate), runs whole.
    """
    names = {"axioms": axioms}
    transitive_whole = False
    reached: set[str] = set()
    if keys["transitive"]:
        chained = bool(store.query(_bind(rule("axioms-transitive-chained"), names)))
        if chained or len(keys["transitive"]) > DELTA_LIMIT:
            _transitive(store, axioms)
            transitive_whole = True
        else:
            glob = GLOBAL_GRAPHS["transitive"]
            props = _transitive_properties(store, axioms)
            for prop in props:
                reached |= _reaching(store, prop, keys["transitive"])
            _drop_touching(store, "transitive", reached)
            for prop in props:
                _derive(store, "global-transitive", {"transitive": prop, "global": glob}, {"s": reached})
            for batch in _batches(reached, KEYS_BATCH):
                store.insert_solutions(_restrict(_bind(rule("global-transitive-imply"), {**names, "global": glob}),
                                                 ("a",), [(n,) for n in batch]))
    if keys["successor"]:
        if len(keys["successor"]) > DELTA_LIMIT:
            _successor(store, axioms)
        else:
            glob = GLOBAL_GRAPHS["successor"]
            starts: set[str] = set()
            for link in (f"{QH}successor", f"{QH}successorAgency"):
                starts |= _reaching(store, link, keys["successor"])
            _drop_touching(store, "successor", starts)
            _derive(store, "global-successor", {"global": glob}, {"s": starts})
    plans = set(keys["conformity"])
    if reached:
        plans |= _select_iris(store, rule("delta-covering"), "m", reached)
    if transitive_whole or len(plans) > DELTA_LIMIT:
        _conformity(store, axioms)
    elif plans:
        glob = GLOBAL_GRAPHS["conformity"]
        _drop_touching(store, "conformity", plans)
        _derive(store, "global-conformity", {"global": glob}, {"lower": plans, "upper": plans})


def materialise(store, profile: Profile | None = None) -> int:
    """Rebuild every inferred graph from the other graphs of ``store``; return the inferred statement count.

    ``store`` is a :class:`~quyhoach.graph.store.KnowledgeStore`. Idempotent: the inferred
    graphs are dropped and derived again, never added to. ``profile`` (if given) receives the
    time and statements of each rule.
    """
    profile = Profile() if profile is None else profile
    with profile.timed("drop inferred graphs"):
        for graph in inferred_graphs(store):
            store.remove_graph(graph)
    with _Axioms(store) as axioms:
        _local(store, axioms, input_graphs(store), profile)
        for kind, run in GLOBAL_RULES.items():
            with profile.timed(f"global-{kind}") as entry:
                run(store, axioms)
                entry.add(store.graph_size(GLOBAL_GRAPHS[kind]))
    return sum(store.graph_size(g) for g in inferred_graphs(store))


def refresh(store, changed: Iterable[str], profile: Profile | None = None) -> int:
    """Re-derive after the graphs ``changed`` were loaded, replaced or removed; return the statements re-derived.

    Each changed graph's own inferred graph is rebuilt (or dropped when the graph is gone), then
    what depends on the keys of its old and new versions in the cross-source graphs; the other
    sources' inferred graphs are left as they are. A change to the ontology graph rebuilds everything.
    ``profile`` (if given) receives the time and statements of each rule.
    """
    profile = Profile() if profile is None else profile
    changed = sorted({g for g in changed if not is_derived(g)})
    if str(ONTOLOGY_GRAPH) in changed:
        return materialise(store, profile)
    present = set(store.named_graphs())
    keys = _keys(store, changed)  # what the old versions fed
    for graph in changed:
        store.remove_graph(inferred_graph_for(graph))
    with _Axioms(store) as axioms:
        _local(store, axioms, [g for g in changed if g in present], profile)
        for kind, new in _keys(store, changed).items():  # and what the new ones feed
            keys[kind] |= new
        with profile.timed("cross-source (changed keys)"):
            if _paths(store):
                _incremental(store, axioms, keys)
            else:
                kinds = {kind for kind, found in keys.items() if found}
                if "transitive" in kinds:
                    kinds.add("conformity")
                for kind, run in GLOBAL_RULES.items():
                    if kind in kinds:
                        run(store, axioms)
    now = set(store.named_graphs())
    touched = [inferred_graph_for(g) for g in changed] + list(GLOBAL_GRAPHS.values())
    return sum(store.graph_size(g) for g in touched if g in now)
