"""Consistency checks: run every check query of the library and the SHACL shapes, collect findings.

A check is a named query whose header has ``check: <severity>`` (see
:mod:`quyhoach.graph.named_queries`). Each result row becomes a :class:`Finding` with a
message in Vietnamese and English, the entities it is about (with labels), the evidence
quotes of those entities (``prov:wasDerivedFrom`` evidence nodes with ``oa:exact`` and
``oa:hasSource``), and the SPARQL that reproduces exactly that finding.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from quyhoach.errors import UserError
from quyhoach.graph import named_queries as nq

SEVERITIES = ("error", "warning", "info")
FAIL_ON = (*SEVERITIES, "never")
MAX_QUOTES_PER_ENTITY = 3
SHACL_SEVERITY = {"Violation": "error", "Warning": "warning", "Info": "info"}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class EntityRef:
    """An entity a finding is about: IRI, labels and the variable that held it."""

    iri: str
    label_vi: str = ""
    label_en: str = ""
    role: str = ""

    @property
    def label(self) -> str:
        """Best display label."""
        return self.label_vi or self.label_en or nq.short(ox.NamedNode(self.iri))


@dataclass
class Quote:
    """An evidence quote: the exact words, the source document they come from, the entity they support."""

    about: str
    quote: str
    source: str
    source_title: str = ""
    source_url: str = ""
    evidence: str = ""


@dataclass
class Finding:
    """One finding of one check."""

    id: str
    check: str
    severity: str
    message_vi: str
    message_en: str
    entities: list[EntityRef] = field(default_factory=list)
    evidence: list[Quote] = field(default_factory=list)
    sparql: str = ""
    values: dict[str, str] = field(default_factory=dict)
    status: str = ""  # '' | 'new' | 'unchanged' | 'resolved' (with a baseline)

    @property
    def subject(self) -> EntityRef | None:
        """The first entity: what the finding is grouped under."""
        return self.entities[0] if self.entities else None

    def as_dict(self) -> dict:
        """A JSON-serialisable form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        """Rebuild a finding from :meth:`as_dict` output (e.g. a baseline file)."""
        data = dict(data)
        data["entities"] = [EntityRef(**e) for e in data.get("entities", [])]
        data["evidence"] = [Quote(**q) for q in data.get("evidence", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class CheckRun:
    """What one check did: its titles, severity, how many findings, how long, any error."""

    name: str
    title_vi: str
    title_en: str
    severity: str
    question: str = ""
    findings: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    error: str = ""
    sparql: str = ""
    #: Parts of the check timed on their own (the SHACL shapes: one entry per query).
    parts: list[dict] = field(default_factory=list)
    #: Where the results come from, when not all from this run (SHACL: kept results, and of when).
    note: str = ""


@dataclass
class CheckReport:
    """All findings of a ``quyhoach check`` run."""

    store: str
    today: str
    generated: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    checks: list[CheckRun] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    baseline: str = ""
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    def status_counts(self) -> dict[str, int]:
        """Number of new / unchanged / resolved findings (with a baseline)."""
        return {
            "new": sum(1 for f in self.findings if f.status == "new"),
            "unchanged": sum(1 for f in self.findings if f.status == "unchanged"),
            "resolved": len(self.resolved),
        }

    def grouped(self) -> list[tuple[str, list[tuple[CheckRun, list[tuple[EntityRef | None, list[Finding]]]]]]]:
        """Findings grouped by severity, then check, then subject entity (for the templates)."""
        runs = {c.name: c for c in self.checks}
        out = []
        for severity in SEVERITIES:
            of_severity = [f for f in self.findings if f.severity == severity]
            if not of_severity:
                continue
            by_check: dict[str, list[Finding]] = {}
            for finding in of_severity:
                by_check.setdefault(finding.check, []).append(finding)
            checks = []
            for name in sorted(by_check, key=lambda n: (runs[n].title_en if n in runs else n)):
                by_entity: dict[str, tuple[EntityRef | None, list[Finding]]] = {}
                for finding in by_check[name]:
                    subject = finding.subject
                    key = subject.iri if subject else ""
                    by_entity.setdefault(key, (subject, []))[1].append(finding)
                groups = sorted(by_entity.values(), key=lambda g: g[0].label if g[0] else "")
                run = runs.get(name) or CheckRun(name, name, name, severity)
                checks.append((run, groups))
            out.append((severity, checks))
        return out

    def fails(self, fail_on: str) -> bool:
        """Whether a finding at or above ``fail_on`` severity was found."""
        if fail_on == "never":
            return False
        limit = SEVERITIES.index(fail_on)
        return any(SEVERITIES.index(f.severity) <= limit for f in self.findings)

    def as_dict(self) -> dict:
        """A JSON-serialisable form (the ``--format json`` output and a future ``--baseline``)."""
        return {
            "generated": self.generated,
            "store": self.store,
            "today": self.today,
            "seconds": round(self.seconds, 3),
            "baseline": self.baseline,
            "summary": {"by_severity": self.counts(), "by_status": self.status_counts(), "total": len(self.findings)},
            "checks": [asdict(c) for c in self.checks],
            "findings": [f.as_dict() for f in self.findings],
            "resolved": [f.as_dict() for f in self.resolved],
        }


# -- running -----------------------------------------------------------------------------------
def check_queries() -> list[nq.NamedQuery]:
    """The queries of the library that are consistency checks."""
    return [q for q in nq.discover() if q.severity]


def run_checks(
    store,
    params: dict[str, str] | None = None,
    names: Iterable[str] | None = None,
    shacl: bool = True,
    on_progress: Callable[[str], None] | None = None,
    workers: int = 2,
    shacl_engine: str = "sparql",
    full_shacl: bool = False,
) -> CheckReport:
    """Run the check queries (all, or ``names``) and the SHACL shapes over ``store``.

    ``workers`` check queries run at a time on an embedded store (each check's ``seconds`` is
    then its own wall time, shared with the one beside it; ``cpu_seconds`` is the CPU time of the
    thread that ran it, the engine's evaluation included).

    ``shacl_engine``: ``sparql`` (the shapes compiled to queries run in the engine,
    :mod:`quyhoach.graph.shacl_sparql`) or ``pyshacl`` (one pySHACL validation per source graph,
    :mod:`quyhoach.graph.shacl_sources`); both give the same results. With ``sparql`` the kept
    results of unchanged source graphs are used (:mod:`quyhoach.graph.shacl_kept`) unless ``full_shacl``.

    ``params`` are given to every check that declares a parameter of that name (e.g.
    ``today``). A check that fails to run is recorded with its error; the others still run.
    """
    params = params or {}
    started = time.perf_counter()
    today = params.get("today") or date.today().isoformat()
    report = CheckReport(store=str(getattr(store, "path", "")), today=today)
    queries = check_queries()
    if names is not None:
        wanted = set(names)
        queries = [q for q in queries if q.name in wanted]
    # pyoxigraph lets go of the GIL while it evaluates a query, so independent checks run side by
    # side (at most ``workers`` at a time, which also bounds memory); a remote store is asked one
    # query at a time. Results keep the library's order whatever finishes first.
    workers = 1 if getattr(store, "remote", False) else max(1, workers)
    options = nq.dataset(store)  # once for the run: it lists every graph of the store
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_run_one, store, query, params, options) for query in queries]
        for query, future in zip(queries, futures, strict=True):
            run, found = future.result()
            if on_progress:
                on_progress(query.name)
            report.checks.append(run)
            report.findings.extend(found)
    if shacl and (names is None or "shacl" in set(names)):
        if on_progress:
            on_progress("shacl")
        report.checks.append(_run_shacl(store, report.findings, shacl_engine, workers, full_shacl))
    _attach_details(store, report.findings, options)
    report.seconds = time.perf_counter() - started
    return report


