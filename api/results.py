"""Serialisers of SPARQL results, written row by row so that results can be streamed.

SELECT/ASK results: SPARQL 1.1 JSON, XML, CSV and TSV (W3C Recommendations). A SELECT result
that cannot reach the row cap is written by the engine's own serialiser (:data:`ENGINE_FORMATS`,
see :func:`quyhoach.api.workers._engine_serialised`); the writers here serve capped results row
by row. Graph results (CONSTRUCT/DESCRIBE) are written by pyoxigraph's own RDF serialisers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Row = Sequence[object | None]  # one solution: a term (or None) per variable, in variable order


def term_json(term: object) -> dict:
    """A term in the SPARQL 1.1 JSON results format (RDF 1.2 triple terms included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


_JSON = json.JSONEncoder(ensure_ascii=False)
#: Bindings encoded per call of the (C) encoder; bounds what is held at once.
JSON_BATCH = 256


def select_json(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """SPARQL 1.1 Query Results JSON Format, encoded in batches of :data:`JSON_BATCH` bindings."""
    yield '{"head":{"vars":' + json.dumps(list(variables)) + '},"results":{"bindings":['
    first = True
    batch: list[dict] = []
    for row in rows:
        batch.append({v: term_json(t) for v, t in zip(variables, row, strict=True) if t is not None})
        if len(batch) >= JSON_BATCH:
            yield ("" if first else ",") + _JSON.encode(batch)[1:-1]
            first = False
            batch.clear()
    if batch:
        yield ("" if first else ",") + _JSON.encode(batch)[1:-1]
    yield "]}}\n"


def ask_json(value: bool) -> Iterator[str]:
    """A boolean result in the JSON format."""
    yield json.dumps({"head": {}, "boolean": value}) + "\n"


def _term_xml(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_term_xml(term.subject)}</subject><predicate>{_term_xml(term.predicate)}"
            f"</predicate><object>{_term_xml(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def select_xml(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """SPARQL Query Results XML Format."""
    yield _XML_HEAD + "<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head>\n<results>\n"
    for row in rows:
        cells = "".join(
            f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
            for v, t in zip(variables, row, strict=True)
            if t is not None
        )
        yield f"<result>{cells}</result>\n"
    yield "</results>\n</sparql>\n"


def ask_xml(value: bool) -> Iterator[str]:
    """A boolean result in the XML format."""
    yield _XML_HEAD + f"<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"


def _csv_field(term: object | None) -> str:
    if term is None:
        text = ""
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def select_csv(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """SPARQL 1.1 Query Results CSV Format (values only, CRLF line ends)."""
    yield ",".join(_csv_field(ox.Literal(v)) for v in variables) + "\r\n"
    for row in rows:
        yield ",".join(_csv_field(t) for t in row) + "\r\n"


def ask_csv(value: bool) -> Iterator[str]:
    """A boolean result as CSV (a one-cell table, as common endpoints write it)."""
    yield f"_askResult\r\n{'true' if value else 'false'}\r\n"


def _tsv_field(term: object | None) -> str:
    return "" if term is None else str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def select_tsv(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """SPARQL 1.1 Query Results TSV Format (terms in Turtle/N-Triples syntax)."""
    yield "\t".join(f"?{v}" for v in variables) + "\n"
    for row in rows:
        yield "\t".join(_tsv_field(t) for t in row) + "\n"


def ask_tsv(value: bool) -> Iterator[str]:
    """A boolean result as TSV."""
    yield f"?_askResult\n{'true' if value else 'false'}\n"


SELECT_WRITERS = {"json": select_json, "xml": select_xml, "csv": select_csv, "tsv": select_tsv}
ASK_WRITERS = {"json": ask_json, "xml": ask_xml, "csv": ask_csv, "tsv": ask_tsv}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
#: SELECT formats the engine serialises itself (pyoxigraph ``QuerySolutions.serialize``).
ENGINE_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: Per engine format, ``(marker, slack)``: a result that holds ``marker`` ``n`` times holds at most
#: ``n + slack`` solutions. JSON writes ``},{`` between two solutions (it may also occur inside a
#: literal: the count only ever overestimates); XML opens each solution with ``<result>`` (a
#: ``<`` in a value is escaped); CSV and TSV end each line with ``\n``, the header's too (hence
#: ``-1``; a CSV value may hold more).
ROW_MARKERS = {"json": (b"},{", 1), "xml": (b"<result>", 0), "csv": (b"\n", -1), "tsv": (b"\n", -1)}
