"""`quyhoach check`: every check fires on its fixture and stays quiet on the other; reports, baseline, exit codes."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Namespace

from quyhoach.graph import checks as ck
from quyhoach.graph import named_queries as nq
from quyhoach.graph import report as rp
from quyhoach.namespaces import source_graph
from tests.graph_fixtures import build_store, fixture_path
from tests.test_queries import run_cli

CHECKS = [q.name for q in ck.check_queries()] + ["shacl"]
TODAY = {"today": "2026-01-01"}
QH = Namespace("https://w3id.org/quyhoach/ontology#")


def findings(tmp_path, fixture: str, check: str) -> list[ck.Finding]:
    store = build_store(tmp_path / fixture, fixture)
    try:
        report = ck.run_checks(store, params=TODAY, names=[check], shacl=check == "shacl")
    finally:
        store.close()
    assert not [c.error for c in report.checks if c.error]
    return [f for f in report.findings if f.check == check]


@pytest.mark.parametrize("check", CHECKS)
def test_check_fires_on_its_fixture(check, tmp_path):
    found = findings(tmp_path, f"{check}.fire", check)
    assert found, f"{check} did not fire"
    for finding in found:
        assert finding.message_vi and finding.message_en and "{" not in finding.message_en
        assert finding.entities and finding.sparql


@pytest.mark.parametrize("check", CHECKS)
def test_check_is_quiet_on_its_other_fixture(check, tmp_path):
    assert findings(tmp_path, f"{check}.quiet", check) == []


def test_every_check_has_both_fixtures():
    for check in CHECKS:
        fixture_path(f"{check}.fire")
        fixture_path(f"{check}.quiet")


def test_messages_name_the_replacement_and_the_evidence_quote(tmp_path):
    [finding] = findings(tmp_path, "obsolete-agency-duties.fire", "obsolete-agency-duties")
    assert "Bộ Tài chính" in finding.message_vi and "2025-03-01" in finding.message_en
    assert finding.severity == "warning"
    assert [e.label for e in finding.entities][:1] == ["Bộ Kế hoạch và Đầu tư"]
    [quote] = finding.evidence
    assert quote.quote.startswith("Bộ Kế hoạch và Đầu tư chủ trì")
    assert quote.source_title == "Kế hoạch thực hiện Quy hoạch vùng"


def test_per_row_severity_draft_vs_approved(tmp_path):
    found = findings(tmp_path, "target-conflicts.fire", "target-conflicts")
    severities = sorted(f.severity for f in found)
    # draft vs each approved figure: info; the two approved figures that disagree: warning
    assert severities == ["info", "info", "warning"]
    warning = next(f for f in found if f.severity == "warning")
    assert "8–8.5" in warning.message_en and "7–7.5" in warning.message_en


def test_conflicting_dates_names_both_sources(tmp_path):
    [finding] = findings(tmp_path, "conflicting-dates.fire", "conflicting-dates")
    assert finding.severity == "error"
    assert "2024-10-11" in finding.message_en and "2024-10-14" in finding.message_en
    assert "Tin Bộ Kế hoạch và Đầu tư" in finding.message_vi and "Bản tin khác" in finding.message_vi


def test_funding_sum_message(tmp_path):
    found = {f.values["total"]: f for f in findings(tmp_path, "funding-parts-total.fire", "funding-parts-total")}
    assert "1100" in found["1000"].message_en and "difference 100" in found["1000"].message_en
    assert "158" in found["168"].message_en  # sub-period parts only: all of them are summed


def test_reproducing_sparql_returns_exactly_that_finding(tmp_path):
    store = build_store(tmp_path / "s", "corridor-merged-provinces.fire", "province-in-several-corridors.fire")
    try:
        report = ck.run_checks(store, params=TODAY, names=["corridor-merged-provinces"], shacl=False)
        assert len(report.findings) == 2
        for finding in report.findings:
            result = nq.run_sparql(store, finding.sparql)
            assert len(result.rows) == 1
            assert nq.plain(result.rows[0]["unit"]) == finding.values["unit"]
    finally:
        store.close()


@pytest.fixture
def report_store(tmp_path):
    names = [f"{c}.fire" for c in CHECKS]
    store = build_store(tmp_path / "all", *names)
    yield store
    store.close()


def test_all_formats_carry_the_same_findings(report_store):
    report = ck.run_checks(report_store, params=TODAY)
    ids = {f.id for f in report.findings}
    assert len(ids) == len(report.findings) > 20
    data = json.loads(rp.render(report, "json"))
    assert {f["id"] for f in data["findings"]} == ids
    assert data["summary"]["total"] == len(ids)
    g = Graph().parse(data=rp.render(report, "ttl"), format="turtle")
    assert {str(k) for k in g.objects(None, QH.findingKey)} == ids
    html = rp.render(report, "html")
    md = rp.render(report, "md")
    for f in report.findings:
        assert f"f-{f.id}" in html
    assert "Bộ Kế hoạch và Đầu tư chủ trì tổng hợp" in html and "Bộ Kế hoạch và Đầu tư chủ trì tổng hợp" in md
    assert "<script" not in html and "<link" not in html  # self-contained
    # grouped by severity: errors first
    assert html.index("Lỗi <span") < html.index("Cảnh báo <span") < html.index("Thông tin <span")


def test_baseline_marks_new_unchanged_and_resolved(report_store, tmp_path):
    first = ck.run_checks(report_store, params=TODAY, shacl=False)
    old = tmp_path / "old.json"
    old.write_text(rp.render(first, "json"), encoding="utf-8")
    report_store.remove_graph(source_graph("fixture-tasks-without-lead.fire"))
    second = ck.run_checks(report_store, params=TODAY, shacl=False)
    ck.apply_baseline(second, old)
    assert {f.status for f in second.findings} == {"unchanged"}
    assert [f.check for f in second.resolved] == ["tasks-without-lead"]
    assert second.status_counts()["resolved"] == 1


def test_fail_on_levels():
    report = ck.CheckReport(store="s", today="2026-01-01")
    report.findings.append(ck.Finding("1", "x", "warning", "m", "m"))
    assert not report.fails("error") and report.fails("warning") and report.fails("info")
    assert not report.fails("never")


def test_cli_check_formats_and_exit_codes(tmp_path):
    store = build_store(tmp_path / "bad", "conflicting-dates.fire", "obsolete-agency-duties.fire")
    store.close()
    out = tmp_path / "report.html"
    result = run_cli(tmp_path / "bad", "check", "--format", "html", "-o", str(out), "--param", "today=2026-01-01")
    assert result.returncode == 1, result.stderr  # an error-level finding
    assert "finding(s)" in result.stderr
    assert "1161/QĐ-TTg" in out.read_text(encoding="utf-8")
    relaxed = run_cli(tmp_path / "bad", "check", "--format", "json", "--fail-on", "never", "--no-shacl")
    assert relaxed.returncode == 0, relaxed.stderr
    data = json.loads(relaxed.stdout)
    assert {f["check"] for f in data["findings"]} >= {"conflicting-dates", "obsolete-agency-duties"}
    # findings were saved into the findings graph, queryable like anything else
    saved = run_cli(tmp_path / "bad", "query", str(_findings_query(tmp_path)), "--format", "csv")
    assert saved.returncode == 0 and "conflicting-dates" in saved.stdout

    good = build_store(tmp_path / "good", "obsolete-agency-duties.quiet")
    good.close()
    clean = run_cli(tmp_path / "good", "check", "--format", "md", "--only", "obsolete-agency-duties")
    assert clean.returncode == 0, clean.stderr
    assert "Không có phát hiện nào" in clean.stdout
    nothing = run_cli(tmp_path / "missing", "check", "--format", "json")
    assert nothing.returncode == 2


def _findings_query(tmp_path):
    path = tmp_path / "findings.rq"
    path.write_text(
        "# title@en: saved findings\n"
        "PREFIX qh: <https://w3id.org/quyhoach/ontology#>\n"
        "SELECT ?check WHERE { GRAPH <https://w3id.org/quyhoach/graph/findings> { ?f qh:check ?check } }\n",
        encoding="utf-8",
    )
    return path
