"""Injection, oversized and deeply nested values on every parameter of every route of the OpenAPI schema.

The route list comes from the running server's ``/openapi.json`` (so a new route is attacked as
soon as it exists). Each value tries to end an IRI or a literal and continue the query with a
``SERVICE`` call to a real local listener; none may reach it, none may answer 5xx, and the
server must keep answering.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.test_api_helpers import build_store, running_server

VALUES_FOR_TYPE = {"integer": "1", "number": "1", "boolean": "true"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("injection") / "store")
    with running_server(store, "--timeout", "5") as base:
        yield base


def payloads(port: int) -> list[str]:
    L = f"http://127.0.0.1:{port}/x"
    service = f"OPTIONAL {{ SERVICE <{L}> {{ ?w ?y ?z }} }}"
    return [
        f"http://www.w3.org/2000/01/rdf-schema#label> ?v . {service} }} #",
        f"https://w3id.org/quyhoach/id/unit/province/20> ?p ?o . {service} }} #",
        f'x" . {service} }} #',
        f"x' . {service} }} #",
        f'""" . {service} }} #',
        f"1 . {service} }} #",
        f"1) . {service} }} #",
        f"20> ?p ?o }} UNION {{ SERVICE <{L}> {{ ?w ?y ?z }} }} #",
        f"id:unit/province/20> . {service} #",
        "<" * 5000,
        "{" * 10_000,
        "(" * 10_000,
        "1E+999999999",
        "9" * 20_000,
        "x" * 50_000,
        "\x00\r\n\t",
        "%00%0d%0a",
        "é" * 1000,
    ]


def _operations(base: str) -> list[tuple[str, str, list[dict]]]:
    schema = httpx.get(base + "/openapi.json", timeout=30).json()
    out = []
    for path, item in schema["paths"].items():
        for method in ("get",):
            if method in item:
                out.append((path, method, item[method].get("parameters", [])))
    return out


def _fill(path: str, params: list[dict]) -> tuple[str, dict[str, str]]:
    query = {}
    for p in params:
        if p["in"] == "query" and p.get("required"):
            query[p["name"]] = VALUES_FOR_TYPE.get(p.get("schema", {}).get("type"), "x")
    for p in params:
        if p["in"] == "path":
            path = path.replace("{" + p["name"] + "}", "unit/province/20" if p["name"] == "path" else "0" * 64)
    return path, query


def test_every_parameter_of_every_route(server, listener):
    operations = _operations(server)
    assert len(operations) > 20  # pages, entity, resource, source, search, named queries, reports, graph store
    before = len(listener.hits)
    tried = 0
    with httpx.Client(timeout=60) as client:
        for path, _method, params in operations:
            for param in params:
                for value in payloads(listener.port):
                    if param["in"] == "path":
                        filled, query = _fill(path.replace("{" + param["name"] + "}", quote(value, safe="")), params)
                    elif param["in"] == "query":
                        filled, query = _fill(path, params)
                        query[param["name"]] = value
                    else:
                        continue
                    response = client.get(server + filled, params=query)
                    tried += 1
                    where = f"{path} {param['name']}={value[:60]!r}"
                    assert response.status_code < 500, (where, response.status_code, response.text[:300])
                    assert "PWNED" not in response.text, where
    assert tried > 200
    assert listener.hits[before:] == [], f"the listener was called: {listener.hits[before:]!r}"
    assert httpx.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code == 200


def test_named_query_parameters_are_bound_as_terms(server, listener):
    """Every parameter of every named query, given a value that tries to break out of its term."""
    from quyhoach.api import outbound

    queries = httpx.get(server + "/api/queries", timeout=30).json()["queries"]
    bound = 0
    before = len(listener.hits)
    with httpx.Client(timeout=60) as client:
        for q in queries:
            for p in q.get("parameters", []):
                for value in payloads(listener.port)[:9]:
                    r = client.get(server + q["path"], params={p["name"]: value, "format": "sparql"})
                    assert r.status_code in (200, 400, 422), (q["name"], p["name"], r.status_code, r.text[:200])
                    if r.status_code == 200:  # the bound text, parsed: the value stayed inside one term
                        bound += 1
                        assert outbound.remote_calls(r.text, update=False) == [], (q["name"], p["name"], value)
    assert bound > 0
    assert listener.hits[before:] == []
