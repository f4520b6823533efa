"""Materialisation into the inferred graph, and the HermiT consistency check of `reason --check`."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from quyhoach.graph.commands import data_for_reasoner
from quyhoach.graph.reasoning import infer, materialise
from quyhoach.namespaces import INFERRED_GRAPH, source_graph
from tests.graph_fixtures import build_store

ID = "https://w3id.org/quyhoach/id/"
QH = "https://w3id.org/quyhoach/ontology#"
PREFIXES = f"PREFIX qh: <{QH}> PREFIX id: <{ID}> PREFIX org: <http://www.w3.org/ns/org#> "


def inferred(store, pattern: str) -> bool:
    return bool(store.query(PREFIXES + f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ {pattern} }} }}"))


@pytest.fixture
def store(tmp_path):
    s = build_store(tmp_path / "s", "plan-implementation-lag.fire")
    yield s
    s.close()


def test_superclass_types_are_materialised(store):
    assert inferred(store, f"<{ID}agency/bo-tai-chinh> a qh:Agency")
    assert inferred(store, f"<{ID}agency/bo-tai-chinh> a org:Organization")
    assert inferred(store, f"<{ID}unit/district/183> a qh:AdministrativeUnit")
    # asserted types are not repeated
    assert not inferred(store, f"<{ID}agency/bo-tai-chinh> a qh:Ministry")


def test_containment_region_province_district(store):
    # memberOfRegion is a subproperty of partOf, partOf is transitive, hasPart its inverse
    assert inferred(store, f"<{ID}unit/province/20> qh:partOf <{ID}unit/region/trung-du-va-mien-nui-phia-bac>")
    assert inferred(store, f"<{ID}unit/district/183> qh:partOf <{ID}unit/region/trung-du-va-mien-nui-phia-bac>")
    assert inferred(store, f"<{ID}unit/region/trung-du-va-mien-nui-phia-bac> qh:hasPart <{ID}unit/district/183>")
    assert not inferred(store, f"<{ID}unit/district/183> qh:partOf <{ID}unit/region/dong-bang-song-hong>")


def test_inverse_of_approves(store):
    assert inferred(
        store, f"<{ID}plan/implementation/lai-chau/2021-2030> qh:approvedBy <{ID}doc/qd-ttg/2024/1486>"
    )


def test_current_successor_follows_chains(store):
    # A chain of two changes: the current holder is the end of the chain, not the middle
    chain = ox.NamedNode(source_graph("chain"))
    a, b, c = (ox.NamedNode(f"{ID}agency/{x}") for x in ("a", "b", "c"))
    succ = ox.NamedNode(QH + "successorAgency")
    store.raw.extend([ox.Quad(a, succ, b, chain), ox.Quad(b, succ, c, chain)])
    materialise(store)
    assert inferred(store, f"{a} qh:currentSuccessor {c}")
    assert inferred(store, f"{b} qh:currentSuccessor {c}")
    assert not inferred(store, f"{a} qh:currentSuccessor {b}")
    assert inferred(store, f"<{ID}agency/bo-ke-hoach-va-dau-tu> qh:currentSuccessor <{ID}agency/bo-tai-chinh>")
    assert inferred(store, f"<{ID}unit/province/24> qh:currentSuccessor <{ID}unit/province-2025/27>")


def test_plan_conformity_from_levels_and_coverage(store):
    lai_chau = f"<{ID}plan/provincial/lai-chau/2021-2030>"
    assert inferred(store, f"{lai_chau} qh:mustConformTo <{ID}plan/regional/trung-du-va-mien-nui-phia-bac/2021-2030>")
    assert inferred(store, f"{lai_chau} qh:mustConformTo <{ID}plan/national-master/viet-nam/2021-2030>")
    assert inferred(store, f"<{ID}plan/regional/trung-du-va-mien-nui-phia-bac/2021-2030> qh:mustConformTo "
                           f"<{ID}plan/national-master/viet-nam/2021-2030>")
    assert not inferred(store, f"<{ID}plan/national-master/viet-nam/2021-2030> qh:mustConformTo ?x")


def test_rebuild_is_idempotent_and_forgets_removed_facts(store):
    graph = str(INFERRED_GRAPH)
    before = sorted(str(q) for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    assert materialise(store) == len(before)
    again = sorted(str(q) for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    assert again == before
    # drop the fixture's source graph: what was inferred from it disappears on rebuild
    store.remove_graph(source_graph("fixture-plan-implementation-lag.fire"))
    materialise(store)
    assert not inferred(store, "?p qh:mustConformTo ?q")


def test_infer_never_reads_its_own_output(store):
    first = {str(t) for t in infer(store.raw)}
    materialise(store)
    assert {str(t) for t in infer(store.raw)} == first


def test_sample_for_the_reasoner_is_stable_and_bounded(store):
    full, described = data_for_reasoner(store)
    part, n = data_for_reasoner(store, sample=5)
    assert n == 5 and len(part) < len(full) and described > 5
    again, _ = data_for_reasoner(store, sample=5)
    named = {s for s in part.subjects() if isinstance(s, URIRef)}
    assert {s for s in again.subjects() if isinstance(s, URIRef)} == named and len(again) == len(part)


def _java() -> bool:
    from quyhoach.graph.hermit import java_available

    return java_available()


@pytest.mark.slow
@pytest.mark.skipif(not _java(), reason="HermiT needs Java")
def test_reason_check_reports_consistency_and_clashes_in_plain_words(tmp_path):
    from tests.test_queries import run_cli

    s = build_store(tmp_path / "ok", "tasks-without-lead.quiet")
    s.close()
    ok = run_cli(tmp_path / "ok", "reason", "--check", "--sample", "40")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Consistent" in ok.stdout
    bad = build_store(tmp_path / "bad", "tasks-without-lead.quiet")
    # a plan that is also a legal document: the two classes are disjoint
    thing = ox.NamedNode(f"{ID}plan/provincial/x/2021-2030")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    graph = ox.NamedNode(source_graph("bad"))
    bad.raw.extend([ox.Quad(thing, rdf_type, ox.NamedNode(QH + "ProvincialPlan"), graph),
                    ox.Quad(thing, rdf_type, ox.NamedNode(QH + "Decision"), graph)])
    bad.close()
    result = run_cli(tmp_path / "bad", "reason", "--check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Inconsistent" in result.stdout and "plan/provincial/x/2021-2030" in result.stdout


def test_reason_command_rebuilds(tmp_path):
    from tests.test_queries import run_cli

    s = build_store(tmp_path / "s", "plan-implementation-lag.fire", reason=False)
    s.close()
    result = run_cli(tmp_path / "s", "reason")
    assert result.returncode == 0, result.stderr
    assert "inferred graph rebuilt" in result.stdout