def _run_one(store, query: nq.NamedQuery, params: dict[str, str],
             options: dict | None = None) -> tuple[CheckRun, list[Finding]]:
    """Run one check query: what it did and its findings (labels and evidence come later)."""
    findings: list[Finding] = []
    mine = {k: v for k, v in params.items() if any(p.name == k for p in query.params)}
    run = CheckRun(query.name, query.title_vi, query.title_en, query.severity or "info", query.question)
    started, cpu_started = time.perf_counter(), time.thread_time()
    try:
        bindings = nq.bind_params(query, mine)
        run.sparql = nq.inject_values(query.body, bindings)
        result = nq.run_sparql(store, run.sparql, options=options)
    except (UserError, OSError, RuntimeError, ValueError) as exc:
        run.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        run.seconds = time.perf_counter() - started
        run.cpu_seconds = time.thread_time() - cpu_started
        return run, findings
    for row in result.rows:
        findings.append(_finding(query, row, bindings))
        run.findings += 1
    run.seconds = time.perf_counter() - started
    run.cpu_seconds = time.thread_time() - cpu_started
    return run, findings


def _finding(query: nq.NamedQuery, row: dict, bindings: dict) -> Finding:
    severity = query.severity or "info"
    row_severity = row.get("severity")
    if isinstance(row_severity, ox.Literal) and row_severity.value in SEVERITIES:
        severity = row_severity.value
    values = {k: nq.plain(v) for k, v in row.items() if v is not None}
    entity_terms = [(var, row.get(var)) for var in query.entity_vars]
    entities = [EntityRef(t.value, role=var) for var, t in entity_terms if isinstance(t, ox.NamedNode)]
    for var in query.evidence_vars:
        term = row.get(var)
        if isinstance(term, ox.NamedNode) and all(e.iri != term.value for e in entities):
            entities.append(EntityRef(term.value, role=var))
    key_terms = [t for _, t in entity_terms if t is not None] or [v for v in row.values() if v is not None]
    key = query.name + "|" + "|".join(str(t) for t in key_terms)
    ident = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    repro = dict(bindings)
    for var, term in entity_terms:
        if term is not None and not isinstance(term, ox.BlankNode):
            repro[var] = term
    return Finding(
        id=ident,
        check=query.name,
        severity=severity,
        message_vi=fill(query.fields.get("message@vi", query.title_vi), row),
        message_en=fill(query.fields.get("message@en", query.title_en), row),
        entities=entities,
        sparql=nq.inject_values(query.body, repro),
        values=values,
    )


