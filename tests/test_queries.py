"""The named-query library: headers, safe parameter binding, each query on small fixtures, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest

from quyhoach.errors import UserError
from quyhoach.graph import named_queries as nq
from tests.graph_fixtures import build_store

LIBRARY = nq.discover()
REGISTERED_CLI = "from quyhoach.cli import app, main; from quyhoach.graph.commands import register; register(app); main()"


def run_cli(store, *args: str) -> subprocess.CompletedProcess:
    """``quyhoach`` with the query/check/reason commands registered, as a real process."""
    env = {"QUYHOACH_STORE": str(store), "COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    code = REGISTERED_CLI.replace("main()", f"sys.argv = ['quyhoach', *{list(args)!r}]; main()")
    return subprocess.run([sys.executable, "-c", "import sys; " + code], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture
def store(tmp_path):
    opened = []

    def make(*names):
        s = build_store(tmp_path / f"store{len(opened)}", *names)
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()


def rows(store, name, **params):
    result = nq.run(store, nq.find(name), {k: str(v) for k, v in params.items()})
    return [{k: nq.plain(v) for k, v in row.items() if v is not None} for row in result.rows]


# -- headers ------------------------------------------------------------------------------------
def test_library_has_the_required_queries():
    names = {q.name for q in LIBRARY}
    assert {
        "plan-hierarchy", "plan-implementation-lag", "citations", "cited-not-loaded", "responsibility",
        "tasks-without-lead", "overdue-deadlines", "obsolete-agency-duties", "obsolete-unit-references",
        "shared-units", "province-in-several-corridors", "project-in-several-plans", "zone-in-several-documents",
        "corridor-merged-provinces", "target-comparison", "target-conflicts", "funding-parts-total",
        "funding-share-amount", "temporal-order", "conflicting-dates", "search",
    } <= names


@pytest.mark.parametrize("query", LIBRARY, ids=lambda q: q.name)
def test_every_query_has_a_complete_header(query):
    for key in ("title@vi", "title@en", "question", "example", "returns"):
        assert query.fields.get(key), f"{query.name}: header field {key} missing"
    assert f"quyhoach query {query.name}" in query.example
    for param in query.params:
        assert param.type in nq.PARAM_TYPES and param.description
        assert f"?{param.name}" in query.body, f"{query.name}: parameter {param.name} unused"
    if query.severity:
        assert query.severity in ("error", "warning", "info")
        assert query.fields.get("message@vi") and query.fields.get("message@en") and query.entity_vars
        for var in query.entity_vars:
            assert f"?{var}" in query.body


@pytest.mark.parametrize("query", LIBRARY, ids=lambda q: q.name)
def test_every_query_returns_the_promised_columns(query, store):
    s = store()
    params = {"q": "lai chau"} if query.name == "search" else query.example_params()
    result = nq.run(s, query, params)
    promised = [c.strip() for c in query.fields["returns"].split(",")]
    assert result.columns == promised


def test_header_parsing_continuation_lines_and_defaults():
    fields, params = nq.parse_header(
        "# title@en: A\n# question: first line\n#   second line\n# param: today date = today -- the day\n"
        "# param: unit iri -- a unit\nSELECT * WHERE { ?s ?p ?o }\n# not: header\n"
    )
    assert fields["question"] == "first line second line"
    assert "not" not in fields
    assert params[0] == nq.Param("today", "date", "today", "the day")
    assert params[1].default is None


# -- parameters -----------------------------------------------------------------------------------
def test_parameters_become_typed_terms():
    p = nq.Param("x", "date", None)
    assert nq.to_term(p, "2025-07-01") == ox.Literal("2025-07-01", datatype=ox.NamedNode(nq.XSD + "date"))
    assert nq.to_term(nq.Param("u", "iri", None), "id:unit/province/20").value.endswith("/id/unit/province/20")
    assert nq.to_term(nq.Param("u", "iri", None), "unit/province/20").value == "https://w3id.org/quyhoach/id/unit/province/20"
    assert nq.to_term(nq.Param("n", "decimal", None), "0.5").datatype.value.endswith("decimal")
    for kind, bad in [("date", "31/12/2025"), ("integer", "ten"), ("iri", "a b"), ("iri", "x>y"), ("year", "25")]:
        with pytest.raises(UserError):
            nq.to_term(nq.Param("x", kind, None), bad)


def test_unknown_parameter_is_a_user_error():
    with pytest.raises(UserError, match="no parameter"):
        nq.bind_params(nq.find("citations"), {"nope": "1"})


def test_injection_attempt_stays_a_literal(store):
    s = store("zone-in-several-documents.fire")
    hostile = '"} } UNION { ?entity ?p ?text } #'
    assert rows(s, "search", q=hostile) == []
    bound = nq.bound_text(nq.find("search"), {"q": hostile})
    assert 'VALUES (?q) { ("\\"} } UNION { ?entity ?p ?text } #") }' in bound


def test_values_block_goes_where_the_query_says_parameters_go():
    text = "SELECT ?a WHERE {\n  { ?a ?b ?c .\n    # parameters\n    FILTER(?c = ?x) }\n  ?a ?d ?e }"
    out = nq.inject_values(text, {"x": ox.Literal("1")})
    assert out.count("VALUES") == 1 and "# parameters" not in out
    assert out.index("{ ?a ?b ?c") < out.index("VALUES") < out.index("FILTER(?c = ?x)")
    assert "# parameters" in nq.find("search").body


def test_values_block_goes_into_the_outer_group_not_into_a_comment_or_iri():
    text = "# { not here\nPREFIX x: <http://e/#frag>\nSELECT ?a WHERE { ?a ?b \"{\" }"
    out = nq.inject_values(text, {"a": ox.NamedNode("http://e/a")})
    assert out.index("VALUES") > out.index("WHERE {")
    assert "<http://e/#frag>" in out
    assert out.count("VALUES") == 1


# -- each query on fixtures --------------------------------------------------------------------------
def test_plan_hierarchy_conformity_and_lag(store):
    s = store("plan-implementation-lag.fire")
    result = rows(s, "plan-hierarchy", plan="id:plan/provincial/lai-chau/2021-2030")
    uppers = {r.get("conformsTo", "").rsplit("/", 2)[-2] for r in result}
    assert uppers == {"trung-du-va-mien-nui-phia-bac", "viet-nam"}
    assert {r["lagDays"] for r in result} == {"338"}
    assert {r["approvedById"] for r in result} == {"1673/QĐ-TTg"}
    assert {r["implementedById"] for r in result} == {"1486/QĐ-TTg"}


def test_citations_both_directions(store):
    s = store("cited-not-loaded.fire")
    cites = rows(s, "citations", document="id:doc/qd-ttg/2024/1161")
    assert [(r["direction"], r["otherId"], r["otherLoaded"]) for r in cites] == [("cites", "37/2019/NĐ-CP", "false")]
    cited_by = rows(s, "citations", document="id:doc/nd-cp/2019/37")
    assert [(r["direction"], r["otherId"], r["otherLoaded"]) for r in cited_by] == [("cited-by", "1161/QĐ-TTg", "true")]


def test_responsibility_follows_the_merger_to_todays_holder(store):
    s = store("obsolete-agency-duties.fire", "tasks-without-lead.quiet")
    by_finance = rows(s, "responsibility", agency="id:agency/bo-tai-chinh")
    named = sorted(r["namedAgencyLabel"] for r in by_finance)
    assert named == ["Bộ Kế hoạch và Đầu tư", "Bộ Tài chính"]
    inherited = next(r for r in by_finance if r["namedAgencyLabel"] == "Bộ Kế hoạch và Đầu tư")
    assert inherited["currentHolderLabel"] == "Bộ Tài chính" and inherited["changedOn"] == "2025-03-01"
    assert inherited["role"] == "lead"
    assert rows(s, "responsibility", agency="id:agency/bo-xay-dung")[0]["role"] == "cooperate"


def test_responsibility_by_unit_uses_jurisdiction_and_containment(store):
    s = store("overdue-deadlines.fire")
    # no plan covers Lạng Sơn and no agency there: nothing
    assert rows(s, "responsibility", unit="id:unit/province/20") == []


def test_shared_units_through_districts(store):
    s = store("obsolete-unit-references.fire", "province-in-several-corridors.fire")
    pairs = rows(s, "shared-units", unit="id:unit/province/20")
    kinds = sorted((r["firstKind"], r["secondKind"]) for r in pairs)
    # the zone lies in a district of Lạng Sơn; two corridors stop at Lạng Sơn
    assert ("corridor", "corridor") in kinds and ("corridor", "zone") in kinds
    assert all(r["sharedUnits"] == "Lạng Sơn" for r in pairs)


def test_shared_units_needs_a_unit_or_a_thing_and_the_counts_match_the_pairs(store):
    s = store("obsolete-unit-references.fire", "province-in-several-corridors.fire")
    with pytest.raises(UserError, match="needs one of the parameters unit, thing"):
        rows(s, "shared-units")
    counts = {r["unit"]: r for r in rows(s, "shared-units-count")}
    for unit, row in counts.items():
        pairs = rows(s, "shared-units", unit=unit)
        assert int(row["pairs"]) == len(pairs) == int(row["things"]) * (int(row["things"]) - 1) // 2
        kinds = int(row["corridors"]) + int(row["routes"]) + int(row["zones"]) + int(row["projects"])
        assert kinds == int(row["things"])
    assert any(int(r["pairs"]) > 0 for r in counts.values())
    zones = rows(s, "shared-units-count", kind="zone")
    assert zones and all(r["things"] == r["zones"] for r in zones)


def test_target_comparison_lists_agreeing_and_disagreeing_pairs(store):
    s = store("target-conflicts.fire", "target-conflicts.quiet")
    result = rows(s, "target-comparison", unit="id:unit/province/12")
    agree = {(r["indicator"].rsplit("/", 1)[-1], r["agree"]) for r in result}
    assert ("forest-cover", "true") in agree and ("grdp-growth", "false") in agree
    assert not any(r["period"] == "2025" for r in result)  # 2025 and 2030 are not compared


def test_search_ignores_diacritics_and_case(store):
    s = store("zone-in-several-documents.fire")
    for q in ("dong dang", "ĐỒNG ĐĂNG", "Đồng Đăng – Lạng Sơn"):
        found = rows(s, "search", q=q)
        assert {r["kind"] for r in found} == {"label", "quote"}, q
    assert rows(s, "search", q="hai phong") == []


def test_search_of_a_word_in_thousands_of_texts_ranks_the_shortest_first(store):
    from quyhoach.graph.reasoning import materialise

    s = store("zone-in-several-documents.fire")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    things = [
        ox.Triple(ox.NamedNode(f"https://example.org/thing/{i}"), label, ox.Literal(f"Khu {'x' * (i % 97)} zqxw {i}", language="vi"))
        for i in range(12000)
    ]
    s.replace_graph("https://example.org/graph/many", things)
    materialise(s)
    found = rows(s, "search", q="ZQXW")
    assert len(found) == 500 and {r["kind"] for r in found} == {"label"}
    lengths = [len(r["text"]) for r in found]
    assert lengths == sorted(lengths)
    # the 500 shortest of the 12 000 texts holding the word: no longer text comes before a shorter one
    shortest = sorted(len(str(t.object.value)) for t in things)[:500]
    assert lengths == shortest


# -- output and CLI -----------------------------------------------------------------------------------
def test_render_formats():
    result = nq.QueryResult(["a", "n"], [{"a": ox.NamedNode("https://w3id.org/quyhoach/id/x"),
                                           "n": ox.Literal("3", datatype=ox.NamedNode(nq.XSD + "integer"))}])
    assert json.loads(nq.render(result, "json"))["rows"] == [{"a": "https://w3id.org/quyhoach/id/x", "n": 3}]
    assert nq.render(result, "csv").splitlines() == ["a,n", "https://w3id.org/quyhoach/id/x,3"]
    assert nq.render(result, "tsv").splitlines()[1] == "https://w3id.org/quyhoach/id/x\t3"


def test_cli_list_and_run(tmp_path):
    s = build_store(tmp_path / "s", "obsolete-agency-duties.fire")
    s.close()
    listed = run_cli(tmp_path / "s", "query", "--list")
    assert listed.returncode == 0, listed.stderr
    assert "plan-hierarchy" in listed.stdout and "Plan hierarchy" in listed.stdout
    ran = run_cli(tmp_path / "s", "query", "obsolete-agency-duties", "--param", "today=2026-01-01", "--format", "json")
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert [r["holderLabel"] for r in data["rows"]] == ["Bộ Tài chính"]
    bad = run_cli(tmp_path / "s", "query", "responsibility", "--param", "agency=not an iri")
    assert bad.returncode == 1 and "not a valid iri" in bad.stderr
    missing = run_cli(tmp_path / "s", "query", "no-such-query")
    assert missing.returncode == 1 and "no query named" in missing.stderr


def test_cli_runs_a_query_file(tmp_path):
    s = build_store(tmp_path / "s", "cited-not-loaded.fire")
    s.close()
    rq = tmp_path / "mine.rq"
    rq.write_text("# title@en: mine\n# param: doc iri = none -- a document\n"
                  "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
                  "SELECT ?id WHERE { ?doc eli:id_local ?id }\n", encoding="utf-8")
    ran = run_cli(tmp_path / "s", "query", str(rq), "-p", "doc=id:doc/nd-cp/2019/37", "--format", "csv")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["id", "37/2019/NĐ-CP"]

