"""Resource limits, against a real server process: each attack is refused or contained, and
simple queries keep being answered while it runs. Bounded in time (client timeouts) and memory
(a worker address-space cap)."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from quyhoach.loaders.documents.errors import DocumentError
from quyhoach.loaders.documents.read import read_raw
from quyhoach.loaders.documents.safety import UnsafeInput, check_xml
from tests.test_api_helpers import LAUNCHER, build_store, free_port, running_server

TOKEN = "limits-token"
ASK = {"query": "ASK { ?s ?p ?o }"}
#: A query whose strings double 24 times from 1 kB: 16 GB if nothing stopped it.
MEMORY_BOMB = ('SELECT (STRLEN(?s24) AS ?n) WHERE { BIND("' + "x" * 1000 + '" AS ?s0) '
               + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(24)) + " }")
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"a" * 100 + b'">'
                  b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                  b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e.example/">'
                  b'<rdf:Description rdf:about="http://e.example/s"><e:p>&c;</e:p></rdf:Description></rdf:RDF>')


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("limits") / "store")


@pytest.fixture(scope="module")
def server(store):
    with running_server(store, "--timeout", "10", "--workers", "2", "--worker-memory", "1024",
                        "--body-timeout", "1", "--header-timeout", "1", "--max-body", "200000", env={"QUYHOACH_TOKEN": TOKEN}) as base:
        yield base


@contextmanager
def keeps_answering(base: str):
    """Run simple queries in the background during the block; all must succeed."""
    stop = threading.Event()
    failures: list[str] = []
    answered = [0]

    def probe() -> None:
        while not stop.is_set():
            try:
                r = httpx.get(base + "/sparql", params=ASK, timeout=30)
                if r.status_code == 200:
                    answered[0] += 1
                elif r.status_code != 503:  # (a pool busy with the attack may say so; never a 500)
                    failures.append(f"{r.status_code} {r.text[:200]}")
            except httpx.HTTPError as exc:
                failures.append(repr(exc))
            time.sleep(0.05)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(60)
    assert failures == []
    assert answered[0] > 0, "no simple query was answered during the attack"


def test_huge_number_parameter_is_refused_at_once(server):
    with keeps_answering(server):
        r = httpx.get(server + "/api/queries/funding-parts-total", params={"tolerance": "1E+999999999"}, timeout=20)
        assert r.status_code == 400 and "tolerance" in r.text
        r = httpx.get(server + "/api/queries/funding-parts-total", params={"tolerance": "0." + "1" * 5000}, timeout=20)
        assert r.status_code == 400


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
    "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "SELECT * WHERE { ?s ?p " + "9" * 100_000 + " }",
    "SELECT * WHERE { ?s ?p 1E+999999999" + "9" * 200 + " }",
])
def test_nesting_and_numbers_are_capped(server, query):
    with keeps_answering(server):
        r = httpx.post(server + "/sparql", data={"query": query}, timeout=20)
        assert r.status_code in (400, 413), (r.status_code, r.text[:200])


def test_oversized_bodies_are_413(server):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 300_000
    r = httpx.post(server + "/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=20)
    assert r.status_code == 413
    r = httpx.post(server + "/sparql", data={"query": big}, timeout=20)
    assert r.status_code == 413

    def chunks():  # no Content-Length: counted while it arrives
        for _ in range(100):
            yield b"x" * 10_000

    r = httpx.post(server + "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}, timeout=20)
    assert r.status_code == 413


def test_a_slow_body_is_cut_off(server):
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 1000\r\n\r\nSELECT")
        answer = conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408")


def test_slow_headers_are_cut_off(server):
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        conn.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
        for _ in range(30):  # a header line now and then, never the blank line that ends them
            time.sleep(0.1)
            try:
                conn.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break
        conn.settimeout(5)
        try:
            rest = conn.recv(4096)
        except TimeoutError:
            pytest.fail("the connection with a never-ending request head stayed open")
        except ConnectionResetError:
            rest = b""
    assert rest == b"", rest  # closed without an answer
    assert httpx.get(server + "/sparql", params=ASK, timeout=30).status_code == 200


def test_a_query_over_the_memory_limit_gets_503_and_the_worker_is_replaced(server):
    with keeps_answering(server):
        r = httpx.get(server + "/sparql", params={"query": MEMORY_BOMB}, timeout=60)
        assert r.status_code == 503, (r.status_code, r.text[:300])
    assert httpx.get(server + "/sparql", params=ASK, timeout=30).status_code == 200


def test_long_searches_are_refused_and_others_served(server):
    with keeps_answering(server):
        r = httpx.get(server + "/search", params={"q": " ".join(["lang"] * 100), "format": "json"}, timeout=20)
        assert r.status_code in (400, 422)
        r = httpx.get(server + "/search", params={"q": "lang son cao bang", "format": "json"}, timeout=20)
        assert r.status_code == 200


def test_entity_expansion_in_an_rdfxml_upload_is_refused(server):
    r = httpx.put(server + "/rdf-graph-store", params={"graph": "http://e.example/g"}, content=BILLION_LAUGHS,
                  headers={"Content-Type": "application/rdf+xml", "Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert r.status_code == 400 and "entit" in r.text


def test_security_headers(server):
    for path in ("/", "/sparql", "/editor", "/docs", "/static/style.css", "/id/unit/province/20", "/nope"):
        r = httpx.get(server + path, headers={"Accept": "text/html"}, timeout=20)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
        assert r.headers["referrer-policy"], path
    docs = httpx.get(server + "/docs", timeout=20).text
    assert "cdn" not in docs.lower() and "/sparql" in docs


def test_a_killed_worker_costs_no_request(tmp_path, store):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-c", LAUNCHER, "--store", str(copy), "serve", "--port", str(port),
                                "--workers", "2"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, process)
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        workers = [int(pid) for pid in children if "worker_main" in _cmdline(int(pid)) or "multiprocessing" in _cmdline(int(pid))]
        assert workers, children
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        for _ in range(4):
            r = httpx.get(base + "/sparql", params=ASK, timeout=60)
            assert r.status_code == 200, (r.status_code, r.text)
    finally:
        process.terminate()
        process.wait(20)
        log.close()


def test_uvicorn_factory_takes_the_server_lock_and_hides_staging_graphs(tmp_path, store):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    staging = "https://w3id.org/quyhoach/graph/staging/half-loaded-1234"
    db = ox.Store(str(copy))
    db.add(ox.Quad(ox.NamedNode("http://e.example/leak"), ox.NamedNode("http://e.example/p"), ox.Literal("staged"),
                   ox.NamedNode(staging)))
    db.flush()
    del db
    env = dict(os.environ, QUYHOACH_STORE=str(copy))
    env.pop("QUYHOACH_TOKEN", None)
    port = free_port()
    log = (tmp_path / "uvicorn.log").open("wb")
    first = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "quyhoach.api.app:create_app",
                              "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, first)
        union = httpx.get(base + "/sparql", params={"query": 'ASK { ?s ?p "staged" }'}, timeout=30)
        assert union.status_code == 200 and "false" in union.text
        named = httpx.get(base + "/sparql", params={"query": 'ASK { GRAPH ?g { ?s ?p "staged" } }'}, timeout=30)
        assert "false" in named.text
        assert httpx.get(base + "/sparql", params=ASK, timeout=30).text.count("true") == 1
        second = subprocess.run([sys.executable, "-m", "uvicorn", "--factory", "quyhoach.api.app:create_app",
                                 "--port", str(free_port())], capture_output=True, text=True, env=env, timeout=120)
        assert second.returncode != 0 and "already being served" in (second.stdout + second.stderr)
    finally:
        first.terminate()
        first.wait(20)
        log.close()


def _wait(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited"
        try:
            if httpx.get(base + "/sparql", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


# ------------------------------------------------------------------- load-time guards (no server)
def test_zip_bomb_docx_is_refused_before_inflating(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"a" * (1024 * 1024)
            for _ in range(250):  # 250 MB inflated, over the 200 MB cap
                member.write(chunk)
    path = tmp_path / "bomb.docx"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(DocumentError, match="zip bomb"):
        read_raw(path)


def test_xml_guard():
    with pytest.raises(UnsafeInput):
        check_xml(BILLION_LAUGHS)
    with pytest.raises(UnsafeInput):
        check_xml(BILLION_LAUGHS.decode().encode("utf-16"))
    check_xml(b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')


def test_html_cleaning_is_linear():
    from quyhoach.loaders.documents.clean import html_to_text

    row = "<p>Quy hoạch tỉnh Lạng Sơn thời kỳ 2021-2030 số %d<br>dòng hai</p><table><tr><td>a</td><td>b</td></tr></table>\n"
    html = "<html><body><div class='content'>" + "".join(row % i for i in range(40_000)) + "</div></body></html>"
    text, _ = html_to_text(html)  # 4 MB: minutes when cleaning was quadratic, seconds now
    assert text.count("dòng hai") == 40_000 and "a\tb\t" in text
