"""Entity pages, source view, search, home, ontology and editor of a real server process."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from rdflib import RDF, Graph, Literal, URIRef

from tests.test_api_helpers import (
    CAO_BANG,
    EVIL_LABEL,
    LANG_SON,
    PROJECT,
    QUOTE,
    QUOTE_START,
    SHA,
    build_store,
    running_server,
)

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("pages") / "store")
    with running_server(store) as url:
        yield url


def get(base: str, path: str, **kwargs) -> httpx.Response:
    kwargs.setdefault("headers", BROWSER)
    return httpx.get(base + path, timeout=30, **kwargs)


def test_home(base):
    r = get(base, "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Lạng Sơn ưu tiên đầu tư" in r.text and f"/source/{SHA}" in r.text
    assert re.search(r">Province</a></td><td class=\"num\">3<", r.text)  # two provinces + the 2025 one
    assert 'action="/search"' in r.text


def test_search_ignores_accents_and_case(base):
    for words in ("lang son", "LẠNG SƠN", "Lang  Son", "lạng"):
        r = get(base, "/search", params={"q": words}, headers={"Accept": "application/json"})
        assert r.status_code == 200
        assert r.json()["results"][0]["iri"] == str(LANG_SON), words
    html = get(base, "/search", params={"q": "lang son"})
    assert '<a href="/id/unit/province/20">Tỉnh Lạng Sơn</a>' in html.text
    assert get(base, "/search", params={"q": "zzzz"}, headers={"Accept": "application/json"}).json()["results"] == []


def test_search_term_is_echoed_as_text(base):
    r = get(base, "/search", params={"q": '<script>alert("q")</script>'})
    assert r.status_code == 200
    assert '<script>alert("q")</script>' not in r.text
    assert "&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt;" in r.text


def test_entity_page_html(base):
    r = get(base, "/id/unit/province/20")
    assert r.status_code == 200 and r.headers["vary"] == "Accept"
    page = r.text
    assert '<span lang="vi">Tỉnh Lạng Sơn</span> <span class="en" lang="en">Lang Son Province</span>' in page
    assert ">Province</a>" in page  # type, by its ontology label
    assert page.index("unit code") < page.index("qh:validUntil")  # readable order, not a dump
    assert "<svg" in page and 'class="self"' in page  # map of the WKT point
    assert "/editor?query=" in page and quote(str(LANG_SON), safe="") in page  # query this


def test_incoming_links_are_paged(base):
    page = get(base, "/id/unit/province/20").text
    # first page: 20 of the 46 projects (45 test projects and the evil one), each once
    assert len(set(re.findall(r'href="(/id/project/[^"?#]+)"', page))) == 20
    assert "all 46 →" in page
    link = re.search(r'href="(/id/unit/province/20\?dir=in&amp;p=[^"]+)"', page).group(1).replace("&amp;", "&")
    first = get(base, link)
    assert first.status_code == 200 and "page 1 of 1" in first.text and first.text.count("/id/project/test/p") == 45
    assert "Dự án thử 44" in first.text


def test_malicious_label_is_text(base):
    for path in ("/id/project/" + str(PROJECT).split("/id/project/")[1], "/id/unit/province/20", f"/source/{SHA}",
                 "/search?q=du+an+cua+khau"):
        r = get(base, path)
        assert r.status_code == 200, path
        assert "<script>window.__pwned" not in r.text, path
        assert "<script>alert(1)</script>" not in r.text, path
    escaped = EVIL_LABEL.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    assert escaped in get(base, "/id/project/" + str(PROJECT).split("/id/project/")[1]).text


def test_provenance_links_to_highlighted_quote(base):
    page = get(base, "/id/project/" + str(PROJECT).split("/id/project/")[1]).text
    link = f"/source/{SHA}?start={QUOTE_START}&amp;end={QUOTE_START + len(QUOTE)}#focus"
    assert link in page
    assert "Dự án &lt;script&gt;alert(1)&lt;/script&gt; cửa khẩu Tân Thanh</blockquote>" in page
    source = get(base, link.replace("&amp;", "&").split("#")[0]).text
    focus = re.search(r'<mark class="focus" id="focus"[^>]*>(.*?)</mark>', source, re.S)
    assert focus is not None
    assert "cửa khẩu Tân Thanh" in focus.group(1) and f'href="{str(PROJECT).replace("https://w3id.org/quyhoach", "")}"' in focus.group(1)
    assert "Ủy ban nhân dân tỉnh Lạng Sơn" in source
    # a read-only server keeps the document: the whole view, the focused one, the whole one again
    # (enough requests for every serving process to answer some from what it kept)
    plain = [get(base, f"/source/{SHA}").text for _ in range(6)]
    focused = [get(base, link.replace("&amp;", "&").split("#")[0]).text for _ in range(6)]
    assert all(text == plain[0] for text in plain) and all(text == source for text in focused)
    assert 'id="focus"' not in plain[0] and "cửa khẩu Tân Thanh" in plain[0]


def test_timeline_of_a_merged_unit(base):
    page = get(base, "/id/unit/province/" + str(CAO_BANG).rsplit("/", 1)[1]).text
    section = page[page.index('class="timeline"'):]
    assert "successor" in section and "Tỉnh Cao Bằng (2025)" in section and "2025-07-01" in section
    after = get(base, "/id/unit/province-2025/04").text
    assert "predecessor" in after and "Tỉnh Cao Bằng</a>" in after


@pytest.mark.parametrize(("accept", "rdflib_format", "media"), [
    ("text/turtle", "turtle", "text/turtle"),
    ("application/ld+json", "json-ld", "application/ld+json"),
    ("application/n-triples", "nt", "application/n-triples"),
])
def test_entity_content_negotiation(base, accept, rdflib_format, media):
    r = get(base, "/id/unit/province/20", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media) and r.headers["vary"] == "Accept"
    graph = Graph().parse(data=r.content, format=rdflib_format)
    assert (URIRef(str(LANG_SON)), RDFS_LABEL, Literal("Tỉnh Lạng Sơn", lang="vi")) in graph


@pytest.mark.parametrize(("ext", "rdflib_format"), [(".ttl", "turtle"), (".jsonld", "json-ld"), (".nt", "nt")])
def test_entity_extensions(base, ext, rdflib_format):
    r = get(base, "/id/unit/province/20" + ext)
    assert r.status_code == 200
    graph = Graph().parse(data=r.content, format=rdflib_format)
    assert (URIRef(str(LANG_SON)), RDFS_LABEL, Literal("Lang Son Province", lang="en")) in graph


def test_resource_pages_and_404(base):
    redirect = get(base, "/resource", params={"iri": str(LANG_SON)}, follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "/id/unit/province/20"
    term = get(base, "/resource", params={"iri": "https://w3id.org/quyhoach/ontology#Province"})
    assert term.status_code == 200 and "Tỉnh" in term.text and "Province" in term.text
    assert get(base, "/id/unit/province/99").status_code == 404
    assert get(base, "/source/" + "0" * 64).status_code == 404


def test_ontology_page(base):
    page = get(base, "/ontology").text
    assert 'id="Province"' in page and "Tỉnh" in page and "subclass of" in page
    row = page[page.index('<tr id="memberOfRegion">'):]
    row = row[: row.index("</tr>")]
    assert "qh:Province" in row and "qh:Region" in row and "member of region" in row


def test_editor_works_without_javascript(base):
    page = get(base, "/editor").text
    assert '<form class="editor" action="/sparql" method="post">' in page and "PREFIX qh: &lt;https://w3id.org/quyhoach/ontology#&gt;" in page
    query = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?l WHERE { ?s rdfs:label ?l FILTER(lang(?l) = 'vi') } ORDER BY ?l LIMIT 3"
    table = httpx.post(base + "/sparql", data={"query": query, "format": "html"}, headers=BROWSER)
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/html")
    assert table.text.count("<tr>") == 4 and "3 rows" in table.text
    by_accept = httpx.post(base + "/sparql", data={"query": query}, headers=BROWSER)
    assert "<table" in by_accept.text
    error = httpx.post(base + "/sparql", data={"query": "SELECT <script>", "format": "html"}, headers=BROWSER)
    assert error.status_code == 400 and "<script>" not in error.text


def test_openapi(base):
    assert get(base, "/docs").status_code == 200
    schema = httpx.get(base + "/openapi.json").json()
    for path in ("/sparql", "/search", "/id/{path}", "/resource", "/source/{sha256}", "/ontology", "/editor", "/"):
        assert path in schema["paths"], path


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="headless browser tests need /usr/bin/chromium (not installed here; CI adds it)")
def test_browser_runs_no_injected_script(base):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ("/id/unit/province/20", f"/source/{SHA}", "/search?q=<script>alert(1)</script>"):
            page.goto(base + path)
            assert page.evaluate("window.__pwned === undefined")
        assert dialogs == []
        browser.close()


def test_serve_loads_the_bundled_corpus_into_an_empty_store(tmp_path):
    store = tmp_path / "empty-store"
    with running_server(store) as url:
        home = httpx.get(url + "/", headers=BROWSER, timeout=30).text
        found = httpx.get(url + "/search", params={"q": "lang son"}, headers={"Accept": "application/json"}).json()
    assert home.count('href="/source/') >= 5
    assert "https://w3id.org/quyhoach/id/unit/province/20" in [hit["iri"] for hit in found["results"]]
    # the place itself ranks before things named after it (growth poles, routes)
    assert "/id/unit/province" in found["results"][0]["iri"]


HUB = "https://example.org/hub"
HUB_IN, HUB_OUT = 450, 430  # past the links one query reads per direction (entity_model.ONE_QUERY_LINKS)


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A server over a store with more than one page of documents and an entity with many links."""
    from quyhoach.api.pages import DOCUMENTS_PER_PAGE
    from quyhoach.graph.store import KnowledgeStore
    from quyhoach.namespaces import DCTERMS, ID, QH

    total = 2 * DOCUMENTS_PER_PAGE + 7
    g = Graph()
    for i in range(total):
        doc = URIRef(f"{ID}document/test-{i:03d}")
        g.add((doc, RDF.type, URIRef(str(QH.SourceDocument))))
        g.add((doc, URIRef(str(QH.sha256)), Literal(f"{i:064x}")))
        g.add((doc, URIRef(str(DCTERMS.title)), Literal(f"Văn bản số {i}", lang="vi")))
        g.add((doc, URIRef(str(DCTERMS.date)), Literal(f"2024-01-{1 + i % 28:02d}")))
    hub = URIRef(HUB)
    g.add((hub, RDFS_LABEL, Literal("Nút trung tâm", lang="vi")))
    for i in range(HUB_IN):
        g.add((URIRef(f"https://example.org/in/{i}"), URIRef("https://example.org/linksTo"), hub))
    for i in range(HUB_OUT):
        g.add((hub, URIRef("https://example.org/has"), URIRef(f"https://example.org/out/{i}")))
    g.add((hub, URIRef("https://example.org/note"), Literal("một ghi chú")))
    store = tmp_path_factory.mktemp("many") / "store"
    with KnowledgeStore(store) as kg:
        kg.replace_graph("https://example.org/documents", g)
    with running_server(store) as url:
        for _ in range(100):  # until the builder's counts are in
            if "being built" not in get(url, "/").text:
                break
            time.sleep(0.2)
        yield url, total


