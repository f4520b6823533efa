"""The SPARQL endpoint as a real server process, driven by real clients (SPARQLWrapper, rdflib, httpx)."""

from __future__ import annotations

import io
import json
import shutil
import socket
import threading
import time
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from quyhoach.namespaces import ONTOLOGY_GRAPH, reference_graph
from tests.test_api_helpers import EX, LANG_SON, RUNAWAY, build_store, running_server

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABELS = f"SELECT ?l WHERE {{ <{LANG_SON}> <{RDFS_LABEL}> ?l }} ORDER BY ?l"
TOKEN = "test-token-123"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("sparql") / "store")


@pytest.fixture(scope="module")
def server(store):
    """Read-only server: 2 s timeout, 100-row cap, every query logged, 1 s for a request body."""
    log = store.parent / "server.log"
    with running_server(store, "--timeout", "2", "--max-rows", "100", "--workers", "2", "--access-log",
                        "--body-timeout", "1", "--max-body", "50000", log=log) as base:
        yield base, log


@pytest.fixture(scope="module")
def token_server(tmp_path_factory, store):
    """A server on a copy of the store that accepts updates with a token, and CORS for one origin."""
    copy = tmp_path_factory.mktemp("writable") / "store"
    shutil.copytree(store, copy)
    with running_server(copy, "--cors", "https://allowed.example", env={"QUYHOACH_TOKEN": TOKEN}) as base:
        yield base


def _wrapper(base: str, query: str, fmt) -> SPARQLWrapper:
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_select_json_xml_csv_tsv(server):
    base, _ = server
    data = _wrapper(base, LABELS, JSON).query().convert()
    values = {b["l"]["value"]: b["l"].get("xml:lang") for b in data["results"]["bindings"]}
    assert values == {"Tỉnh Lạng Sơn": "vi", "Lang Son Province": "en"}
    doc = _wrapper(base, LABELS, XML).query().convert()  # a DOM document
    literals = {n.firstChild.data for n in doc.getElementsByTagName("literal")}
    assert literals == {"Tỉnh Lạng Sơn", "Lang Son Province"}
    csv_text = _wrapper(base, LABELS, CSV).query().convert().decode("utf-8")
    assert csv_text.splitlines() == ["l", "Lang Son Province", "Tỉnh Lạng Sơn"]
    tsv_text = _wrapper(base, LABELS, TSV).query().convert().decode("utf-8")
    assert tsv_text.splitlines() == ["?l", '"Lang Son Province"@en', '"Tỉnh Lạng Sơn"@vi']


def test_sparqlwrapper_post_form_and_direct(server):
    base, _ = server
    for method in (POST, POSTDIRECTLY):
        client = _wrapper(base, LABELS, JSON)
        client.setMethod(POST)
        client.setRequestMethod("postdirectly" if method == POSTDIRECTLY else "urlencoded")
        rows = client.query().convert()["results"]["bindings"]
        assert len(rows) == 2, method


def test_sparqlwrapper_ask_and_construct(server):
    base, _ = server
    assert _wrapper(base, f"ASK {{ <{LANG_SON}> ?p ?o }}", JSON).query().convert()["boolean"] is True
    assert _wrapper(base, "ASK { <https://example.org/none> ?p ?o }", XML).query().convert() is not None
    no = _wrapper(base, "ASK { <https://example.org/none> ?p ?o }", JSON).query().convert()
    assert no["boolean"] is False
    turtle = _wrapper(base, f"CONSTRUCT {{ <{LANG_SON}> <{RDFS_LABEL}> ?l }} WHERE {{ <{LANG_SON}> <{RDFS_LABEL}> ?l }}", TURTLE)
    graph = Graph().parse(data=turtle.query().convert(), format="turtle")
    assert (URIRef(str(LANG_SON)), URIRef(RDFS_LABEL), Literal("Tỉnh Lạng Sơn", lang="vi")) in graph
    assert len(graph) == 2


def test_rdflib_sparqlstore(server):
    base, _ = server
    graph = Graph(store=SPARQLStore(base + "/sparql", returnFormat="xml"))
    rows = list(graph.query(LABELS))
    assert {str(r[0]) for r in rows} == {"Tỉnh Lạng Sơn", "Lang Son Province"}
    assert graph.query(f"ASK {{ <{LANG_SON}> ?p ?o }}").askAnswer is True
    constructed = graph.query(f"CONSTRUCT {{ ?s <{RDFS_LABEL}> ?l }} WHERE {{ BIND(<{LANG_SON}> AS ?s) ?s <{RDFS_LABEL}> ?l }}")
    assert len(constructed.graph) == 2


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        ("application/sparql-results+json", "json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
        ("text/csv", "csv", "text/csv"),
        ("text/tab-separated-values", "tsv", "text/tab-separated-values"),
    ],
)
def test_select_formats_by_accept_and_by_format_parameter(server, accept, fmt, media):
    base, _ = server
    by_accept = httpx.get(base + "/sparql", params={"query": LABELS}, headers={"Accept": accept})
    by_param = httpx.get(base + "/sparql", params={"query": LABELS, "format": fmt}, headers={"Accept": "*/*"})
    for response in (by_accept, by_param):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        assert "Tỉnh Lạng Sơn" in response.text
    assert by_accept.content == by_param.content


