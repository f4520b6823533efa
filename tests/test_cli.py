"""The quyhoach command as a real process: load, export, stats, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from rdflib import Dataset

from tests.conftest import run_cli

PREFIXES = """
PREFIX qh: <https://w3id.org/quyhoach/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _exported(loaded_store, tmp_path) -> Dataset:
    out = tmp_path / "graph.nq"
    result = run_cli("export", "--format", "nquads", "-o", str(out), store=loaded_store)
    assert result.returncode == 0, result.stderr
    ds = Dataset(default_union=True)
    ds.parse(out, format="nquads")
    return ds


def _count(ds: Dataset, where: str) -> int:
    rows = list(ds.query(PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"))
    return int(rows[0][0])


def test_export_has_provinces_successors_regions_and_mpi_merger(loaded_store, tmp_path):
    ds = _exported(loaded_store, tmp_path)
    assert _count(ds, '?x a qh:Province ; qh:validUntil "2025-06-30"^^xsd:date .') == 63
    assert _count(ds, '?x a qh:Province ; qh:validFrom "2025-07-01"^^xsd:date .') == 34
    # every old province has exactly one successor among the 34
    assert _count(ds, '?x a qh:Province ; qh:validUntil "2025-06-30"^^xsd:date ; qh:successor ?s . '
                      '?s qh:validFrom "2025-07-01"^^xsd:date .') == 63
    rows = list(ds.query(PREFIXES + """
        SELECT ?old (COUNT(DISTINCT ?s) AS ?n) WHERE {
          ?old a qh:Province ; qh:validUntil "2025-06-30"^^xsd:date ; qh:successor ?s }
        GROUP BY ?old HAVING (COUNT(DISTINCT ?s) != 1)"""))
    assert rows == []
    assert _count(ds, "?x a qh:Region .") == 6
    members = list(ds.query(PREFIXES + """
        SELECT ?r (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p qh:memberOfRegion ?r } GROUP BY ?r"""))
    assert sorted(int(n) for _, n in members) == sorted([14, 11, 14, 5, 6, 13])
    merger = list(ds.query(PREFIXES + """
        SELECT ?date WHERE {
          ?e a org:ChangeEvent ; org:originalOrganization ?mpi ; org:resultingOrganization ?mof ;
             qh:changeDate ?date .
          ?mpi rdfs:label "Bộ Kế hoạch và Đầu tư"@vi . ?mof rdfs:label "Bộ Tài chính"@vi . }"""))
    assert [str(r[0]) for r in merger] == ["2025-03-01"]


def test_stats_json_reports_graphs_and_classes(loaded_store):
    result = run_cli("stats", "--json", store=loaded_store)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    graphs = stats["graphs"]
    assert "https://w3id.org/quyhoach/graph/reference/units" in graphs
    assert sum(1 for g in graphs if "/graph/source/" in g) == 5
    assert stats["total_triples"] == sum(graphs.values())
    assert stats["classes"]["https://w3id.org/quyhoach/ontology#Province"] == 63 + 34


def test_stats_table_is_readable(loaded_store):
    result = run_cli("stats", store=loaded_store)
    assert result.returncode == 0
    assert "reference/units" in result.stdout and "qh:Province" in result.stdout


def test_version_and_help():
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("quyhoach ")
    helptext = run_cli("--help")
    assert helptext.returncode == 0 and "Examples" in helptext.stdout and "load" in helptext.stdout


def test_missing_path_is_one_line_error_exit_1(store_path):
    result = run_cli("load", "/no/such/file.txt", store=store_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no such file" in result.stderr and "Traceback" not in result.stderr


def test_unknown_format_is_one_line_error_exit_1(store_path):
    result = run_cli("export", "--format", "csv", store=store_path)
    assert result.returncode == 1
    assert "unknown export format" in result.stderr and result.stderr.strip().count("\n") == 0


def test_unknown_option_is_user_error(store_path):
    result = run_cli("stats", "--bogus", store=store_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_locked_store_is_one_line_error_exit_1(store_path):
    store_path.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import pyoxigraph,time; s=pyoxigraph.Store({str(store_path)!r}); print('ok', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        result = run_cli("stats", store=store_path)
        assert result.returncode == 1
        assert "in use by another process" in result.stderr
        assert result.stderr.strip().count("\n") == 0
    finally:
        holder.kill()
        holder.wait()


def test_load_is_idempotent(loaded_store, tmp_path):
    before = json.loads(run_cli("stats", "--json", store=loaded_store).stdout)
    again = run_cli("load", store=loaded_store)
    assert again.returncode == 0, again.stderr
    after = json.loads(run_cli("stats", "--json", store=loaded_store).stdout)
    assert after["graphs"] == before["graphs"]


def test_error_stays_one_line_in_a_narrow_terminal(store_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "30")
    result = run_cli("load", "/no/such/directory/with/a/long/name/file.txt", store=store_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