def test_home_lists_loaded_documents_a_page_at_a_time(many):
    from quyhoach.api.pages import DOCUMENTS_PER_PAGE

    url, total = many
    seen: list[str] = []
    dates: list[str] = []
    for page in (1, 2, 3):
        text = get(url, "/", params={"page": page}).text
        assert f"{total} documents loaded" in text
        listed = re.findall(r'<a href="/id/document/(test-\d+)">metadata</a>', text)
        dates += re.findall(r'</a> <span class="muted">(2024-01-\d\d)</span>', text)
        assert len(listed) == (DOCUMENTS_PER_PAGE if page < 3 else total - 2 * DOCUMENTS_PER_PAGE), page
        seen += listed
        assert ('rel="next"' in text) == (page < 3) and ('rel="prev"' in text) == (page > 1)
    assert "No documents on this page" in get(url, "/", params={"page": 4}).text
    assert get(url, "/", params={"page": 0}).status_code == 422
    assert sorted(seen) == sorted(f"test-{i:03d}" for i in range(total)) and len(set(seen)) == total
    assert dates == sorted(dates)  # in date order across pages


def test_many_links_are_counted_and_paged_exactly(many):
    from quyhoach.api.entity_model import GROUP_PAGE_SIZE, PAGE_SIZE

    url, _ = many
    page = get(url, "/resource", params={"iri": HUB}).text
    assert "Nút trung tâm" in page and "một ghi chú" in page
    assert f"all {HUB_IN} →" in page and f"all {HUB_OUT} →" in page
    assert len(set(re.findall(r'href="(/resource\?iri=https%3A%2F%2Fexample.org%2Fin%2F\d+)"', page))) == PAGE_SIZE
    assert len(set(re.findall(r'href="(/resource\?iri=https%3A%2F%2Fexample.org%2Fout%2F\d+)"', page))) == PAGE_SIZE
    for direction, prop, total, kind in (("in", "https://example.org/linksTo", HUB_IN, "in"),
                                         ("out", "https://example.org/has", HUB_OUT, "out")):
        pages = -(-total // GROUP_PAGE_SIZE)
        seen: list[str] = []
        for number in range(1, pages + 1):
            text = get(url, "/resource", params={"iri": HUB, "dir": direction, "p": prop, "page": number}).text
            assert f"page {number} of {pages}" in text
            seen += re.findall(rf'href="/resource\?iri=https%3A%2F%2Fexample.org%2F{kind}%2F(\d+)"', text)
        assert sorted(map(int, seen)) == list(range(total)), direction  # every value once, none twice
