"""Server-side request forgery: a real listener on a free local port must receive nothing.

Every query of the corpus tries to make the server (a real process, real workers) call the
listener through SERVICE or LOAD, spelled so that a lexical check would miss it. Two servers:
the default one (empty allow-list: refused on the parse, and the workers have no network) and
one that allows a public host (the workers have network, so the parse alone must refuse).
A positive control proves that the listener is reachable when it is on the allow-list.
"""

from __future__ import annotations

import shutil
import socket

import httpx
import pytest

from tests.listener import Listener
from tests.test_api_helpers import build_store, running_server

TOKEN = "ssrf-token"
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("ssrf") / "store")


@pytest.fixture(scope="module")
def default_server(store):
    with running_server(store, "--timeout", "5", env={"QUYHOACH_TOKEN": TOKEN}) as base:
        yield base


@pytest.fixture(scope="module")
def public_allowed_server(tmp_path_factory, store):
    copy = tmp_path_factory.mktemp("ssrf-allow") / "store"
    shutil.copytree(store, copy)
    with running_server(copy, "--timeout", "5", "--allow-service", "example.org",
                        env={"QUYHOACH_TOKEN": TOKEN}) as base:
        yield base


def corpus(port: int) -> dict[str, str]:
    """Queries that each try to reach 127.0.0.1:port."""
    L = f"http://127.0.0.1:{port}/sparql"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{L}> {{ ?x ?y ?z }} }}",
        "escape-in-prefixed-name": (f"PREFIX e: <http://x.example/> SELECT * WHERE {{ BIND(e:a\\' AS ?q) "
                                    f"SERVICE <{L}> {{ ?x ?y ?z }} FILTER(?q != \"'\") }}"),
        "escaped-hash-in-name": f"PREFIX e: <http://x.example/> SELECT * WHERE {{ BIND(e:a\\# AS ?q) SERVICE <{L}> {{ ?x ?y ?z }} }}",
        "lower-case": f"select * where {{ service <{L}> {{ ?x ?y ?z }} }}",
        "mixed-case": f"SeLeCt * WhErE {{ SeRvIcE <{L}> {{ ?x ?y ?z }} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{L}> {{ ?x ?y ?z }} }}",
        "prefixed-target": f"PREFIX l: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE l:sparql {{ ?x ?y ?z }} }}",
        "relative-to-base": f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?x ?y ?z }} }}",
        "unicode-escaped-keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{L}> {{ ?x ?y ?z }} }}",
        "unicode-escaped-iri": f"SELECT * WHERE {{ SERVICE <http://127.0.0.\\u0031:{port}/sparql> {{ ?x ?y ?z }} }}",
        "comment-between": f"SELECT * WHERE {{ SERVICE # <http://example.org/>\n <{L}> {{ ?x ?y ?z }} }}",
        "comment-hides-nothing": f"SELECT * WHERE {{ BIND(\"#\" AS ?c) SERVICE <{L}> {{ ?x ?y ?z }} }}",
        "escaped-quote-in-string": f"SELECT * WHERE {{ BIND(\"a\\\"b\" AS ?c) SERVICE <{L}> {{ ?x ?y ?z }} }}",
        "long-string": f"SELECT * WHERE {{ BIND('''a''b' ''' AS ?c) SERVICE <{L}> {{ ?x ?y ?z }} }}",
        "whitespace": f"SELECT\t*\nWHERE\r\n{{\x0cSERVICE\t\n<{L}>\n{{?x ?y ?z}}}}",
        "nested": f"SELECT * WHERE {{ SERVICE <http://example.org/sparql> {{ SERVICE <{L}> {{ ?x ?y ?z }} }} }}",
        "in-optional-subquery": f"SELECT * WHERE {{ OPTIONAL {{ SELECT * WHERE {{ SERVICE <{L}> {{ ?x ?y ?z }} }} }} }}",
        "in-filter-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{L}> {{ ?x ?y ?z }} }} }}",
        "variable": f"SELECT * WHERE {{ VALUES ?e {{ <{L}> }} SERVICE ?e {{ ?x ?y ?z }} }}",
        "decimal-ip": f"SELECT * WHERE {{ SERVICE <http://2130706433:{port}/sparql> {{ ?x ?y ?z }} }}",
        "hex-ip": f"SELECT * WHERE {{ SERVICE <http://0x7f.0.0.1:{port}/sparql> {{ ?x ?y ?z }} }}",
        "octal-ip": f"SELECT * WHERE {{ SERVICE <http://0177.0.0.1:{port}/sparql> {{ ?x ?y ?z }} }}",
        "localhost": f"SELECT * WHERE {{ SERVICE <http://localhost:{port}/sparql> {{ ?x ?y ?z }} }}",
        "zero-address": f"SELECT * WHERE {{ SERVICE <http://0.0.0.0:{port}/sparql> {{ ?x ?y ?z }} }}",
        "ipv6-mapped": f"SELECT * WHERE {{ SERVICE <http://[::ffff:127.0.0.1]:{port}/sparql> {{ ?x ?y ?z }} }}",
        "userinfo": f"SELECT * WHERE {{ SERVICE <http://example.org@127.0.0.1:{port}/sparql> {{ ?x ?y ?z }} }}",
        "allowed-host-other-port": f"SELECT * WHERE {{ SERVICE <http://example.org:{port}/sparql> {{ ?x ?y ?z }} }}",
        "malformed-iri": "SELECT * WHERE { SERVICE <http://[::1> { ?x ?y ?z } }",
        "unparseable": f"SELECT * WHERE {{ SERVICE <{L}> {{ ?x ?y ",
    }


