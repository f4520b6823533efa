"""The SPARQL 1.1 Protocol endpoint ``/sparql``: parsing, negotiation, execution, updates, logging."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from quyhoach.api import negotiation, outbound
from quyhoach.api.limits import check_text, graph_iris
from quyhoach.api.querytext import QueryText
from quyhoach.api.state import AppState, get_state
from quyhoach.api.update import update_store
from quyhoach.api.workers import Job, QueryFailed

log = logging.getLogger("quyhoach.api.sparql")
router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@dataclass
class ProtocolRequest:
    """One SPARQL Protocol operation, whatever way it was sent."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    format: str | None = None


def _first(params: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if params.get(name):
            return params[name][0]
    return None


def _operation(params: dict[str, list[str]], body_query: str | None = None, body_update: str | None = None) -> ProtocolRequest:
    queries = params.get("query", [])
    updates = params.get("update", [])
    if body_query is not None:
        queries = [body_query]
    if body_update is not None:
        updates = [body_update]
    if len(queries) > 1 or len(updates) > 1:
        raise QueryFailed(400, "give exactly one 'query' or 'update' parameter")
    if queries and updates:
        raise QueryFailed(400, "a request carries either a query or an update, not both")
    raw_format = _first(params, "format", "output", "results")
    fmt = negotiation.format_name(raw_format)
    if raw_format and params.get("format") and fmt is None:
        raise QueryFailed(400, f"unknown format '{raw_format}'; use one of {', '.join(sorted(set(negotiation.FORMAT_NAMES)))}")
    return ProtocolRequest(
        query=queries[0] if queries else None,
        update=updates[0] if updates else None,
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
        using_graphs=params.get("using-graph-uri", []) + params.get("using-named-graph-uri", []),
        format=fmt,
    )


def read_operation(method: str, query_string: str, content_type: str, body: bytes | None) -> ProtocolRequest:
    """Read a Protocol operation from a request's parts (400/415 on malformed requests;
    ``UnicodeDecodeError`` for a body that is not UTF-8)."""
    url_params = parse_qs(query_string, keep_blank_values=True)
    if method == "GET":
        op = _operation(url_params)
        if op.update is not None:
            raise QueryFailed(400, "updates must be sent by POST")
        return op
    media = content_type.split(";")[0].strip().lower()
    text = (body or b"").decode("utf-8", errors="strict")
    if media == FORM:
        params = parse_qs(text, keep_blank_values=True)
        for key, values in url_params.items():
            params.setdefault(key, values)
        return _operation(params)
    if media == QUERY_TYPE:
        return _operation(url_params, body_query=text)
    if media == UPDATE_TYPE:
        return _operation(url_params, body_update=text)
    raise QueryFailed(
        415, f"unsupported Content-Type '{media or 'none'}': use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}"
    )


async def parse(request: Request) -> ProtocolRequest:
    """Read a Protocol operation from a GET or POST request (400/415 on malformed requests)."""
    body = None if request.method == "GET" else await request.body()
    return read_operation(request.method, request.scope.get("query_string", b"").decode(),
                          request.headers.get("content-type", ""), body)


def wants_html(accept: str | None, fmt: str | None) -> bool:
    """Whether the answer is an HTML page (``format=html``, or HTML first in ``Accept``)."""
    if fmt:
        return fmt == "html"
    accepted = negotiation.parse_accept(accept)
    return bool(accepted) and accepted[0][0] in ("text/html", "application/xhtml+xml")


def _wants_html(request: Request, fmt: str | None) -> bool:
    return wants_html(request.headers.get("accept"), fmt)


def check_query(settings, op: ProtocolRequest) -> QueryText:
    """The checks of a query before it is evaluated: size, nesting, numbers (413/400), not an
    update, well-formed dataset IRIs (400). Returns the text's analysis."""
    return _check(settings.max_query, op)


def _check(max_query: int, op: ProtocolRequest) -> QueryText:
    info = check_text(op.query or "", max_query)
    if info.form == "UPDATE":
        raise QueryFailed(400, "this is an update: send it as 'update' by POST (and with the bearer token)")
    graph_iris(op.default_graphs, "default-graph-uri")
    graph_iris(op.named_graphs, "named-graph-uri")
    return info


def query_job(settings, op: ProtocolRequest, info: QueryText, accept: str | None) -> Job:
    """The job that evaluates a checked query and serialises its result (no HTML)."""
    return Job(
        query=op.query or "",
        accept=accept,
        format=op.format,
        html=False,
        union=not op.default_graphs and not info.has_dataset,
        default_graphs=op.default_graphs,
        named_graphs=op.named_graphs,
        max_rows=settings.max_rows,
    )


def result_headers(settings, head: dict) -> tuple[str, dict[str, str]]:
    """The Content-Type and the headers of a query's successful answer."""
    headers = {"Vary": "Accept", "X-Row-Limit": str(settings.max_rows)}
    if head.get("truncated"):
        headers["X-Result-Truncated"] = "true"
        headers["Warning"] = f'199 - "results truncated to {settings.max_rows} rows"'
    media = head["media_type"]
    if media.startswith("text/") or media.endswith("json") or media.endswith("xml"):
        media += "; charset=utf-8"
    return media, headers


@dataclass(frozen=True)
class Prepared:
    """A request's operation, read and checked (:func:`prepared`); shared by the requests that
    send the same text, so never changed."""

    op: ProtocolRequest
    #: The query's analysis when :func:`answer_directly` may answer it; ``None`` when only
    #: :func:`sparql` does (no query, an update, a text that could hold SERVICE or LOAD) or when
    #: the checks refused it.
    info: QueryText | None
    #: The checks' refusal ``(status, message, headers)`` (413/400), if any.
    refusal: tuple[int, str, dict[str, str]] | None


def prepare(method: str, query_string: bytes, content_type: str, body: bytes | None, max_query: int) -> Prepared:
    """Read and check a request's operation (:func:`read_operation`'s errors are raised)."""
    op = read_operation(method, query_string.decode(), content_type, body)
    if op.query is None or op.update is not None or outbound.may_reach_out(op.query):
        return Prepared(op, None, None)
    try:
        return Prepared(op, _check(max_query, op), None)
    except QueryFailed as exc:
        return Prepared(op, None, (exc.status, exc.message, exc.headers))


#: The parsed and checked operations of the last :data:`PREPARED_ENTRIES` distinct requests of
#: at most :data:`PREPARED_BYTES` bytes (query string, Content-Type and body), keyed by those
#: parts: at most about 4 096 × 2 × 2 KiB, 16 MiB, a process. A text sent again is neither
#: parsed nor lexed again; its result is always evaluated.
PREPARED_ENTRIES = 4096
PREPARED_BYTES = 2048
_prepare_remembered = lru_cache(maxsize=PREPARED_ENTRIES)(prepare)


def prepared(method: str, query_string: bytes, content_type: str, body: bytes | None, max_query: int) -> Prepared:
    """:func:`prepare`, remembered for short requests."""
    if len(query_string) + len(content_type) + (len(body) if body else 0) <= PREPARED_BYTES:
        return _prepare_remembered(method, query_string, content_type, body, max_query)
    return prepare(method, query_string, content_type, body, max_query)


def answer_directly(state: AppState, method: str, query_string: bytes, content_type: str, accept: str | None,
                    body: bytes | None, client: str) -> tuple[int, str, dict[str, str], bytes] | None:
    """Answer a query as :func:`sparql` does, without the web framework: ``(status, content type,
    headers, body)``, or ``None`` for what only :func:`sparql` answers (no query, an update, an
    HTML page, a text that could hold SERVICE or LOAD).

    The executor must evaluate in this process (:meth:`quyhoach.api.inprocess.LocalExecutor.evaluate`).
    """
    started = time.monotonic()
    op: ProtocolRequest | None = None
    settings = state.settings
    try:
        ready = prepared(method, query_string, content_type, body, settings.max_query)
        op = ready.op
        if (ready.info is None and ready.refusal is None) or wants_html(accept, op.format):
            return None
        if ready.refusal is not None:
            raise QueryFailed(*ready.refusal)
        stream = state.executor.evaluate(query_job(settings, op, ready.info, accept))  # type: ignore[attr-defined]
        media, headers = result_headers(settings, stream.head)
        _log(state, client, op, 200, started, stream.rows, "truncated" if stream.head.get("truncated") else "")
        return 200, media, headers, stream.whole
    except QueryFailed as exc:
        _log(state, client, op, exc.status, started, None, exc.message)
        return exc.status, PLAIN, exc.headers, (exc.message + "\n").encode()
    except UnicodeDecodeError:
        _log(state, client, op, 400, started, None, "body is not UTF-8")
        return 400, PLAIN, {}, b"the request body is not UTF-8\n"


PLAIN = "text/plain; charset=utf-8"


@router.api_route(
    "/sparql",
    methods=["GET", "POST"],
    summary="SPARQL 1.1 Protocol endpoint",
    description=(
        "Query by GET (`?query=`) or POST (form-encoded `query=`/`update=`, or a body of type "
        "`application/sparql-query` / `application/sparql-update`). Parameters `default-graph-uri`, "
        "`named-graph-uri` and `format` (json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, html). "
        "Without a query: the service description. The default graph is the union of all named graphs."
    ),
    response_class=Response,
)
async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol: query, update or service description."""
    state = get_state(request)
    started = time.monotonic()
    op: ProtocolRequest | None = None
    try:
        op = await parse(request)
        if op.update is not None:
            return await _update(request, state, op, started)
        if op.query is None:
            if request.method == "GET" and _wants_html(request, op.format):
                return RedirectResponse("/editor", status_code=303)
            if request.method == "GET":
                return service_description(request, state)
            raise QueryFailed(400, "no 'query' or 'update' in the request")
        return await _query(request, state, op, started)
    except QueryFailed as exc:
        _log(state, _client(request), op, exc.status, started, None, exc.message)
        if _wants_html(request, op.format if op else None) and op and op.query is not None:
            from quyhoach.api.views import render

            return render(request, "error.html", {"status": exc.status, "message": exc.message, "query": op.query}, exc.status, exc.headers)
        return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=exc.headers)
    except UnicodeDecodeError:
        _log(state, _client(request), op, 400, started, None, "body is not UTF-8")
        return PlainTextResponse("the request body is not UTF-8\n", status_code=400)


async def _query(request: Request, state: AppState, op: ProtocolRequest, started: float) -> Response:
    text = op.query or ""
    settings = state.settings
    info = check_query(settings, op)
    calls = await _check_remote(text, False, settings.service_allow)
    if _wants_html(request, op.format):
        with _generic_remote_errors(calls):
            return await _html_results(request, state, text, not op.default_graphs and not info.has_dataset, op, started)
    job = query_job(settings, op, info, request.headers.get("accept"))
    with _generic_remote_errors(calls):
        stream = await state.executor.stream(job)
    media, headers = result_headers(settings, stream.head)
    if stream.whole is not None:  # the common case: a small result, answered in one piece
        _log(state, _client(request), op, 200, started, stream.rows, "truncated" if stream.head.get("truncated") else "")
        return Response(stream.whole, media_type=media, headers=headers)

    async def body():
        try:
            async for chunk in stream.body():
                yield chunk
        finally:
            if stream.error:
                note = f"failed while streaming: {stream.error}"
            elif not stream.complete:
                note = "incomplete: the client went away or the stream stalled; worker replaced"
            else:
                note = "truncated" if stream.head.get("truncated") else ""
            _log(state, _client(request), op, 200, started, stream.rows, note)

    return StreamingResponse(body(), media_type=media, headers=headers)


async def _html_results(request: Request, state: AppState, text: str, union: bool, op: ProtocolRequest, started: float) -> Response:
    from quyhoach.api.views import render

    if op.default_graphs or op.named_graphs:
        raise QueryFailed(400, "the HTML view does not take default-graph-uri/named-graph-uri; ask for another format")
    result = await state.executor.rows(text, max_rows=min(state.settings.max_rows or 1000, 1000), union=union)
    _log(state, _client(request), op, 200, started, len(result.rows), "html")
    return render(request, "results.html", {"query": text, "result": result})


#: At most this many full parses run at once (each is pure Python, in the web process).
_PARSES = asyncio.Semaphore(2)


async def _check_remote(text: str, update: bool, allow: tuple[str, ...]) -> list[outbound.Remote]:
    """Refuse a request that would contact a host off the allow-list (parsed off the event loop)."""
    if not outbound.may_reach_out(text):
        return []
    if len(text) > outbound.MAX_PARSED_CHARS:
        raise QueryFailed(413, f"a query or update that mentions SERVICE or LOAD may be at most "
                               f"{outbound.MAX_PARSED_CHARS} characters long (this one has {len(text)})")
    async with _PARSES:
        return await run_in_threadpool(outbound.check, text, update, allow)


REMOTE_FAILED = "a remote endpoint (SERVICE or LOAD) could not be used; its reply is not shown"


@contextmanager
def _generic_remote_errors(calls: list[outbound.Remote]):
    """Errors of a request that contacted a remote host are reported without their details."""
    try:
        yield
    except QueryFailed as exc:
        if calls and exc.status >= 500 and exc.status != 503:
            raise QueryFailed(502, REMOTE_FAILED) from None
        raise


def require_token(request: Request, state: AppState, what: str) -> None:
    """Refuse a write unless the server has a token and the request carries it (401/403)."""
    token = state.settings.token
    if not token:
        raise QueryFailed(403, f"this server is read-only: {what} is disabled (start it with --token to enable updates)")
    given = request.headers.get("authorization", "")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() != "bearer" or not credentials:
        raise QueryFailed(401, f"{what} needs 'Authorization: Bearer <token>'", {"WWW-Authenticate": 'Bearer realm="quyhoach"'})
    if not hmac.compare_digest(credentials.strip().encode(), token.encode()):
        raise QueryFailed(403, "wrong bearer token")


async def _update(request: Request, state: AppState, op: ProtocolRequest, started: float) -> Response:
    if request.method != "POST":
        raise QueryFailed(400, "updates must be sent by POST")
    require_token(request, state, "SPARQL Update")
    if op.using_graphs:
        raise QueryFailed(400, "using-graph-uri / using-named-graph-uri are not supported; use USING in the update")
    text = op.update or ""
    check_text(text, state.settings.max_query, "update")
    calls = await _check_remote(text, True, state.settings.service_allow)
    with _generic_remote_errors(calls):
        await run_in_threadpool(update_store, state.pool, state.settings.store_path, text, state.settings.timeout)
    from quyhoach.api.app import refresh_caches

    await refresh_caches(state)
    _log(state, _client(request), op, 200, started, None, "update")
    return PlainTextResponse("update applied\n")


#: A query that took at least this many seconds is logged even without the access log.
SLOW_QUERY = 1.0


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _log(state: AppState, client: str | None, op: ProtocolRequest | None, status: int, started: float,
         rows: int | None, note: str) -> None:
    """One log line for a query: always for a failure, a note (truncation, an update) or a query of
    :data:`SLOW_QUERY` seconds or more; for every query with the access log (``--access-log``)."""
    duration = time.monotonic() - started
    if status == 200 and not note and duration < SLOW_QUERY and not state.settings.access_log:
        return
    text = (op.query or op.update or "") if op else ""
    log.info(
        "sparql status=%d duration=%.3fs rows=%s client=%s %s| %s",
        status,
        duration,
        "-" if rows is None else rows,
        client or "-",
        f"note={note!r} " if note else "",
        " ".join(text.split())[:200],
    )


def service_description(request: Request, state: AppState) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in Turtle."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    g = Graph()
    g.bind("sd", sd)
    g.bind("formats", formats)
    endpoint = URIRef(str(request.url.replace(query="", fragment="")))
    service = BNode()
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, endpoint))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    if state.settings.token:
        g.add((service, sd.supportedLanguage, sd.SPARQL11Update))
    g.add((service, sd.feature, sd.UnionDefaultGraph))
    if state.settings.service_allow:
        g.add((service, sd.feature, sd.BasicFederatedQuery))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        g.add((service, sd.resultFormat, formats[name]))
    dataset = BNode()
    g.add((service, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    default = BNode()
    g.add((dataset, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    g.add((default, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
           Literal("The default graph is the union of all named graphs.", lang="en")))
    return Response(g.serialize(format="turtle"), media_type="text/turtle; charset=utf-8")
