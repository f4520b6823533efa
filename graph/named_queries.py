"""Named SPARQL queries: discover the ``.rq`` library, read its headers, run with typed parameters.

Each query file starts with a comment header of ``# field: value`` lines (indented ``#`` lines
continue the previous field)::

    # title@vi: Phân cấp quy hoạch
    # title@en: Plan hierarchy
    # question: Which plans must conform to which, approved and implemented by what, when?
    # param: plan iri = none -- only this plan (default: every plan)
    # param: today date = today -- the reference date
    # example: quyhoach query plan-hierarchy --param plan=id:plan/provincial/lai-chau/2021-2030

Consistency checks add ``check`` (severity), ``message@vi`` / ``message@en`` (``{var}``
placeholders filled from the row), ``entities`` (variables naming what a finding is about)
and optionally ``evidence`` (variables whose evidence quotes to show; default: the entities).

Parameters are never pasted into the query text as user strings: each value is parsed into a
typed RDF term, serialised by pyoxigraph, and bound with a ``VALUES`` block injected at the start
of the query's outer group (``UNDEF`` when a parameter is left unset), so the query can test
``BOUND(?param)``. A header line ``# requires: a b`` makes at least one of the parameters ``a``,
``b`` obligatory (a query whose answer over the whole store is too large to list).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from quyhoach.errors import UserError
from quyhoach.namespaces import FINDINGS_GRAPH, ID, PREFIXES
from quyhoach.text import ascii_key

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Namespace of the project's SPARQL extension functions.
FUNCTIONS = "https://w3id.org/quyhoach/function#"
#: ``qhfn:fold(text)``: the diacritic-insensitive key of a text (see :func:`quyhoach.text.ascii_key`).
FOLD = ox.NamedNode(FUNCTIONS + "fold")

PARAM_TYPES = ("iri", "string", "date", "integer", "decimal", "year", "boolean")
FORMATS = ("table", "csv", "tsv", "json")

_PARAM_RE = re.compile(r"^(\w+)\s+(\w+)(?:\s*=\s*(\S+))?\s*(?:--|—)?\s*(.*)$")
_FIELD_RE = re.compile(r"^#\s?([\w@-]+):\s?(.*)$")
_IRI_BAD = re.compile(r'[\s<>"{}|^`\\]')


@dataclass(frozen=True)
class Param:
    """A declared parameter: name, type, default (``None``: unbound) and description."""

    name: str
    type: str
    default: str | None
    description: str = ""


@dataclass
class NamedQuery:
    """A query file with its parsed header."""

    name: str
    path: Path
    text: str
    fields: dict[str, str] = field(default_factory=dict)
    params: list[Param] = field(default_factory=list)

    @property
    def title_vi(self) -> str:
        """Vietnamese title."""
        return self.fields.get("title@vi", self.name)

    @property
    def title_en(self) -> str:
        """English title."""
        return self.fields.get("title@en", self.name)

    @property
    def question(self) -> str:
        """The question the query answers."""
        return self.fields.get("question", "")

    @property
    def example(self) -> str:
        """An example command line."""
        return self.fields.get("example", "")

    def example_params(self) -> dict[str, str]:
        """The parameters with no default that the ``example:`` line sets (``{}`` if none).

        Queries that need a parameter (a ``requires:`` line, or ``search``) are run with these
        by the benchmarks and the tests; a parameter with a default is left to its default.
        """
        if "requires" not in self.fields and self.name != "search":
            return {}
        wanted = {p.name for p in self.params if p.default is None or p.default == "none"}
        words = shlex.split(self.example) if self.example else []
        out: dict[str, str] = {}
        for flag, value in zip(words, words[1:], strict=False):
            name, _, given = value.partition("=")
            if flag in ("--param", "-p") and name in wanted:
                out[name] = given
        return out

    @property
    def severity(self) -> str | None:
        """The severity of findings when the query is a consistency check, else ``None``."""
        return self.fields.get("check") or None

    @property
    def entity_vars(self) -> list[str]:
        """Variables naming the entities a finding is about."""
        return self.fields.get("entities", "").split()

    @property
    def evidence_vars(self) -> list[str]:
        """Variables whose evidence quotes illustrate a finding."""
        return self.fields.get("evidence", "").split() or self.entity_vars

    @property
    def body(self) -> str:
        """The query text without its header comment."""
        lines = self.text.splitlines()
        i = 0
        while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
            i += 1
        return "\n".join(lines[i:]).strip() + "\n"


@dataclass
class QueryResult:
    """Rows of a SELECT query (terms or ``None`` when unbound) or the answer of an ASK."""

    columns: list[str]
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]]
    boolean: bool | None = None


# -- discovery and headers ---------------------------------------------------------------
def parse_header(text: str) -> tuple[dict[str, str], list[Param]]:
    """Read the ``# field: value`` header of a query; return its fields and parameters."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    last: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _FIELD_RE.match(line)
        if match and not line.startswith("#  "):
            key, value = match.group(1), match.group(2).strip()
            if key == "param":
                params.append(_parse_param(value))
                last = "param"
            else:
                fields[key] = value
                last = key
        elif last and line[1:].strip():
            extra = line[1:].strip()
            if last == "param":
                p = params[-1]
                params[-1] = Param(p.name, p.type, p.default, f"{p.description} {extra}".strip())
            else:
                fields[last] = f"{fields[last]} {extra}".strip()
    return fields, params


