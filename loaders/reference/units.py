"""Administrative units: the country, the 63 legacy provinces, their districts, the 34 provinces of 2025, regions.

Unit lists, codes, names and coordinates come from the ``vietnamadminunits`` package (its
SQLite tables ``admin_units_legacy`` and ``admin_units`` and the 2025 conversion table);
only the six socio-economic regions, a few former names and the legal basis of the 2025
rearrangement come from ``regions.yaml``. :func:`load_units` gives plain records (used by
the name resolver), :func:`build_units_graph` the RDF of the ``reference/units`` graph.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources

import yaml
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from quyhoach.namespaces import DCTERMS, ELI, GEO, ID, PREFIXES, QH, SKOS
from quyhoach.text import strip_diacritics

#: Last day of the 63 provinces and of all districts; first day of the 34 provinces.
LEGACY_UNTIL = date(2025, 6, 30)
REFORM_DATE = date(2025, 7, 1)

#: The country unit: every region, and every province of no region, is part of it.
COUNTRY = {"slug": "viet-nam", "vi": "Việt Nam", "en": "Viet Nam", "full": "Cộng hòa xã hội chủ nghĩa Việt Nam"}

PROVINCE_KINDS = {"tỉnh": "Tỉnh", "thành phố": "Thành phố"}
DISTRICT_KINDS = {"huyện": "Huyện", "quận": "Quận", "thị xã": "Thị xã", "thành phố": "Thành phố"}


@dataclass(frozen=True)
class UnitRecord:
    """One administrative unit as the resolver and the graph builder see it."""

    iri: URIRef
    level: str  # 'region' | 'province' | 'district'
    code: str
    name: str  # short name: "Lạng Sơn"
    full_name: str  # "Tỉnh Lạng Sơn"
    kind: str  # "tỉnh" | "thành phố" | "huyện" | "quận" | "thị xã" | "vùng"
    label_en: str
    valid_from: date | None = None
    valid_until: date | None = None
    parent: URIRef | None = None  # the province of a district
    successor: URIRef | None = None
    lat: float | None = None
    lon: float | None = None
    variants: tuple[str, ...] = ()  # further names documents use (without a kind prefix)
    abbreviations: tuple[str, ...] = ()  # case-sensitive short forms
    members: tuple[URIRef, ...] = field(default=())  # provinces of a region
    is_capital: bool = False

    def valid_on(self, day: date) -> bool:
        """Whether the unit existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


def legacy_province_iri(code: str) -> URIRef:
    """IRI of a province valid until 2025-06-30 (legacy 2-digit code)."""
    return ID[f"unit/province/{code}"]


def province_2025_iri(code: str) -> URIRef:
    """IRI of a province valid from 2025-07-01."""
    return ID[f"unit/province-2025/{code}"]


def district_iri(code: str) -> URIRef:
    """IRI of a legacy district (3-digit code)."""
    return ID[f"unit/district/{code}"]


def country_iri() -> URIRef:
    """IRI of the country (``qh:Country``): the scope of national plans, the top of ``qh:partOf``."""
    return ID[f"unit/country/{COUNTRY['slug']}"]


def region_iri(slug: str) -> URIRef:
    """IRI of a socio-economic region."""
    return ID[f"unit/region/{slug}"]


