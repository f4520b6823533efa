"""A seeded synthetic national corpus in the project's ontology, as N-Quads, with planted findings.

    python benchmarks/generate.py --quads 1000000 --seed 1 -o /tmp/national.nq

writes ``/tmp/national.nq`` (source graphs only: load it with ``quyhoach load FILE``, which loads
the ontology and the reference graph first) and ``/tmp/national.manifest.json``: the findings
``quyhoach check --param today=TODAY`` must report, each as ``[check, IRI]`` (the IRI of the
resource the finding is about), and the planted inconsistencies among them.

What it writes, one named graph per synthetic source document (with its ``qh:SourceDocument``,
its text and one evidence node with quote and position selectors per fact):

- the national master plan, 6 regional plans (one economic corridor each), sectoral plans and one
  provincial plan per province of 2025 (34), each with its approving decision and its
  implementing decision (``…/QĐ-TTg``), which cites the approving one;
- yearly implementation plans of the provinces (``…/KH-UBND``) until the size is reached, each
  citing the previous one and the province's implementing decision, with tasks and duties
  (``qh:Responsibility``, a lead agency each, deadlines), targets, a funding requirement with
  parts and shares, projects and industrial parks.

Units, regions and agencies come from the reference graph (``quyhoach.loaders.reference``); IRIs
are minted by the loaders' own functions. Generation streams lines: memory does not grow with N.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from quyhoach.loaders.extract.citations import doc_iri
from quyhoach.loaders.extract.plans import plan_iri
from quyhoach.loaders.reference import build_reference_graphs
from quyhoach.loaders.reference.agencies import agency_iri
from quyhoach.namespaces import ID, source_graph

TODAY = "2026-12-01"
QH = "https://w3id.org/quyhoach/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ELI = "http://data.europa.eu/eli/ontology#"
OA = "http://www.w3.org/ns/oa#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
INDICATORS = ("grdp-growth", "grdp-per-capita", "income-per-capita", "urbanisation-rate", "forest-cover",
              "trained-labour-share", "poverty-rate", "budget-revenue", "tourist-arrivals", "hospital-beds-per-10000",
              "doctors-per-10000", "health-insurance-coverage", "new-rural-communes-share", "digital-economy-share")
SECTORS = ("giao-thong-van-tai", "nang-luong", "thuy-loi", "tai-nguyen-nuoc", "cang-bien", "du-lich", "rung", "vien-thong")


# -- terms -------------------------------------------------------------------------------------
def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def iri(value: str) -> str:
    """An IRI term."""
    return f"<{value}>"


def lit(value: str, lang: str | None = None, dtype: str | None = None) -> str:
    """A literal term."""
    if lang:
        return f'"{_esc(value)}"@{lang}'
    if dtype:
        return f'"{_esc(value)}"^^<{XSD}{dtype}>'
    return f'"{_esc(value)}"'


def qh(name: str) -> str:
    return iri(QH + name)


# -- the reference graph ------------------------------------------------------------------------------
class Reference:
    """What the corpus refers to, read from the project's reference graph."""

    def __init__(self) -> None:
        from quyhoach.graph.store import rdflib_to_triples

        store = ox.Store()
        for graph, data in build_reference_graphs().items():
            store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in rdflib_to_triples(data)])
        prefix = f"PREFIX qh: <{QH}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "

        def rows(query: str) -> list[tuple[str, ...]]:
            return [tuple(t.value for t in r) for r in store.query(prefix + query, use_default_graph_as_union=True)]

        self.provinces = sorted(rows(
            "SELECT ?p ?l ?ubnd WHERE { ?p a qh:Province ; rdfs:label ?l FILTER(LANG(?l) = 'vi') "
            "FILTER NOT EXISTS { ?p qh:validUntil ?u } ?ubnd a qh:PeoplesCommittee ; qh:jurisdiction ?p }"))
        self.regions = sorted(rows("SELECT ?r ?l WHERE { ?r a qh:Region ; rdfs:label ?l FILTER(LANG(?l) = 'vi') }"))
        self.country = rows("SELECT ?c WHERE { ?c a qh:Country }")[0][0]
        self.ministries = sorted(rows(
            "SELECT ?a ?l WHERE { ?a a qh:Ministry ; rdfs:label ?l FILTER(LANG(?l) = 'vi') "
            "FILTER NOT EXISTS { ?a qh:validUntil ?u } }"))
        self.obsolete_agencies = sorted(rows(
            "SELECT ?a ?l WHERE { ?a a qh:Ministry ; rdfs:label ?l ; qh:validUntil ?u FILTER(LANG(?l) = 'vi') }"))
        # provinces of 1 Jan 2025 merged into a province of 2025 together with another one
        self.merged_provinces = sorted(rows(
            "SELECT DISTINCT ?p ?l WHERE { ?p a qh:Province ; rdfs:label ?l ; qh:validUntil ?u ; qh:successor ?s . "
            "FILTER(LANG(?l) = 'vi') ?o a qh:Province ; qh:successor ?s FILTER(?o != ?p) }"))
        self.legacy_provinces = rows("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a qh:Province ; qh:validUntil ?u }")[0][0]


