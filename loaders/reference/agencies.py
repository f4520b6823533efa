"""Agencies: central bodies, the 2025 government restructuring, provincial committees and departments.

Central agencies and the kinds of provincial departments are hand-kept in ``agencies.yaml``
(no package keeps them); the People's Committees, People's Councils and departments of
every province are generated from the unit records of :mod:`.units`.
:func:`load_agencies` gives plain records (used by the resolver), :func:`build_agencies_graph`
the RDF of the ``reference/agencies`` graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

import yaml
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from quyhoach.namespaces import DCTERMS, ELI, ID, ORG, PREFIXES, QH, SKOS
from quyhoach.text import strip_diacritics

from .units import CHANGE_KIND, LEGACY_UNTIL, REFORM_DATE, UnitRecord, load_units, rearrangement_document


@dataclass(frozen=True)
class AgencyRecord:
    """One agency as the resolver and the graph builder see it."""

    iri: URIRef
    key: str  # slug of a central agency; "ubnd/20", "so/so-tai-chinh/20" for provincial ones
    cls: str  # ontology class local name
    name: str  # Vietnamese name
    label_en: str
    abbreviations: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    successor: URIRef | None = None
    parent: URIRef | None = None
    jurisdiction: URIRef | None = None
    kind: str = ""  # 'ubnd' | 'hdnd' | department slug; '' for central agencies
    not_followed_by: tuple[str, ...] = ()

    def valid_on(self, day: date) -> bool:
        """Whether the agency existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True)
class PostRecord:
    """A post (office held by a person) in an agency."""

    iri: URIRef
    name: str
    label_en: str
    agency: URIRef
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeRecord:
    """A restructuring: original agencies -> resulting agency on a date."""

    iri: URIRef
    originals: tuple[URIRef, ...]
    result: URIRef
    day: date
    kind: str  # 'merger' | 'continuation'
    source: URIRef


def agency_iri(key: str) -> URIRef:
    """IRI of an agency from its key (``bo-tai-chinh``, ``ubnd/20``, ``so/so-xay-dung/20``)."""
    return ID[f"agency/{key}"]