def fill(template: str, row: dict) -> str:
    """Replace ``{var}`` placeholders by the row's values (``—`` when unbound)."""

    def value(match: re.Match) -> str:
        term = row.get(match.group(1))
        return "—" if term is None else nq.plain(term)

    return _PLACEHOLDER.sub(value, template)


# -- SHACL ---------------------------------------------------------------------------------------
#: The SHACL engines of :func:`run_checks`.
SHACL_ENGINES = ("sparql", "pyshacl")


def _run_shacl(store, findings: list[Finding], engine: str = "sparql", workers: int = 2,
               full_shacl: bool = False) -> CheckRun:
    """Run the shapes (after the check queries: ``cpu_seconds`` is the process's CPU time, every worker thread's).

    Engine ``sparql`` reads the kept results of unchanged source graphs (:mod:`quyhoach.graph.shacl_kept`)
    unless ``full_shacl``; ``run.note`` says where the results come from.
    """
    run = CheckRun("shacl", "Ràng buộc SHACL", "SHACL shapes", "error",
                   "Does the extracted data satisfy the shapes of ontology/shapes.ttl?")
    started, cpu_started = time.perf_counter(), time.process_time()
    if engine == "sparql" and not getattr(store, "runs_compiled_shapes", True):
        engine = "pyshacl"
    try:
        if engine == "pyshacl":
            from quyhoach.graph.shacl_sources import validate_sources

            results, _validated = validate_sources(store)
        else:
            from quyhoach.graph import shacl_kept

            outcome = shacl_kept.validate(store, workers=workers, full=full_shacl)
            results, run.parts, run.note = outcome.results, outcome.parts, outcome.note()
    except Exception as exc:  # a validator failure must not stop the other checks
        run.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        run.seconds = time.perf_counter() - started
        run.cpu_seconds = time.process_time() - cpu_started
        return run
    for r in results:
        severity = SHACL_SEVERITY.get(r.severity, "error")
        shape = nq.short(ox.NamedNode(r.shape)) if r.shape.startswith("http") else r.shape
        path = f" <{r.path}>" if r.path and r.path.startswith("http") else ""
        key = f"shacl|{r.shape}|{r.focus_node}|{r.path}|{r.constraint}|{r.value}"
        focus = r.focus_node
        sparql = (
            f"SELECT ?value WHERE {{ <{focus}>{path} ?value }}" if path and focus.startswith("http")
            else f"DESCRIBE <{focus}>" if focus.startswith("http") else ""
        )
        entities = [EntityRef(focus, role="focus")] if focus.startswith("http") else []
        findings.append(
            Finding(
                id=hashlib.sha1(key.encode("utf-8")).hexdigest()[:16],
                check="shacl",
                severity=severity,
                message_vi=f"{r.message_vi} ({shape})",
                message_en=f"{r.message_en} ({shape})",
                entities=entities,
                sparql=sparql,
                values={k: v for k, v in {"shape": r.shape, "path": r.path, "value": r.value}.items() if v},
            )
        )
        run.findings += 1
    run.seconds = time.perf_counter() - started
    run.cpu_seconds = time.process_time() - cpu_started
    return run


