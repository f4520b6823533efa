"""Pure parts of the server: the SPARQL lexer, content negotiation, result writers, the label index."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from quyhoach.api import negotiation, results
from quyhoach.api.querytext import analyse, refused_remote
from quyhoach.api.search import LabelIndex
from quyhoach.api.svgmap import parse_point


def test_form_dataset_and_remote_targets():
    info = analyse("# SELECT in a comment\nPREFIX ex: <http://ex.org/>\nASK FROM <http://g> { ?s ?p 'SERVICE' }")
    assert (info.form, info.has_dataset, info.remote) == ("ASK", True, [])
    info = analyse("BASE <http://h.example/a/> SELECT * { SERVICE SILENT <sparql> { ?s ?p ?o } SERVICE ?x {} }")
    assert info.form == "SELECT" and info.remote == ["http://h.example/a/sparql", None]
    assert analyse("PREFIX e: <http://e.org/> INSERT DATA { e:a e:b e:c }").form == "UPDATE"
    assert analyse('SELECT ?x { BIND("""FROM""" AS ?x) }').has_dataset is False


def test_remote_allow_list():
    info = analyse("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    assert refused_remote(info, ()) is not None
    assert refused_remote(info, ("query.wikidata.org",)) is None
    assert refused_remote(info, ("wikidata.org",)) is not None
    assert refused_remote(analyse("SELECT * { SERVICE ?e { } }"), ("query.wikidata.org",)) is not None
    assert refused_remote(analyse("LOAD <file:///etc/passwd>"), ("",)) is not None


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