@lru_cache(maxsize=1)
def reference_data() -> dict:
    """The hand-kept part of the unit data (``regions.yaml``)."""
    text = (resources.files("quyhoach.loaders.reference") / "regions.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def rearrangement_document() -> URIRef:
    """IRI of Resolution 202/2025/QH15 on the rearrangement of provinces."""
    return ID[f"doc/{reference_data()['rearrangement_2025']['key']}"]


def _kind_of(full_name: str, kinds: dict[str, str]) -> str:
    for kind, prefix in kinds.items():
        if full_name.startswith(prefix + " "):
            return kind
    raise ValueError(f"unknown unit kind in {full_name!r}")


def _english_province(name: str, kind: str, geo_address: str | None) -> str:
    ascii_name = strip_diacritics(name)
    if kind == "tỉnh":
        return f"{ascii_name} Province"
    geo = strip_diacritics((geo_address or "").split(",")[0].strip())
    return geo or f"{ascii_name} City"


def _english_district(name: str, kind: str) -> str:
    ascii_name = strip_diacritics(name)
    suffix = {"huyện": "District", "quận": "District", "thị xã": "Town", "thành phố": "City"}[kind]
    return f"{ascii_name} {suffix}"


def _package_rows(sql: str) -> list[dict]:
    from vietnamadminunits.database import query

    return query(sql)


def _converter_provinces() -> dict[str, list[str]]:
    text = (resources.files("vietnamadminunits") / "data" / "converter_2025.json").read_text("utf-8")
    return json.loads(text)["DICT_PROVINCE"]


@lru_cache(maxsize=1)
def load_units() -> tuple[UnitRecord, ...]:
    """All unit records: regions, legacy provinces, legacy districts, 2025 provinces."""
    data = reference_data()
    capital = data.get("capital")
    extra = {code: tuple(names) for code, names in (data.get("province_variants") or {}).items()}

    new_rows = _package_rows(
        "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, provinceLat, provinceLon "
        "FROM admin_units ORDER BY provinceCode"
    )
    legacy_rows = _package_rows(
        "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, provinceLat, provinceLon, "
        "provinceGeoAddress FROM admin_units_legacy ORDER BY provinceCode"
    )
    new_code_by_key = {r["provinceKey"]: r["provinceCode"] for r in new_rows}
    legacy_code_by_key = {r["provinceKey"]: r["provinceCode"] for r in legacy_rows}
    successor_code: dict[str, str] = {}
    for new_key, old_keys in _converter_provinces().items():
        for old_key in old_keys:
            successor_code[legacy_code_by_key[old_key]] = new_code_by_key[new_key]

    region_of: dict[str, URIRef] = {}
    records: list[UnitRecord] = []
    for region in data["regions"]:
        iri = region_iri(region["slug"])
        members = tuple(legacy_province_iri(code) for code in region["members"])
        for code in region["members"]:
            region_of[code] = iri
        records.append(
            UnitRecord(
                iri=iri,
                level="region",
                code=region["slug"],
                name=region["vi"],
                full_name=f"Vùng {region['vi']}",
                kind="vùng",
                label_en=region["en"],
                variants=tuple(region.get("variants") or ()),
                abbreviations=tuple(region.get("abbreviations") or ()),
                members=members,
            )
        )

    for r in legacy_rows:
        code = r["provinceCode"]
        kind = _kind_of(r["province"], PROVINCE_KINDS)
        records.append(
            UnitRecord(
                iri=legacy_province_iri(code),
                level="province",
                code=code,
                name=r["provinceShort"],
                full_name=r["province"],
                kind=kind,
                label_en=_english_province(r["provinceShort"], kind, r["provinceGeoAddress"]),
                valid_until=LEGACY_UNTIL,
                parent=region_of.get(code),
                successor=province_2025_iri(successor_code[code]),
                lat=r["provinceLat"],
                lon=r["provinceLon"],
                variants=extra.get(code, ()),
                is_capital=code == capital,
            )
        )

    for r in new_rows:
        code = r["provinceCode"]
        kind = _kind_of(r["province"], PROVINCE_KINDS)
        records.append(
            UnitRecord(
                iri=province_2025_iri(code),
                level="province",
                code=code,
                name=r["provinceShort"],
                full_name=r["province"],
                kind=kind,
                label_en=_english_province(r["provinceShort"], kind, None),
                valid_from=REFORM_DATE,
                lat=r["provinceLat"],
                lon=r["provinceLon"],
                is_capital=r["provinceShort"] == "Hà Nội" and capital is not None,
            )
        )

    district_rows = _package_rows(
        "SELECT DISTINCT districtCode, districtType, districtShort, provinceCode, districtLat, districtLon "
        "FROM admin_units_legacy ORDER BY districtCode"
    )
    for r in district_rows:
        # the package's full names vary in case ("Thành Phố Bắc Kạn"): rebuild from the type
        full_name = f"{r['districtType'].capitalize()} {r['districtShort']}"
        kind = _kind_of(full_name, DISTRICT_KINDS)
        records.append(
            UnitRecord(
                iri=district_iri(r["districtCode"]),
                level="district",
                code=r["districtCode"],
                name=r["districtShort"],
                full_name=full_name,
                kind=kind,
                label_en=_english_district(r["districtShort"], kind),
                valid_until=LEGACY_UNTIL,
                parent=legacy_province_iri(r["provinceCode"]),
                successor=province_2025_iri(successor_code[r["provinceCode"]]),
                lat=r["districtLat"],
                lon=r["districtLon"],
            )
        )
    return tuple(records)


def name_forms(record: UnitRecord) -> list[str]:
    """The Vietnamese name forms written in documents: short, full, lower-case prefix, TP. forms."""
    forms = [record.full_name]
    if record.level == "region":
        forms += [f"vùng {record.name}"] + [f"vùng {v}" for v in record.variants]
        return forms
    prefix = record.full_name[: len(record.full_name) - len(record.name)].strip()
    forms.append(f"{prefix.lower()} {record.name}")
    if record.kind == "thành phố":
        forms += [f"TP. {record.name}", f"TP {record.name}"]
    if record.is_capital:
        forms.append(f"Thủ đô {record.name}")
    forms += list(record.variants)
    return forms


# -- graph ------------------------------------------------------------------------------------

#: Concepts of qh:ChangeKindScheme (ontology/concepts.ttl).
CHANGE_KIND = {kind: ID[f"change-kind/{kind}"] for kind in ("merger", "continuation", "abolition")}


def _date(day: date) -> Literal:
    return Literal(day, datatype=XSD.date)


def _labels(g: Graph, rec: UnitRecord) -> None:
    g.add((rec.iri, RDFS.label, Literal(rec.name, lang="vi")))
    g.add((rec.iri, RDFS.label, Literal(rec.label_en, lang="en")))
    seen = {rec.name}
    for form in name_forms(rec):
        if form not in seen:
            seen.add(form)
            g.add((rec.iri, SKOS.altLabel, Literal(form, lang="vi")))
    for abbr in rec.abbreviations:
        g.add((rec.iri, SKOS.altLabel, Literal(abbr, lang="vi")))
    for hidden in {strip_diacritics(rec.name), strip_diacritics(rec.full_name)}:
        g.add((rec.iri, SKOS.hiddenLabel, Literal(hidden)))
    if rec.level == "province" and rec.kind == "thành phố":
        g.add((rec.iri, SKOS.altLabel, Literal(f"{strip_diacritics(rec.name)} City", lang="en")))


def _point(g: Graph, rec: UnitRecord) -> None:
    if rec.lat is None or rec.lon is None:
        return
    geometry = URIRef(f"{rec.iri}/geometry")
    g.add((rec.iri, GEO.hasGeometry, geometry))
    g.add((geometry, RDF.type, GEO.Geometry))
    g.add((geometry, GEO.asWKT, Literal(f"POINT({rec.lon} {rec.lat})", datatype=GEO.wktLiteral)))


def _change_event(
    g: Graph, iri: URIRef, originals: list[URIRef], result: URIRef, kind: str, label: str
) -> None:
    g.add((iri, RDF.type, QH.UnitChangeEvent))
    g.add((iri, RDFS.label, Literal(label, lang="vi")))
    for original in originals:
        g.add((iri, QH.originalUnit, original))
    g.add((iri, QH.resultingUnit, result))
    g.add((iri, QH.changeDate, _date(REFORM_DATE)))
    g.add((iri, QH.changeKind, CHANGE_KIND[kind]))
    g.add((iri, DCTERMS.source, rearrangement_document()))


def _declare_rearrangement_document(g: Graph) -> None:
    info = reference_data()["rearrangement_2025"]
    doc = rearrangement_document()
    number, year, issuer = info["id_local"].split("/")
    g.add((doc, RDF.type, QH.Resolution))
    g.add((doc, RDFS.label, Literal(f"Nghị quyết số {info['id_local']}", lang="vi")))
    g.add((doc, DCTERMS.title, Literal(info["title"], lang="vi")))
    g.add((doc, ELI.id_local, Literal(info["id_local"])))
    g.add((doc, ELI.date_document, _date(info["date"])))
    g.add((doc, QH.documentNumber, Literal(int(number), datatype=XSD.integer)))
    g.add((doc, QH.documentYear, Literal(year, datatype=XSD.gYear)))
    g.add((doc, QH.issuerCode, Literal(issuer)))
    g.add((doc, QH.typeCode, Literal("NQ")))
    g.add((doc, ELI.passed_by, ID["agency/quoc-hoi"]))


def build_units_graph() -> Graph:
    """The ``reference/units`` graph: units, regions, successions and their legal basis."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    _declare_rearrangement_document(g)
    country = country_iri()
    g.add((country, RDF.type, QH.Country))
    g.add((country, RDFS.label, Literal(COUNTRY["vi"], lang="vi")))
    g.add((country, RDFS.label, Literal(COUNTRY["en"], lang="en")))
    g.add((country, SKOS.altLabel, Literal(COUNTRY["full"], lang="vi")))
    g.add((country, QH.unitKind, Literal("quốc gia")))
    records = load_units()
    absorbed: dict[URIRef, list[URIRef]] = {}
    for rec in records:
        cls = {"region": QH.Region, "province": QH.Province, "district": QH.District}[rec.level]
        g.add((rec.iri, RDF.type, cls))
        _labels(g, rec)
        if rec.level != "region":  # regions have no official code (their slug is in the IRI)
            g.add((rec.iri, QH.unitCode, Literal(rec.code)))
        g.add((rec.iri, QH.unitKind, Literal(rec.kind)))
        if rec.valid_from:
            g.add((rec.iri, QH.validFrom, _date(rec.valid_from)))
        if rec.valid_until:
            g.add((rec.iri, QH.validUntil, _date(rec.valid_until)))
        _point(g, rec)
        if rec.level == "region":
            g.add((rec.iri, QH.partOf, country))
            continue
        if rec.level == "province" and rec.parent is not None:
            g.add((rec.iri, QH.memberOfRegion, rec.parent))
        elif rec.level == "province":  # a province of 2025 (the regions list the legacy ones)
            g.add((rec.iri, QH.partOf, country))
        if rec.level == "district":
            g.add((rec.iri, QH.partOf, rec.parent))
            g.add((rec.parent, QH.hasPart, rec.iri))
        if rec.successor is not None:
            g.add((rec.iri, QH.successor, rec.successor))
            g.add((rec.successor, QH.predecessor, rec.iri))
            if rec.level == "province":
                absorbed.setdefault(rec.successor, []).append(rec.iri)
            else:
                event = ID[f"change/2025-07-01/district/{rec.code}"]
                _change_event(
                    g, event, [rec.iri], rec.successor, "abolition", f"Kết thúc hoạt động {rec.full_name}"
                )

    by_iri = {rec.iri: rec for rec in records}
    for new_iri, originals in absorbed.items():
        new = by_iri[new_iri]
        kind = "merger" if len(originals) > 1 else "continuation"
        event = ID[f"change/2025-07-01/province-2025/{new.code}"]
        verb = "Hợp nhất thành" if kind == "merger" else "Tiếp tục"
        _change_event(g, event, sorted(originals), new_iri, kind, f"{verb} {new.full_name} (2025)")
    return g