def _parse_param(spec: str) -> Param:
    match = _PARAM_RE.match(spec)
    if not match or match.group(2) not in PARAM_TYPES:
        raise ValueError(f"bad parameter declaration: {spec!r} (want: NAME TYPE [= DEFAULT] -- description)")
    name, kind, default, description = match.groups()
    return Param(name, kind, None if default in (None, "none") else default, description.strip())


def load_query(path: Path) -> NamedQuery:
    """Read one query file."""
    text = path.read_text(encoding="utf-8")
    try:
        fields, params = parse_header(text)
    except ValueError as exc:
        raise UserError(f"{path}: {exc}") from exc
    return NamedQuery(name=path.stem, path=path, text=text, fields=fields, params=params)


def library_dir() -> Path:
    """Folder of the bundled query library."""
    return Path(str(resources.files("quyhoach.queries")))


def discover(folder: Path | None = None) -> list[NamedQuery]:
    """Every ``.rq`` file of the library, sorted by name."""
    folder = folder or library_dir()
    return [load_query(p) for p in sorted(folder.glob("*.rq"))]


def find(name_or_file: str) -> NamedQuery:
    """A query by library name (``plan-hierarchy``) or by path of an ``.rq`` file."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return load_query(path)
    candidate = library_dir() / f"{name_or_file}.rq"
    if candidate.is_file():
        return load_query(candidate)
    names = ", ".join(q.name for q in discover())
    raise UserError(f"no query named '{name_or_file}' (and no such .rq file); available: {names}")


# -- parameters ----------------------------------------------------------------------------
#: Longest parameter value accepted, in characters (IRIs, strings, numbers alike).
MAX_VALUE_CHARS = 2000
#: Most digits a number parameter may have (before and after the point, exponent applied).
MAX_DIGITS = 60


def to_term(param: Param, value: str) -> ox.NamedNode | ox.Literal:
    """Parse a command-line value into a typed RDF term for ``param``."""
    kind = param.type
    value = value.strip()
    if len(value) > MAX_VALUE_CHARS:
        raise UserError(f"parameter {param.name}: value of {len(value)} characters; at most {MAX_VALUE_CHARS}")
    try:
        if kind == "iri":
            return ox.NamedNode(expand_iri(value))
        if kind == "string":
            return ox.Literal(value)
        if kind == "date":
            day = date.today() if value == "today" else date.fromisoformat(value)
            return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
        if kind == "integer":
            if len(value.lstrip("+-")) > MAX_DIGITS:
                raise UserError(f"parameter {param.name}: more than {MAX_DIGITS} digits")
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if kind == "decimal":
            number = Decimal(value)
            if not number.is_finite():
                raise InvalidOperation
            digits = len(number.as_tuple().digits)
            if number and (number.adjusted() > MAX_DIGITS or number.adjusted() < -MAX_DIGITS or digits > MAX_DIGITS):
                # (written out in full, 1E+999999999 would be a billion digits)
                raise UserError(f"parameter {param.name}: '{value[:40]}' is outside ±1E{MAX_DIGITS} or has more "
                                f"than {MAX_DIGITS} digits")
            return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))
        if kind == "year":
            if not re.fullmatch(r"\d{4}", value):
                raise ValueError
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))
        if kind == "boolean":
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            flag = value.lower() in ("true", "1", "yes")
            return ox.Literal("true" if flag else "false", datatype=ox.NamedNode(XSD + "boolean"))
    except (ValueError, InvalidOperation) as exc:
        raise UserError(f"parameter {param.name}: '{value}' is not a valid {kind}") from exc
    raise UserError(f"parameter {param.name}: unknown type {kind}")


def expand_iri(value: str) -> str:
    """Full IRI from ``https://…``, a prefixed name (``id:unit/province/20``) or an ``id/`` path."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        iri = value
    elif ":" in value and value.split(":", 1)[0] in PREFIXES:
        prefix, local = value.split(":", 1)
        iri = PREFIXES[prefix] + local
    else:
        iri = str(ID) + value.lstrip("/")
    if _IRI_BAD.search(iri):
        raise ValueError(f"not an IRI: {value}")
    return iri


