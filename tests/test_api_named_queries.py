"""``/api/queries/{name}``: every named query over HTTP, typed parameters, JSON/CSV, OpenAPI."""

from __future__ import annotations

import csv
import io
import json
import time

import httpx
import pytest

from quyhoach.graph import named_queries as nq
from tests.test_api_helpers import run_cli, running_server, seed_store

LIBRARY = nq.discover()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = seed_store(tmp_path_factory)
    with running_server(store, "--max-rows", "5000") as url:
        yield url, store


def _cli_json(store, name: str, *params: str) -> dict:
    args = ["query", name, "--format", "json"]
    for p in params:
        args += ["--param", p]
    done = run_cli(store, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_named_query_is_in_openapi_with_its_parameters(seeded):
    base, _ = seeded
    schema = httpx.get(base + "/openapi.json", timeout=30).json()
    for query in LIBRARY:
        path = schema["paths"].get(f"/api/queries/{query.name}")
        assert path is not None, query.name
        declared = {p["name"]: p for p in path["get"]["parameters"]}
        assert set(declared) == {p.name for p in query.params} | {"format"}
        for param in query.params:
            expected = {"integer": "integer", "decimal": "number", "boolean": "boolean"}.get(param.type, "string")
            assert declared[param.name]["schema"]["type"] == expected, (query.name, param.name)
    listing = httpx.get(base + "/api/queries", timeout=30).json()["queries"]
    assert [q["name"] for q in listing] == [q.name for q in LIBRARY]


@pytest.mark.parametrize("query", LIBRARY, ids=lambda q: q.name)
def test_every_named_query_answers_like_the_cli(seeded, query):
    base, store = seeded
    params = {"q": "lang son"} if query.name == "search" else query.example_params()
    r = httpx.get(f"{base}/api/queries/{query.name}", params=params, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    got = r.json()
    expected = _cli_json(store, query.name, *(f"{k}={v}" for k, v in params.items()))
    assert got["columns"] == expected["columns"]
    key = lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert sorted(map(key, got["rows"])) == sorted(map(key, expected["rows"]))


def test_search_finds_lang_son_without_accents(seeded):
    base, _ = seeded
    rows = httpx.get(base + "/api/queries/search", params={"q": "lang son"}, timeout=60).json()["rows"]
    assert any(row["text"] == "Lạng Sơn" for row in rows)


def test_csv_by_accept_and_by_format(seeded):
    base, _ = seeded
    params = {"agency": "id:agency/bo-tai-chinh"}
    as_json = httpx.get(base + "/api/queries/responsibility", params=params, timeout=60).json()
    by_accept = httpx.get(base + "/api/queries/responsibility", params=params, headers={"Accept": "text/csv"}, timeout=60)
    by_format = httpx.get(base + "/api/queries/responsibility", params={**params, "format": "csv"}, timeout=60)
    assert by_accept.headers["content-type"].startswith("text/csv")
    assert by_accept.text == by_format.text
    table = list(csv.reader(io.StringIO(by_accept.text)))
    assert table[0] == as_json["columns"]
    assert len(table) - 1 == len(as_json["rows"]) > 0
    tsv = httpx.get(base + "/api/queries/responsibility", params={**params, "format": "tsv"}, timeout=60)
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert tsv.text.splitlines()[0].split("\t") == as_json["columns"]


def test_parameters_filter_and_are_typed(seeded):
    base, _ = seeded
    everything = httpx.get(base + "/api/queries/responsibility", timeout=60).json()["rows"]
    one_agency = httpx.get(base + "/api/queries/responsibility", params={"agency": "id:agency/bo-tai-chinh"},
                           timeout=60).json()["rows"]
    assert 0 < len(one_agency) < len(everything)
    text = httpx.get(base + "/api/queries/overdue-deadlines", params={"today": "2030-01-01", "format": "sparql"},
                     timeout=30).text
    assert '"2030-01-01"^^<http://www.w3.org/2001/XMLSchema#date>' in text


@pytest.mark.parametrize(("name", "params", "message"), [
    ("overdue-deadlines", {"today": "2024-13-01"}, "parameter today: '2024-13-01' is not a valid date"),
    ("province-in-several-corridors", {"minCorridors": "two"}, "is not a valid integer"),
    ("funding-share-amount", {"sharePoints": "lots"}, "is not a valid decimal"),
    ("responsibility", {"agency": "not an <iri>"}, "is not a valid iri"),
    ("shared-units", {}, "needs one of the parameters unit, thing"),
    ("search", {"nope": "1"}, "has no parameter nope"),
    ("search", {"format": "xlsx"}, "unknown format 'xlsx'"),
])
def test_bad_values_give_400_with_a_clear_message(seeded, name, params, message):
    base, _ = seeded
    r = httpx.get(f"{base}/api/queries/{name}", params=params, timeout=30)
    assert r.status_code == 400
    assert message in r.text


def test_unknown_query_is_404_with_the_list(seeded):
    base, _ = seeded
    r = httpx.get(base + "/api/queries/no-such-query", timeout=30)
    assert r.status_code == 404 and "plan-hierarchy" in r.text


def test_named_queries_run_on_the_killable_workers(tmp_path):
    """A tiny timeout applies to named queries too: 503, and the server still answers afterwards."""
    from tests.test_api_helpers import build_store

    store = build_store(tmp_path / "store")
    with running_server(store, "--timeout", "0.001", "--workers", "1") as base:
        deadline = time.monotonic() + 30
        while True:  # a killed worker is replaced in the background: until then the pool is busy
            r = httpx.get(base + "/api/queries/plan-hierarchy", timeout=30)
            assert r.status_code == 503
            if "timed out" in r.text or time.monotonic() > deadline:
                break
            assert "busy" in r.text
            time.sleep(0.5)
        assert "timed out" in r.text and "--timeout" in r.text
        assert httpx.get(base + "/api/queries", timeout=30).status_code == 200
