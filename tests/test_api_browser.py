"""The pages in headless Chromium over the seed corpus; the screenshots of docs/api.md are taken here.

Flow: home -> search "lang son" (autocomplete) -> province page -> a linked entity -> its evidence
-> source view with the quote highlighted; the editor runs a query (YASGUI when `quyhoach assets`
installed it, the plain form otherwise); the consistency report. No request leaves the server.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from quyhoach.api.assets import vendor_ready
from tests.test_api_helpers import running_server, seed_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
DATA_NS = "https://w3id.org/quyhoach/id/"
LANG_SON = DATA_NS + "unit/province/20"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need /usr/bin/chromium (CI installs it)")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    store = seed_store(tmp_path_factory)
    with running_server(store) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base):
    """A page that may only talk to the server under test (the site must work offline)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    tab.route("**/*", route)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert outside == [], f"requests left the server: {outside}"
    assert errors == [], f"script errors: {errors}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_home_shows_counts_and_documents(page, base):
    page.goto(base + "/")
    assert page.locator('a[href^="/source/"]').count() >= 5
    assert page.locator("input[type=search]").count() >= 1
    shot(page, "home")


def test_search_autocomplete_suggests_lang_son(page, base):
    page.goto(base + "/")
    box = page.locator("header input[type=search]")
    box.fill("lang son")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('#suggestions option')).some(o => o.value.includes('Lạng Sơn'))",
        timeout=10_000,
    )
    box.press("Enter")
    page.wait_for_url("**/search?q=lang+son*")
    page.locator('a[href="/id/unit/province/20"]').first.click()
    page.wait_for_url("**/id/unit/province/20")
    assert "Lạng Sơn" in page.locator("h1").inner_text()


def _entities_with_evidence_linked_to_lang_son(base: str) -> list[str]:
    query = f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
    SELECT DISTINCT ?e WHERE {{ {{ ?e ?p <{LANG_SON}> }} UNION {{ <{LANG_SON}> ?p ?e }}
      ?e prov:wasDerivedFrom ?ev . ?ev oa:hasSelector/oa:start ?s . FILTER(STRSTARTS(STR(?e), "{DATA_NS}")) }}"""
    rows = httpx.get(base + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                     timeout=30).json()["results"]["bindings"]
    return [row["e"]["value"] for row in rows]


def test_province_page_links_and_provenance_to_highlighted_quote(page, base):
    page.goto(base + "/id/unit/province/20")
    assert "Lạng Sơn" in page.locator("h1 [lang=vi]").inner_text()
    assert page.locator("h1 .en").count() == 1  # English label beside the Vietnamese one
    assert page.locator("section.group").count() >= 3  # link groups by property, with counts
    assert page.locator("section.group .count").first.inner_text().strip().isdigit()
    shot(page, "entity-province")
    candidates = _entities_with_evidence_linked_to_lang_son(base)
    assert candidates, "the seed corpus links evidence-backed entities to Lạng Sơn"
    link = next((page.locator(f'main a[href="/id/{iri[len(DATA_NS):]}"]') for iri in candidates
                 if page.locator(f'main a[href="/id/{iri[len(DATA_NS):]}"]').count()), None)
    assert link is not None, "an evidence-backed entity is linked from the first page of the province"
    link.first.click()
    page.wait_for_load_state()
    evidence = page.locator("a.ev").first
    quote = evidence.get_attribute("title")
    evidence.click()
    page.wait_for_url("**/source/**")
    focus = page.locator("mark.focus")
    assert focus.count() >= 1
    assert " ".join(quote.split()) in " ".join(focus.first.inner_text().split())
    focus.first.scroll_into_view_if_needed()
    shot(page, "source-view")


def test_editor_runs_a_query_and_shows_rows(page, base):
    if vendor_ready():
        page.goto(base + "/editor")
        page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
        assert page.is_hidden("#plain-editor")
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
        assert page.locator(".yasr table tbody tr").count() == 20  # DEFAULT_QUERY: LIMIT 20
        assert "qh:" in page.locator(".yasr table tbody").inner_text()
    else:
        page.goto(base + "/editor")
        page.click("#plain-editor button[type=submit]")
        page.wait_for_selector("table.results tbody tr, table.results tr")
        assert page.locator("table.results tr").count() > 2
    page.goto(base + "/editor")
    if vendor_ready():
        page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
    shot(page, "editor")


def test_plain_editor_fallback_runs_a_query(page, base):
    page.goto(base + "/editor?plain=true")
    assert page.locator(".yasqe").count() == 0
    page.fill("#plain-editor textarea", "SELECT ?s WHERE { ?s a <https://w3id.org/quyhoach/ontology#Province> } LIMIT 7")
    page.click("#plain-editor button[type=submit]")
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() == 7


def test_example_queries_open_in_the_editor(page, base):
    page.goto(base + "/editor")
    page.locator('a.example[data-name="plan-hierarchy"]').click()
    if vendor_ready():
        page.wait_for_function("window.quyhoachYasgui && window.quyhoachYasgui.getTab().getQuery().includes('mustConformTo')")
    else:
        page.wait_for_load_state()
        assert "mustConformTo" in page.locator("#plain-editor textarea").input_value()


def test_report_page_by_check_and_by_entity(page, base):
    page.goto(base + "/reports/latest")
    sections = page.locator("section.report-check")
    assert sections.count() >= 3
    first = page.locator("table.summary a").first
    target = first.get_attribute("href")
    first.click()
    assert page.locator(f"section{target}").is_visible()
    page.goto(base + "/reports/latest")
    shot(page, "report")
    page.goto(base + "/reports/latest?by=entity")
    assert page.locator("section.report-entity").count() >= 3
