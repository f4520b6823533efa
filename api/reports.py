"""``/reports/latest``: the findings of the last saved ``quyhoach check``, by check and by entity.

``quyhoach check`` (with ``--save``, the default) replaces the findings graph
``https://w3id.org/quyhoach/graph/findings`` with its run (vocabulary: ``ontology/findings.ttl``).
The pages read that graph through the worker pool, so they always show what the store holds,
never a stale file. Entity pages use :func:`findings_about` for their badges.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from quyhoach.api.negotiation import parse_accept
from quyhoach.api.state import AppState, get_state
from quyhoach.api.views import editor_link, render
from quyhoach.namespaces import DCTERMS, FINDINGS_GRAPH, ID, OA, PROV, QH

router = APIRouter(tags=["Reports"])

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ELI_ID_LOCAL = "http://data.europa.eu/eli/ontology#id_local"
SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": ("lỗi", "error"), "warning": ("cảnh báo", "warning"), "info": ("thông tin", "info")}
#: Most findings a report page reads from the store.
MAX_FINDINGS = 5000
#: Findings shown on one HTML page of a report (its counts are always those of the whole report).
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
#: Rendered report pages a read-only server keeps per serving process: at most this many, of
#: at most :data:`CACHED_PAGE_BYTES` together, least recently used dropped first.
CACHED_PAGES = 64
CACHED_PAGE_BYTES = 32 * 1024 * 1024
_IRI_OK = re.compile(r"^[^<>\"{}|^`\\\x00-\x20]+$")
_CHECK_OK = re.compile(r"^[\w.-]+$")

F = f"<{FINDINGS_GRAPH}>"

RUN_QUERY = f"""
SELECT ?run ?started ?today ?count WHERE {{ GRAPH {F} {{
  ?run a <{QH.CheckRun}> .
  OPTIONAL {{ ?run <{PROV.startedAtTime}> ?started }}
  OPTIONAL {{ ?run <{QH.referenceDate}> ?today }}
  OPTIONAL {{ ?run <{QH.findingCount}> ?count }}
}} }} ORDER BY DESC(?started) LIMIT 1
"""

CHECKS_QUERY = f"""
SELECT ?check ?vi ?en ?question WHERE {{ GRAPH {F} {{
  ?check a <{QH.ConsistencyCheck}> .
  OPTIONAL {{ ?check <{RDFS_LABEL}> ?vi FILTER(LANGMATCHES(LANG(?vi), "vi")) }}
  OPTIONAL {{ ?check <{RDFS_LABEL}> ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
  OPTIONAL {{ ?check <{DCTERMS.description}> ?question }}
}} }}
"""


def _findings_query(where: str = "") -> str:
    return f"""
SELECT ?finding ?key ?check ?severity ?status ?sparql
       (SAMPLE(?mvi) AS ?message_vi) (SAMPLE(?men) AS ?message_en) WHERE {{ GRAPH {F} {{
  ?finding a <{QH.Finding}> ; <{QH.findingKey}> ?key ; <{QH.check}> ?check ; <{QH.severity}> ?severity .
  {where}
  OPTIONAL {{ ?finding <{QH.findingStatus}> ?status }}
  OPTIONAL {{ ?finding <{QH.reproducingQuery}> ?sparql }}
  OPTIONAL {{ ?finding <{QH.message}> ?mvi FILTER(LANGMATCHES(LANG(?mvi), "vi")) }}
  OPTIONAL {{ ?finding <{QH.message}> ?men FILTER(LANGMATCHES(LANG(?men), "en")) }}
}} }} GROUP BY ?finding ?key ?check ?severity ?status ?sparql
"""


# The findings graph links to the data's entities and evidence nodes without describing them
# (graph/report.py: it stays union-safe), so their labels, quotes and titles come from the data.
# The optional parts are LATERAL: looked up for each finding's row, not joined over every
# selector of the store (without it the evidence query read all selectors: 0.93 s at 1 M quads).
CONCERNS_QUERY = f"""
SELECT ?finding ?entity (SAMPLE(COALESCE(?lv, ?id, ?t, ?l)) AS ?label) WHERE {{
  GRAPH {F} {{ ?finding a <{QH.Finding}> ; <{QH.concerns}> ?entity . }}
  OPTIONAL {{ ?entity <{RDFS_LABEL}> ?lv FILTER(LANGMATCHES(LANG(?lv), "vi")) }}
  OPTIONAL {{ ?entity <{ELI_ID_LOCAL}> ?id }}
  OPTIONAL {{ ?entity <{DCTERMS.title}> ?t }}
  OPTIONAL {{ ?entity <{RDFS_LABEL}> ?l }}
}} GROUP BY ?finding ?entity
"""

EVIDENCE_QUERY = f"""
SELECT ?finding ?evidence ?source ?exact (SAMPLE(COALESCE(?t, ?fn)) AS ?title) (SAMPLE(?h) AS ?sha)
       (SAMPLE(?s) AS ?start) (SAMPLE(?e) AS ?end) WHERE {{
  GRAPH {F} {{ ?finding a <{QH.Finding}> ; <{QH.hasEvidence}> ?evidence . }}
  ?evidence <{OA.hasSource}> ?source ; <{OA.hasSelector}> ?quote .
  ?quote <{OA.exact}> ?exact .
  LATERAL {{ OPTIONAL {{ ?source <{DCTERMS.title}> ?t }} }}
  LATERAL {{ OPTIONAL {{ ?source <{QH.fileName}> ?fn }} }}
  LATERAL {{ OPTIONAL {{ ?source <{QH.sha256}> ?h }} }}
  LATERAL {{ OPTIONAL {{ ?evidence <{OA.hasSelector}> ?pos . ?pos <{OA.start}> ?s ; <{OA.end}> ?e }} }}
}} GROUP BY ?finding ?evidence ?source ?exact
"""


@dataclass
class Entity:
    """An entity a finding concerns."""

    iri: str
    label: str


@dataclass
class Evidence:
    """An evidence quote of a finding, linked into the source view."""

    quote: str
    source: str
    title: str
    link: str


@dataclass
class Finding:
    """One finding of the last run."""

    iri: str
    key: str
    check: str
    severity: str
    message_vi: str
    message_en: str
    status: str = ""
    sparql: str = ""
    entities: list[Entity] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """Fragment id of the finding on the report page."""
        return "finding-" + self.key

    def as_dict(self) -> dict:
        """JSON form."""
        return {
            "iri": self.iri, "key": self.key, "check": self.check, "severity": self.severity,
            "message": {"vi": self.message_vi, "en": self.message_en}, "status": self.status or None,
            "entities": [{"iri": e.iri, "label": e.label} for e in self.entities],
            "evidence": [{"quote": q.quote, "source": q.source, "title": q.title, "link": q.link} for q in self.evidence],
            "sparql": self.sparql or None,
        }


@dataclass
class Check:
    """A check of the last run and its findings."""

    name: str
    title_vi: str
    title_en: str
    question: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """Fragment id of the check's section."""
        return "check-" + self.name

    def counts(self) -> dict[str, int]:
        """Findings by severity."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}


@dataclass
class Report:
    """The last saved run."""

    run: str | None
    started: str = ""
    today: str = ""
    checks: list[Check] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    truncated: bool = False
    _about: dict[str, list[Finding]] | None = field(default=None, init=False, repr=False, compare=False)

    def counts(self) -> dict[str, int]:
        """Findings by severity."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    def about(self, iri: str) -> list[Finding]:
        """The findings that concern ``iri``, by severity then key (an index built on first use)."""
        if self._about is None:
            about: dict[str, list[Finding]] = {}
            for finding in self.findings:
                for entity_iri in dict.fromkeys(e.iri for e in finding.entities):
                    about.setdefault(entity_iri, []).append(finding)
            for found in about.values():
                found.sort(key=lambda f: (SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9, f.key))
            self._about = about
        return self._about.get(iri, [])

    def by_entity(self) -> list[tuple[Entity, list[Finding]]]:
        """Entities with their findings, most findings first."""
        groups: dict[str, tuple[Entity, list[Finding]]] = {}
        for finding in self.findings:
            for entity in finding.entities:
                groups.setdefault(entity.iri, (entity, []))[1].append(finding)
        return sorted(groups.values(), key=lambda g: (-len(g[1]), g[0].label.lower()))


def _local(iri: str, kind: str) -> str:
    prefix = f"{ID}{kind}/"
    return iri[len(prefix):] if iri.startswith(prefix) else iri


def source_link(sha: str | None, start: str | None, end: str | None) -> str:
    """The source view of a quote (highlighted when its position is known)."""
    if not sha:
        return ""
    if start is None or end is None:
        return f"/source/{sha}"
    return f"/source/{sha}?{urlencode({'start': start, 'end': end})}#focus"


def _v(term) -> str:
    return term.value if term is not None else ""


async def load_report(state: AppState, where: str = "") -> Report:
    """Read the last run from the findings graph (``where``: an extra pattern on ``?finding``)."""
    ex = state.executor
    runs = await ex.rows(RUN_QUERY, max_rows=1)
    if not runs.rows:
        return Report(run=None)
    run, started, today, _count = runs.rows[0]
    report = Report(run=_v(run), started=_v(started), today=_v(today))
    rows = await ex.rows(_findings_query(where) + " ORDER BY ?check ?key", max_rows=MAX_FINDINGS)
    report.truncated = rows.truncated
    by_iri: dict[str, Finding] = {}
    for finding, key, check, severity, status, sparql, mvi, men in rows.rows:
        if finding is None:
            continue
        item = Finding(
            iri=finding.value, key=_v(key), check=_local(_v(check), "check"),
            severity=_local(_v(severity), "severity"), message_vi=_v(mvi), message_en=_v(men),
            status=_v(status), sparql=_v(sparql),
        )
        by_iri[item.iri] = item
    if by_iri:
        for finding, entity, label in (await ex.rows(CONCERNS_QUERY, max_rows=MAX_FINDINGS * 10)).rows:
            if finding is not None and entity is not None and finding.value in by_iri:
                by_iri[finding.value].entities.append(Entity(entity.value, _v(label) or entity.value))
        for finding, _ev, source, exact, title, sha, start, end in (
            await ex.rows(EVIDENCE_QUERY, max_rows=MAX_FINDINGS * 10)
        ).rows:
            if finding is not None and finding.value in by_iri:
                by_iri[finding.value].evidence.append(Evidence(
                    quote=_v(exact), source=_v(source), title=_v(title) or _v(source),
                    link=source_link(_v(sha) or None, _v(start) or None, _v(end) or None),
                ))
    report.findings = sorted(by_iri.values(), key=lambda f: (SEVERITIES.index(f.severity)
                                                              if f.severity in SEVERITIES else 9, f.check, f.key))
    checks: dict[str, Check] = {}
    for check, vi, en, question in (await ex.rows(CHECKS_QUERY, max_rows=1000)).rows:
        if check is not None:
            name = _local(check.value, "check")
            checks[name] = Check(name, _v(vi) or name, _v(en) or name, _v(question))
    for finding in report.findings:
        checks.setdefault(finding.check, Check(finding.check, finding.check, finding.check)).findings.append(finding)
    report.checks = sorted(checks.values(), key=lambda c: (-len(c.findings), c.name))
    return report


#: Reports (one per filter) a read-only server keeps in memory, least recently used dropped first.
CACHED_REPORTS = 16


async def cached_report(state: AppState, where: str = "") -> Report:
    """:func:`load_report`, kept per filter when the store is read-only (no token: it never changes
    while served); at most :data:`CACHED_REPORTS` reports, each of at most :data:`MAX_FINDINGS` findings."""
    if state.settings.token:
        return await load_report(state, where)
    cache: OrderedDict[str, Report] = state.reports
    if where in cache:
        cache.move_to_end(where)
        return cache[where]
    report = cache[where] = await load_report(state, where)
    while len(cache) > CACHED_REPORTS:
        cache.popitem(last=False)
    return report


async def filtered_report(state: AppState, where: str, check: str | None, entity: str | None,
                          severity: str | None) -> Report:
    """The report for one filter. On a read-only server the whole report is read once and every
    filter is taken from it in memory (it holds at most :data:`MAX_FINDINGS` findings); with a
    token, or when the whole report was truncated, the filter (``where``) goes into the queries."""
    if not state.settings.token and (check or entity or severity):
        whole = await cached_report(state, "")
        if not whole.truncated:
            def keep(f: Finding) -> bool:
                return ((not check or f.check == check) and (not severity or f.severity == severity)
                        and (not entity or any(e.iri == entity for e in f.entities)))

            return replace(whole, findings=[f for f in whole.findings if keep(f)],
                           checks=[replace(c, findings=[f for f in c.findings if keep(f)]) for c in whole.checks])
    return await cached_report(state, where)


async def findings_about(state: AppState, iri: str, limit: int = 50) -> list[Finding]:
    """Findings of the last run that concern ``iri`` (for the badges of entity pages).

    A read-only store without saved findings is asked once, not on every page; one with saved
    findings answers from the whole report it keeps (:func:`cached_report`, read once), unless
    that was truncated.
    """
    if not state.settings.token:
        if state.has_findings is None:
            state.has_findings = (await state.executor.rows(f"ASK {{ GRAPH {F} {{ ?f a <{QH.Finding}> }} }}")).boolean
        if not state.has_findings:
            return []
        whole = await cached_report(state, "")
        if not whole.truncated:
            return whole.about(iri)[:limit]
    query = _findings_query(f"?finding <{QH.concerns}> <{iri}> .") + " ORDER BY ?severity ?key"
    rows = await state.executor.rows(query, max_rows=limit)
    out = [
        Finding(iri=f.value, key=_v(key), check=_local(_v(check), "check"), severity=_local(_v(sev), "severity"),
                message_vi=_v(mvi), message_en=_v(men), status=_v(status))
        for f, key, check, sev, status, _sparql, mvi, men in rows.rows
        if f is not None
    ]
    return sorted(out, key=lambda f: SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9)


@dataclass
class Section:
    """A group of a report page (a check, or an entity and its findings): the group's findings on
    this page (``shown``), all of them (``findings``, for the exact count) and its place."""

    head: object
    findings: list[Finding]
    shown: list[Finding]
    #: Position of the group among all groups (1-based: the ``entity-N`` anchors).
    number: int
    #: Position of the first shown finding within the group (0-based).
    first: int


@dataclass
class Paged:
    """One page of a report's groups."""

    page: int
    pages: int
    sections: list[Section]
    #: The page on which each group starts, in group order (for the summary table's links).
    starts: list[int]


def paginate(groups: list[tuple[object, list[Finding]]], page: int, size: int = PAGE_SIZE) -> Paged:
    """Page ``groups`` (in order, each with its findings) into pages of ``size`` findings.

    A group split over pages is shown on each with the findings that fall there; a group without
    findings stays on the page of the findings before it. ``page`` past the last: no sections.
    """
    total = sum(len(fs) for _, fs in groups)
    pages = max(1, math.ceil(total / size))
    low, high = (page - 1) * size, page * size
    sections, starts, offset = [], [], 0
    for number, (head, findings) in enumerate(groups, 1):
        start = offset // size + 1 if findings else max(1, math.ceil(offset / size))
        starts.append(min(start, pages))
        shown = findings[max(0, low - offset):max(0, high - offset)]
        if shown or (not findings and start == page):
            sections.append(Section(head, findings, shown, number, max(0, low - offset)))
        offset += len(findings)
    return Paged(page, pages, sections, starts)


def _cached_page(state: AppState, key: tuple) -> Response | None:
    """A rendered report page of a read-only server, if kept (:data:`CACHED_PAGES`)."""
    if state.settings.token:
        return None
    kept = state.report_pages.get(key)
    if kept is None:
        return None
    state.report_pages.move_to_end(key)
    body, media_type = kept
    return Response(body, media_type=media_type)


def _keep_page(state: AppState, key: tuple, response: Response) -> Response:
    """Keep a successful rendered page of a read-only server (bounded by count and bytes)."""
    if state.settings.token or response.status_code != 200 or len(response.body) > CACHED_PAGE_BYTES // 4:
        return response
    cache: OrderedDict = state.report_pages
    cache[key] = (response.body, response.media_type)
    while len(cache) > CACHED_PAGES or sum(len(body) for body, _ in cache.values()) > CACHED_PAGE_BYTES:
        cache.popitem(last=False)
    return response


def report_link(finding: Finding, entity: str | None = None) -> str:
    """The report section of a finding (filtered to ``entity`` when given)."""
    query = {"entity": entity} if entity else {"check": finding.check}
    return f"/reports/latest?{urlencode(query)}#{finding.anchor}"


def _wants_json(request: Request, fmt: str | None) -> bool:
    if fmt:
        return fmt == "json"
    accepted = parse_accept(request.headers.get("accept"))
    return bool(accepted) and accepted[0][0] in ("application/json", "application/*")


@router.get("/reports/latest", summary="The latest consistency report (quyhoach check), by check or by entity",
            response_class=Response)
async def latest_report(
    request: Request,
    by: str = Query("check", pattern="^(check|entity)$", description="Group findings by check or by entity"),
    check: str | None = Query(None, max_length=200, description="Only this check, e.g. overdue-deadlines"),
    entity: str | None = Query(None, max_length=2000, description="Only findings that concern this IRI"),
    severity: str | None = Query(None, pattern="^(error|warning|info)$"),
    page: int = Query(1, ge=1, le=100_000, description="Page of the HTML report"),
    size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Findings per HTML page"),
    format: str | None = Query(None, pattern="^(json|html)$"),
) -> Response:
    """HTML, a page of findings at a time (the counts are the whole report's); the whole report as
    JSON with ``Accept: application/json`` or ``format=json``. A read-only server keeps the
    rendered pages (:data:`CACHED_PAGES`)."""
    state = get_state(request)
    where = []
    if check:
        if not _CHECK_OK.match(check):
            raise HTTPException(400, "not a check name")
        where.append(f"?finding <{QH.check}> <{ID}check/{check}> .")
    if entity:
        from quyhoach.api.entity import checked_iri

        entity = checked_iri(entity)
        where.append(f"?finding <{QH.concerns}> <{entity}> .")
    if severity:
        where.append(f"?finding <{QH.severity}> <{ID}severity/{severity}> .")
    wants_json = _wants_json(request, format)
    key = (by, check, entity, severity, 0 if wants_json else (page, size), wants_json, state.index is not None)
    if (kept := _cached_page(state, key)) is not None:
        return kept
    report = await filtered_report(state, " ".join(where), check, entity, severity)
    if check or entity or severity:  # show only the checks that have findings left
        report = replace(report, checks=[c for c in report.checks if c.findings])
    if wants_json:
        if report.run is None:
            return JSONResponse({"run": None, "message": "no saved check run: run `quyhoach check`"}, status_code=404)
        return _keep_page(state, key, JSONResponse({
            "run": report.run, "started": report.started, "referenceDate": report.today,
            "counts": report.counts(), "truncated": report.truncated,
            "checks": [{"name": c.name, "title": {"vi": c.title_vi, "en": c.title_en}, "counts": c.counts()}
                       for c in report.checks],
            "findings": [f.as_dict() for f in report.findings],
        }))
    entity_label = None
    if entity:
        entry = state.index.entries.get(entity) if state.index else None
        entity_label = entry.label if entry else entity
    groups = report.by_entity() if by == "entity" else [(c, c.findings) for c in report.checks]
    paged = paginate(groups, page, size)
    if page > paged.pages:
        raise HTTPException(404, f"no page {page}: this report has {paged.pages} page(s)")

    def page_href(number: int, anchor: str = "") -> str:
        """This report (same grouping and filter) at page ``number``, at ``anchor``."""
        query = {k: v for k, v in (("by", by), ("check", check), ("entity", entity), ("severity", severity)) if v}
        if size != PAGE_SIZE:
            query["size"] = size
        if number > 1:
            query["page"] = number
        return f"/reports/latest?{urlencode(query)}" + (f"#{anchor}" if anchor else "")

    return _keep_page(state, key, render(request, "report.html", {
        "report": report, "by": by, "check": check, "entity": entity, "entity_label": entity_label,
        "severity": severity, "severity_labels": SEVERITY_LABELS, "severities": SEVERITIES,
        "editor_link": editor_link, "filtered": bool(check or entity or severity),
        "urlencode": urlencode, "groups": groups, "paged": paged, "page_href": page_href,
    }))
