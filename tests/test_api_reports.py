"""``/reports/latest`` and the findings badges of entity pages, over a real ``quyhoach check`` run."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import httpx
import pytest

from tests.test_api_helpers import build_store, running_server, seed_store

BROWSER = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = seed_store(tmp_path_factory)
    expected = json.loads((store.parent / "check.json").read_text(encoding="utf-8"))
    with running_server(store) as url:
        yield url, expected


def test_report_json_holds_the_saved_run(seeded):
    base, expected = seeded
    data = httpx.get(base + "/reports/latest", params={"format": "json"}, timeout=30).json()
    assert len(data["findings"]) == len(expected["findings"]) > 0
    assert {f["key"] for f in data["findings"]} == {f["id"] for f in expected["findings"]}
    for severity in ("error", "warning", "info"):
        assert data["counts"][severity] == sum(f["severity"] == severity for f in expected["findings"])


def test_report_by_check_has_a_section_per_check_with_its_findings(seeded):
    base, expected = seeded
    page = httpx.get(base + "/reports/latest", headers=BROWSER, timeout=30)
    assert page.status_code == 200
    names = {f["check"] for f in expected["findings"]}
    for name in names:
        assert f'id="check-{name}"' in page.text
    assert page.text.count('class="finding"') == len(expected["findings"])
    one = sorted(names)[0]
    only = httpx.get(base + "/reports/latest", params={"check": one}, headers=BROWSER, timeout=30).text
    assert only.count('class="finding"') == sum(f["check"] == one for f in expected["findings"])
    assert f'id="check-{one}"' in only


def test_report_by_entity_and_filtered_to_one_entity(seeded):
    base, expected = seeded
    per_entity: dict[str, int] = {}
    for finding in expected["findings"]:
        for entity in {e["iri"] for e in finding["entities"]}:
            per_entity[entity] = per_entity.get(entity, 0) + 1
    iri, count = max(per_entity.items(), key=lambda kv: kv[1])
    page = httpx.get(base + "/reports/latest", params={"by": "entity"}, headers=BROWSER, timeout=30).text
    assert page.count('class="report-entity"') == len(per_entity)
    only = httpx.get(base + "/reports/latest", params={"entity": iri, "format": "json"}, timeout=30).json()
    assert len(only["findings"]) == count
    assert all(iri in {e["iri"] for e in f["entities"]} for f in only["findings"])


def test_entity_page_badges_link_to_the_report(seeded):
    base, expected = seeded
    data_ns = "https://w3id.org/quyhoach/id/"
    finding = next(f for f in expected["findings"] if any(e["iri"].startswith(data_ns) for e in f["entities"]))
    iri = next(e["iri"] for e in finding["entities"] if e["iri"].startswith(data_ns))
    page = httpx.get(base + "/id/" + iri[len(data_ns):], headers=BROWSER, timeout=30).text
    link = f'/reports/latest?entity={quote(iri, safe="")}#finding-{finding["id"]}'
    assert link in page.replace("&amp;", "&")
    target = httpx.get(base + link.split("#")[0], headers=BROWSER, timeout=30).text
    assert f'id="finding-{finding["id"]}"' in target


def test_bad_filters_are_400(seeded):
    base, _ = seeded
    assert httpx.get(base + "/reports/latest", params={"entity": "a b"}, timeout=30).status_code == 400
    assert httpx.get(base + "/reports/latest", params={"check": "x y"}, timeout=30).status_code == 400
    assert httpx.get(base + "/reports/latest", params={"severity": "fatal"}, timeout=30).status_code == 422


def test_store_without_a_check_run_says_so(tmp_path):
    store = build_store(tmp_path / "store")
    with running_server(store) as base:
        page = httpx.get(base + "/reports/latest", headers=BROWSER, timeout=30)
        assert page.status_code == 200 and "quyhoach check" in page.text
        assert re.search(r"No check run is saved", page.text)
        assert httpx.get(base + "/reports/latest", params={"format": "json"}, timeout=30).status_code == 404
