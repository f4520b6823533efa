"""Graph Store HTTP Protocol (``/rdf-graph-store``): reads for all, writes only with the bearer token."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

from tests.test_api_helpers import LANG_SON, build_store, running_server

TOKEN = "gsp-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "https://example.org/graph/edits"
TTL = '<https://example.org/a> <https://example.org/label> "Lạng Sơn mới"@vi ; <https://example.org/n> 1 .\n'


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("gsp") / "store")
    with running_server(store, env={"QUYHOACH_TOKEN": TOKEN}) as url:
        yield url


def _graph(base: str, iri: str = G) -> Graph:
    r = httpx.get(base + "/rdf-graph-store", params={"graph": iri}, headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200, r.text
    return Graph().parse(data=r.text, format="turtle")


def test_get_a_named_graph_in_turtle_and_ntriples(base):
    units = "https://w3id.org/quyhoach/graph/reference/units"
    g = _graph(base, units)
    assert (URIRef(LANG_SON), URIRef("https://w3id.org/quyhoach/ontology#unitCode"), Literal("20")) in g
    nt = httpx.get(base + "/rdf-graph-store", params={"graph": units, "format": "ntriples"}, timeout=30)
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=nt.text, format="nt")) == len(g)
    assert httpx.get(base + "/rdf-graph-store", params={"graph": "https://example.org/none"}, timeout=30).status_code == 404
    assert httpx.get(base + "/rdf-graph-store", timeout=30).status_code == 400


def test_writes_without_token_are_refused_and_change_nothing(base):
    for method in ("PUT", "POST"):
        r = httpx.request(method, base + "/rdf-graph-store", params={"graph": G}, content=TTL.encode(),
                          headers={"Content-Type": "text/turtle"}, timeout=30)
        assert r.status_code == 401 and "Bearer" in r.headers["www-authenticate"]
    wrong = httpx.put(base + "/rdf-graph-store", params={"graph": G}, content=TTL.encode(),
                      headers={"Content-Type": "text/turtle", "Authorization": "Bearer nope"}, timeout=30)
    assert wrong.status_code == 403
    units = "https://w3id.org/quyhoach/graph/reference/units"
    assert httpx.delete(base + "/rdf-graph-store", params={"graph": units}, timeout=30).status_code == 401
    assert httpx.get(base + "/rdf-graph-store", params={"graph": G}, timeout=30).status_code == 404
    assert len(_graph(base, units)) > 0


def test_put_post_delete_with_token(base):
    put = httpx.put(base + "/rdf-graph-store", params={"graph": G}, content=TTL.encode(),
                    headers={"Content-Type": "text/turtle", **AUTH}, timeout=60)
    assert put.status_code == 201, put.text
    assert (URIRef("https://example.org/a"), URIRef("https://example.org/label"), Literal("Lạng Sơn mới", lang="vi")) in _graph(base)
    more = '<https://example.org/b> <https://example.org/n> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    post = httpx.post(base + "/rdf-graph-store", params={"graph": G}, content=more.encode(),
                      headers={"Content-Type": "application/n-triples", **AUTH}, timeout=60)
    assert post.status_code == 204
    assert len(_graph(base)) == 3
    replace = httpx.put(base + "/rdf-graph-store", params={"graph": G}, content=more.encode(),
                        headers={"Content-Type": "text/turtle", **AUTH}, timeout=60)
    assert replace.status_code == 204
    assert len(_graph(base)) == 1
    seen = httpx.get(base + "/sparql", params={"query": f"ASK {{ GRAPH <{G}> {{ ?s ?p 2 }} }}"},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert seen["boolean"] is True
    assert httpx.delete(base + "/rdf-graph-store", params={"graph": G}, headers=AUTH, timeout=60).status_code == 204
    assert httpx.get(base + "/rdf-graph-store", params={"graph": G}, timeout=30).status_code == 404
    assert httpx.delete(base + "/rdf-graph-store", params={"graph": G}, headers=AUTH, timeout=60).status_code == 404


def test_bad_bodies_are_rejected_before_any_write(base):
    bad = httpx.put(base + "/rdf-graph-store", params={"graph": G}, content=b"<a> <b> .",
                    headers={"Content-Type": "text/turtle", **AUTH}, timeout=30)
    assert bad.status_code == 400 and "cannot parse" in bad.text
    kind = httpx.put(base + "/rdf-graph-store", params={"graph": G}, content=b"x",
                     headers={"Content-Type": "application/pdf", **AUTH}, timeout=30)
    assert kind.status_code == 415
    assert httpx.get(base + "/rdf-graph-store", params={"graph": G}, timeout=30).status_code == 404


def test_read_only_server_refuses_graph_writes(tmp_path):
    store = build_store(tmp_path / "store")
    with running_server(store) as url:
        r = httpx.put(url + "/rdf-graph-store", params={"graph": G}, content=TTL.encode(),
                      headers={"Content-Type": "text/turtle", **AUTH}, timeout=30)
        assert r.status_code == 403 and "read-only" in r.text