# -- labels and evidence ---------------------------------------------------------------------------
_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?e ?label WHERE {
  ?e rdfs:label|eli:id_local|dcterms:title ?label .
}
"""

# Evidence of an entity directly, and of the reified statements about it: two queries of plain
# patterns from the bound entity IRIs, every OPTIONAL after the required patterns (a UNION of the
# two, or an OPTIONAL between required patterns, splits the query into groups that are evaluated
# over the whole store and joined with the IRIs afterwards: 40 s for 500 IRIs at 1 M quads).
_EVIDENCE_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX qh: <https://w3id.org/quyhoach/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?e ?ev ?quote ?source ?title ?url ?file ?object WHERE {
"""
_EVIDENCE_SOURCE = """
  ?ev oa:hasSource ?source ; oa:hasSelector ?sel .
  ?sel oa:exact ?quote .
"""
_EVIDENCE_TITLES = """
  OPTIONAL { ?source dcterms:title ?title }
  OPTIONAL { ?source dcterms:source ?url }
  OPTIONAL { ?source qh:fileName ?file }
}
"""
_EVIDENCE = (
    _EVIDENCE_PREFIXES + "  ?e prov:wasDerivedFrom ?ev ." + _EVIDENCE_SOURCE + _EVIDENCE_TITLES,
    _EVIDENCE_PREFIXES + "  ?st rdf:subject ?e ; prov:wasDerivedFrom ?ev ." + _EVIDENCE_SOURCE
    + "  OPTIONAL { ?st rdf:object ?object }" + _EVIDENCE_TITLES,
)


def _rows_for(store, query: str, iris: list[str], batch: int = 500, options: dict | None = None):
    """The rows of ``query`` with ``VALUES ?e`` bound to ``iris``, a batch at a time.

    Batches, because Virtuoso refuses a ``VALUES`` block of several thousand terms ("Too many
    arguments for standard built-in function", 7 600 findings at 10 M quads).
    """
    for i in range(0, len(iris), batch):
        values = " ".join(str(ox.NamedNode(iri)) for iri in iris[i:i + batch])
        yield from nq.run_sparql(store, query.replace("WHERE {", f"WHERE {{ VALUES ?e {{ {values} }}", 1),
                                 options=options).rows


def _attach_details(store, findings: list[Finding], options: dict | None = None) -> None:
    """Fill entity labels and evidence quotes for every finding (two queries for all of them)."""
    iris = sorted({e.iri for f in findings for e in f.entities})
    if not iris:
        return
    labels: dict[str, dict[str, str]] = {}
    for row in _rows_for(store, _LABELS, iris, options=options):
        term = row["label"]
        lang = term.language or "" if isinstance(term, ox.Literal) else ""
        slot = labels.setdefault(row["e"].value, {})
        slot.setdefault(lang or "plain", term.value)
    quotes: dict[str, list[tuple[str, Quote]]] = {}
    rows = [row for query in _EVIDENCE for row in _rows_for(store, query, iris, options=options)]
    for row in _unique(rows):
        source = row["source"].value
        quote = Quote(
            about=row["e"].value,
            quote=row["quote"].value,
            source=source,
            source_title=nq.plain(row["title"]) or nq.plain(row["file"]),
            source_url=nq.plain(row["url"]),
            evidence=row["ev"].value,
        )
        obj = nq.plain(row["object"]) if row["object"] is not None else ""
        quotes.setdefault(quote.about, []).append((obj, quote))
    for finding in findings:
        for entity in finding.entities:
            found = labels.get(entity.iri, {})
            entity.label_vi = found.get("vi") or found.get("plain", "")
            entity.label_en = found.get("en", "")
        finding.evidence = _pick_quotes(finding, quotes)


def _unique(rows: list[dict]) -> list[dict]:
    """The rows once each, in order (the two evidence queries can both find a statement)."""
    seen: set[tuple] = set()
    out = []
    for row in rows:
        key = tuple(str(v) for v in row.values())
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _pick_quotes(finding: Finding, quotes: dict[str, list[tuple[str, Quote]]]) -> list[Quote]:
    """Quotes for the finding's entities, preferring statements whose value appears in the finding."""
    shown = set(finding.values.values())
    picked: list[Quote] = []
    for entity in finding.entities:
        candidates = quotes.get(entity.iri, [])
        ranked = sorted(candidates, key=lambda oq: (oq[0] not in shown or oq[0] == "", len(oq[1].quote),
                                                     oq[1].quote, oq[1].source, oq[1].evidence))
        seen: set[tuple[str, str]] = set()
        for _, quote in ranked:
            key = (quote.quote, quote.source)
            if key in seen:
                continue
            seen.add(key)
            picked.append(quote)
            if len(seen) >= MAX_QUOTES_PER_ENTITY:
                break
    return picked


# -- baseline ----------------------------------------------------------------------------------------
def apply_baseline(report: CheckReport, path: Path) -> None:
    """Mark findings new or unchanged against an earlier JSON report; list resolved ones."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        previous = [Finding.from_dict(f) for f in old.get("findings", [])]
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise UserError(f"cannot read baseline {path}: {exc}") from exc
    old_ids = {f.id for f in previous}
    new_ids = {f.id for f in report.findings}
    for finding in report.findings:
        finding.status = "unchanged" if finding.id in old_ids else "new"
    report.resolved = [f for f in previous if f.id not in new_ids]
    for finding in report.resolved:
        finding.status = "resolved"
    report.baseline = str(path)