@lru_cache(maxsize=1)
def agency_data() -> dict:
    """The hand-kept agency data (``agencies.yaml``)."""
    text = (resources.files("quyhoach.loaders.reference") / "agencies.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def legal_basis(name: str) -> URIRef:
    """IRI of a legal-basis document of ``agencies.yaml`` (``government_2025``, ``departments_2025``)."""
    return ID[f"doc/{agency_data()['legal_basis'][name]['key']}"]


def _in_province(unit: UnitRecord) -> tuple[str, str]:
    """("tỉnh Lạng Sơn", "Lang Son Province") — the province phrase after an agency name."""
    prefix = unit.full_name[: len(unit.full_name) - len(unit.name)].strip().lower()
    return f"{prefix} {unit.name}", unit.label_en


def _central() -> tuple[list[AgencyRecord], list[PostRecord]]:
    agencies: list[AgencyRecord] = []
    posts: list[PostRecord] = []
    for item in agency_data()["central"]:
        iri = agency_iri(item["slug"])
        agencies.append(
            AgencyRecord(
                iri=iri,
                key=item["slug"],
                cls=item["class"],
                name=item["vi"],
                label_en=item["en"],
                abbreviations=tuple(item.get("abbreviations") or ()),
                codes=tuple(item.get("codes") or ()),
                variants=tuple(item.get("variants") or ()),
                valid_from=item.get("valid_from"),
                valid_until=item.get("valid_until"),
                successor=agency_iri(item["successor"]) if item.get("successor") else None,
                parent=agency_iri(item["part_of"]) if item.get("part_of") else None,
                not_followed_by=tuple(item.get("not_followed_by") or ()),
            )
        )
        for post in item.get("posts") or ():
            posts.append(
                PostRecord(
                    ID[f"post/{post['slug']}"], post["vi"], post["en"], iri, tuple(post.get("variants") or ())
                )
            )
        if item["class"] in ("Ministry", "MinistryLevelAgency"):
            title = item.get("minister") or f"Bộ trưởng {item['vi']}"
            en = (
                f"Head of the {item['en']}"
                if item.get("minister")
                else f"Minister of {item['en'].split(' of ', 1)[1]}"
            )
            posts.append(PostRecord(ID[f"post/head/{item['slug']}"], title, en, iri))
    return agencies, posts


def _provincial() -> tuple[list[AgencyRecord], list[PostRecord], list[ChangeRecord]]:
    data = agency_data()
    committee, council = data["peoples_committee"], data["peoples_council"]
    departments = data["departments"]
    reorganisation: date = data["reorganisation_date"]
    dept_basis = legal_basis("departments_2025")
    agencies: list[AgencyRecord] = []
    posts: list[PostRecord] = []
    changes: list[ChangeRecord] = []
    absorbed: dict[tuple[str, str], list[URIRef]] = {}
    absorbed_departments: dict[tuple[str, str], list[URIRef]] = {}
    dept_basis_07 = legal_basis("departments_2025_07")
    provinces = [u for u in load_units() if u.level == "province"]
    by_iri = {u.iri: u for u in provinces}
    for unit in provinces:
        legacy = unit.valid_until is not None
        suffix = "" if legacy else "-2025"
        vi_place, en_place = _in_province(unit)
        for kind, body, cls in (("ubnd", committee, "PeoplesCommittee"), ("hdnd", council, "PeoplesCouncil")):
            key = f"{kind}{suffix}/{unit.code}"
            successor = None
            if legacy:
                successor = agency_iri(f"{kind}-2025/{by_iri[unit.successor].code}")
                absorbed.setdefault((kind, by_iri[unit.successor].code), []).append(agency_iri(key))
            agencies.append(
                AgencyRecord(
                    iri=agency_iri(key),
                    key=key,
                    cls=cls,
                    name=f"{body['vi']} {vi_place}",
                    label_en=f"{body['en']} of {en_place}",
                    abbreviations=tuple(f"{a} {vi_place}" for a in body["abbreviations"]),
                    valid_from=unit.valid_from,
                    valid_until=unit.valid_until,
                    successor=successor,
                    jurisdiction=unit.iri,
                    kind=kind,
                )
            )
        ubnd = agency_iri(f"ubnd{suffix}/{unit.code}")
        for post_key, title, en in (
            ("chu-tich-ubnd", "Chủ tịch", "Chairman"),
            ("pho-chu-tich-ubnd", "Phó Chủ tịch", "Vice Chairman"),
        ):
            posts.append(
                PostRecord(
                    ID[f"post/{post_key}{suffix}/{unit.code}"],
                    f"{title} {committee['vi']} {vi_place}",
                    f"{en} of the {committee['en']} of {en_place}",
                    ubnd,
                    (f"{title} UBND {vi_place}",),
                )
            )
        if not legacy:
            for dept in departments:
                if dept.get("valid_until"):
                    continue
                key = f"so-2025/{dept['slug']}/{unit.code}"
                agencies.append(
                    AgencyRecord(
                        iri=agency_iri(key),
                        key=key,
                        cls="ProvincialDepartment",
                        name=f"{dept['vi']} {vi_place}",
                        label_en=f"{dept['en']} of {en_place}",
                        valid_from=REFORM_DATE,
                        parent=ubnd,
                        jurisdiction=unit.iri,
                        kind=dept["slug"],
                    )
                )
            continue
        merged_into: dict[str, list[URIRef]] = {}
        new_code = by_iri[unit.successor].code
        for dept in departments:
            key = f"so/{dept['slug']}/{unit.code}"
            successor = None
            if dept.get("successor"):
                successor = agency_iri(f"so/{dept['successor']}/{unit.code}")
                merged_into.setdefault(dept["successor"], []).append(agency_iri(key))
            else:  # a department in force on 2025-06-30 continues in the merged province
                successor = agency_iri(f"so-2025/{dept['slug']}/{new_code}")
                absorbed_departments.setdefault((dept["slug"], new_code), []).append(agency_iri(key))
            agencies.append(
                AgencyRecord(
                    iri=agency_iri(key),
                    key=key,
                    cls="ProvincialDepartment",
                    name=f"{dept['vi']} {vi_place}",
                    label_en=f"{dept['en']} of {en_place}",
                    valid_from=dept.get("valid_from"),
                    valid_until=dept.get("valid_until") or LEGACY_UNTIL,
                    successor=successor,
                    parent=ubnd,
                    jurisdiction=unit.iri,
                    kind=dept["slug"],
                )
            )
        continuing = {d["slug"] for d in departments if not d.get("valid_from")}
        for result, originals in merged_into.items():
            result_iri = agency_iri(f"so/{result}/{unit.code}")
            if result in continuing:
                originals = [*originals, result_iri]
            changes.append(
                ChangeRecord(
                    ID[f"change/{reorganisation.isoformat()}/so/{result}/{unit.code}"],
                    tuple(sorted(originals)),
                    result_iri,
                    reorganisation,
                    "merger",
                    dept_basis,
                )
            )
    for (kind, code), originals in absorbed.items():
        changes.append(_absorption(f"{kind}-2025/{code}", originals, rearrangement_document()))
    for (slug, code), originals in absorbed_departments.items():
        changes.append(_absorption(f"so-2025/{slug}/{code}", originals, dept_basis_07))
    return agencies, posts, changes


def _absorption(path: str, originals, basis) -> ChangeRecord:
    """The dated change by which ``originals`` became the agency at ``path`` (a merger, or one continued)."""
    return ChangeRecord(
        ID[f"change/{REFORM_DATE.isoformat()}/{path}"],
        tuple(sorted(originals)),
        agency_iri(path),
        REFORM_DATE,
        "merger" if len(originals) > 1 else "continuation",
        basis,
    )


def _central_changes(agencies: list[AgencyRecord]) -> list[ChangeRecord]:
    reorganisation: date = agency_data()["reorganisation_date"]
    by_iri = {a.iri: a for a in agencies}
    merged_into: dict[URIRef, list[URIRef]] = {}
    for agency in agencies:
        if agency.successor is not None:
            merged_into.setdefault(agency.successor, []).append(agency.iri)
    changes = []
    for result, originals in merged_into.items():
        if by_iri[result].valid_from is None:  # an agency that existed before absorbs others
            originals = [*originals, result]
        changes.append(
            ChangeRecord(
                ID[f"change/{reorganisation.isoformat()}/agency/{by_iri[result].key}"],
                tuple(sorted(originals)),
                result,
                reorganisation,
                "merger",
                legal_basis("government_2025"),
            )
        )
    return changes


@lru_cache(maxsize=1)
def load_agencies() -> tuple[tuple[AgencyRecord, ...], tuple[PostRecord, ...], tuple[ChangeRecord, ...]]:
    """All agency records, post records and restructuring records."""
    central, central_posts = _central()
    provincial, provincial_posts, provincial_changes = _provincial()
    changes = _central_changes(central) + provincial_changes
    return tuple(central + provincial), tuple(central_posts + provincial_posts), tuple(changes)


# -- graph ------------------------------------------------------------------------------------


def _date(day: date) -> Literal:
    return Literal(day, datatype=XSD.date)


def _declare_documents(g: Graph) -> None:
    for name, info in agency_data()["legal_basis"].items():
        doc = legal_basis(name)
        number, year, _issuer = info["id_local"].split("/")
        g.add((doc, RDF.type, QH[info["type"]]))
        g.add(
            (
                doc,
                RDFS.label,
                Literal(
                    f"{'Nghị quyết' if info['type'] == 'Resolution' else 'Nghị định'} số {info['id_local']}",
                    lang="vi",
                ),
            )
        )
        g.add((doc, DCTERMS.title, Literal(info["title"], lang="vi")))
        g.add((doc, ELI.id_local, Literal(info["id_local"])))
        g.add((doc, ELI.date_document, _date(info["date"])))
        g.add((doc, QH.documentNumber, Literal(int(number), datatype=XSD.integer)))
        g.add((doc, QH.documentYear, Literal(year, datatype=XSD.gYear)))
        g.add((doc, QH.issuerCode, Literal(info["issuer"])))
        g.add((doc, QH.typeCode, Literal(info["type_code"])))
        g.add((doc, ELI.passed_by, agency_iri(info["passed_by"])))


def build_agencies_graph() -> Graph:
    """The ``reference/agencies`` graph: agencies, posts, restructurings and their legal basis."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    _declare_documents(g)
    agencies, posts, changes = load_agencies()
    for a in agencies:
        g.add((a.iri, RDF.type, QH[a.cls]))
        g.add((a.iri, RDFS.label, Literal(a.name, lang="vi")))
        g.add((a.iri, RDFS.label, Literal(a.label_en, lang="en")))
        g.add((a.iri, SKOS.hiddenLabel, Literal(strip_diacritics(a.name))))
        for variant in a.variants:
            g.add((a.iri, SKOS.altLabel, Literal(variant, lang="vi")))
        for abbr in (*a.abbreviations, *a.codes):
            if a.kind:  # "UBND tỉnh Lạng Sơn": a written form, not an abbreviation of its own
                g.add((a.iri, SKOS.altLabel, Literal(abbr, lang="vi")))
            else:
                g.add((a.iri, QH.abbreviation, Literal(abbr)))
        if a.valid_from:
            g.add((a.iri, QH.validFrom, _date(a.valid_from)))
        if a.valid_until:
            g.add((a.iri, QH.validUntil, _date(a.valid_until)))
        if a.successor is not None:
            g.add((a.iri, QH.successorAgency, a.successor))
        if a.parent is not None:
            g.add((a.iri, ORG.subOrganizationOf, a.parent))
        if a.jurisdiction is not None:
            g.add((a.iri, QH.jurisdiction, a.jurisdiction))
    for p in posts:
        g.add((p.iri, RDF.type, ORG.Post))
        g.add((p.iri, RDFS.label, Literal(p.name, lang="vi")))
        g.add((p.iri, RDFS.label, Literal(p.label_en, lang="en")))
        for variant in p.variants:
            g.add((p.iri, SKOS.altLabel, Literal(variant, lang="vi")))
        g.add((p.iri, ORG.postIn, p.agency))
    for c in changes:
        g.add((c.iri, RDF.type, ORG.ChangeEvent))
        for original in c.originals:
            g.add((c.iri, ORG.originalOrganization, original))
            g.add((original, ORG.changedBy, c.iri))
        g.add((c.iri, ORG.resultingOrganization, c.result))
        g.add((c.result, ORG.resultedFrom, c.iri))
        g.add((c.iri, QH.changeDate, _date(c.day)))
        g.add((c.iri, QH.changeKind, CHANGE_KIND[c.kind]))
        g.add((c.iri, DCTERMS.source, c.source))
    return g
