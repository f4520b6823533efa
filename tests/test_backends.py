"""The same load, query, check and serve on every store backend: embedded, Oxigraph server, Virtuoso.

The ``store_backend`` fixture (tests/conftest.py) loads the seed corpus once per backend; each
test here runs on all three and compares with the embedded store where results must agree.
"""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest

from quyhoach.graph import named_queries as nq
from quyhoach.graph.store import KnowledgeStore
from quyhoach.namespaces import FINDINGS_GRAPH
from tests.conftest import run_cli
from tests.test_api_helpers import running_server, wait_until_indexed

TEST_GRAPH = "https://w3id.org/quyhoach/graph/test/backend"
EX = "https://example.org/backend/"


def _sizes(spec: str) -> dict[str, int]:
    with KnowledgeStore(spec, read_only=True) as store:
        return {g: store.graph_size(g) for g in store.named_graphs() if g != str(FINDINGS_GRAPH)}


def _check(spec: str) -> dict:
    result = run_cli("check", "--format", "json", store=spec)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory) -> str:
    """An embedded store loaded with the seed corpus: the reference every backend is compared with."""
    spec = str(tmp_path_factory.mktemp("reference") / "store")
    assert run_cli("load", store=spec).returncode == 0
    return spec


@pytest.fixture(scope="module")
def embedded_findings(reference_store) -> dict:
    """``check`` on the reference store: the reference findings."""
    return _check(reference_store)


def test_eval_scores_as_embedded(store_backend, reference_store):
    _, spec = store_backend
    mine, reference = run_cli("eval", store=spec), run_cli("eval", store=reference_store)
    assert mine.returncode == reference.returncode == 0, mine.stderr
    assert mine.stdout == reference.stdout and "recall" in mine.stdout.lower()


def test_reload_is_idempotent(store_backend):
    _, spec = store_backend
    before = _sizes(spec)
    assert len(before) >= 8 and all(n > 0 for n in before.values())
    result = run_cli("load", store=spec)
    assert result.returncode == 0, result.stderr
    assert _sizes(spec) == before


def test_failed_replace_keeps_the_old_graph(store_backend):
    _, spec = store_backend
    a = ox.Triple(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("Lạng Sơn", language="vi"))
    b = ox.Triple(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), ox.Literal("mới", language="vi"))

    def failing():
        yield b
        raise ValueError("extraction failed half-way")

    with KnowledgeStore(spec) as store:
        assert store.replace_graph(TEST_GRAPH, [a]) == 1
        with pytest.raises(ValueError):
            store.replace_graph(TEST_GRAPH, failing())
        quads = list(store.quads_for_pattern(None, None, None, ox.NamedNode(TEST_GRAPH)))
        assert [q.triple for q in quads] == [a]
        assert not [g for g in store.named_graphs() if "/graph/staging/" in g]
        store.remove_graph(TEST_GRAPH)
        assert not store.has_graph(TEST_GRAPH)


def test_nquads_import_replaces_its_graphs(store_backend, tmp_path):
    """Importing an N-Quads file twice leaves one copy of each graph (blank nodes included)."""
    _, spec = store_backend
    g1, g2 = ox.NamedNode(EX + "import/g1"), ox.NamedNode(EX + "import/g2")
    bnode = ox.BlankNode("b0")
    quads = [
        ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("Lạng Sơn", language="vi"), g1),
        ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "q"), bnode, g1),
        ox.Quad(bnode, ox.NamedNode(EX + "p"), ox.Literal("3", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), g1),
        ox.Quad(ox.NamedNode(EX + "c"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "a"), g2),
    ]
    path = tmp_path / "two.nq"
    ox.serialize(quads, str(path), ox.RdfFormat.N_QUADS)
    with KnowledgeStore(spec) as store:
        try:
            assert store.import_file(path) == 4
            assert store.import_file(path) == 4
            assert (store.graph_size(g1.value), store.graph_size(g2.value)) == (3, 1)
        finally:
            store.remove_graph(g1.value)
            store.remove_graph(g2.value)


def test_search_folds_diacritics_like_embedded(store_backend, embedded_findings):
    _, spec = store_backend
    query = nq.find("search")
    with KnowledgeStore(spec, read_only=True) as store:
        found = {(r["entity"].value, r["text"].value) for r in nq.run(store, query, {"q": "dong dang"}).rows}
    assert found and all("đồng đăng" in text.lower() or "dong dang" in text.lower() for _, text in found)


def test_check_gives_the_same_findings_as_embedded(store_backend, embedded_findings):
    name, spec = store_backend
    report = _check(spec)
    assert report["findings"], "no findings on the seed corpus"
    mine = {(f["id"], f["check"]) for f in report["findings"]}
    assert mine == {(f["id"], f["check"]) for f in embedded_findings["findings"]}
    assert not [c for c in report["checks"] if c["error"]]


def test_export_and_stats(store_backend, tmp_path):
    _, spec = store_backend
    out = tmp_path / "all.nq"
    result = run_cli("export", "--format", "nquads", "-o", str(out), store=spec)
    assert result.returncode == 0, result.stderr
    per_graph: dict[str, int] = {}
    for quad in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS):
        per_graph[quad.graph_name.value] = per_graph.get(quad.graph_name.value, 0) + 1
    per_graph.pop(str(FINDINGS_GRAPH), None)
    assert per_graph == _sizes(spec)
    stats = run_cli("stats", store=spec)
    assert stats.returncode == 0 and "qh:Province" in stats.stdout


def test_serve_pages_search_and_token_update(store_backend, tmp_path):
    _, spec = store_backend
    with running_server(spec, "--token", "s3cret", "--timeout", "20", log=tmp_path / "server.log") as base:
        ask = httpx.get(base + "/sparql", params={"query": "ASK { ?s a <https://w3id.org/quyhoach/ontology#Province> }"},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        wait_until_indexed(base)
        search = httpx.get(base + "/search", params={"q": "lang son"}, timeout=30)
        assert search.status_code == 200 and "Lạng Sơn" in search.text
        link = next(part.split('"')[0] for part in search.text.split('href="')[1:] if part.startswith("/id/"))
        assert httpx.get(base + link, timeout=30).status_code == 200
        assert httpx.get(base + "/reports/latest", timeout=30).status_code in (200, 404)
        update = f'INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ <{EX}u> <http://www.w3.org/2000/01/rdf-schema#label> "Cập nhật"@vi }} }}'
        assert httpx.post(base + "/sparql", data={"update": update}, timeout=30).status_code == 401
        done = httpx.post(base + "/sparql", data={"update": update}, headers={"Authorization": "Bearer s3cret"},
                          timeout=60)
        assert done.status_code in (200, 204), done.text
        seen = httpx.get(base + "/sparql", params={"query": f'ASK {{ <{EX}u> ?p "Cập nhật"@vi }}'},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert seen.json()["boolean"] is True
        dropped = httpx.post(base + "/sparql", data={"update": f"DROP SILENT GRAPH <{TEST_GRAPH}>"},
                             headers={"Authorization": "Bearer s3cret"}, timeout=60)
        assert dropped.status_code in (200, 204), dropped.text
