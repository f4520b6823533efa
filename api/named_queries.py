"""Every named query of ``queries/`` as ``GET /api/queries/{name}?param=…`` (JSON, CSV or TSV).

One route per query is generated when this module is imported (that is, when the application
is created), so the OpenAPI schema lists each query with its declared parameters, typed from
the query header (``iri``, ``string``, ``date``, ``integer``, ``decimal``, ``year``,
``boolean``). Values are parsed by :func:`quyhoach.graph.named_queries.to_term`; a bad value
gives **400** with the parameter, the value and the expected type. Queries run on the killable
worker pool (timeout and row cap apply) exactly as ``quyhoach query`` runs them: project
prefixes, ``qhfn:fold``, the union of the data graphs as the default graph.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from quyhoach.api.negotiation import parse_accept
from quyhoach.api.sparql import log
from quyhoach.api.state import get_state
from quyhoach.api.terms import Term
from quyhoach.errors import UserError
from quyhoach.graph import named_queries as nq

router = APIRouter(tags=["Named queries"])

#: Output formats: name -> media type.
MEDIA = {
    "json": "application/json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "sparql": "application/sparql-query",
}
#: Reserved query-string names (not query parameters).
RESERVED = {"format"}

_SCHEMAS: dict[str, dict] = {
    "iri": {"type": "string", "format": "iri",
            "description": "full IRI, prefixed name (id:unit/province/20) or data path (unit/province/20)"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date", "description": "YYYY-MM-DD or 'today'"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
    "boolean": {"type": "boolean"},
}


def param_schema(param: nq.Param) -> dict:
    """The OpenAPI parameter object of a declared query parameter."""
    schema = dict(_SCHEMAS[param.type])
    hint = schema.pop("description", "")
    if param.default is not None:
        schema["default"] = param.default
    text = param.description or param.name
    details = [f"type `{param.type}`"] + ([hint] if hint else [])
    details.append(f"default `{param.default}`" if param.default is not None else "default: unset (no filter)")
    return {
        "name": param.name,
        "in": "query",
        "required": False,
        "description": f"{text} ({'; '.join(details)})",
        "schema": schema,
    }


FORMAT_PARAM = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "json (default), csv, tsv, or sparql (the bound query text); else chosen by Accept",
    "schema": {"type": "string", "enum": list(MEDIA)},
}


def choose_format(request: Request, given: str | None) -> str:
    """The output format from ``?format=`` or else from ``Accept`` (JSON by default)."""
    if given is not None:
        name = given.strip().lower()
        if name not in MEDIA:
            raise HTTPException(400, f"unknown format '{given}': use one of {', '.join(MEDIA)}")
        return name
    by_media = {media: name for name, media in MEDIA.items()}
    for media, _q in parse_accept(request.headers.get("accept")):
        if media in by_media:
            return by_media[media]
        if media in ("application/*", "*/*", "text/*"):
            return "csv" if media == "text/*" else "json"
    return "json"


def to_ox(term: Term | None):
    """A pyoxigraph term from a worker's :class:`Term` (for the library's writers)."""
    if term is None:
        return None
    if term.kind == "iri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.kind == "literal":
        if term.lang:
            return ox.Literal(term.value, language=term.lang)
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype) if term.datatype else None)
    return ox.Literal(term.value)


def _values(request: Request, query: nq.NamedQuery) -> tuple[dict[str, str], str | None]:
    raw = parse_qs(request.url.query, keep_blank_values=True)
    repeated = sorted(k for k, v in raw.items() if len(v) > 1)
    if repeated:
        raise HTTPException(400, f"parameter given more than once: {', '.join(repeated)}")
    fmt = raw.pop("format", [None])[0]
    values = {k: v[0] for k, v in raw.items() if v[0] != ""}
    return values, fmt


async def run_named(request: Request, query: nq.NamedQuery) -> Response:
    """Bind the request's parameters, run the query on the worker pool, write JSON/CSV/TSV."""
    state = get_state(request)
    started = time.monotonic()
    values, given_format = _values(request, query)
    fmt = choose_format(request, given_format)
    try:
        bindings = nq.bind_params(query, values)
        text = nq.inject_values(query.body, bindings)
    except UserError as exc:
        raise HTTPException(400, str(exc)) from exc
    if fmt == "sparql":
        return PlainTextResponse(text, media_type="application/sparql-query; charset=utf-8")
    cap = state.settings.max_rows
    rows = await state.executor.rows(text, max_rows=cap, library=True)
    headers = {"Vary": "Accept", "X-Row-Limit": str(cap)}
    if rows.truncated:
        headers["X-Result-Truncated"] = "true"
    if rows.kind == "boolean":
        result = nq.QueryResult(columns=["answer"], rows=[], boolean=bool(rows.boolean))
    else:
        result = nq.QueryResult(
            columns=rows.variables,
            rows=[{v: to_ox(t) for v, t in zip(rows.variables, row, strict=True)} for row in rows.rows],
        )
    log.info("named query %s status=200 duration=%.3fs rows=%d params=%s format=%s",
             query.name, time.monotonic() - started, len(result.rows), values, fmt)
    if fmt == "json":
        return JSONResponse(_json(query, values, result, rows.truncated), headers=headers)
    body = nq.render(result, fmt)
    headers["Content-Disposition"] = f'inline; filename="{query.name}.{fmt}"'
    return Response(body, media_type=f"{MEDIA[fmt]}; charset=utf-8", headers=headers)