# -- one source document -----------------------------------------------------------------------------
class Source:
    """A synthetic source document: its named graph, its text and evidence nodes."""

    def __init__(self, key: str, seed: int, title: str) -> None:
        self.sha = hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()
        self.short = self.sha[:16]
        self.graph = iri(source_graph(self.sha))
        self.iri = iri(str(ID[f"source/{self.sha}"]))
        self.title = title
        self.lines: list[str] = []
        self.text: list[str] = []
        self.length = 0

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} {self.graph} .\n")

    def local(self, kind: str, key: str) -> str:
        return iri(str(ID[f"{kind}/{self.short}/{key}"]))

    def say(self, sentence: str, *subjects: str) -> None:
        """Add ``sentence`` to the text, with an evidence node deriving each of ``subjects`` from it."""
        start = self.length
        end = start + len(sentence)
        self.text.append(sentence)
        self.length = end + 1
        ev = iri(str(ID[f"evidence/{self.short}/{start}-{end}"]))
        q, pos = f"_:q{self.short}{start}x{end}", f"_:p{self.short}{start}x{end}"
        self.add(ev, iri(RDF_TYPE), qh("Evidence"))
        self.add(ev, iri(OA + "hasSource"), self.iri)
        self.add(ev, iri(OA + "hasSelector"), q)
        self.add(ev, iri(OA + "hasSelector"), pos)
        self.add(q, iri(RDF_TYPE), iri(OA + "TextQuoteSelector"))
        self.add(q, iri(OA + "exact"), lit(sentence))
        self.add(pos, iri(RDF_TYPE), iri(OA + "TextPositionSelector"))
        self.add(pos, iri(OA + "start"), lit(str(start), dtype="integer"))
        self.add(pos, iri(OA + "end"), lit(str(end), dtype="integer"))
        for subject in subjects:
            self.add(subject, iri(PROV_DERIVED), ev)

    def finish(self, describes: str) -> list[str]:
        self.add(self.iri, iri(RDF_TYPE), qh("SourceDocument"))
        self.add(self.iri, qh("sha256"), lit(self.sha))
        self.add(self.iri, qh("text"), lit("\n".join(self.text)))
        self.add(self.iri, iri(DCT + "title"), lit(self.title))
        self.add(self.iri, qh("fileName"), lit(f"{self.short}.txt"))
        self.add(self.iri, qh("describes"), describes)
        return self.lines