@pytest.mark.parametrize(
    ("fmt", "media", "rdflib_format"),
    [("turtle", "text/turtle", "turtle"), ("ntriples", "application/n-triples", "nt"),
     ("jsonld", "application/ld+json", "json-ld"), ("rdfxml", "application/rdf+xml", "xml")],
)
def test_construct_formats(server, fmt, media, rdflib_format):
    base, _ = server
    query = f"CONSTRUCT {{ <{LANG_SON}> ?p ?o }} WHERE {{ <{LANG_SON}> ?p ?o FILTER(isLiteral(?o)) }}"
    for response in (
        httpx.post(base + "/sparql", data={"query": query}, headers={"Accept": media}),
        httpx.post(base + "/sparql", params={"format": fmt}, content=query.encode(),
                   headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        graph = Graph().parse(data=response.content, format=rdflib_format)
        assert (URIRef(str(LANG_SON)), URIRef(RDFS_LABEL), Literal("Lang Son Province", lang="en")) in graph


def test_dataset_parameters(server):
    base, _ = server
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(**params) -> int:
        r = httpx.get(base + "/sparql", params={"query": count, **params}, headers={"Accept": "application/json"})
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    union = n()
    bulk = n(**{"default-graph-uri": EX + "graph"})
    ontology = n(**{"default-graph-uri": str(ONTOLOGY_GRAPH)})
    assert bulk == 400 and ontology > 0 and union > bulk + ontology
    both = httpx.get(base + "/sparql", params=[("query", count), ("default-graph-uri", EX + "graph"),
                                               ("default-graph-uri", str(ONTOLOGY_GRAPH))])
    assert int(both.json()["results"]["bindings"][0]["n"]["value"]) == bulk + ontology
    named = httpx.get(base + "/sparql", params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": reference_graph("units")})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [reference_graph("units")]
    from_query = f"SELECT (COUNT(*) AS ?n) FROM <{EX}graph> WHERE {{ ?s ?p ?o }}"
    r = httpx.get(base + "/sparql", params={"query": from_query})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == 400


def test_service_description(server):
    base, _ = server
    r = httpx.get(base + "/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef(base + "/sparql")) in graph
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) not in graph


def test_errors(server):
    base, _ = server
    bad = httpx.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert bad.status_code == 400 and "syntax error" in bad.text and "1:" in bad.text
    no_csv = httpx.get(base + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "csv"})
    assert no_csv.status_code == 406
    unknown = httpx.get(base + "/sparql", params={"query": LABELS, "format": "yaml"})
    assert unknown.status_code == 400
    media = httpx.post(base + "/sparql", content=b"SELECT * {}", headers={"Content-Type": "text/plain"})
    assert media.status_code == 415
    service = httpx.get(base + "/sparql", params={
        "query": "SELECT * WHERE { SERVICE <http://example.com/sparql> { ?s ?p ?o } }"})
    assert service.status_code == 403 and "allow-list" in service.text
    hidden = httpx.get(base + "/sparql", params={
        "query": "PREFIX r: <http://example.com/> SELECT * WHERE { SERVICE SILENT r:sparql { ?s ?p ?o } }"})
    assert hidden.status_code == 403
    not_a_keyword = httpx.get(base + "/sparql", params={
        "query": 'SELECT ?x WHERE { BIND("SERVICE <http://example.com/>" AS ?x) }'})
    assert not_a_keyword.status_code == 200


def test_row_cap_truncates_and_says_so(server):
    base, _ = server
    r = httpx.get(base + "/sparql", params={"query": f"SELECT * WHERE {{ GRAPH <{EX}graph> {{ ?s ?p ?o }} }}"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 100
    assert r.headers["x-result-truncated"] == "true" and r.headers["x-row-limit"] == "100"
    small = httpx.get(base + "/sparql", params={"query": LABELS})
    assert "x-result-truncated" not in small.headers


def test_runaway_query_is_stopped_while_others_are_served(server):
    base, log = server
    outcome: dict = {}

    def runaway() -> None:
        started = time.monotonic()
        response = httpx.post(base + "/sparql", data={"query": RUNAWAY}, timeout=60)
        outcome["status"], outcome["text"], outcome["seconds"] = response.status_code, response.text, time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    quick = httpx.get(base + "/sparql", params={"query": LABELS}, headers={"Accept": "application/json"}, timeout=10)
    runaway_pending = "status" not in outcome  # the quick query was answered while the runaway one ran
    thread.join(30)
    assert quick.status_code == 200 and len(quick.json()["results"]["bindings"]) == 2
    assert runaway_pending
    assert outcome["status"] == 503 and "timed out" in outcome["text"]
    assert outcome["seconds"] < 2 + 2
    # the killed worker is replaced: two queries at once are both answered afterwards
    time.sleep(1.0)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(httpx.get(base + "/sparql", params={"query": LABELS}).status_code))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert results == [200, 200, 200, 200]
    text = log.read_text(errors="replace")
    assert "sparql status=503" in text and "sparql status=200" in text and "duration=" in text and "rows=" in text


def test_update_refused_on_read_only_server(server):
    base, _ = server
    update = 'INSERT DATA { <https://example.org/u> <https://example.org/p> "x" }'
    r = httpx.post(base + "/sparql", data={"update": update})
    assert r.status_code == 403 and "read-only" in r.text
    r = httpx.post(base + "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    as_query = httpx.post(base + "/sparql", data={"query": update})
    assert as_query.status_code == 400
    ask = httpx.get(base + "/sparql", params={"query": "ASK { <https://example.org/u> ?p ?o }"})
    assert ask.json()["boolean"] is False


def test_update_needs_the_token(token_server):
    base = token_server
    update = 'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/u> <http://www.w3.org/2000/01/rdf-schema#label> "Cập nhật thử"@vi } }'
    ask = {"query": "ASK { <https://example.org/u> ?p ?o }"}
    missing = httpx.post(base + "/sparql", data={"update": update})
    assert missing.status_code == 401 and "Bearer" in missing.headers["www-authenticate"]
    wrong = httpx.post(base + "/sparql", data={"update": update}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert httpx.get(base + "/sparql", params=ask).json()["boolean"] is False
    ok = httpx.post(base + "/sparql", content=update.encode(), timeout=60,
                    headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
    assert ok.status_code == 200, ok.text
    assert httpx.get(base + "/sparql", params=ask).json()["boolean"] is True
    found = httpx.get(base + "/search", params={"q": "cap nhat thu"}, headers={"Accept": "application/json"})
    assert [hit["iri"] for hit in found.json()["results"]] == ["https://example.org/u"]
    bad = httpx.post(base + "/sparql", data={"update": "INSERT DATA { <a> "},
                     headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert bad.status_code == 400
    description = Graph().parse(data=httpx.get(base + "/sparql").text, format="turtle")
    assert (None, None, URIRef("http://www.w3.org/ns/sparql-service-description#SPARQL11Update")) in description


def test_cors_allow_list(token_server):
    base = token_server
    allowed = httpx.get(base + "/sparql", params={"query": LABELS}, headers={"Origin": "https://allowed.example"})
    assert allowed.headers.get("access-control-allow-origin") == "https://allowed.example"
    other = httpx.get(base + "/sparql", params={"query": LABELS}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(base + "/sparql", headers={
        "Origin": "https://allowed.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200


def test_json_results_are_valid_json_with_special_characters(server):
    base, _ = server
    query = 'SELECT ?x WHERE { BIND("quote \\" comma, tab\\t line\\nend <b>" AS ?x) }'
    for fmt in ("json", "csv", "tsv", "xml"):
        r = httpx.get(base + "/sparql", params={"query": query, "format": fmt})
        assert r.status_code == 200, (fmt, r.text)
    data = json.loads(httpx.get(base + "/sparql", params={"query": query, "format": "json"}).text)
    assert data["results"]["bindings"][0]["x"]["value"] == 'quote " comma, tab\t line\nend <b>'
    import csv

    rows = list(csv.reader(io.StringIO(httpx.get(base + "/sparql", params={"query": query, "format": "csv"}).text)))
    assert rows[1] == ['quote " comma, tab\t line\nend <b>']


def test_read_only_answers_carry_an_etag_and_revalidate_with_304(server):
    base, _ = server
    params = {"query": LABELS}
    first = httpx.get(base + "/sparql", params=params, headers={"Accept": "application/json"})
    tag = first.headers["etag"]
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    again = httpx.get(base + "/sparql", params=params, headers={"Accept": "application/json", "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = httpx.get(base + "/sparql", params=params, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag  # another representation, another tag
    home = httpx.get(base + "/", headers={"Accept": "text/html"})
    assert home.status_code == 200 and "etag" in home.headers
    failed = httpx.get(base + "/sparql", params={"query": "SELEKT nothing"})
    assert failed.status_code == 400 and "etag" not in failed.headers


@pytest.mark.parametrize("value", [
    b"*",                                            # matches nothing unknown: no 304 for a 400 or a 404
    b", ".join(b'W/"%024x"' % i for i in range(2000)),  # a long list of tags (about 60 KB)
    b'W/"\xff\xfe<script>"',                         # bytes that are not ASCII, markup
    b'"' * 5000,
])
def test_hostile_if_none_match_is_answered_normally_and_never_echoed(server, value):
    base, _ = server
    headers = {"Accept": "application/json", "If-None-Match": value}
    bad = httpx.get(base + "/sparql", params={"query": "SELEKT nothing"}, headers=headers)
    assert bad.status_code == 400
    missing = httpx.get(base + "/id/unit/province/no-such-unit", headers=headers)
    assert missing.status_code == 404
    good = httpx.get(base + "/sparql", params={"query": LABELS}, headers=headers)
    assert good.status_code == 200 and good.json()["results"]["bindings"]
    for answer in (bad, missing, good):
        assert value.decode("latin-1") not in " ".join(answer.headers.values())


def _raw(base: str, request: bytes, timeout: float = 20) -> bytes:
    """Send ``request`` as it is on one connection; everything the server answers until it closes."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(1 << 16):
            answer += chunk
    return answer


def test_sparql_route_below_asgi_keeps_the_body_limits(server):
    """``/sparql`` is answered by the HTTP protocol itself in a read-only server: a body that does
    not arrive in time gets 408, a declared body over ``--max-body`` 413, both with the security headers."""
    base, _ = server
    slow = _raw(base, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                      b"Content-Length: 1000\r\n\r\nSELECT")
    assert slow.startswith(b"HTTP/1.1 408") and b"did not arrive within 1 s" in slow
    assert b"x-content-type-options: nosniff" in slow.lower()
    big = httpx.post(base + "/sparql", content=b"x" * 60_000, headers={"Content-Type": "application/sparql-query"})
    assert big.status_code == 413 and big.headers["x-frame-options"] == "DENY"


def test_pipelined_queries_are_answered_in_order(server):
    """Three requests in one write (two queries and a page): three answers, in the order asked."""
    base, _ = server
    first = urlencode({"query": LABELS})
    second = urlencode({"query": f"ASK {{ <{LANG_SON}> ?p ?o }}"})
    answer = _raw(base, (f"GET /sparql?{first} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n"
                         f"GET /sparql?{second} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n"
                         "GET /sparql?format=html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode())
    assert answer.count(b"HTTP/1.1 ") == 3, answer[:2000]
    labels, ask, editor = answer.index(b"Lang Son Province"), answer.index(b'"boolean"'), answer.index(b"HTTP/1.1 303")
    assert labels < ask < editor


def test_a_query_url_over_64_kib_is_answered(server):
    """httptools' URL parser takes at most 64 KiB; a longer GET (the editor allows 100 000 characters) is served."""
    base, _ = server
    query = LABELS + " # " + "ơ" * 20_000  # about 120 KB percent-encoded
    for path, params, expected in (("/sparql", {"query": query}, b"Lang Son Province"),
                                   ("/editor", {"query": query, "plain": "true"}, "ơơơơ".encode())):
        answer = _raw(base, f"GET {path}?{urlencode(params)} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n"
                            "Connection: close\r\n\r\n".encode(), timeout=30)
        assert answer.startswith(b"HTTP/1.1 200") and expected in answer, answer[:300]


def test_a_query_sent_again_gets_the_same_answer(server):
    """Both serving processes answer a GET again by its plan (api/fastpath.py): same status,
    headers (but the date) and body as the first time; a truncated result stays truncated."""
    base, _ = server
    everything = f"SELECT * WHERE {{ GRAPH <{EX}graph> {{ ?s ?p ?o }} }}"
    for query, accept in ((LABELS, "application/sparql-results+json"), (LABELS, "text/csv"),
                          (everything, "application/sparql-results+json")):
        answers = [httpx.get(base + "/sparql", params={"query": query}, headers={"Accept": accept}) for _ in range(8)]
        first = answers[0]
        assert first.status_code == 200
        for again in answers[1:]:
            assert again.status_code == 200 and again.content == first.content
            assert {k: v for k, v in again.headers.items() if k != "date"} == \
                   {k: v for k, v in first.headers.items() if k != "date"}
    assert answers[-1].headers["x-result-truncated"] == "true"