def updates(port: int) -> dict[str, str]:
    """Updates that each try to reach 127.0.0.1:port."""
    L = f"http://127.0.0.1:{port}/data.ttl"
    return {
        "load": f"LOAD <{L}>",
        "load-silent-into": f"LOAD SILENT <{L}> INTO GRAPH <http://g.example/>",
        "load-prefixed": f"PREFIX l: <http://127.0.0.1:{port}/> load l:data.ttl",
        "load-escape": f"PREFIX e: <http://x.example/> INSERT DATA {{ e:a\\' e:b \"'\" }} ; LOAD <{L}>",
        "insert-where-service": f"INSERT {{ ?x ?y ?z }} WHERE {{ SERVICE <{L}> {{ ?x ?y ?z }} }}",
        "unicode-escaped-load": f"\\u004cOAD <{L}>",
    }


def _attempts(base: str, listener: Listener):
    for name, query in corpus(listener.port).items():
        yield name, "GET", lambda q=query: httpx.get(base + "/sparql", params={"query": q}, timeout=30)
        yield name, "POST", lambda q=query: httpx.post(
            base + "/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=30)
    for name, update in updates(listener.port).items():
        yield name, "UPDATE", lambda u=update: httpx.post(
            base + "/sparql", data={"update": u}, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    p = (f"http://www.w3.org/2000/01/rdf-schema#label> ?v . OPTIONAL {{ SERVICE <http://127.0.0.1:{listener.port}/x>"
         " { ?w ?y ?z } } } #")
    yield "entity-p", "GET", lambda: httpx.get(base + "/id/unit/province/20", params={"dir": "out", "p": p}, timeout=30)


@pytest.mark.parametrize("which", ["default_server", "public_allowed_server"])
def test_no_trick_reaches_the_listener(request, which, listener):
    base = request.getfixturevalue(which)
    before = len(listener.hits)
    answers = {}
    for name, how, call in _attempts(base, listener):
        response = call()
        answers[(name, how)] = response.status_code
        assert 400 <= response.status_code < 500, (name, how, response.status_code, response.text[:300])
        assert "PWNED" not in response.text and "Traceback" not in response.text
    assert listener.hits[before:] == [], f"the listener was called: {listener.hits[before:]!r}"
    assert httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code == 200


def test_a_query_with_service_in_a_string_still_runs(default_server):
    r = httpx.get(default_server + "/sparql",
                  params={"query": 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/> LOAD" AS ?x) }'}, timeout=30)
    assert r.status_code == 200 and "SERVICE" in r.text


def test_malformed_dataset_iris_are_400(default_server):
    for name in ("default-graph-uri", "named-graph-uri"):
        r = httpx.get(default_server + "/sparql", params={"query": "ASK { ?s ?p ?o }", name: "http://[::1"}, timeout=30)
        assert r.status_code == 400, (name, r.status_code, r.text)


def test_control_an_allowed_listener_is_called(tmp_path, store, listener):
    """The same listener, on the allow-list, is reached: the attack tests above can fail."""
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    with running_server(copy, "--timeout", "5", "--allow-service", f"127.0.0.1:{listener.port}") as base:
        before = len(listener.hits)
        r = httpx.get(base + "/sparql", params={"query": corpus(listener.port)["plain"]}, timeout=30)
        assert r.status_code == 200 and "PWNED" in r.text
        assert len(listener.hits) > before
        before = len(listener.hits)
        r = httpx.get(base + "/sparql", params={"query": corpus(listener.port)["decimal-ip"]}, timeout=30)
        assert r.status_code == 200 and len(listener.hits) > before  # the same address, spelled otherwise
        r = httpx.get(base + "/sparql", params={"query": f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port + 1}/> {{}} }}"},
                      timeout=30)
        assert r.status_code == 403


def test_remote_errors_are_generic(tmp_path, store):
    """A closed port and a listening one give the same message, without the remote's reply."""
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    closed = port.getsockname()[1]
    port.close()
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    with running_server(copy, "--timeout", "5", "--allow-service", f"127.0.0.1:{closed}") as base:
        r = httpx.get(base + "/sparql", params={"query": f"SELECT * {{ SERVICE <http://127.0.0.1:{closed}/> {{ ?s ?p ?o }} }}"},
                      timeout=30)
        assert r.status_code == 502
        assert "refused" not in r.text.lower() and str(closed) not in r.text


def test_workers_without_network_cannot_connect(store, listener):
    """The second layer alone: a worker started without network is handed a SERVICE query directly."""
    from quyhoach.api.workers import Job, Worker

    worker = Worker(store, no_network=True)
    try:
        worker.wait_ready(60)
        if not worker.isolated:
            pytest.skip("no network namespaces here (no CAP_SYS_ADMIN, no user namespaces)")
        before = len(listener.hits)
        worker.send(Job(query=corpus(listener.port)["plain"], op="rows"))
        message = worker.receive(30)
        assert message[0] == "error"
        assert listener.hits[before:] == []
    finally:
        worker.kill()
