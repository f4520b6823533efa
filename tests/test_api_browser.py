"""The pages in headless Chromium over the seed corpus; the screenshots of docs/api.md are taken here
(into docs/screenshots only when QUYHOACH_SCREENSHOTS names it).

Flow: home -> search "lang son" (autocomplete) -> province page -> a linked zone (its SVG map) -> its
evidence -> source view with the quote highlighted; the editor runs a query (YASGUI when `quyhoach
assets` installed it, the plain form otherwise); the consistency report. Markup in titles and labels
of documents loaded with `quyhoach load` is shown as text and never runs. No request leaves the server.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from quyhoach.api.assets import vendor_ready
from tests.test_api_helpers import run_cli, running_server, seed_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: Screenshots go to a temporary folder; ``QUYHOACH_SCREENSHOTS=docs/screenshots pytest ...`` refreshes the
#: ones docs/api.md shows (a test run never rewrites tracked files by itself).
SHOTS = Path(os.environ.get("QUYHOACH_SCREENSHOTS") or Path(tempfile.gettempdir()) / "quyhoach-screenshots")
DATA_NS = "https://w3id.org/quyhoach/id/"
LANG_SON = DATA_NS + "unit/province/20"
#: The border-gate economic zone of Lạng Sơn (Decision 1161/QĐ-TTg, Plan 268/KH-UBND), linked from the province.
ZONE = "/id/zone/khu-kinh-te-cua-khau-dong-dang-lang-son"
XSS_DOCS = Path(__file__).parent / "fixtures" / "xss"

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


@contextmanager
def offline_page(browser, base: str):
    """A page that may only talk to the server at ``base`` (the site must work offline).

    Fails afterwards if a request left the server, a script raised, anything opened a dialog, or
    the server's Content-Security-Policy blocked a script, style, image or request.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    def dialog(d):
        dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    tab.route("**/*", route)
    violations: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", dialog)
    tab.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    context.close()
    assert violations == [], f"the Content-Security-Policy blocked something: {violations}"
    assert outside == [], f"requests left the server: {outside}"
    assert errors == [], f"script errors: {errors}"
    assert dialogs == [], f"dialogs opened: {dialogs}"


@pytest.fixture
def page(browser, base):
    with offline_page(browser, base) as tab:
        yield tab


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_home_shows_counts_and_documents(page, base):
    page.goto(base + "/")
    assert page.locator('a[href^="/source/"]').count() >= 5
    assert page.locator("input[type=search]").count() >= 1
    shot(page, "home")


def test_home_search_entity_link_zone_map_source_view(page, base):
    """The whole browsing flow in one tab: every step is reached by clicking, from the home page on."""
    page.goto(base + "/")
    box = page.locator("header input[type=search]")
    box.fill("lang son")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#suggestions option')).some(o => o.value.includes('Lạng Sơn'))",
        timeout=10_000,
    )
    box.press("Enter")
    page.wait_for_url("**/search?q=lang+son*")
    assert page.locator('main a[href="/id/unit/province/20"]').count() >= 1

    # search result -> entity page
    page.locator('main a[href="/id/unit/province/20"]').first.click()
    page.wait_for_url("**/id/unit/province/20")
    assert "Lạng Sơn" in page.locator("h1 [lang=vi]").inner_text()
    assert page.locator("h1 .en").count() == 1  # English label beside the Vietnamese one
    assert page.locator("section.group").count() >= 3  # link groups by property, with counts
    assert page.locator("section.group .count").first.inner_text().strip().isdigit()
    shot(page, "entity-province")

    # follow a link: the border-gate economic zone located in the province
    page.locator(f'main a[href="{ZONE}"]').first.click()
    page.wait_for_url(f"**{ZONE}")
    assert "Khu kinh tế cửa khẩu Đồng Đăng" in page.locator("h1").inner_text()

    # the zone page has its map: an SVG (no tiles) with a marker linking to the province it lies in
    svg = page.locator("section.map svg")
    assert svg.is_visible()
    assert svg.locator('a[href="/id/unit/province/20"] circle').count() == 1
    assert "Lạng Sơn" in svg.locator('a[href="/id/unit/province/20"] text').text_content()
    box_ = svg.bounding_box()
    assert box_ is not None and box_["width"] > 100 and box_["height"] > 100

    # the evidence of a fact -> source view with the quoted sentence highlighted and scrolled to
    evidence = page.locator("a.ev").first
    quote = evidence.get_attribute("title")
    assert quote and "Đồng Đăng" in quote
    evidence.click()
    page.wait_for_url("**/source/**")
    focus = page.locator("mark.focus")
    assert focus.count() >= 1
    assert " ".join(quote.split()) in " ".join(focus.first.inner_text().split())
    assert page.evaluate("() => window.location.hash") == "#focus"
    assert page.evaluate(  # the browser scrolled to the quote by itself
        "() => { const r = document.getElementById('focus').getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight; }")
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
        page.wait_for_function("() => window.quyhoachYasgui && window.quyhoachYasgui.getTab().getQuery().includes('mustConformTo')")
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


