"""SHACL results kept per source graph: the same results as a full run, forgotten by every write path."""

from __future__ import annotations

import json
from multiprocessing import Pipe

import pyoxigraph as ox

from quyhoach.api.update import _update_main
from quyhoach.graph import shacl_kept
from quyhoach.graph.shacl_sparql import validate_store
from quyhoach.graph.store import KnowledgeStore
from quyhoach.namespaces import source_graph
from tests.conftest import REPO, run_cli
from tests.graph_fixtures import build_store

FIXTURES = ("shacl-kinds.fire", "shacl.fire", "shacl.quiet")
BAD = source_graph("fixture-shacl-kinds.fire")  # a source graph with results
QH = "https://w3id.org/quyhoach/ontology#"


def _kept_store(path) -> KnowledgeStore:
    """The fixtures' store with every source graph validated in full and kept."""
    build_store(path, *FIXTURES).close()
    store = KnowledgeStore(path)
    outcome = shacl_kept.validate(store, full=True)
    assert outcome.mode == "full" and outcome.saved
    return store


def test_kept_results_are_those_of_a_full_run(tmp_path):
    store = _kept_store(tmp_path / "s")
    try:
        full = validate_store(store)
        kept = shacl_kept.read(store)
        sources = [g for g in store.named_graphs() if shacl_kept.is_source(g)]
        assert sorted(kept) == sources and kept[BAD]["results"]
        again = shacl_kept.validate(store)
    finally:
        store.close()
    assert again.mode == "kept" and again.kept == len(sources) and again.validated == 0
    assert set(again.results) == set(full) and len(full) > 40
    assert "kept results of" in again.note()


def test_a_store_without_kept_results_is_validated(tmp_path):
    build_store(tmp_path / "s", *FIXTURES).close()
    store = KnowledgeStore(tmp_path / "s")
    try:
        assert shacl_kept.read(store) == {}
        full = validate_store(store)
        outcome = shacl_kept.validate(store)  # few graphs: one by one, in memory
        assert outcome.mode == "kept+new" and outcome.kept == 0 and outcome.validated == 3 and outcome.saved
        assert set(outcome.results) == set(full)
        assert sorted(shacl_kept.read(store)) == sorted(g for g in store.named_graphs() if shacl_kept.is_source(g))
    finally:
        store.close()


def test_many_graphs_without_kept_results_are_validated_at_once(tmp_path, monkeypatch):
    build_store(tmp_path / "s", *FIXTURES).close()
    monkeypatch.setattr(shacl_kept, "ONE_BY_ONE", 1)
    store = KnowledgeStore(tmp_path / "s")
    try:
        outcome = shacl_kept.validate(store)
        assert outcome.mode == "full" and outcome.validated == 3
        assert set(outcome.results) == set(validate_store(store))
        assert len(shacl_kept.read(store)) == 3
    finally:
        store.close()


def test_replacing_a_source_graph_forgets_it_and_the_next_check_sees_the_change(tmp_path):
    store = _kept_store(tmp_path / "s")
    try:
        before = {r.focus_node for r in shacl_kept.validate(store).results}
        new = [ox.Triple(ox.NamedNode("https://w3id.org/quyhoach/id/meeting/k/9"),
                         ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(QH + "Meeting"))]
        store.replace_graph(BAD, new)
        assert BAD not in shacl_kept.read(store)
        outcome = shacl_kept.validate(store)
        assert outcome.validated == 1 and outcome.kept == 2
        after = {r.focus_node for r in outcome.results}
        assert "https://w3id.org/quyhoach/id/meeting/k/9" in after  # a meeting without a date
        assert "https://w3id.org/quyhoach/id/evidence/k/1" in before - after
        assert set(outcome.results) == set(validate_store(store))
        store.remove_graph(BAD)
        assert BAD not in shacl_kept.read(store) and len(shacl_kept.read(store)) == 2
    finally:
        store.close()


def test_an_import_forgets_everything(tmp_path):
    store = _kept_store(tmp_path / "s")
    data = tmp_path / "one.ttl"
    data.write_text(f"<https://w3id.org/quyhoach/id/x> a <{QH}Meeting> .\n", encoding="utf-8")
    try:
        store.import_file(data)
        assert shacl_kept.read(store) == {}
        assert not (tmp_path / "s" / shacl_kept.KEPT_FILE).exists()
    finally:
        store.close()


def test_a_sparql_update_forgets_everything(tmp_path):
    _kept_store(tmp_path / "s").close()
    mine, theirs = Pipe()
    _update_main(str(tmp_path / "s"), f"INSERT DATA {{ GRAPH <{BAD}> {{ <https://w3id.org/quyhoach/id/y> "
                                      f"a <{QH}Meeting> }} }}", theirs)
    assert mine.recv() == ("ok",)
    assert not (tmp_path / "s" / shacl_kept.KEPT_FILE).exists()


def test_kept_results_of_other_shapes_are_not_read(tmp_path, monkeypatch):
    store = _kept_store(tmp_path / "s")
    try:
        assert shacl_kept.read(store)
        monkeypatch.setattr(shacl_kept, "KEPT_VERSION", shacl_kept.KEPT_VERSION + 1)
        assert shacl_kept.read(store) == {}
        assert shacl_kept.validate(store).validated == 3
    finally:
        store.close()


def _findings(path) -> set[str]:
    report = json.loads(path.read_text(encoding="utf-8"))
    return {f["id"] for f in report["findings"] if f["check"] == "shacl"}


def test_load_validates_the_new_document_and_check_reads_the_kept_results(tmp_path):
    docs = sorted((REPO / "tests" / "fixtures" / "corpus-dev").glob("*.md"))[:3]
    store = tmp_path / "store"
    assert run_cli("load", "--no-reference", str(docs[0]), str(docs[1]), store=store).returncode == 0
    assert not (store / shacl_kept.KEPT_FILE).exists()  # never checked: nothing kept
    first = run_cli("check", "--only", "shacl", "--format", "json", "-o", str(tmp_path / "a.json"),
                    "--fail-on", "never", store=store)
    assert first.returncode == 0, first.stderr
    assert len(json.loads((store / shacl_kept.KEPT_FILE).read_text(encoding="utf-8"))["sources"]) == 2
    loaded = run_cli("load", "--no-reference", str(docs[2]), store=store)
    assert loaded.returncode == 0, loaded.stderr
    kept = json.loads((store / shacl_kept.KEPT_FILE).read_text(encoding="utf-8"))["sources"]
    assert len(kept) == 3  # the new document was validated by the load
    out = tmp_path / "b.json"
    second = run_cli("check", "--only", "shacl", "--format", "json", "-o", str(out), "--fail-on", "never",
                     "--no-save", store=store)
    assert second.returncode == 0, second.stderr
    run = next(c for c in json.loads(out.read_text(encoding="utf-8"))["checks"] if c["name"] == "shacl")
    assert run["note"].startswith("every shape: kept results of 3 source graphs") and run["parts"] == []
    full = tmp_path / "c.json"
    third = run_cli("check", "--only", "shacl", "--full-shacl", "--format", "json", "-o", str(full),
                    "--fail-on", "never", "--no-save", store=store)
    assert third.returncode == 0, third.stderr
    run = next(c for c in json.loads(full.read_text(encoding="utf-8"))["checks"] if c["name"] == "shacl")
    assert run["note"].startswith("every shape validated now") and run["parts"]
    assert _findings(out) == _findings(full)
