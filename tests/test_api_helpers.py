"""Helpers for the API tests: a small real store and a real server process on a free port.

(No tests here; the module is named ``test_api_*`` only to sit with the API tests.)
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib import namespace as rdf_namespaces
from rdflib.namespace import OWL

from quyhoach.graph.store import KnowledgeStore
from quyhoach.namespaces import (
    DCTERMS,
    GEO,
    ID,
    OA,
    ONTOLOGY_GRAPH,
    PROV,
    QH,
    SKOS,
    reference_graph,
    source_graph,
)
from quyhoach.processes import stop_process

LANG_SON = ID["unit/province/20"]
CAO_BANG = ID["unit/province/04"]
NEW_CAO_BANG = ID["unit/province-2025/04"]
REGION = ID["unit/region/trung-du-va-mien-nui-phia-bac"]
EVIL_LABEL = '<script>window.__pwned = 1; alert("x")</script> Dự án cửa khẩu'
SOURCE_TEXT = (
    "Ủy ban nhân dân tỉnh Lạng Sơn ban hành Kế hoạch 268/KH-UBND.\n"
    "Dự án <script>alert(1)</script> cửa khẩu Tân Thanh được ưu tiên đầu tư.\n"
)
SHA = hashlib.sha256(SOURCE_TEXT.encode("utf-8")).hexdigest()
SOURCE = ID[f"source/{SHA}"]
PROJECT = ID[f"project/{SHA[:16]}/cua-khau"]
QUOTE = "Dự án <script>alert(1)</script> cửa khẩu Tân Thanh"
QUOTE_START = SOURCE_TEXT.index(QUOTE)
EX = "https://example.org/bulk/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }"


def _ontology() -> Graph:
    g = Graph()
    for cls, vi, en in [(QH.Province, "Tỉnh", "Province"), (QH.Region, "Vùng", "Region"), (QH.Project, "Dự án", "Project"),
                        (QH.SourceDocument, "Tài liệu nguồn", "Source document"), (QH.Evidence, "Bằng chứng", "Evidence")]:
        g.add((cls, RDF.type, OWL.Class))
        g.add((cls, RDFS.label, Literal(vi, lang="vi")))
        g.add((cls, RDFS.label, Literal(en, lang="en")))
        g.add((cls, RDFS.comment, Literal(f"A {en.lower()}.", lang="en")))
    g.add((QH.Province, RDFS.subClassOf, QH.AdministrativeUnit))
    for prop, en, dom, rng in [(QH.successor, "successor", QH.AdministrativeUnit, QH.AdministrativeUnit),
                               (QH.locatedIn, "located in", QH.Project, QH.AdministrativeUnit),
                               (QH.memberOfRegion, "member of region", QH.Province, QH.Region)]:
        g.add((prop, RDF.type, OWL.ObjectProperty))
        g.add((prop, RDFS.label, Literal(en, lang="en")))
        g.add((prop, RDFS.domain, dom))
        g.add((prop, RDFS.range, rng))
    g.add((QH.unitCode, RDF.type, OWL.DatatypeProperty))
    g.add((QH.unitCode, RDFS.label, Literal("unit code", lang="en")))
    return g


def _point(g: Graph, iri: URIRef, lon: float, lat: float) -> None:
    geometry = BNode()
    g.add((iri, GEO.hasGeometry, geometry))
    g.add((geometry, RDF.type, GEO.Geometry))
    g.add((geometry, GEO.asWKT, Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral)))


def _units() -> Graph:
    g = Graph()
    g.add((REGION, RDF.type, QH.Region))
    g.add((REGION, RDFS.label, Literal("Vùng trung du và miền núi phía Bắc", lang="vi")))
    for iri, vi, en, code, lon, lat in [(LANG_SON, "Tỉnh Lạng Sơn", "Lang Son Province", "20", 106.76, 21.85),
                                        (CAO_BANG, "Tỉnh Cao Bằng", "Cao Bang Province", "04", 106.26, 22.67)]:
        g.add((iri, RDF.type, QH.Province))
        g.add((iri, RDFS.label, Literal(vi, lang="vi")))
        g.add((iri, RDFS.label, Literal(en, lang="en")))
        g.add((iri, SKOS.altLabel, Literal(vi.removeprefix("Tỉnh "), lang="vi")))
        g.add((iri, QH.unitCode, Literal(code)))
        g.add((iri, QH.validUntil, Literal("2025-06-30", datatype=rdf_namespaces.XSD.date)))
        g.add((iri, QH.memberOfRegion, REGION))
        _point(g, iri, lon, lat)
    g.add((NEW_CAO_BANG, RDF.type, QH.Province))
    g.add((NEW_CAO_BANG, RDFS.label, Literal("Tỉnh Cao Bằng (2025)", lang="vi")))
    g.add((CAO_BANG, QH.successor, NEW_CAO_BANG))
    event = ID["event/unit/04-2025"]
    g.add((event, RDF.type, QH.UnitChangeEvent))
    g.add((event, QH.originalUnit, CAO_BANG))
    g.add((event, QH.resultingUnit, NEW_CAO_BANG))
    g.add((event, QH.changeDate, Literal("2025-07-01", datatype=rdf_namespaces.XSD.date)))
    for i in range(45):  # more links than one page shows
        project = ID[f"project/test/p{i:02d}"]
        g.add((project, RDF.type, QH.Project))
        g.add((project, RDFS.label, Literal(f"Dự án thử {i:02d}", lang="vi")))
        g.add((project, QH.locatedIn, LANG_SON))
    return g


def _source() -> Graph:
    g = Graph()
    g.add((SOURCE, RDF.type, QH.SourceDocument))
    g.add((SOURCE, DCTERMS.title, Literal("Lạng Sơn ưu tiên đầu tư", lang="vi")))
    g.add((SOURCE, RDFS.label, Literal("Lạng Sơn ưu tiên đầu tư", lang="vi")))
    g.add((SOURCE, QH.sha256, Literal(SHA)))
    g.add((SOURCE, QH.text, Literal(SOURCE_TEXT)))
    evidence = ID[f"evidence/{SHA[:16]}/{QUOTE_START}-{QUOTE_START + len(QUOTE)}"]
    g.add((evidence, RDF.type, QH.Evidence))
    g.add((evidence, OA.hasSource, SOURCE))
    quote, position = BNode(), BNode()
    g.add((evidence, OA.hasSelector, quote))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(QUOTE)))
    g.add((evidence, OA.hasSelector, position))
    g.add((position, RDF.type, OA.TextPositionSelector))
    g.add((position, OA.start, Literal(QUOTE_START, datatype=rdf_namespaces.XSD.integer)))
    g.add((position, OA.end, Literal(QUOTE_START + len(QUOTE), datatype=rdf_namespaces.XSD.integer)))
    g.add((PROJECT, RDF.type, QH.Project))
    g.add((PROJECT, RDFS.label, Literal(EVIL_LABEL, lang="vi")))
    g.add((PROJECT, PROV.wasDerivedFrom, evidence))
    g.add((PROJECT, QH.locatedIn, LANG_SON))
    statement = ID[f"statement/{SHA[:16]}/located"]
    g.add((statement, RDF.type, RDF.Statement))
    g.add((statement, RDF.subject, PROJECT))
    g.add((statement, RDF.predicate, QH.locatedIn))
    g.add((statement, RDF.object, LANG_SON))
    g.add((statement, PROV.wasDerivedFrom, evidence))
    g.add((SOURCE, QH.mentions, LANG_SON))
    return g


def _bulk(n: int = 400) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((URIRef(f"{EX}n{i}"), URIRef(f"{EX}next"), URIRef(f"{EX}n{i + 1}")))
    return g


def build_store(path: Path) -> Path:
    """A small store: ontology, two provinces and a region, a source with evidence, bulk triples."""
    with KnowledgeStore(path) as store:
        store.replace_graph(str(ONTOLOGY_GRAPH), _ontology())
        store.replace_graph(reference_graph("units"), _units())
        store.replace_graph(source_graph(SHA), _source())
        store.replace_graph(EX + "graph", _bulk())
    return path


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LAUNCHER = (
    "import sys\n"
    "from quyhoach.cli import app, main\n"
    "from quyhoach.api.commands import register\n"
    "register(app)\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@contextmanager
def running_server(store: Path, *options: str, env: dict[str, str] | None = None, log: Path | None = None):
    """Run ``quyhoach --store STORE serve --port N OPTIONS`` as a real process; yield its base URL."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "QUYHOACH_TOKEN"}  # no token unless asked
    environment.update(env or {})
    log = log or store.parent / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, "--store", str(store), "serve", "--port", str(port), *options],
            stdout=out, stderr=subprocess.STDOUT, env=environment,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text(errors='replace')}")
            try:
                if httpx.get(base + "/sparql", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        stop_process(process)


def wait_until_indexed(base: str, timeout: float = 300) -> None:
    """Wait until the server's home page no longer says its counts and search index are being built."""
    deadline = time.monotonic() + timeout
    while "being built" in httpx.get(base + "/", timeout=30).text:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the search index of {base} was not ready after {timeout} s")
        time.sleep(0.2)


_SEED: dict[str, Path] = {}


def run_cli(store: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``quyhoach --store STORE ARGS`` as a real process (the same launcher as the server)."""
    return subprocess.run([sys.executable, "-c", LAUNCHER, "--store", str(store), *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def seed_store(tmp_path_factory) -> Path:
    """A store with the bundled seed corpus (``quyhoach load``) and saved findings (``quyhoach check``).

    Built once per test session (about 15 s) and shared by the modules that need real data.
    """
    if "store" not in _SEED:
        store = tmp_path_factory.mktemp("seed") / "store"
        loaded = run_cli(store, "load")
        if loaded.returncode != 0:
            raise RuntimeError(f"quyhoach load failed:\n{loaded.stderr[-2000:]}")
        report = store.parent / "check.json"
        checked = run_cli(store, "check", "--format", "json", "-o", str(report), "--fail-on", "never")
        if checked.returncode != 0:
            raise RuntimeError(f"quyhoach check failed:\n{checked.stderr[-2000:]}")
        _SEED["store"] = store
    return _SEED["store"]