def bind_params(query: NamedQuery, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal | None]:
    """Typed terms for every declared parameter (given value, else default, else unbound)."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise UserError(f"query {query.name} has no parameter {', '.join(unknown)} (parameters: {known})")
    bound: dict[str, ox.NamedNode | ox.Literal | None] = {}
    for name, param in declared.items():
        raw = values.get(name, param.default)
        bound[name] = None if raw is None else to_term(param, raw)
    required = query.fields.get("requires", "").split()
    if required and all(bound.get(name) is None for name in required):
        raise UserError(f"query {query.name} needs one of the parameters {', '.join(required)} "
                        f"(e.g. {query.example or '--param ' + required[0] + '=...'})")
    return bound


#: A line ``# parameters`` in a query's body: where its ``VALUES`` block goes (an inner group).
PARAMETERS_LINE = re.compile(r"^[ \t]*# parameters[ \t]*$", re.M)


def inject_values(sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal | None]) -> str:
    """Insert ``VALUES (?a ?b) { (t1 t2) }`` right after the opening brace of the outer group.

    A query with a ``# parameters`` line gets the block there instead: inside the inner group
    that uses the parameters, so that group is evaluated with them bound (``search`` matches its
    words against the search keys before anything is joined to them). Terms are serialised by
    pyoxigraph (escaped N-Triples syntax), unset ones as ``UNDEF``.
    """
    if not bindings:
        return sparql
    names = " ".join(f"?{n}" for n in bindings)
    terms = " ".join("UNDEF" if t is None else str(t) for t in bindings.values())
    block = f"\n  VALUES ({names}) {{ ({terms}) }}\n"
    marker = PARAMETERS_LINE.search(sparql)
    if marker:
        return sparql[: marker.start()] + block.strip("\n") + sparql[marker.end() :]
    pos = _first_group_brace(sparql)
    return sparql[: pos + 1] + block + sparql[pos + 1 :]


def _first_group_brace(sparql: str) -> int:
    """Offset of the first ``{`` outside comments, IRIs and strings."""
    i, n = 0, len(sparql)
    while i < n:
        ch = sparql[i]
        if ch == "#":
            nl = sparql.find("\n", i)
            i = n if nl < 0 else nl
        elif ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", sparql[i:]):
            i = sparql.index(">", i)
        elif ch in "\"'":
            long_quote = sparql[i : i + 3] == ch * 3
            end = sparql.find(ch * 3, i + 3) if long_quote else _string_end(sparql, i)
            i = n if end < 0 else end + (2 if long_quote else 0)
        elif ch == "{":
            return i
        i += 1
    raise UserError("the query has no WHERE group")


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1


# -- running -------------------------------------------------------------------------------
def fold_function(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> ox.Literal | None:
    """``qhfn:fold``: lower-case, diacritic-free, dash-folded form of a literal's text."""
    if isinstance(term, ox.Literal):
        return ox.Literal(ascii_key(term.value))
    return None


CUSTOM_FUNCTIONS = {FOLD: fold_function}


#: A findings graph written before it was union-safe describes the data's evidence nodes.
_LEGACY_FINDINGS = (f"ASK {{ GRAPH <{FINDINGS_GRAPH}> {{ ?e a <https://w3id.org/quyhoach/ontology#Evidence> }} }}")


def data_graphs(store) -> list[ox.NamedNode]:
    """The named graphs that hold data: all but the findings and staging ones."""
    skip = str(FINDINGS_GRAPH)
    return [
        g
        for g in (ox.NamedNode(n) if isinstance(n, str) else n for n in store.named_graphs())
        if isinstance(g, ox.NamedNode) and g.value != skip and "/graph/staging/" not in g.value
    ]


def dataset(store, graphs: Iterable[ox.NamedNode] | None = None) -> dict:
    """The query options that make the union of the data graphs the default graph.

    That is the engine's own union of the named graphs (one index lookup per pattern), the
    findings graph included: it is union-safe (:func:`quyhoach.graph.report.to_triples` describes
    only the nodes of the run), so it changes no answer about the data. The graphs are listed
    instead (each pattern then looked up in each listed graph: about 50 times slower with 2 800
    graphs) only while an import's staging graph exists, or when the findings graph is one written
    before it was union-safe (until the next ``quyhoach check`` replaces it).
    """
    if graphs is not None:
        return {"default_graph": list(graphs) or [ox.DefaultGraph()]}
    every = [ox.NamedNode(n) if isinstance(n, str) else n for n in store.named_graphs()]
    every = [g for g in every if isinstance(g, ox.NamedNode)]
    if not every:
        return {"default_graph": [ox.DefaultGraph()]}
    staging = any("/graph/staging/" in g.value for g in every)
    legacy = any(g.value == str(FINDINGS_GRAPH) for g in every) and bool(store.query(_LEGACY_FINDINGS))
    if not staging and not legacy:
        return {"use_default_graph_as_union": True}
    data = [g for g in every if g.value != str(FINDINGS_GRAPH) and "/graph/staging/" not in g.value]
    return {"default_graph": data or [ox.DefaultGraph()]}


def run_sparql(store, sparql: str, graphs: Iterable[ox.NamedNode] | None = None,
               options: dict | None = None) -> QueryResult:
    """Run SPARQL over the union of the data graphs with the project prefixes and functions.

    ``options`` is a :func:`dataset` answer computed once for several queries (it lists the
    store's graphs: about 0.4 s at 10 M quads); without it, it is computed for this query.
    """
    try:
        answer = store.query(
            sparql,
            prefixes=dict(PREFIXES, qhfn=FUNCTIONS),
            custom_functions=CUSTOM_FUNCTIONS,
            **(options if options is not None else dataset(store, graphs)),
        )
    except SyntaxError as exc:
        raise UserError(f"SPARQL syntax error: {str(exc).splitlines()[0]}") from exc
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(columns=["answer"], rows=[], boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        raise UserError("named queries must be SELECT or ASK queries")
    columns = [v.value for v in answer.variables]
    rows = [{c: row[c] for c in columns} for row in answer]
    return QueryResult(columns=columns, rows=rows)


def run(store, query: NamedQuery, params: dict[str, str] | None = None) -> QueryResult:
    """Run a named query with parameters (``name -> text value``)."""
    bindings = bind_params(query, params or {})
    return run_sparql(store, inject_values(query.body, bindings))


def bound_text(query: NamedQuery, params: dict[str, str] | None = None) -> str:
    """The runnable SPARQL text of ``query`` with its parameters bound."""
    return inject_values(query.body, bind_params(query, params or {}))


def parse_param_options(options: Iterable[str]) -> dict[str, str]:
    """``["k=v", …]`` from the command line into a dict."""
    values: dict[str, str] = {}
    for option in options:
        if "=" not in option:
            raise UserError(f"--param wants NAME=VALUE, got '{option}'")
        key, value = option.split("=", 1)
        values[key.strip()] = value
    return values


# -- output ----------------------------------------------------------------------------------
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger")}


def plain(term) -> str:
    """Text of a term for csv/tsv/json (IRIs in full, literals by value)."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def short(term) -> str:
    """Compact text of a term for tables (prefixed IRIs)."""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns):]}"
    return plain(term)


def json_value(term):
    """A JSON value for a term: numbers as numbers, booleans as booleans, else text."""
    if isinstance(term, ox.Literal):
        kind = term.datatype.value
        if kind in NUMERIC:
            number = Decimal(term.value)
            return int(number) if number == number.to_integral_value() and "." not in term.value else float(number)
        if kind == XSD + "boolean":
            return term.value == "true"
    return None if term is None else plain(term)


def render(result: QueryResult, fmt: str) -> str:
    """The result as ``csv``, ``tsv`` or ``json`` text (tables are printed by the CLI)."""
    if result.boolean is not None:
        return json.dumps({"answer": result.boolean}) if fmt == "json" else str(result.boolean).lower() + "\n"
    if fmt == "json":
        rows = [{c: json_value(r[c]) for c in result.columns} for r in result.rows]
        return json.dumps({"columns": result.columns, "rows": rows}, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow([plain(row[c]).replace("\t", " ").replace("\n", " ") if fmt == "tsv" else plain(row[c])
                             for c in result.columns])
        return buffer.getvalue()
    raise UserError(f"unknown format '{fmt}': choose one of {', '.join(FORMATS)}")