# -- the corpus ------------------------------------------------------------------------------------
class Corpus:
    """Writes the documents and records the findings the checks must report."""

    def __init__(self, seed: int, ref: Reference) -> None:
        self.seed = seed
        self.ref = ref
        self.rng = random.Random(seed)
        self.numbers: dict[str, int] = {}
        self.expected: set[tuple[str, str]] = set()
        self.planted: list[dict] = []
        self.documents = 0
        self.implementing: dict[str, tuple[str, str, str]] = {}
        self.first_targets: dict[str, tuple[str, str, int, str]] = {}
        self.corridor_stops: list[list[tuple[str, str]]] = []

    def number(self, kind: str, year: int) -> int:
        key = f"{kind}/{year}"
        self.numbers[key] = self.numbers.get(key, 100 + sum(map(ord, key)) % 400) + 1
        return self.numbers[key]

    def plant(self, check: str, iri_value: str, what: str) -> None:
        self.expected.add((check, iri_value))
        self.planted.append({"check": check, "iri": iri_value, "what": what})

    # a legal document in its own source graph
    def decision(
        self, kind: str, code: str, year: int, date: str, title: str, passed_by: str, number: int | None = None
    ) -> tuple[str, str, Source]:
        n = number or self.number(kind, year)
        id_local = f"{n}/{code}"
        doc = iri(str(doc_iri(f"{kind}/{year}/{n}")))
        src = Source(f"{kind}/{year}/{n}", self.seed, f"{id_local} {title}")
        cls = "Decision" if "QĐ" in code else "Resolution" if "NQ" in code else "ProvincialPlanDocument"
        src.add(doc, iri(RDF_TYPE), qh(cls))
        src.add(doc, iri(ELI + "id_local"), lit(id_local))
        src.add(doc, qh("documentNumber"), lit(str(n), dtype="integer"))
        src.add(doc, qh("documentYear"), lit(str(year), dtype="gYear"))
        src.add(doc, iri(ELI + "passed_by"), iri(passed_by))
        src.add(doc, iri(ELI + "date_document"), lit(date, dtype="date"))
        src.add(doc, iri(RDFS_LABEL), lit(f"{id_local} {title}", "vi"))
        src.say(f"Số {id_local} ngày {date}: {title}.", doc)
        self.documents += 1
        return doc, id_local, src

    def plan(self, src: Source, kind: str, cls: str, slug: str, label: str, covers: str | None) -> str:
        plan = iri(str(plan_iri(kind, slug, "2021-2030")))
        src.add(plan, iri(RDF_TYPE), qh(cls))
        src.add(plan, iri(RDFS_LABEL), lit(label, "vi"))
        src.add(plan, qh("periodStart"), lit("2021", dtype="gYear"))
        src.add(plan, qh("periodEnd"), lit("2030", dtype="gYear"))
        src.add(plan, qh("planStatus"), qh("Approved"))
        if covers:
            src.add(plan, qh("covers"), iri(covers))
        src.say(f"Phê duyệt {label} thời kỳ 2021-2030, tầm nhìn đến năm 2050.", plan)
        return plan

    def approved_plan(self, kind: str, cls: str, slug: str, label: str, covers: str | None, lag: int) -> Iterator[list[str]]:
        """An approving decision and an implementing decision ``lag`` days later, each its own source."""
        ttg = str(agency_iri("thu-tuong-chinh-phu"))
        day = self.rng.randrange(1, 250)
        approved = _date(2023, day)
        doc, id_local, src = self.decision("qd-ttg", "QĐ-TTg", 2023, approved, f"phê duyệt {label}", ttg)
        plan = self.plan(src, kind, cls, slug, label, covers)
        src.add(doc, qh("approves"), plan)
        if kind == "regional":
            self.corridor(src, slug, label)
        yield src.finish(doc)
        implemented = _after(approved, lag)
        year = int(implemented[:4])
        idoc, iid, isrc = self.decision("qd-ttg", "QĐ-TTg", year, implemented, f"ban hành Kế hoạch thực hiện {label}", ttg)
        ip = iri(str(plan_iri("implementation", slug, "2021-2030")))
        isrc.add(ip, iri(RDF_TYPE), qh("ImplementationPlan"))
        isrc.add(ip, iri(RDFS_LABEL), lit(f"Kế hoạch thực hiện {label}", "vi"))
        isrc.add(ip, qh("periodStart"), lit("2021", dtype="gYear"))
        isrc.add(ip, qh("periodEnd"), lit("2030", dtype="gYear"))
        isrc.add(ip, qh("planStatus"), qh("Approved"))
        isrc.add(ip, qh("implementsPlan"), plan)
        isrc.add(idoc, qh("approves"), ip)
        isrc.add(idoc, iri(ELI + "cites"), doc)
        isrc.say(f"Căn cứ Quyết định số {id_local} phê duyệt {label}; ban hành kế hoạch thực hiện.", ip)
        self.expected.add(("plan-implementation-lag", plan[1:-1]))
        yield isrc.finish(idoc)
        self.implementing[slug] = (idoc, iid, implemented)

    def corridor(self, src: Source, slug: str, label: str) -> None:
        stops = self.corridor_stops.pop(0) if self.corridor_stops else []
        if len(stops) < 2:
            return
        corridor = iri(str(ID[f"corridor/{slug}"]))
        names = " – ".join(name for _, name in stops)
        src.add(corridor, iri(RDF_TYPE), qh("EconomicCorridor"))
        src.add(corridor, iri(RDFS_LABEL), lit(f"Hành lang kinh tế {names}", "vi"))
        for position, (unit, _) in enumerate(stops, start=1):
            stop = iri(str(ID[f"corridor/{slug}/stop/{position}"]))
            src.add(stop, iri(RDF_TYPE), qh("CorridorStop"))
            src.add(stop, qh("position"), lit(str(position), dtype="integer"))
            src.add(stop, qh("stopUnit"), iri(unit))
            src.add(corridor, qh("hasStop"), stop)
        src.say(f"Phát triển hành lang kinh tế {names} trong {label}.", corridor)

    # -- the yearly implementation plans of a province
    def yearly(self, index: int, province: tuple[str, str, str], slug: str, previous: str | None) -> tuple[list[str], str, str]:
        unit, name, ubnd = province
        idoc, iid, implemented = self.implementing[slug]
        date = _after(implemented, 1 + min(index, 600))
        year = int(date[:4])
        doc, id_local, src = self.decision("kh-ubnd", "KH-UBND", year, date, f"Kế hoạch thực hiện Quy hoạch tỉnh {name} số {index}", ubnd)
        src.add(doc, iri(ELI + "cites"), idoc)
        src.say(f"Căn cứ Quyết định số {iid} của Thủ tướng Chính phủ.", doc)
        if previous:
            src.add(doc, iri(ELI + "cites"), previous)
            src.say("Tiếp theo kế hoạch trước của Ủy ban nhân dân tỉnh.", doc)
        for t in range(4):
            task = src.local("task", str(t))
            src.add(task, iri(RDF_TYPE), qh("Task"))
            src.add(task, qh("assignedBy"), doc)
            text = f"{t + 1}. Tổ chức thực hiện nhiệm vụ {t + 1} của Quy hoạch tỉnh {name}, năm {year + 1}."
            src.add(task, qh("taskText"), lit(text))
            lead = ubnd if t % 2 == 0 else self.ref.ministries[(index + t) % len(self.ref.ministries)][0]
            helper = self.ref.ministries[(index + t + 1) % len(self.ref.ministries)][0]
            for agency, role in ((lead, "lead"), (helper, "cooperate")):
                resp = src.local("responsibility", f"{t}/{agency.rsplit('/id/', 1)[-1].replace('/', '-')}/{role}")
                src.add(resp, iri(RDF_TYPE), qh("Responsibility"))
                src.add(resp, qh("task"), task)
                src.add(resp, qh("agency"), iri(agency))
                src.add(resp, qh("role"), iri(str(ID[f"role/{role}"])))
                if role == "lead":
                    src.add(resp, qh("deadline"), lit(f"{2027 + t}-12-31", dtype="date"))
            src.say(text, task)
        indicator = INDICATORS[index % len(INDICATORS)]
        target_year = 2026 + index // len(INDICATORS)
        target = src.local("target", f"{indicator}/{target_year}")
        value = _value(self.seed, unit, indicator, target_year)
        self._target(src, target, indicator, unit, target_year, value, "Approved", doc, name)
        funding = src.local("funding", f"{year}")
        total = 100 * (1000 + index)
        src.add(funding, iri(RDF_TYPE), qh("FundingRequirement"))
        src.add(funding, qh("totalAmount"), lit(f"{total}000000000", dtype="decimal"))
        src.add(funding, qh("scope"), iri(unit))
        src.add(funding, qh("statedIn"), doc)
        for part_source, share in (("state-sector", 40), ("non-state-sector", 60)):
            part = src.local("funding-part", f"{year}/{part_source}")
            src.add(funding, qh("hasPart"), part)
            src.add(part, qh("amount"), lit(f"{total * share // 100}000000000", dtype="decimal"))
            src.add(part, qh("share"), lit(str(share), dtype="decimal"))
            src.add(part, qh("fundingSource"), iri(str(ID[f"funding-source/{part_source}"])))
        src.say(f"Tổng nhu cầu vốn {total} tỷ đồng, vốn nhà nước 40%, ngoài nhà nước 60%.", funding)
        project = src.local("project", "0")
        src.add(project, iri(RDF_TYPE), qh("Project"))
        src.add(project, iri(RDFS_LABEL), lit(f"Dự án đường tỉnh {index} tỉnh {name}", "vi"))
        src.add(project, qh("locatedIn"), iri(unit))
        src.add(project, qh("developmentStatus"), iri(str(ID["development-status/planned"])))
        src.add(project, qh("listedIn"), doc)
        src.say(f"Đầu tư Dự án đường tỉnh {index} tỉnh {name}.", project)
        park = src.local("zone", "0")
        src.add(park, iri(RDF_TYPE), qh("IndustrialPark"))
        src.add(park, iri(RDFS_LABEL), lit(f"Khu công nghiệp số {index} tỉnh {name}", "vi"))
        src.add(park, qh("locatedIn"), iri(unit))
        src.add(park, qh("developmentStatus"), iri(str(ID["development-status/planned"])))
        src.say(f"Phát triển Khu công nghiệp số {index} tỉnh {name}.", park)
        return src.finish(doc), doc, target[1:-1]

    def _target(self, src, target, indicator, unit, year, value, status, doc, name) -> None:
        src.add(target, iri(RDF_TYPE), qh("Target"))
        src.add(target, qh("indicator"), iri(str(ID[f"indicator/{indicator}"])))
        src.add(target, qh("scope"), iri(unit))
        src.add(target, qh("measureUnit"), lit("%"))
        src.add(target, qh("value"), lit(value, dtype="decimal"))
        src.add(target, qh("targetYear"), lit(str(year), dtype="gYear"))
        src.add(target, qh("targetStatus"), qh(status))
        src.add(target, qh("statedIn"), doc)
        src.say(f"Chỉ tiêu {indicator} của tỉnh {name} năm {year} đạt {value}%.", target)

    # -- the planted inconsistencies, each in a document of its own
    def planted_documents(self) -> Iterator[list[str]]:
        ref = self.ref
        ttg = str(agency_iri("thu-tuong-chinh-phu"))
        unit, name, ubnd = ref.provinces[0]
        slug = next(iter(self.implementing))
        idoc, iid, implemented = self.implementing[slug]
        # an obsolete agency given a duty; a task without a lead; an overdue deadline
        doc, _, src = self.decision("kh-ubnd", "KH-UBND", 2026, "2026-03-02", f"Kế hoạch kiểm tra tỉnh {name}", ubnd)
        src.add(doc, iri(ELI + "cites"), idoc)
        obsolete = ref.obsolete_agencies[0][0]
        for t, (agency, role, deadline, check) in enumerate((
            (obsolete, "lead", "2027-06-30", "obsolete-agency-duties"),
            (ubnd, "cooperate", "2027-06-30", "tasks-without-lead"),
            (ubnd, "lead", "2025-06-30", "overdue-deadlines"),
        )):
            task = src.local("task", str(t))
            src.add(task, iri(RDF_TYPE), qh("Task"))
            src.add(task, qh("assignedBy"), doc)
            src.add(task, qh("taskText"), lit(f"Nhiệm vụ kiểm tra {t + 1} tỉnh {name}."))
            resp = src.local("responsibility", f"{t}/{role}")
            src.add(resp, iri(RDF_TYPE), qh("Responsibility"))
            src.add(resp, qh("task"), task)
            src.add(resp, qh("agency"), iri(agency))
            src.add(resp, qh("role"), iri(str(ID[f"role/{role}"])))
            src.add(resp, qh("deadline"), lit(deadline, dtype="date"))
            src.say(f"Nhiệm vụ kiểm tra {t + 1} tỉnh {name}.", task, resp)
            self.plant(check, (task if check == "tasks-without-lead" else resp)[1:-1], f"task {t}: {check}")
        # an obsolete unit referenced; a corridor through a merged province
        (old1, old1_name), (old2, old2_name) = ref.merged_provinces[0], ref.merged_provinces[1]
        project = src.local("project", "old-unit")
        src.add(project, iri(RDF_TYPE), qh("Project"))
        src.add(project, iri(RDFS_LABEL), lit(f"Dự án cải tạo trụ sở tỉnh {old1_name}", "vi"))
        src.add(project, qh("locatedIn"), iri(old1))
        src.add(project, qh("listedIn"), doc)
        src.say(f"Dự án cải tạo trụ sở tỉnh {old1_name}.", project)
        self.plant("obsolete-unit-references", old1, "a project located in a merged province")
        corridor = src.local("corridor", "old")
        src.add(corridor, iri(RDF_TYPE), qh("EconomicCorridor"))
        src.add(corridor, iri(RDFS_LABEL), lit(f"Hành lang kinh tế {old2_name} – {name}", "vi"))
        for position, stop_unit in ((1, old2), (2, ref.provinces[-1][0])):
            stop = src.local("corridor-stop", f"old/{position}")
            src.add(stop, iri(RDF_TYPE), qh("CorridorStop"))
            src.add(stop, qh("position"), lit(str(position), dtype="integer"))
            src.add(stop, qh("stopUnit"), iri(stop_unit))
            src.add(corridor, qh("hasStop"), stop)
        src.say(f"Hành lang kinh tế {old2_name} – {name}.", corridor)
        self.plant("corridor-merged-provinces", corridor[1:-1], "a corridor through a merged province")
        self.expected.add(("obsolete-unit-references", old2))
        # the last province is now on two corridors
        self.plant("province-in-several-corridors", ref.provinces[-1][0], "a province on two corridors")
        # a project listed in two documents
        src.add(project, qh("listedIn"), idoc)
        self.plant("project-in-several-plans", project[1:-1], "a project listed twice")
        # funding: parts not adding up; a share that does not match its amount
        for key, amounts, shares, check in (
            ("sum", (300, 500), None, "funding-parts-total"),
            ("share", (300, 700), (50, 70), "funding-share-amount"),
        ):
            funding = src.local("funding", key)
            src.add(funding, iri(RDF_TYPE), qh("FundingRequirement"))
            src.add(funding, qh("totalAmount"), lit("1000", dtype="decimal"))
            src.add(funding, qh("statedIn"), doc)
            for i, amount in enumerate(amounts):
                part = src.local("funding-part", f"{key}/{i}")
                src.add(funding, qh("hasPart"), part)
                src.add(part, qh("amount"), lit(str(amount), dtype="decimal"))
                if shares:
                    src.add(part, qh("share"), lit(str(shares[i]), dtype="decimal"))
                    if shares[i] * 10 != amount:
                        self.plant(check, part[1:-1], f"share {shares[i]}% of amount {amount}/1000")
            if not shares:
                self.plant(check, funding[1:-1], f"parts {amounts} of total 1000")
            src.say(f"Nhu cầu vốn kiểm tra {key}: tổng 1000 tỷ đồng.", funding)
        # a document citing a later one; a cited document that is not loaded
        later = iri(str(doc_iri("qd-ttg/2026/9001")))
        missing = iri(str(doc_iri("qd-ttg/2022/9002")))
        src.add(doc, iri(ELI + "cites"), later)
        src.add(doc, iri(ELI + "cites"), missing)
        src.add(missing, iri(RDF_TYPE), qh("Decision"))
        src.add(missing, iri(ELI + "id_local"), lit("9002/QĐ-TTg"))
        src.add(missing, iri(ELI + "date_document"), lit("2022-05-04", dtype="date"))
        src.say("Căn cứ Quyết định số 9001/QĐ-TTg và Quyết định số 9002/QĐ-TTg.", doc)
        self.plant("cited-not-loaded", missing[1:-1], "a cited decision with no source")
        self.plant("temporal-order", doc[1:-1], "cites a decision dated after it")
        # a SHACL violation: a project without a label
        nameless = src.local("project", "nameless")
        src.add(nameless, iri(RDF_TYPE), qh("Project"))
        src.add(nameless, qh("locatedIn"), iri(unit))
        src.say("Một dự án không có tên.", nameless)
        self.plant("shacl", nameless[1:-1], "a project without rdfs:label")
        yield src.finish(doc)
        # the later decision, loaded; a second source stating another date for it; a zone in two sources;
        # a draft target that conflicts with an approved one
        ldoc, _, lsrc = self.decision("qd-ttg", "QĐ-TTg", 2026, "2026-09-01", "điều chỉnh kế hoạch", ttg, number=9001)
        assert ldoc == later, (ldoc, later)
        zone = src.local("zone", "shared")
        lsrc.add(zone, iri(RDF_TYPE), qh("IndustrialPark"))
        lsrc.add(zone, iri(RDFS_LABEL), lit(f"Khu công nghiệp liên tỉnh {name}", "vi"))
        lsrc.add(zone, qh("locatedIn"), iri(unit))
        lsrc.say(f"Khu công nghiệp liên tỉnh {name}.", zone)
        yield lsrc.finish(ldoc)
        odoc, _, osrc = self.decision("kh-ubnd", "KH-UBND", 2026, "2026-10-01", f"báo cáo tỉnh {name}", ubnd)
        osrc.add(odoc, iri(ELI + "cites"), ldoc)
        osrc.add(ldoc, iri(ELI + "date_document"), lit("2026-09-15", dtype="date"))
        osrc.say("Quyết định số 9001/QĐ-TTg ngày 15/9/2026.", ldoc)
        self.plant("conflicting-dates", later[1:-1], "two dates for one decision")
        osrc.say(f"Khu công nghiệp liên tỉnh {name}.", zone)
        self.plant("zone-in-several-documents", zone[1:-1], "one zone in two sources")
        target = osrc.local("target", "draft")
        approved_target, indicator, year, value = self.first_targets[unit]
        self._target(osrc, target, indicator, unit, year, f"{float(value) + 1.5:.1f}", "Draft", odoc, name)
        self.plant("target-conflicts", approved_target, "a draft target differs from the approved one")
        yield osrc.finish(odoc)



