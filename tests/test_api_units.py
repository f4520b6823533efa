"""Pure parts of the server: the SPARQL lexer, content negotiation, result writers, the label index."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from quyhoach.api import negotiation, outbound, results
from quyhoach.api.querytext import QUERY_FORMS, UPDATE_WORDS, QueryText, analyse, tokens
from quyhoach.api.search import LabelIndex
from quyhoach.api.svgmap import parse_point
from quyhoach.api.workers import Job, QueryFailed, _Bounded, _OverBudget, run_job


def test_form_dataset_depth_and_numbers():
    info = analyse("# SELECT in a comment\nPREFIX ex: <http://ex.org/>\nASK FROM <http://g> { ?s ?p 'SERVICE' }")
    assert (info.form, info.has_dataset, info.depth) == ("ASK", True, 1)
    assert analyse("PREFIX e: <http://e.org/> INSERT DATA { e:a e:b e:c }").form == "UPDATE"
    assert analyse('SELECT ?x { BIND("""FROM""" AS ?x) }').has_dataset is False
    assert analyse("SELECT * { { { ?s ?p '{{{{' } } }").depth == 3
    assert analyse("SELECT * { ?s ?p 1E+999999999 }").longest_number == len("1E+999999999")


def _analysis_by_tokens(text: str) -> QueryText:
    """What :func:`analyse` must find, worked out from the full token list."""
    info, depth = QueryText(), 0
    for kind, value in tokens(text):
        if kind == "other" and value in "({[":
            depth += 1
            info.depth = max(info.depth, depth)
        elif kind == "other" and value in ")}]":
            depth -= 1
        elif kind == "number":
            info.longest_number = max(info.longest_number, len(value))
        elif kind == "word" and info.form is None and value.upper() in QUERY_FORMS:
            info.form = value.upper()
        elif kind == "word" and info.form is None and value.upper() in UPDATE_WORDS:
            info.form = "UPDATE"
        elif kind == "word" and value.upper() == "FROM":
            info.has_dataset = True
    return info


def test_lexer_shortcut_finds_what_the_full_token_list_holds():
    import random
    from pathlib import Path

    texts = [path.read_text(encoding="utf-8") for path in Path("queries").rglob("*.rq")]
    pieces = ["SELECT", "FROM", "insert", "ASK", "delete", "LOAD", " ", "\n", "\r", "\t", "{", "}", "(", ")", "[", "]",
              "'", '"', "'''", '"""', "\\", "#", "<", ">", "<http://a/b#c>", "?x", "$y", "?", "ex:", "ex:a.b", ":",
              "12", "1.5e10", ".5", "e+", "_x", "ộ", "à:", "a", "-", ".", ","]
    rng = random.Random(7)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(20_000)]
    for text in texts:
        assert analyse(text) == _analysis_by_tokens(text), text


def test_remote_calls_are_found_on_the_parse():
    calls = outbound.remote_calls(
        "BASE <http://h.example/a/> SELECT * { SERVICE SILENT <sparql> { ?s ?p ?o } SERVICE ?x {} }", update=False)
    assert sorted(map(str, (c.target for c in calls))) == ["None", "http://h.example/a/sparql"]
    hidden = "PREFIX e: <http://x.example/> SELECT * { BIND(e:a\\' AS ?q) SERVICE <http://127.0.0.1:9/x> {} }"
    assert [c.target for c in outbound.remote_calls(hidden, update=False)] == ["http://127.0.0.1:9/x"]
    escaped = "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> {} }"
    assert [c.target for c in outbound.remote_calls(escaped, update=False)] == ["http://127.0.0.1:9/"]
    assert outbound.remote_calls("SELECT * { ?s ?p 'service' }", update=False) == []
    load = outbound.remote_calls("PREFIX e: <http://e.org/> LOAD SILENT e:x INTO GRAPH <http://g>", update=True)
    assert [(c.keyword, c.target) for c in load] == [("LOAD", "http://e.org/x")]
    with pytest.raises(QueryFailed) as bad:
        outbound.remote_calls("SELECT * { SERVICE <http://a/> { ?s ?p ", update=False)
    assert bad.value.status == 400


def test_remote_allow_list():
    wikidata = "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryFailed):
        outbound.check(wikidata, False, ())
    assert outbound.check(wikidata, False, ("query.wikidata.org",))
    assert outbound.check(wikidata, False, ("https://query.wikidata.org:443",))
    for entries in (("wikidata.org",), ("query.wikidata.org:8443",), ("http://query.wikidata.org",)):
        with pytest.raises(QueryFailed):
            outbound.check(wikidata, False, entries)
    with pytest.raises(QueryFailed):
        outbound.check("SELECT * { SERVICE ?e { } }", False, ("query.wikidata.org",))
    with pytest.raises(QueryFailed):
        outbound.check("LOAD <file:///etc/passwd>", True, ("localhost",))


