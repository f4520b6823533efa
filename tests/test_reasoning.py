"""Materialisation into the inferred graph, and the HermiT consistency check of `reason --check`."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from quyhoach.graph.commands import data_for_reasoner
from quyhoach.graph.reasoning import GLOBAL_GRAPHS, RX, inferred_graphs, input_graphs, materialise, refresh
from quyhoach.graph.store import KnowledgeStore
from quyhoach.namespaces import source_graph
from quyhoach.text import ascii_key
from tests.graph_fixtures import build_store, load_fixture
from tests.legacy_reasoning import infer

ID = "https://w3id.org/quyhoach/id/"
QH = "https://w3id.org/quyhoach/ontology#"
PREFIXES = f"PREFIX qh: <{QH}> PREFIX id: <{ID}> PREFIX org: <http://www.w3.org/ns/org#> "


def inferred(store, pattern: str) -> bool:
    """Whether some inferred graph (per source or cross-source) holds ``pattern``."""
    values = " ".join(f"<{g}>" for g in inferred_graphs(store))
    return bool(store.query(PREFIXES + f"ASK {{ VALUES ?g {{ {values} }} GRAPH ?g {{ {pattern} }} }}"))


def inferred_quads(store) -> set[str]:
    """Every quad of every inferred graph, as text."""
    return {str(q) for g in inferred_graphs(store) for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(g))}


def closure(store, derived: set[ox.Triple]) -> set[ox.Triple]:
    """What a query sees: the asserted statements plus ``derived`` (work markers left out)."""
    graphs = [ox.NamedNode(g) for g in input_graphs(store)]
    asserted = {q.triple for g in graphs for q in store.raw.quads_for_pattern(None, None, None, g)}
    return asserted | {t for t in derived if not t.predicate.value.startswith(RX)}


def new_inferences(store) -> set[ox.Triple]:
    return {q.triple for g in inferred_graphs(store) for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(g))}


def assert_same_as_legacy(store) -> None:
    """The SPARQL rules entail exactly what the Python reasoning of earlier versions did."""
    legacy = set(infer(store.raw, [ox.NamedNode(g) for g in input_graphs(store)]))
    assert legacy, "nothing inferred: the comparison would prove nothing"
    assert closure(store, new_inferences(store)) == closure(store, legacy)


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
    assert inferred(store, f"<{ID}unit/district/183> qh:partOf <{ID}unit/country/viet-nam>")


def test_search_keys_are_the_folded_labels_and_quotes(store):
    """Each label, title and quote of a source has its ``qhfn:fold`` as a search key (computed in SPARQL)."""
    texts = store.query(
        "SELECT ?s ?t WHERE { { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?t } UNION "
        "{ ?s <http://www.w3.org/ns/oa#hasSelector>/<http://www.w3.org/ns/oa#exact> ?t } FILTER(isIRI(?s)) }",
        use_default_graph_as_union=True,
    )
    pairs = [(row["s"].value, row["t"].value) for row in texts]
    wanted = {(s, f"{ascii_key(t)}\u0001{t}") for s, t in pairs}
    assert any(ascii_key(t) != t.lower() for _s, t in pairs), "nothing to fold: the comparison proves little"
    keys = {(row["s"].value, row["k"].value) for row in store.query(
        f"SELECT ?s ?k WHERE {{ ?s <{RX}searchKey> ?k }}", use_default_graph_as_union=True)}
    assert len(wanted) > 10
    assert wanted <= keys, sorted(wanted - keys)[:5]


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
    before = inferred_quads(store)
    assert materialise(store) == len(before)
    assert inferred_quads(store) == before
    # drop the fixture's source graph: what was inferred from it disappears on rebuild
    store.remove_graph(source_graph("fixture-plan-implementation-lag.fire"))
    materialise(store)
    assert not inferred(store, "?p qh:mustConformTo ?q")


def test_rules_entail_what_the_python_reasoning_did(store):
    assert_same_as_legacy(store)


def test_rules_on_the_seed_store_entail_what_the_python_reasoning_did(loaded_store, tmp_path):
    import shutil

    from quyhoach.graph.store import KnowledgeStore

    shutil.copytree(loaded_store, tmp_path / "seed")
    with KnowledgeStore(tmp_path / "seed") as seed:
        assert_same_as_legacy(seed)


def test_refresh_after_a_load_or_removal_equals_a_full_rebuild(store):
    # a new source and a succession stated in a source of its own
    load_fixture(store, "tasks-without-lead.fire")
    chain = source_graph("chain")
    a, b = (ox.NamedNode(f"{ID}agency/{x}") for x in ("a", "b"))
    store.raw.extend([ox.Quad(a, ox.NamedNode(QH + "successorAgency"), b, ox.NamedNode(chain))])
    refresh(store, [source_graph("fixture-tasks-without-lead.fire"), chain])
    assert inferred(store, f"{a} qh:currentSuccessor {b}")
    incremental = inferred_quads(store)
    materialise(store)
    assert inferred_quads(store) == incremental
    # removing a source drops what it implied, here and in the cross-source graphs
    plans = source_graph("fixture-plan-implementation-lag.fire")
    assert inferred(store, "?p qh:mustConformTo ?q")
    for graph in (chain, plans):
        store.remove_graph(graph)
        refresh(store, [graph])
        incremental = inferred_quads(store)
        materialise(store)
        assert inferred_quads(store) == incremental
    assert not inferred(store, f"{a} qh:currentSuccessor {b}")
    assert not inferred(store, "?p qh:mustConformTo ?q")


def test_refresh_leaves_the_other_sources_alone(store):
    fixture = source_graph("fixture-plan-implementation-lag.fire")
    others = {g: store.graph_size(g) for g in inferred_graphs(store) if "/global/" not in g and fixture[-20:] not in g}
    load_fixture(store, "tasks-without-lead.fire")
    refresh(store, [source_graph("fixture-tasks-without-lead.fire")])
    assert {g: store.graph_size(g) for g in others} == others


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
    # one line per rule: seconds, CPU seconds, statements, queries
    lines = {line.split()[0]: line.split() for line in result.stderr.splitlines() if "statements" in line}
    assert {"local-properties", "local-types", "local-search", "local-keys", "global-transitive",
            "global-successor", "global-conformity"} <= set(lines)
    with KnowledgeStore(tmp_path / "s", read_only=True) as s:
        transitive = s.graph_size(GLOBAL_GRAPHS["transitive"])
    assert transitive > 0 and int(lines["global-transitive"][6]) == transitive


def test_profile_counts_every_statement_of_the_local_rules(store):
    from quyhoach.graph.reasoning import Profile, inferred_graph_for

    profile = Profile()
    materialise(store, profile)
    local = sum(store.graph_size(inferred_graph_for(g)) for g in input_graphs(store)
                if store.has_graph(inferred_graph_for(g)))
    rows = sum(profile[name].statements for name in ("local-properties", "local-types", "local-search", "local-keys"))
    assert local > 0 and rows >= local  # rows of different rules may be the same statement
    assert all(profile[name].runs >= 1 and profile[name].cpu >= 0 for name in profile)


def test_graphs_outside_the_namespace_get_the_inferred_graph_python_names(store):
    from quyhoach.graph.reasoning import inferred_graph_for

    other = "http://example.org/partner/dataset"
    ministry = ox.NamedNode(f"{ID}agency/partner-ministry")
    store.raw.add(ox.Quad(ministry, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(QH + "Ministry"), ox.NamedNode(other)))
    refresh(store, [other])
    target = inferred_graph_for(other)
    assert "/inferred/other/" in target
    assert store.query(PREFIXES + f"ASK {{ GRAPH <{target}> {{ {ministry} a qh:Agency }} }}")