def _date(year: int, day_of_year: int) -> str:
    return (datetime.date(year, 1, 1) + datetime.timedelta(days=day_of_year - 1)).isoformat()


def _after(date: str, days: int) -> str:
    return (datetime.date.fromisoformat(date) + datetime.timedelta(days=days)).isoformat()


def _value(seed: int, unit: str, indicator: str, year: int) -> str:
    digest = hashlib.sha256(f"{seed}|{unit}|{indicator}|{year}".encode()).digest()
    return f"{digest[0] % 90 + 5}.{digest[1] % 10}"


def generate(quads: int, seed: int, out: Path) -> dict:
    """Write about ``quads`` quads to ``out`` (N-Quads) and the manifest beside it; return the manifest."""
    started = time.perf_counter()
    ref = Reference()
    corpus = Corpus(seed, ref)
    # corridors: each regional plan joins 2-3 provinces of 2025; no province on two of them
    pool = [(p, name) for p, name, _ in ref.provinces[:-1]]
    corpus.corridor_stops = [pool[i * 3 : i * 3 + 3] for i in range(len(ref.regions))]
    corpus.corridor_stops[0].append((ref.provinces[-1][0], ref.provinces[-1][1]))
    written = 0
    with out.open("w", encoding="utf-8") as fh:

        def emit(lines: list[str]) -> None:
            nonlocal written
            fh.writelines(lines)
            written += len(lines)

        nmp_unit = ref.country  # national plans cover the country
        for lines in corpus.approved_plan("national", "NationalMasterPlan", "viet-nam", "Quy hoạch tổng thể quốc gia", nmp_unit, 120):
            emit(lines)
        for r, (region, label) in enumerate(ref.regions):
            for lines in corpus.approved_plan("regional", "RegionalPlan", region.rsplit("/", 1)[-1], f"Quy hoạch vùng {label}", region, 60 + r * 20):
                emit(lines)
        for s, sector in enumerate(SECTORS):
            for lines in corpus.approved_plan("sectoral", "SectoralPlan", sector, f"Quy hoạch ngành {sector.replace('-', ' ')}", ref.country, 90 + s * 10):
                emit(lines)
        # one implementation lag over a year (a warning)
        for p, (unit, name, _ubnd) in enumerate(ref.provinces):
            lag = 400 if p == 1 else 100 + p * 5
            if p == 1:
                corpus.planted.append({"check": "plan-implementation-lag", "iri": str(plan_iri("provincial", unit.rsplit("/", 1)[-1], "2021-2030")),
                                       "what": "implemented 400 days after approval (a warning)"})
            for lines in corpus.approved_plan("provincial", "ProvincialPlan", unit.rsplit("/", 1)[-1], f"Quy hoạch tỉnh {name}", unit, lag):
                emit(lines)
        previous: dict[str, str] = {}
        index = 0
        planted_size = 200
        while written + planted_size < quads or index < len(ref.provinces):
            province = ref.provinces[index % len(ref.provinces)]
            slug = province[0].rsplit("/", 1)[-1]
            i = index // len(ref.provinces)
            lines, doc, target = corpus.yearly(i, province, slug, previous.get(slug))
            if province[0] not in corpus.first_targets:
                indicator, year = INDICATORS[i % len(INDICATORS)], 2026 + i // len(INDICATORS)
                corpus.first_targets[province[0]] = (target, indicator, year, _value(seed, province[0], indicator, year))
            previous[slug] = doc
            emit(lines)
            index += 1
        for lines in corpus.planted_documents():
            emit(lines)
    manifest = {
        "quads": written,
        "seed": seed,
        "today": TODAY,
        "documents": corpus.documents,
        "provinces": {"2025": len(ref.provinces), "before 2025": int(ref.legacy_provinces)},
        "regions": len(ref.regions),
        "expected": sorted([list(e) for e in corpus.expected]),
        "planted": corpus.planted,
        "seconds": round(time.perf_counter() - started, 2),
    }
    manifest_path(out).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def manifest_path(out: Path) -> Path:
    """``x.nq`` -> ``x.manifest.json``."""
    return out.with_name(out.name.split(".")[0] + ".manifest.json")


def parse_size(text: str) -> int:
    """``100k`` -> 100000, ``1M`` -> 1000000, ``20000`` -> 20000."""
    text = text.strip()
    factor = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--quads N --seed S -o FILE.nq``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", required=True, help="approximate size: 20000, 100k, 1M, 10M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    manifest = generate(parse_size(args.quads), args.seed, args.output)
    print(f"wrote {manifest['quads']} quads, {manifest['documents']} documents, {len(manifest['planted'])} planted"
          f" findings to {args.output} in {manifest['seconds']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
