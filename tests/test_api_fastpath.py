"""The protocol-level route of ``/sparql`` in a serving process, in-process on a real store: a
``GET`` answered once is answered again by its plan, with the same status, headers and body."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from quyhoach.api import fastpath
from quyhoach.api.inprocess import LocalExecutor, LocalPool, Watchdog
from quyhoach.api.settings import Settings
from quyhoach.api.state import AppState
from quyhoach.api.workers import open_reader
from tests.test_api_helpers import EX, LANG_SON, build_store

JSON = b"application/sparql-results+json"
POINT = f"SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{LANG_SON}> ?p ?o }} }}"


@pytest.fixture(scope="module")
def route(tmp_path_factory):
    path = build_store(tmp_path_factory.mktemp("fastpath") / "store")
    settings = Settings(store_path=Path(path), timeout=30, max_rows=100)
    pool = LocalPool(open_reader(str(path)), False)
    executor = LocalExecutor(pool, settings.timeout, Watchdog(settings.timeout))
    executor.starting = False
    yield fastpath.DirectRoute(AppState(settings, pool, executor), "generation")
    pool.close()


def _get(route, query: str, accept: bytes | None = JSON, **extra: bytes):
    target = b"/sparql?" + urlencode({"query": query}).encode()
    headers = [(b"host", b"localhost")] + ([(b"accept", accept)] if accept else [])
    headers += [(name.replace("_", "-").encode(), value) for name, value in extra.items()]
    key = (target, accept, None)
    return fastpath.respond(route, b"GET", target, headers, None, "127.0.0.1", None), key


@pytest.mark.parametrize("accept", [JSON, b"text/csv", b"application/sparql-results+xml", None])
def test_a_get_answered_again_by_its_plan_is_the_same_answer(route, accept):
    fastpath.PLANS.clear()
    first, key = _get(route, POINT, accept)
    assert first[0] == 200 and b"etag: " in first[1] and b"x-content-type-options: nosniff" in first[1].lower()
    plan = fastpath.PLANS.get(key)
    assert isinstance(plan, fastpath.Plan)
    again, _ = _get(route, POINT, accept)
    assert again == first
    tag = plan.tag.encode()
    status, lines, body = _get(route, POINT, accept, if_none_match=tag)[0]
    assert status == 304 and body == b"" and b"etag: " + tag in lines


def test_no_plan_for_a_truncated_result_or_an_ask(route):
    fastpath.PLANS.clear()
    everything = f"SELECT * WHERE {{ GRAPH <{EX}graph> {{ ?s ?p ?o }} }}"
    answers = [_get(route, everything) for _ in range(3)]
    for (status, lines, body), key in answers:
        assert status == 200 and b"x-result-truncated: true" in lines and body.count(b'"s":') == 100
        assert fastpath.PLANS.get(key) is None
    ask = f"ASK {{ GRAPH ?g {{ <{LANG_SON}> ?p ?o }} }}"
    (first, key), (again, _) = _get(route, ask), _get(route, ask)
    assert first == again and first[0] == 200 and b"true" in first[2]
    assert key not in fastpath.PLANS


def test_a_plan_made_before_the_label_index_is_replaced_after_it(route):
    fastpath.PLANS.clear()
    state = route.state
    first, key = _get(route, POINT)
    old = fastpath.PLANS[key]
    state.summary = object()  # the label index is in: the answers' tag changes
    try:
        again, _ = _get(route, POINT)
        new = fastpath.PLANS[key]
        assert new is not old and new.tag != old.tag and new.indexed
        assert again[2] == first[2] and b"etag: " + new.tag.encode() in again[1]
        assert _get(route, POINT)[0] == again
    finally:
        state.summary = None