# ---------------------------------------------------------------- markup loaded from documents
@pytest.fixture(scope="module")
def xss_base(tmp_path_factory):
    """A server over a store where ``quyhoach load`` read the documents of tests/fixtures/xss."""
    store = tmp_path_factory.mktemp("xss") / "store"
    loaded = run_cli(store, "load", str(XSS_DOCS))
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    with running_server(store) as url:
        yield url


def _labels_with_markup(base: str) -> dict[str, tuple[str, bool]]:
    """IRI -> (Vietnamese label, is a source document) of every data resource whose label has a '<'."""
    query = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX qh: <https://w3id.org/quyhoach/ontology#>
    SELECT ?e ?label (EXISTS {{ ?e a qh:SourceDocument }} AS ?source) WHERE {{
      ?e rdfs:label ?label FILTER(CONTAINS(?label, "<") && STRSTARTS(STR(?e), "{DATA_NS}")) }}"""
    rows = httpx.get(base + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                     timeout=30).json()["results"]["bindings"]
    return {row["e"]["value"]: (row["label"]["value"], row["source"]["value"] == "true") for row in rows}


def _text(locator) -> str:
    return " ".join(locator.inner_text().split())


def _nothing_ran(tab, path: str) -> None:
    assert tab.evaluate("() => typeof window.__pwned") == "undefined", path
    injected = tab.evaluate("""() => document.querySelectorAll('[onerror], [onload], svg[onload], iframe, object').length
        + Array.from(document.scripts).filter(s => s.textContent.includes('__pwned')).length""")
    assert injected == 0, f"markup from a document became elements on {path}"


def test_markup_in_loaded_documents_is_shown_as_text(browser, xss_base):
    labelled = _labels_with_markup(xss_base)
    sources = {iri: label for iri, (label, is_source) in labelled.items() if is_source}
    things = {iri: label for iri, (label, is_source) in labelled.items() if not is_source}
    # both documents (a .txt whose first line is its title, an .html whose <title> is escaped markup)
    # and a thing extracted from each (an urban centre named with markup) carry the payload
    assert len(sources) == 2, labelled
    assert len(things) >= 2, labelled
    assert any("<script>" in label for label in sources.values())
    assert any("<script>" in label for label in things.values())
    assert any("onerror=" in label for label in sources.values())

    with offline_page(browser, xss_base) as tab:
        tab.goto(xss_base + "/")
        _nothing_ran(tab, "/")
        documents = _text(tab.locator("main"))
        for label in sources.values():  # the titles are listed as text
            assert " ".join(label.split()) in documents

        for iri, label in sources.items():
            path = f"/source/{iri.rsplit('/', 1)[1]}"
            tab.goto(xss_base + path)
            _nothing_ran(tab, path)
            assert _text(tab.locator("h1")) == " ".join(label.split())

        for iri, label in things.items():
            path = "/id/" + iri[len(DATA_NS):]
            tab.goto(xss_base + path)
            _nothing_ran(tab, path)
            assert _text(tab.locator("h1 [lang=vi]")) == " ".join(label.split())
            # its evidence opens the source view with the quote (markup and all) highlighted as text
            evidence = tab.locator("a.ev").first
            quote = evidence.get_attribute("title")
            assert quote and "<" in quote
            evidence.click()
            tab.wait_for_url("**/source/**")
            _nothing_ran(tab, tab.url)
            assert " ".join(quote.split()) in _text(tab.locator("mark.focus").first)

        # search results echo the labels (and the search term) as text
        tab.goto(xss_base + "/search?q=trung+tam")
        _nothing_ran(tab, "/search")
        results = _text(tab.locator("main"))
        for label in things.values():
            assert " ".join(label.split()) in results
        term = "<img src=x onerror=alert(10)>"
        tab.goto(xss_base + "/search?q=" + term.replace(" ", "+"))
        _nothing_ran(tab, "/search (term)")
        assert term in _text(tab.locator("main"))
        assert tab.locator("header input[type=search]").input_value() == term
