"""``/reports/latest`` and the findings badges of entity pages, over a real ``quyhoach check`` run."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import httpx
import pytest

from tests.test_api_helpers import build_store, running_server, seed_store

BROWSER = {"Accept": "text/html"}


def all_pages(base: str, **params) -> list[str]:
    """Every HTML page of a report (its pager says how many); the page after the last is a 404."""
    size = params.get("size", 50)
    first = httpx.get(base + "/reports/latest", params=params, headers=BROWSER, timeout=30)
    assert first.status_code == 200
    found = re.search(r'<nav class="pager">page 1 of (\d+)', first.text)
    pages = [first.text] + [httpx.get(base + "/reports/latest", params={**params, "page": n}, headers=BROWSER,
                                      timeout=30).text for n in range(2, int(found.group(1)) + 1 if found else 2)]
    assert all(p.count('class="finding"') <= size for p in pages)
    after = httpx.get(base + "/reports/latest", params={**params, "page": len(pages) + 1}, headers=BROWSER, timeout=30)
    assert after.status_code == 404
    return pages


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
    pages = all_pages(base, size=3)  # several pages (the seed's report has more than 3 findings)
    assert len(pages) > 1 and pages == all_pages(base, size=3)  # the kept pages are the same
    names = {f["check"] for f in expected["findings"]}
    for name in names:
        assert any(f'id="check-{name}"' in page for page in pages)
    # every finding once over the pages; each page gives the whole report's count
    assert sorted(re.findall(r'class="finding" id="finding-([^"]+)"', "".join(pages))) == sorted(
        f["id"] for f in expected["findings"])
    assert all(f'{len(expected["findings"])} finding(s):' in page for page in pages)
    assert len(all_pages(base)) == -(-len(expected["findings"]) // 50)
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
    pages = all_pages(base, by="entity", size=2)
    assert len(set(re.findall(r'class="report-entity" id="(entity-\d+)"', "".join(pages)))) == len(per_entity)
    assert "".join(pages).count('class="finding"') == sum(per_entity.values())
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


def test_report_pages():
    """A small page size in the report's own paging: groups split over pages keep their exact counts."""
    from quyhoach.api.reports import Check, Finding, paginate

    def finding(n: int) -> Finding:
        return Finding(f"http://x/f{n}", f"k{n}", "c", "error", "m", "m")

    groups = [(Check("a", "a", "a"), [finding(n) for n in range(5)]), (Check("b", "b", "b"), [finding(5)]),
              (Check("e", "e", "e"), [])]
    pages = [paginate(groups, n, size=2) for n in (1, 2, 3, 4)]
    assert [p.pages for p in pages] == [3, 3, 3, 3] and pages[0].starts == [1, 3, 3]
    assert [[(s.head.name, [f.key for f in s.shown], s.first) for s in p.sections] for p in pages] == [
        [("a", ["k0", "k1"], 0)], [("a", ["k2", "k3"], 2)], [("a", ["k4"], 4), ("b", ["k5"], 0), ("e", [], 0)], []]
    assert all(len(s.findings) == 5 for p in pages for s in p.sections if s.head.name == "a")
    assert paginate([], 1).pages == 1 and paginate([], 1).sections == []


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
