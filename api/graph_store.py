"""SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graph-store?graph=IRI`` (or ``?default``).

``GET`` (and ``HEAD``) reads a graph in any RDF format the endpoint serves (Turtle by default);
``PUT`` replaces it, ``POST`` adds to it, ``DELETE`` drops it. Writes need the bearer token
(401/403 otherwise, 403 on a read-only server) and go through the same path as SPARQL Update
(:func:`quyhoach.api.update.update_store`): the body is parsed here (400 on a syntax error),
turned into one ``DROP``/``INSERT DATA`` update, and applied in one transaction by a separate
read-write process while the query workers are stopped. Nothing is half-written.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from quyhoach.api import negotiation
from quyhoach.api.sparql import require_token
from quyhoach.api.state import AppState, get_state
from quyhoach.api.update import update_store
from quyhoach.api.workers import Job, QueryFailed

router = APIRouter(tags=["SPARQL"])

PATH = "/rdf-graph-store"
#: Largest request body accepted by PUT/POST.
MAX_BODY = 64 * 1024 * 1024
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*$")
_DESCRIPTION = (
    "SPARQL 1.1 Graph Store HTTP Protocol. Name the graph with `graph=<IRI>` or `default` (the store's "
    "own default graph, not the union the endpoint queries). GET returns it (Accept or `format=`: "
    "turtle, ntriples, jsonld, rdfxml); PUT replaces it, POST adds to it, DELETE drops it: these need "
    "`Authorization: Bearer <token>`. Bodies: Turtle, N-Triples, RDF/XML, JSON-LD, N3."
)


def _target(request: Request) -> str | None:
    """The graph IRI, or ``None`` for the default graph; 400 when neither or both are named."""
    params = request.query_params
    graphs = params.getlist("graph")
    default = "default" in params
    if default and graphs or len(graphs) > 1 or (not default and not graphs):
        raise QueryFailed(400, "name exactly one graph: ?graph=<IRI> or ?default")
    if default:
        return None
    iri = graphs[0]
    if not _IRI.match(iri):
        raise QueryFailed(400, f"not an absolute IRI: {iri[:200]!r}")
    try:
        return ox.NamedNode(iri).value  # (pyoxigraph's own IRI check)
    except ValueError:
        raise QueryFailed(400, f"not an absolute IRI: {iri[:200]!r}") from None


async def _exists(state: AppState, graph: str | None) -> bool:
    if graph is None:
        return True
    result = await state.executor.rows(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return bool(result.boolean)


def _parse_body(body: bytes, media: str) -> list[ox.Triple]:
    media = media.split(";")[0].strip().lower()
    if media in ("", "application/octet-stream"):
        raise QueryFailed(415, "give the body's Content-Type (text/turtle, application/n-triples, application/rdf+xml, "
                               "application/ld+json)")
    fmt = ox.RdfFormat.from_media_type(media)
    if fmt is None or fmt.supports_datasets:
        raise QueryFailed(415, f"unsupported Content-Type '{media}' for a graph: use text/turtle, "
                               "application/n-triples, application/rdf+xml or application/ld+json")
    if fmt == ox.RdfFormat.RDF_XML:
        from quyhoach.loaders.documents.safety import UnsafeInput, check_xml

        try:
            check_xml(body)
        except UnsafeInput as exc:
            raise QueryFailed(400, f"cannot accept the body: {exc}") from None
    try:
        return [q.triple for q in ox.parse(body, format=fmt)]
    except SyntaxError as exc:
        raise QueryFailed(400, f"cannot parse the body as {media}: {exc}") from exc


def _insert(graph: str | None, triples: list[ox.Triple]) -> str:
    lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    if graph is None:
        return f"INSERT DATA {{\n{lines}\n}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{lines}\n}} }}"


async def _write(state: AppState, text: str) -> None:
    await run_in_threadpool(update_store, state.pool, state.settings.store_path, text, state.settings.timeout)
    from quyhoach.api.app import refresh_caches

    await refresh_caches(state)


@router.api_route(PATH, methods=["GET", "HEAD", "PUT", "POST", "DELETE"], summary="Graph Store HTTP Protocol",
                  description=_DESCRIPTION, response_class=Response)
async def graph_store(request: Request) -> Response:
    """Read, replace, add to or drop one graph."""
    state = get_state(request)
    try:
        graph = _target(request)
        if request.method in ("GET", "HEAD"):
            return await _get(request, state, graph)
        require_token(request, state, "the Graph Store Protocol")
        existed = await _exists(state, graph)
        if request.method == "DELETE":
            if not existed:
                raise QueryFailed(404, f"no graph <{graph}>")
            await _write(state, "DROP DEFAULT" if graph is None else f"DROP GRAPH <{graph}>")
            return Response(status_code=204)
        body = await request.body()  # (size-capped by the BodyLimit middleware)
        if len(body) > MAX_BODY:
            raise QueryFailed(413, f"body larger than {MAX_BODY // (1024 * 1024)} MiB: use `quyhoach load` offline")
        triples = await run_in_threadpool(_parse_body, body, request.headers.get("content-type", ""))
        parts = []
        if request.method == "PUT":
            parts.append("DROP SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH <{graph}>")
        if triples:
            parts.append(_insert(graph, triples))
        if parts:
            await _write(state, " ;\n".join(parts))
        return Response(status_code=204 if existed else 201)
    except QueryFailed as exc:
        return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=exc.headers)


async def _get(request: Request, state: AppState, graph: str | None) -> Response:
    if not await _exists(state, graph):
        raise QueryFailed(404, f"no graph <{graph}>")
    fmt = request.query_params.get("format")
    name = negotiation.format_name(fmt) if fmt else None
    if fmt and name not in negotiation.GRAPH_NAMES:
        raise QueryFailed(400, f"unknown RDF format '{fmt}': use turtle, ntriples, jsonld or rdfxml")
    where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    job = Job(query=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}", accept=request.headers.get("accept"), format=name,
              html=False, union=False, max_rows=state.settings.max_rows)
    stream = await state.executor.stream(job)
    headers = {"Vary": "Accept", "X-Row-Limit": str(state.settings.max_rows)}
    if stream.head.get("truncated"):
        headers["X-Result-Truncated"] = "true"
    if request.method == "HEAD":
        async for _chunk in stream.body():
            pass
        return Response(status_code=200, media_type=stream.head["media_type"], headers=headers)
    return StreamingResponse(stream.body(), media_type=stream.head["media_type"], headers=headers)