def _json(query: nq.NamedQuery, values: dict[str, str], result: nq.QueryResult, truncated: bool) -> dict:
    out: dict = {"query": query.name, "title": {"vi": query.title_vi, "en": query.title_en}, "parameters": values}
    if result.boolean is not None:
        out["answer"] = result.boolean
        return out
    out["columns"] = result.columns
    out["rows"] = [{c: nq.json_value(r[c]) for c in result.columns} for r in result.rows]
    out["truncated"] = truncated
    return out


def describe(query: nq.NamedQuery) -> dict:
    """A query's entry in the ``/api/queries`` index."""
    return {
        "name": query.name,
        "path": f"/api/queries/{query.name}",
        "title": {"vi": query.title_vi, "en": query.title_en},
        "question": query.question,
        "check": query.severity,
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
            for p in query.params
        ],
    }


def _endpoint(query: nq.NamedQuery):
    async def endpoint(request: Request) -> Response:
        return await run_named(request, query)

    endpoint.__name__ = "query_" + query.name.replace("-", "_")
    return endpoint


def _responses() -> dict:
    return {
        200: {"description": "rows", "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "text/tab-separated-values": {"schema": {"type": "string"}},
        }},
        400: {"description": "a parameter value does not fit its type, or an unknown parameter",
              "content": {"text/plain": {"schema": {"type": "string"}}}},
        503: {"description": "timeout or all workers busy", "content": {"text/plain": {"schema": {"type": "string"}}}},
    }


def _register(queries: list[nq.NamedQuery]) -> None:
    for query in queries:
        params = [p for p in query.params if p.name not in RESERVED]
        description = query.question
        if query.severity:
            description += f"\n\nConsistency check (severity: {query.severity})."
        if query.example:
            description += f"\n\nCLI: `{query.example}`"
        router.add_api_route(
            f"/api/queries/{query.name}",
            _endpoint(query),
            methods=["GET"],
            summary=f"{query.title_en} ({query.name})",
            description=description,
            response_class=Response,
            responses=_responses(),
            openapi_extra={"parameters": [param_schema(p) for p in params] + [FORMAT_PARAM]},
        )


@router.get("/api/queries", summary="The named query library: names, titles, parameters")
async def list_queries() -> JSONResponse:
    """Every named query with its parameters (the same as ``quyhoach query --list``)."""
    return JSONResponse({"queries": [describe(q) for q in nq.discover()]})


_register(nq.discover())


@router.get("/api/queries/{name}", include_in_schema=False)
async def unknown_query(name: str) -> Response:
    """Names that are not in the library."""
    names = ", ".join(q.name for q in nq.discover())
    raise HTTPException(404, f"no named query '{name}'; available: {names}")
