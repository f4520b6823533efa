"""SHACL compiled to SPARQL gives the same results as pySHACL per source graph (the reference engine)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rdflib import Graph

from quyhoach.graph.shacl_sources import validate_sources
from quyhoach.graph.shacl_sparql import UnsupportedShape, compile_shapes, validate_store
from quyhoach.graph.store import KnowledgeStore
from tests.conftest import REPO, run_cli
from tests.graph_fixtures import build_store

SH = "http://www.w3.org/ns/shacl#"


def _key(r) -> tuple:
    return (r.focus_node, r.path, r.constraint, r.value)


def _full(r) -> tuple:
    return (r.focus_node, r.path, r.constraint, r.value, r.severity, r.shape, r.source_shape,
            r.message_vi, r.message_en)


def _both(store) -> tuple[set, set, list, list]:
    sparql = validate_store(store)
    reference, _ = validate_sources(store)
    return {_key(r) for r in sparql}, {_key(r) for r in reference}, sparql, reference


def test_every_constraint_kind_agrees_with_pyshacl(tmp_path):
    store = build_store(tmp_path / "s", "shacl-kinds.fire", "shacl.fire", "shacl.quiet")
    try:
        ours, reference, sparql, ref_results = _both(store)
    finally:
        store.close()
    assert ours == reference, (sorted(ours - reference), sorted(reference - ours))
    assert {_full(r) for r in sparql} == {_full(r) for r in ref_results}
    components = {r.constraint.removeprefix(SH).removesuffix("ConstraintComponent") for r in sparql}
    # the fixture breaks every kind of top-level result the shapes can give
    assert components >= {"MinCount", "MaxCount", "Datatype", "NodeKind", "In", "Pattern", "MinLength",
                          "MinInclusive", "MaxInclusive", "LessThanOrEquals", "Or", "Node",
                          "QualifiedMinCount", "SPARQL"}, components
    assert {r.severity for r in sparql} == {"Violation", "Warning"}


def test_a_conforming_graph_gives_nothing(tmp_path):
    store = build_store(tmp_path / "s", "shacl.quiet")
    try:
        assert validate_store(store) == []
    finally:
        store.close()


def test_seed_store_agrees(loaded_store):
    store = KnowledgeStore(loaded_store, read_only=True)
    try:
        ours, reference, *_ = _both(store)
    finally:
        store.close()
    assert ours == reference, (sorted(ours - reference), sorted(reference - ours))


def test_synthetic_store_agrees_and_finds_the_planted_violation(tmp_path):
    data = tmp_path / "national.nq"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--quads", "100000", "--seed", "2",
                    "-o", str(data)], check=True, capture_output=True, text=True)
    manifest = json.loads((tmp_path / "national.manifest.json").read_text(encoding="utf-8"))
    planted = {p["iri"] for p in manifest["planted"] if p["check"] == "shacl"}
    assert planted
    result = run_cli("load", str(data), store=tmp_path / "store", timeout=1800)
    assert result.returncode == 0, result.stderr
    store = KnowledgeStore(tmp_path / "store", read_only=True)
    try:
        ours, reference, sparql, _ = _both(store)
    finally:
        store.close()
    assert ours == reference, (sorted(ours - reference), sorted(reference - ours))
    expected = {iri for check, iri in manifest["expected"] if check == "shacl"}
    assert {r.focus_node for r in sparql} == expected >= planted


_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path {path} ; {constraint} ] .
"""


@pytest.mark.parametrize(("path", "constraint", "named"), [
    ("( ex:p ex:q )", "sh:minCount 1", "complex sh:path"),
    ("ex:p", "sh:equals ex:q", "sh:equals"),
    ("ex:p", "sh:uniqueLang true", "sh:uniqueLang"),
])
def test_an_unsupported_construct_is_named(path, constraint, named):
    shapes = Graph().parse(data=_SHAPES.replace("{path}", path).replace("{constraint}", constraint), format="turtle")
    with pytest.raises(UnsupportedShape, match=named.replace("(", r"\(")):
        compile_shapes(shapes, Graph())


def test_check_command_takes_either_engine(tmp_path):
    store = build_store(tmp_path / "s", "shacl-kinds.fire")
    store.close()
    findings = {}
    for engine in ("sparql", "pyshacl"):
        out = tmp_path / f"{engine}.json"
        result = run_cli("check", "--only", "shacl", "--shacl-engine", engine, "--format", "json", "-o", str(out),
                         "--fail-on", "never", "--no-save", store=tmp_path / "s")
        assert result.returncode == 0, result.stderr
        findings[engine] = {f["id"] for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}
    assert findings["sparql"] == findings["pyshacl"] and len(findings["sparql"]) > 40
    result = run_cli("check", "--shacl-engine", "jena", store=tmp_path / "s")
    assert result.returncode == 1 and "--shacl-engine must be one of" in result.stderr
