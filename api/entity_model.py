"""What an entity page and a source view show, gathered with bounded queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from quyhoach.api.execute import Rows
from quyhoach.api.state import AppState
from quyhoach.api.svgmap import Place, SvgMap, layout, parse_point
from quyhoach.api.terms import Term
from quyhoach.namespaces import DCTERMS, GEO, ID, OA, ORG, PROV, QH, SKOS

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PAGE_SIZE = 20  # links per property on the entity page
GROUP_PAGE_SIZE = 100  # links per page when one property is paged

#: Facts shown first, in this order; the rest follow by property label.
FACT_ORDER = [
    str(SKOS.altLabel), str(QH.unitKind), str(QH.unitCode), str(QH.abbreviation), "http://data.europa.eu/eli/ontology#id_local",
    str(QH.typeCode), str(QH.issuerCode), str(QH.documentNumber), str(QH.documentYear),
    "http://data.europa.eu/eli/ontology#date_document", str(QH.validFrom), str(QH.validUntil),
    str(QH.periodStart), str(QH.periodEnd), str(QH.visionYear), str(QH.value), str(QH.minValue),
    str(QH.maxValue), str(QH.comparator), str(QH.measureUnit), str(QH.targetYear), str(QH.totalAmount),
    str(QH.amount), str(QH.share), str(QH.currency), str(QH.routeNumber), str(QH.position), str(QH.changeDate),
    str(QH.taskText), str(QH.deadline), str(QH.recurrence), str(QH.meetingDate), str(QH.ordinal),
    str(DCTERMS.title), str(DCTERMS.publisher), str(DCTERMS.date), str(QH.sourceKind), str(QH.fileName),
    str(QH.sha256), str(RDFS + "comment"),
]
#: Properties not listed among facts or links (shown elsewhere on the page, or plumbing).
HIDDEN = {RDF + "type", RDFS + "label", str(QH.text), str(PROV.wasDerivedFrom), str(SKOS.hiddenLabel), str(GEO.hasGeometry)}
HIDDEN_INCOMING = {RDF + "subject", RDF + "object", str(QH.concerns)}  # findings: shown as badges


@dataclass
class Value:
    """One object (or subject) on the page, with the label to show."""

    term: Term
    label: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Evidence:
    """Where a fact was read: the quote and its place in the source text."""

    iri: str
    quote: str
    source: str
    sha: str | None
    start: int | None
    end: int | None

    @property
    def link(self) -> str:
        """The source view with this quote highlighted (or the evidence's own page)."""
        from quyhoach.api.entity import source_link
        from quyhoach.api.views import href

        return source_link(self.sha, self.start, self.end) if self.sha else href(self.iri)


@dataclass
class Group:
    """The values of one property in one direction, one page of them."""

    prop: str
    prop_label: str
    direction: str  # 'out' | 'in'
    count: int
    values: list[Value] = field(default_factory=list)
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """Number of pages at this group's page size."""
        return max(1, -(-self.count // self.page_size))


@dataclass
class TimelineItem:
    """A predecessor or successor, with the change event when one is recorded."""

    relation: str  # 'predecessor' | 'successor'
    other: Value
    date: str | None = None
    kind: str | None = None
    event: str | None = None


@dataclass
class EntityPage:
    """Everything ``entity.html`` shows."""

    iri: str
    label_vi: str | None
    label_en: str | None
    types: list[Value]
    facts: list[Group]
    links: list[Group]
    incoming: list[Group]
    blank: dict[str, list[tuple[str, Value]]]
    evidence: list[Evidence]
    timeline: list[TimelineItem]
    map: SvgMap | None
    source_sha: str | None

    @property
    def title(self) -> str:
        """The heading: Vietnamese label, else English, else the IRI."""
        return self.label_vi or self.label_en or self.iri


def _vocab_label(state: AppState, iri: str) -> str:
    from quyhoach.api.views import short

    vi, en = state.vocabulary.get(iri, (None, None))
    return en or vi or short(iri)


def _label(state: AppState, term: Term) -> str:
    if term.kind != "iri":
        return term.value
    entry = state.index.entries.get(term.value) if state.index else None
    if entry:
        return entry.label
    if term.value in state.vocabulary:
        return _vocab_label(state, term.value)
    from quyhoach.api.views import short

    return short(term.value)


def _value(state: AppState, term: Term) -> Value:
    return Value(term, _label(state, term))


def _sha_of(source: str) -> str | None:
    prefix = str(ID["source/"])
    return source[len(prefix):] if source.startswith(prefix) else None


async def _rows(state: AppState, query: str, cap: int = 5000) -> Rows:
    return await state.executor.rows(query, max_rows=cap)


#: Up to this many (property, value) pairs in one direction, one query gives the counts and the
#: first page of every property of that direction; past it, counts first, then one query per property.
ONE_QUERY_LINKS = 400
RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"


def _links_query(iri: str, direction: str) -> str:
    pattern = f"<{iri}> ?p ?v" if direction == "out" else f"?v ?p <{iri}>"
    return f"SELECT DISTINCT ?p ?v WHERE {{ {pattern} }}"


def _counted(rows: Rows) -> list[tuple[str, int, int]]:
    """``(property, values, literal values)`` from every distinct (property, value) pair of one direction."""
    counts: dict[str, list[int]] = {}
    for p, v in rows.rows:
        if p is not None and v is not None:
            n = counts.setdefault(p.value, [0, 0])
            n[0] += 1
            n[1] += v.is_literal
    return [(p, n, lits) for p, (n, lits) in counts.items()]


def _counts_of(rows: Rows, literals: bool) -> list[tuple[str, int, int]]:
    """``(property, values, literal values)`` from a ``GROUP BY ?p`` count query."""
    out = []
    for row in rows.rows:
        p, n = row[0], row[1]
        if p is None or n is None:
            continue
        lits = row[2] if literals and len(row) > 2 else None
        out.append((p.value, int(n.value), int(lits.value) if lits is not None else 0))
    return out


async def build_page(state: AppState, iri: str) -> EntityPage | None:
    """Gather the page of ``iri``; ``None`` if the store knows nothing about it.

    Two batched round trips for most entities: every distinct (property, value) pair in each
    direction (up to :data:`ONE_QUERY_LINKS`, which gives exact counts, labels, types and the
    first values of every group); then those of evidence, blank nodes, timeline and map whose
    query can match (:func:`_sections`). A direction with more links is counted in another
    round and its groups read one property at a time in one more. Every query starts from the
    entity's IRI.
    """
    out_all, in_all = await state.executor.rows_many([
        (_links_query(iri, "out"), ONE_QUERY_LINKS), (_links_query(iri, "in"), ONE_QUERY_LINKS)])
    if not out_all.rows and not in_all.rows:
        return None
    provenance, blank_rows, timeline_rows, map_rows = await _sections(state, iri, out_all, in_all)
    if state.index is not None:  # the labels of the values shown, in one look-up
        state.index.entries.prefetch(_shown_iris(out_all, in_all, timeline_rows, map_rows))
    out_counts = None if out_all.truncated else _counted(out_all)
    in_counts = None if in_all.truncated else _counted(in_all)
    labels = [v for p, v in out_all.rows if p is not None and v is not None and p.value == RDFS_LABEL]
    type_terms = [v for p, v in out_all.rows if p is not None and v is not None and p.value == RDF_TYPE]
    if out_all.truncated or in_all.truncated:  # a big entity: count first
        queries = []
        if out_all.truncated:
            queries += [(f"""SELECT ?p (COUNT(DISTINCT ?o) AS ?n) (SUM(IF(isLiteral(?o), 1, 0)) AS ?lits)
                 WHERE {{ <{iri}> ?p ?o }} GROUP BY ?p""", 5000),
                        (f"SELECT ?l WHERE {{ <{iri}> <{RDFS_LABEL}> ?l }}", 5000),
                        (f"SELECT DISTINCT ?t WHERE {{ <{iri}> a ?t }}", 5000)]
        if in_all.truncated:
            queries.append((f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p <{iri}> }} GROUP BY ?p", 5000))
        answers = list(await state.executor.rows_many(queries))
        if out_all.truncated:
            out_counts = _counts_of(answers.pop(0), literals=True)
            labels = [t for (t,) in answers.pop(0).rows if t is not None]
            type_terms = [t for (t,) in answers.pop(0).rows if t is not None]
        if in_all.truncated:
            in_counts = _counts_of(answers.pop(0), literals=False)
    label_vi = next((t.value for t in labels if t.lang == "vi"), None)
    label_en = next((t.value for t in labels if t.lang and t.lang.startswith("en")), None)
    if not label_vi and not label_en:
        label_vi = next((t.value for t in labels), None)
    types = [_value(state, t) for t in dict.fromkeys(type_terms)]
    for v in types:
        v.label = _vocab_label(state, v.term.value) if v.term.is_iri else v.label
    evidence_all, fact_evidence = _provenance(provenance)
    facts: list[Group] = []
    links: list[Group] = []
    out_values, in_values = await _first_values(state, iri, (out_all, out_counts), (in_all, in_counts))
    for p, n, lits in out_counts:
        if p in HIDDEN:
            continue
        group = Group(p, _vocab_label(state, p), "out", n)
        group.values = out_values[p]
        for value in group.values:
            value.evidence = fact_evidence.get((p, value.term.value), [])
        (facts if lits and lits == group.count else links).append(group)
    order = {p: i for i, p in enumerate(FACT_ORDER)}
    facts.sort(key=lambda g: (order.get(g.prop, len(order)), g.prop_label.lower()))
    links.sort(key=lambda g: g.prop_label.lower())
    incoming: list[Group] = []
    for p, n, _lits in in_counts:
        if p in HIDDEN_INCOMING:
            continue
        group = Group(p, _vocab_label(state, p), "in", n)
        group.values = in_values[p]
        incoming.append(group)
    incoming.sort(key=lambda g: (-g.count, g.prop_label.lower()))
    blank = _blank_nodes(state, blank_rows)
    sha = _sha_of(iri)
    return EntityPage(
        iri=iri, label_vi=label_vi, label_en=label_en, types=types, facts=facts, links=links,
        incoming=incoming, blank=blank, evidence=evidence_all, timeline=_timeline(state, timeline_rows),
        map=_map(state, map_rows), source_sha=sha if any(t.term.value == str(QH.SourceDocument) for t in types) else None,
    )


#: The sections of a page each read by one query, that query's row cap, and the links that query
#: starts from: properties of the entity (out) and properties linking to it (in); ``None``: a
#: blank node value of any property but the geometry's.
SECTIONS = (
    ("provenance", 2000, {str(PROV.wasDerivedFrom)}, {RDF + "subject"}),
    ("blank", 500, None, set()),
    ("timeline", 500, {str(QH.successor), str(QH.successorAgency), str(QH.predecessor)},
     {str(QH.successor), str(QH.successorAgency), str(QH.predecessor), str(QH.originalUnit),
      str(ORG.originalOrganization), str(QH.resultingUnit), str(ORG.resultingOrganization)}),
    ("map", 400, {str(GEO.hasGeometry), str(QH.hasStop), str(QH.locatedIn), str(QH.connects), str(QH.covers),
                  str(QH.partOf)}, {str(QH.partOf), str(QH.memberOfRegion), str(QH.locatedIn)}),
)


async def _sections(state: AppState, iri: str, out_all: Rows, in_all: Rows) -> list[Rows]:
    """The rows of every section (:data:`SECTIONS`), in one batch: a section whose query cannot
    match, the entity's links being all read and none of them the ones it starts from, is empty
    without a query."""
    out_props = {p.value for p, _ in out_all.rows if p is not None}
    in_props = {p.value for p, _ in in_all.rows if p is not None}
    blank_value = any(p is not None and v is not None and v.kind == "bnode" and p.value != str(GEO.hasGeometry)
                      for p, v in out_all.rows)
    queries = {"provenance": _provenance_query, "blank": _blank_query, "timeline": _timeline_query, "map": _map_query}
    wanted = [(name, cap) for name, cap, out_start, in_start in SECTIONS
              if out_all.truncated or (blank_value if out_start is None else bool(out_props & out_start))
              or (in_all.truncated and in_start) or in_props & in_start]
    answers = await state.executor.rows_many([(queries[name](iri), cap) for name, cap in wanted]) if wanted else []
    found = {name: rows for (name, _), rows in zip(wanted, answers, strict=True)}
    return [found.get(name) or Rows("bindings", []) for name, *_ in SECTIONS]


async def _first_values(state: AppState, iri: str, out: tuple, incoming: tuple) -> tuple[dict, dict]:
    """The first :data:`PAGE_SIZE` values of every shown property of ``iri``, out and in.

    ``out`` and ``incoming``: ``(every (property, value) pair read, counts)`` of each direction.
    A direction whose pairs were all read takes its values from them; otherwise one query per
    property, all in one batch, every query starting from the entity's IRI.
    """
    plans: list[tuple[str, dict]] = []
    queries: list[tuple[str, int]] = []
    result: tuple[dict, dict] = ({}, {})
    for direction, (pairs, counts), hidden, found in (("out", out, HIDDEN, result[0]),
                                                      ("in", incoming, HIDDEN_INCOMING, result[1])):
        props = [p for p, _n, _lits in counts if p not in hidden]
        found.update({p: [] for p in props})
        if not pairs.truncated:
            for p, v in pairs.rows:
                if p is not None and v is not None and p.value in found and len(found[p.value]) < PAGE_SIZE:
                    found[p.value].append(_value(state, v))
            continue
        for prop in props:
            plans.append((prop, found))
            queries.append((_values_query(iri, direction, prop, PAGE_SIZE, 0), PAGE_SIZE))
    if queries:
        for (prop, found), rows in zip(plans, await state.executor.rows_many(queries), strict=True):
            found[prop] = [_value(state, v) for (v,) in rows.rows if v is not None]
    for values in (*result[0].values(), *result[1].values()):
        values.sort(key=_shown_order)
    return result


def _shown_iris(out_all: Rows, in_all: Rows, timeline_rows: Rows, map_rows: Rows) -> list[str]:
    """The IRIs whose labels the first round's rows show: the first :data:`PAGE_SIZE` values of
    each property (of a direction read whole), and the timeline's and the map's things."""
    shown: list[str] = []
    for rows in (out_all, in_all):
        if rows.truncated:
            continue
        per_property: dict[str, int] = {}
        for p, v in rows.rows:
            if p is not None and v is not None and v.kind == "iri" and per_property.get(p.value, 0) < PAGE_SIZE:
                per_property[p.value] = per_property.get(p.value, 0) + 1
                shown.append(v.value)
    shown += [t.value for rows in (timeline_rows, map_rows) for row in rows.rows for t in row
              if t is not None and t.kind == "iri"]
    return shown


def _shown_order(value: Value) -> tuple[str, str]:
    """The order of the values shown on one page: by label, then value."""
    return (value.label.lower(), value.term.value)


def _values_query(iri: str, direction: str, prop: str, limit: int, offset: int) -> str:
    """One page of the values of ``prop``, in the engine's index order (no ORDER BY).

    The store does not change while a page is served, and the engine walks its index in the
    same order every time, so LIMIT/OFFSET pages partition the values exactly; an ORDER BY
    would make the engine compare term strings across every value of the property (at 10 M
    quads, over 100 ms for 1 000 values) to show 20 of them. Each page is sorted for display.
    """
    if direction == "out":
        return f"SELECT DISTINCT ?v WHERE {{ <{iri}> <{prop}> ?v }} LIMIT {limit} OFFSET {offset}"
    return f"SELECT DISTINCT ?v WHERE {{ ?v <{prop}> <{iri}> }} LIMIT {limit} OFFSET {offset}"


async def _group_values(state: AppState, iri: str, direction: str, prop: str, limit: int, offset: int) -> list[Value]:
    rows = await _rows(state, _values_query(iri, direction, prop, limit, offset), limit)
    return sorted((_value(state, v) for (v,) in rows.rows if v is not None), key=_shown_order)


async def paged_group(state: AppState, iri: str, direction: str, prop: str, page: int) -> Group:
    """One page of the values of ``prop`` (``direction`` 'out' or 'in') for ``iri``."""
    pattern = f"<{iri}> <{prop}> ?v" if direction == "out" else f"?v <{prop}> <{iri}>"
    count = await _rows(state, f"SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {pattern} }}")
    total = int(count.rows[0][0].value) if count.rows and count.rows[0][0] else 0
    group = Group(prop, _vocab_label(state, prop), direction, total, page=page, page_size=GROUP_PAGE_SIZE)
    group.values = await _group_values(state, iri, direction, prop, GROUP_PAGE_SIZE, (page - 1) * GROUP_PAGE_SIZE)
    return group


def _provenance_query(iri: str) -> str:
    return f"""
        SELECT ?p ?o ?ev ?exact ?start ?end ?src WHERE {{
          {{ <{iri}> <{PROV.wasDerivedFrom}> ?ev }}
          UNION {{ ?st <{RDF}subject> <{iri}> ; <{RDF}predicate> ?p ; <{RDF}object> ?o ;
                       <{PROV.wasDerivedFrom}> ?ev }}
          LATERAL {{ OPTIONAL {{ ?ev <{OA.hasSource}> ?src }} }}
          LATERAL {{ OPTIONAL {{ ?ev <{OA.hasSelector}> ?q . ?q <{OA.exact}> ?exact }} }}
          LATERAL {{ OPTIONAL {{ ?ev <{OA.hasSelector}> ?ps . ?ps <{OA.start}> ?start ; <{OA.end}> ?end }} }}
        }}"""


def _provenance(rows: Rows) -> tuple[list[Evidence], dict[tuple[str, str], list[Evidence]]]:
    entity: list[Evidence] = []
    per_fact: dict[tuple[str, str], list[Evidence]] = {}
    seen: set[tuple] = set()
    for p, o, ev, exact, start, end, src in rows.rows:
        if ev is None:
            continue
        key = (p.value if p else None, o.value if o else None, ev.value)
        if key in seen:
            continue
        seen.add(key)
        item = Evidence(
            iri=ev.value, quote=exact.value if exact else "", source=src.value if src else "",
            sha=_sha_of(src.value) if src else None,
            start=_int(start), end=_int(end),
        )
        if p is None:
            entity.append(item)
        else:
            per_fact.setdefault((p.value, o.value if o else ""), []).append(item)
    entity.sort(key=lambda e: (e.source, e.start or 0))
    return entity, per_fact


def _int(term: Term | None) -> int | None:
    try:
        return int(term.value) if term else None
    except ValueError:
        return None


def _blank_query(iri: str) -> str:
    return f"""
        SELECT ?b ?p ?o WHERE {{ <{iri}> ?x ?b . FILTER(isBlank(?b) && ?x != <{GEO.hasGeometry}>) ?b ?p ?o }}"""


def _blank_nodes(state: AppState, rows: Rows) -> dict[str, list[tuple[str, Value]]]:
    out: dict[str, list[tuple[str, Value]]] = {}
    for b, p, o in rows.rows:
        if b and p and o:
            out.setdefault(b.value, []).append((_vocab_label(state, p.value), _value(state, o)))
    return out


def _timeline_query(iri: str) -> str:
    original = f"<{QH.originalUnit}>|<{ORG.originalOrganization}>"
    resulting = f"<{QH.resultingUnit}>|<{ORG.resultingOrganization}>"
    return f"""
        SELECT DISTINCT ?rel ?other ?date ?kind ?event WHERE {{
          {{ <{iri}> <{QH.successor}>|<{QH.successorAgency}> ?other BIND("successor" AS ?rel) }}
          UNION {{ ?other <{QH.successor}>|<{QH.successorAgency}> <{iri}> BIND("predecessor" AS ?rel) }}
          UNION {{ <{iri}> <{QH.predecessor}> ?other BIND("predecessor" AS ?rel) }}
          UNION {{ ?other <{QH.predecessor}> <{iri}> BIND("successor" AS ?rel) }}
          UNION {{ ?event {original} <{iri}> ; {resulting} ?other BIND("successor" AS ?rel)
                  LATERAL {{ OPTIONAL {{ ?event <{QH.changeDate}> ?date }} }}
                  LATERAL {{ OPTIONAL {{ ?event <{QH.changeKind}> ?kind }} }} }}
          UNION {{ ?event {resulting} <{iri}> ; {original} ?other BIND("predecessor" AS ?rel)
                  LATERAL {{ OPTIONAL {{ ?event <{QH.changeDate}> ?date }} }}
                  LATERAL {{ OPTIONAL {{ ?event <{QH.changeKind}> ?kind }} }} }}
          FILTER(?other != <{iri}>)
        }}"""


def _timeline(state: AppState, rows: Rows) -> list[TimelineItem]:
    merged: dict[tuple[str, str], TimelineItem] = {}
    for rel, other, date, kind, event in rows.rows:
        if rel is None or other is None:
            continue
        key = (rel.value, other.value)
        item = merged.get(key) or TimelineItem(rel.value, _value(state, other))
        item.date = item.date or (date.value if date else None)
        item.kind = item.kind or (_label(state, kind) if kind else None)
        item.event = item.event or (event.value if event and event.is_iri else None)
        merged[key] = item
    return sorted(merged.values(), key=lambda t: (t.relation != "predecessor", t.date or "", t.other.label))


def _map_query(iri: str) -> str:
    wkt = f"<{GEO.hasGeometry}>/<{GEO.asWKT}>"
    return f"""
        SELECT ?role ?thing ?wkt ?pos WHERE {{
          {{ <{iri}> {wkt} ?wkt BIND(<{iri}> AS ?thing) BIND("self" AS ?role) }}
          UNION {{ <{iri}> <{QH.hasStop}> ?stop . ?stop <{QH.stopUnit}> ?thing . ?thing {wkt} ?wkt
                  LATERAL {{ OPTIONAL {{ ?stop <{QH.position}> ?pos }} }} BIND("stop" AS ?role) }}
          UNION {{ <{iri}> <{QH.locatedIn}>|<{QH.connects}>|<{QH.covers}>|<{QH.partOf}> ?thing .
                  ?thing {wkt} ?wkt BIND("related" AS ?role) }}
          UNION {{ ?thing <{QH.partOf}>|<{QH.memberOfRegion}>|<{QH.locatedIn}> <{iri}> .
                  ?thing {wkt} ?wkt BIND("related" AS ?role) }}
        }}"""


def _map(state: AppState, rows: Rows) -> SvgMap | None:
    rank = {"self": 0, "stop": 1, "related": 2}
    places: dict[str, Place] = {}  # one marker per thing, in its strongest role
    for role, thing, text, pos in rows.rows:
        point = parse_point(text.value) if text else None
        if point is None or thing is None or role is None:
            continue
        known = places.get(thing.value)
        if known is None or rank[role.value] < rank[known.role]:
            places[thing.value] = Place(thing.value, _label(state, thing), point[0], point[1], role.value, _int(pos))
    return layout(list(places.values()))


# ------------------------------------------------------------------------- source view
@dataclass
class Segment:
    """A run of text covered by the same evidence spans (none: plain text)."""

    text: str
    targets: list[Value] = field(default_factory=list)
    focus: bool = False
    start: int = 0
    marked: bool = False


@dataclass
class SourceView:
    """What ``source.html`` shows."""

    sha: str
    iri: str
    title: str
    segments: list[Segment]
    spans: int
    focus: tuple[int, int] | None


#: Source documents (text and marked spans) a read-only server keeps, least recently used
#: dropped first: at most this many, and at most :data:`CACHED_SOURCE_CHARS` characters of text.
CACHED_SOURCES = 256
CACHED_SOURCE_CHARS = 16 * 1024 * 1024


@dataclass
class SourceDocument:
    """What a source view shows before it is cut for one focus: the text and its evidence spans."""

    iri: str
    title: str
    text: str
    marks: dict[tuple[int, int], list[Value]]


async def build_source_view(state: AppState, sha: str, start: int | None, end: int | None) -> SourceView | None:
    """The text of source document ``sha`` cut into segments at every evidence boundary."""
    doc = await source_document(state, sha)
    if doc is None:
        return None
    focus = (start, end) if start is not None and end is not None and start < end else None
    return SourceView(sha, doc.iri, doc.title, _segments(doc.text, doc.marks, focus), len(doc.marks), focus)


async def source_document(state: AppState, sha: str) -> SourceDocument | None:
    """Source document ``sha`` read from the store (two queries; a read-only server with its label
    index keeps the last :data:`CACHED_SOURCES`: the store does not change while it is served)."""
    keep = not state.settings.token and state.index is not None
    cache = state.sources
    if keep and sha in cache:
        cache.move_to_end(sha)
        return cache[sha]
    doc = await _read_source_document(state, sha)
    if keep and doc is not None and len(doc.text) <= CACHED_SOURCE_CHARS // 4:
        cache[sha] = doc
        while len(cache) > CACHED_SOURCES or sum(len(d.text) for d in cache.values()) > CACHED_SOURCE_CHARS:
            cache.popitem(last=False)
    return doc


async def _read_source_document(state: AppState, sha: str) -> SourceDocument | None:
    iri = str(ID[f"source/{sha}"])
    doc = await _rows(state, f"""
        SELECT ?text ?title WHERE {{ <{iri}> <{QH.text}> ?text LATERAL {{ OPTIONAL {{ <{iri}> <{DCTERMS.title}> ?title }} }} }} LIMIT 1""")
    if not doc.rows or doc.rows[0][0] is None:
        return None
    text = doc.rows[0][0].value
    title = doc.rows[0][1].value if doc.rows[0][1] else sha
    spans = await _rows(state, f"""
        SELECT DISTINCT ?start ?end ?thing WHERE {{
          ?ev <{OA.hasSource}> <{iri}> ; <{OA.hasSelector}> ?ps . ?ps <{OA.start}> ?start ; <{OA.end}> ?end .
          LATERAL {{ OPTIONAL {{
            {{ ?thing <{PROV.wasDerivedFrom}> ?ev FILTER NOT EXISTS {{ ?thing a <{RDF}Statement> }} }}
            UNION {{ ?st <{PROV.wasDerivedFrom}> ?ev ; <{RDF}subject> ?thing }}
          }} }}
        }}""", 50000)
    if state.index is not None:  # the labels of the marked things, in one look-up
        state.index.entries.prefetch(t.value for _, _, t in spans.rows if t is not None and t.kind == "iri")
    marks: dict[tuple[int, int], list[Value]] = {}
    for s, e, thing in spans.rows:
        a, b = _int(s), _int(e)
        if a is None or b is None or not 0 <= a < b <= len(text):
            continue
        targets = marks.setdefault((a, b), [])
        if thing is not None and all(t.term.value != thing.value for t in targets):
            targets.append(_value(state, thing))
    return SourceDocument(iri, title, text, marks)


def _segments(text: str, marks: dict[tuple[int, int], list[Value]], focus: tuple[int, int] | None) -> list[Segment]:
    bounds = {0, len(text)}
    for a, b in marks:
        bounds.update((a, b))
    if focus:
        bounds.update(max(0, min(x, len(text))) for x in focus)
    points = sorted(bounds)
    starts: dict[int, list[tuple[int, int]]] = {}
    for span in marks:
        starts.setdefault(span[0], []).append(span)
    active: set[tuple[int, int]] = set()
    segments: list[Segment] = []
    for left, right in zip(points, points[1:], strict=False):
        active = {s for s in active if s[1] > left} | set(starts.get(left, []))
        targets: list[Value] = []
        for span in sorted(active):
            for value in marks[span]:
                if all(t.term.value != value.term.value for t in targets):
                    targets.append(value)
        in_focus = bool(focus) and focus[0] <= left and right <= focus[1]
        segments.append(Segment(text[left:right], targets, in_focus, left, bool(active)))
    merged: list[Segment] = []
    for seg in segments:  # join neighbouring plain runs
        if merged and not seg.marked and not seg.focus and not merged[-1].marked and not merged[-1].focus:
            merged[-1].text += seg.text
        else:
            merged.append(seg)
    return merged