@pytest.mark.parametrize("spelling", ["127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1",
                                      "LOCALHOST.", "[::ffff:127.0.0.1]", "localhost"])
def test_loopback_spellings_never_match_a_public_entry(spelling):
    endpoint = outbound.normalise(f"http://{spelling}:8799/x")
    assert not outbound.allowed(endpoint, ("example.org", "example.org:8799"))
    if spelling not in ("LOCALHOST.", "localhost", "[::ffff:127.0.0.1]"):
        assert endpoint.host == "127.0.0.1"
        assert outbound.allowed(endpoint, ("127.0.0.1:8799",))


def test_user_information_and_other_schemes_are_refused():
    for target in ("http://example.org@127.0.0.1/", "http://u:p@example.org/", "ftp://example.org/", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            outbound.normalise(target)


def test_negotiation():
    assert negotiation.choose("bindings", None).name == "json"
    assert negotiation.choose("graph", "*/*").name == "turtle"
    assert negotiation.choose("bindings", "text/csv;q=0.5, application/sparql-results+xml").name == "xml"
    assert negotiation.choose("graph", "application/sparql-results+json").name == "jsonld"
    assert negotiation.choose("bindings", "text/turtle", "csv").name == "csv"
    assert negotiation.choose("bindings", "text/html, */*;q=0.1", html=False).name == "json"
    with pytest.raises(negotiation.NotAcceptable):
        negotiation.choose("graph", "text/csv")
    with pytest.raises(negotiation.NotAcceptable):
        negotiation.choose("graph", None, "tsv")


def test_result_writers_escape():
    rows = [(ox.Literal('a "b"\n<c>', language="vi"), ox.NamedNode("http://x/&"), None)]
    xml = "".join(results.select_xml(["l", "i", "u"], rows))
    assert "&lt;c&gt;" in xml and "http://x/&amp;" in xml and 'xml:lang="vi"' in xml and 'name="u"' not in xml.split("<results>")[1]
    tsv = "".join(results.select_tsv(["l", "i", "u"], rows)).splitlines()
    assert tsv[1] == '"a \\"b\\"\\n<c>"@vi\t<http://x/&>\t'
    csv = "".join(results.select_csv(["l", "i", "u"], rows))
    assert csv == 'l,i,u\r\n"a ""b""\n<c>",http://x/&,\r\n'


def test_label_index_is_accent_insensitive():
    index = LabelIndex()
    index.add("http://x/ls", "http://www.w3.org/2000/01/rdf-schema#label", "Tỉnh Lạng Sơn", "vi", None)
    index.add("http://x/ls", "http://www.w3.org/2000/01/rdf-schema#label", "Lang Son Province", "en", None)
    index.add("http://x/sl", "http://www.w3.org/2000/01/rdf-schema#label", "Sơn La", "vi", None)
    assert [h.entry.iri for h in index.search("lang son")] == ["http://x/ls"]
    assert [h.entry.iri for h in index.search("son")] == ["http://x/sl", "http://x/ls"]
    assert index.search("   ") == []
    assert index.entries["http://x/ls"].label == "Tỉnh Lạng Sơn"


def test_wkt_points():
    assert parse_point("POINT(106.76 21.85)") == (106.76, 21.85)
    assert parse_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT (1 2)") == (1.0, 2.0)
    assert parse_point("POLYGON((0 0, 1 1))") is None
    assert parse_point("POINT(500 2)") is None


def test_search_ranks_distinct_keys_when_many_resources_share_a_label():
    """Hundreds of resources share labels (as in disjoint copies); the best keys still come first."""
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    rows = [(f"http://x/id/task/t{i:03d}", label, "Lạng Sơn A", "vi", None) for i in range(300)]
    rows += [(f"http://x/id/plan/p{i:03d}", label, "Quy hoạch tỉnh Lạng Sơn", "vi", None) for i in range(300)]
    rows += [("http://x/id/unit/province/20", label, "Lạng Sơn B", "vi", None),
             ("http://x/id/unit/province/20", label, "Tỉnh Lạng Sơn B", "vi", None),
             ("http://x/id/doc/ls", label, "Lạng Sơn", "vi", None),
             ("http://x/id/doc/ls", label, "Lang Son", "en", None)]
    index = LabelIndex()
    index.add_many(rows)
    hits = index.search("lang son", limit=6)
    iris = [h.entry.iri for h in hits]
    # the key itself, then keys that start with it (the place's key before the tasks'), then the rest
    assert iris == ["http://x/id/doc/ls", "http://x/id/unit/province/20", "http://x/id/task/t000",
                    "http://x/id/task/t001", "http://x/id/task/t002", "http://x/id/task/t003"]
    assert [h.score for h in hits] == [0, 1, 1, 1, 1, 1]
    assert hits[1].matched == "lang son b" and hits[1].entry.label == "Lạng Sơn B"
    # a word inside the key; every resource once, at most limit of them
    inside = index.search("tinh lang", limit=400)
    assert inside[0].entry.iri == "http://x/id/unit/province/20"
    assert len(inside) == 301 and len({h.entry.iri for h in inside}) == 301
    assert {h.entry.iri for h in inside[1:]} == {f"http://x/id/plan/p{i:03d}" for i in range(300)}
    assert [h.entry.iri for h in index.search("son b")] == ["http://x/id/unit/province/20"]
    assert [h.entry.iri for h in index.search("qu", limit=2)] == ["http://x/id/plan/p000", "http://x/id/plan/p001"]


def _exact_search(index: LabelIndex, text: str, limit: int) -> list[tuple[str, int, str]]:
    """Reference ranking of every key of ``index`` (no candidate bound), written independently of
    :mod:`quyhoach.api.search`: match quality, best place rank, key length, key; then each key's
    resources in ``hit`` order until ``limit`` resources are found."""
    from quyhoach.text import ascii_key

    query = ascii_key(text)
    words = query.split()
    ranked = []
    for key, place in index.db.execute("SELECT key, place FROM label_key"):
        padded = " " + key
        if key == query:
            quality = 0
        elif key[:len(query)] == query:
            quality = 1
        elif padded.find(" " + query) >= 0:
            quality = 2
        elif key.find(query) >= 0:
            quality = 3
        elif all(padded.find(" " + w) >= 0 for w in words):
            quality = 4
        else:
            continue
        if all(len(w) < 3 for w in words) and quality > 1 and (query == words[0] or not key.startswith(words[0])):
            continue  # short words only: keys that start with the first word
        ranked.append((quality, place, len(key), key))
    found: dict[str, tuple[int, str]] = {}
    for quality, _, _, key in sorted(ranked)[:4 * limit]:
        for (iri,) in index.db.execute("SELECT iri FROM hit WHERE key = ? ORDER BY rank, iri", (key,)):
            found.setdefault(iri, (quality, key))
        if len(found) >= limit:
            break
    return [(iri, quality, key) for iri, (quality, key) in list(found.items())[:limit]]


def _ranking_rows() -> list[tuple]:
    """Labels of places and other things sharing words, alphabetical order unlike rank order."""
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    words = ["Lạng Sơn", "Cao Bằng", "Hà Nội", "Hà Nam", "giao thông", "quy hoạch", "tỉnh", "kế hoạch", "Đồng Nai"]
    rows = []
    for i in range(240):
        a, b, c = words[i % 9], words[(i * 4 + 1) % 9], words[(i * 7 + 2) % 9]
        kind = ("id/unit/province/", "id/unit/district/", "id/unit/commune/", "id/task/", "id/plan/")[i % 5]
        rows.append((f"http://x/{kind}{i:03d}", label, f"{a} {b} {c} {i % 13}"[: 8 + i % 30], "vi", None))
        if i % 3 == 0:
            rows.append((f"http://x/{kind}{i:03d}", label, f"{c} {a}", "en", None))
    return rows


def test_search_order_is_the_exact_ranking():
    """Searches read candidates best first and stop early; the hits are those of ranking every key."""
    index = LabelIndex()
    index.add_many(_ranking_rows())
    index.add_many([("http://x/id/unit/province/99", "http://www.w3.org/2000/01/rdf-schema#label", "Tỉnh Ý", "vi",
                     None)])  # the index written a second time: same answers
    queries = ["tinh", "tin", "ha noi", "ha n", "lang son", "quy h", "giao thong ha", "son", "oach", "ha", "h",
               "nai tinh", "dong nai 1", "ke", "tinh y", "zzz"]
    checked = 0
    for text in queries:
        for limit in (1, 3, 10, 50):
            got = [(h.entry.iri, h.score, h.matched) for h in index.search(text, limit)]
            assert got == _exact_search(index, text, limit), (text, limit)
            checked += bool(got)
    assert checked > 40
    # the province's key is alphabetically last of the keys starting with "tinh" but ranks first
    # (a place): found however few keys one read takes
    assert index.search("tinh", 1)[0].entry.iri == "http://x/id/unit/province/99"
    assert index.search("tinh y", 1)[0].matched == "tinh y"


def test_search_is_exact_past_thousands_of_keys_sharing_a_prefix_or_a_word_part():
    """More keys than any one read could rank (6 000) start with ``du`` and contain ``inh``; the
    best key of each (a province's short key sorting after them; a word starting with ``inh`` in
    the longest key) still comes first, and every answer is the exact ranking's."""
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    rows = [(f"http://x/id/task/t{i:04d}", label, f"Dự án tỉnh {i:04d}", "vi", None) for i in range(6000)]
    rows += [("http://x/id/unit/province/dx", label, "Dương Xá", "vi", None),
             ("http://x/id/task/inh", label, "Nhà văn hoá làng Ính thuộc xã Đông", "vi", None),
             ("http://x/id/task/kh", label, "Khu du lịch", "vi", None)]
    index = LabelIndex()
    index.add_many(rows)
    assert index.search("du", 1)[0].matched == "duong xa"
    assert [(h.entry.iri, h.score) for h in index.search("inh", 1)] == [("http://x/id/task/inh", 2)]
    for text in ("du", "d", "du a", "inh", "inh 00", "tinh 59", "an t", "du l", "nh", "xa d"):
        for limit in (1, 10):
            got = [(h.entry.iri, h.score, h.matched) for h in index.search(text, limit)]
            assert got == _exact_search(index, text, limit), (text, limit)


def test_read_only_index_keeps_a_bounded_number_of_lookups(tmp_path, monkeypatch):
    from quyhoach.api import search

    label = "http://www.w3.org/2000/01/rdf-schema#label"
    writer = LabelIndex(str(tmp_path / "labels.sqlite"))
    writer.add_many([(f"http://x/{i}", label, f"Tên {i}", "vi", None) for i in range(40)])
    writer.db.close()
    monkeypatch.setattr(search, "CACHED_ENTRIES", 10)
    index = LabelIndex(str(tmp_path / "labels.sqlite"), readonly=True)
    index.entries.prefetch([f"http://x/{i}" for i in range(5)] + ["http://x/none"])
    assert index.entries.get("http://x/3").label == "Tên 3" and index.entries.get("http://x/none") is None
    for i in range(40):
        assert index.entries.get(f"http://x/{i}").label == f"Tên {i}"
    assert len(index.entries._cache) == 10 and "http://x/39" in index.entries._cache
    assert "http://x/none" not in index.entries and index.entries["http://x/0"].iri == "http://x/0"


@pytest.mark.parametrize("name", sorted(results.ROW_MARKERS))
def test_row_markers_never_undercount(name):
    """However the engine's output is cut into writes, the marker count bounds the rows from above."""
    store = ox.Store()
    tricky = ['},{"', "},{}", "<result>", "a\nb", "x\r\n", '"q"', "{}"]
    for i, text in enumerate(tricky * 3):
        store.add(ox.Quad(ox.NamedNode(f"http://e.org/{i}"), ox.NamedNode("http://e.org/p"),
                          ox.Literal(text, language="vi") if i % 2 else ox.Literal(text), ox.NamedNode("http://e.org/g")))
    fmt = results.ENGINE_FORMATS[name]
    marker, slack = results.ROW_MARKERS[name]
    for query in ("SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF UNDEF } }",
                  "SELECT ?x WHERE { FILTER(false) }", "SELECT * WHERE { }"):
        rows = len(list(store.query(query)))
        data = store.query(query).serialize(format=fmt)
        for step in (1, 2, 3, 7, len(data)):
            bounded = _Bounded(10**6, marker, slack, 10**6)
            for start in range(0, len(data), step):
                bounded.write(data[start:start + step])
            assert b"".join(bounded.parts) == data
            assert bounded.rows + slack >= rows
        if rows > 1:  # a cap below the rows there are is always noticed
            with pytest.raises(_OverBudget):
                _Bounded(rows - 1, marker, slack, 10**6).write(data)


def test_results_up_to_the_cap_come_whole_and_longer_ones_capped():
    store = ox.Store()
    for i in range(30):
        store.add(ox.Quad(ox.NamedNode(f"http://e.org/{i}"), ox.NamedNode("http://e.org/p"),
                          ox.Literal("x" * i), ox.NamedNode("http://e.org/g")))
    query = "SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    for name, media in (("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
                        ("csv", "text/csv"), ("tsv", "text/tab-separated-values")):
        whole = run_job(store, Job(query=query, accept=media, max_rows=30))
        assert whole[0][0] == "whole" and not whole[0][1]["truncated"]
        assert whole[0][2] == store.query(query).serialize(format=results.ENGINE_FORMATS[name])
        capped = run_job(store, Job(query=query, accept=media, max_rows=29))
        body = b"".join(m[2] if m[0] == "whole" else m[1] for m in capped if m[0] in ("whole", "chunk"))
        assert capped[0][1]["truncated"] and capped[0][1]["rows"] == 29
        if name == "json":
            import json

            assert len(json.loads(body)["results"]["bindings"]) == 29
