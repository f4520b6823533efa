"""Lean routes to ``/sparql``: below the web framework, and below ASGI in a serving process.

The SPARQL Protocol handler (:mod:`quyhoach.api.sparql`) does all its own parsing, checks and
error answers, so the framework's routing, dependency and exception layers add only cost on the
endpoint's hot path. Two routes skip them:

- :class:`SparqlFastPath`, the innermost ASGI middleware (CORS and the others wrap it), hands
  ``GET``/``POST /sparql`` to :func:`quyhoach.api.sparql.sparql` directly;
- in a serving process of a read-only server (:mod:`quyhoach.api.serving`), the HTTP protocol
  (:mod:`quyhoach.api.protocol`) hands a complete ``/sparql`` request to :func:`respond`, which
  answers it without ASGI through the same functions the handler uses
  (:func:`quyhoach.api.sparql.answer_directly`: parsing, limits, evaluation under the watchdog,
  headers, query log) and the same caching (:mod:`quyhoach.api.caching`: ``ETag``, ``304``) and
  security headers. What only the handler answers (no query, an update, an HTML page, a text
  that could reach out by SERVICE or LOAD, a cross-origin request when CORS is on) goes on to
  the application as before.

A ``GET`` answered with 200 by an engine-serialised SELECT result leaves a :class:`Plan` (the
checked query, its engine options, the answer's header lines and tag): the same request is then
answered by evaluating and serialising the query under the watchdog, and nothing else per
request. A result the engine's buffer does not take goes the general way from then on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pyoxigraph as ox
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from quyhoach.api import caching
from quyhoach.api.middleware import SECURITY_HEADERS

METHODS = ("GET", "POST")
PATH = b"/sparql"
log = logging.getLogger("quyhoach.api")


class SparqlFastPath:
    """ASGI middleware: ``/sparql`` queries skip the router."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        from quyhoach.api.sparql import sparql

        response = await sparql(Request(scope, receive))
        await response(scope, receive, send)


class DirectRoute:
    """What the protocol-level route needs: the serving process's state and its caching generation."""

    def __init__(self, state, generation: str) -> None:
        self.state = state
        self.generation = generation
        self.max_body = state.settings.max_body
        self.body_timeout = state.settings.body_timeout
        self.cors = bool(state.settings.cors)


#: The route of this serving process, set once its application has started (``None``: every
#: request goes through ASGI).
ROUTE: DirectRoute | None = None


def install(route: DirectRoute | None) -> None:
    """Enable (or, with ``None``, disable) the protocol-level route in this process."""
    global ROUTE
    ROUTE = route


def split_target(target: bytes) -> tuple[bytes, bytes] | None:
    """``(path, query string)`` of a request target that is ``/sparql`` (``None`` for any other)."""
    path, _, query = target.partition(b"?")
    if path != PATH or b"#" in query:
        return None
    return path, query


def header_lines(headers: list[tuple[bytes, bytes]]) -> bytes:
    """``headers`` as the lines of a response head."""
    return b"".join(name + b": " + value + b"\r\n" for name, value in headers)


_SECURITY_LINES = header_lines(SECURITY_HEADERS)


def _lines(media: str, extra: dict[str, str], tag: str | None, length: int) -> bytes:
    """The header lines of an answer (content type and length, ``extra``, the ``ETag`` with
    ``Cache-Control`` when ``tag`` is given, the security headers)."""
    return _head_lines(media, extra, tag).replace(b"\0", str(length).encode(), 1)


def _head_lines(media: str, extra: dict[str, str], tag: str | None) -> bytes:
    """:func:`_lines` with ``\0`` in place of the content length."""
    lines = [b"content-type: ", media.encode(), b"\r\ncontent-length: \0\r\n"]
    lines += [f"{name.lower()}: {value}\r\n".encode("latin-1") for name, value in extra.items()]
    if tag is not None:
        lines += [b"etag: ", tag.encode(), b"\r\ncache-control: no-cache\r\n"]
    lines.append(_SECURITY_LINES)
    return b"".join(lines)


@dataclass(frozen=True)
class Plan:
    """How a ``GET /sparql`` answered once with an engine-serialised SELECT result is answered
    again: the checked query, the engine's options, the format, and the answer's header lines
    and tag. Only the evaluation and the serialisation run per request (:func:`_by_plan`)."""

    op: object  # the request's ProtocolRequest (for the query log)
    query: str
    options: dict
    format: str
    max_rows: int
    #: Header lines before and after the content length (the ETag is fixed by the request).
    before: bytes
    after: bytes
    tag: str
    #: Whether the label index was in when the tag was made (the tag changes with it).
    indexed: bool


#: Plans of the last :data:`PLAN_ENTRIES` distinct ``GET`` requests (target, ``Accept``,
#: ``Accept-Language``) of at most :data:`quyhoach.api.sparql.PREPARED_BYTES` bytes of query
#: string; ``None`` for a request that must go through :func:`~quyhoach.api.sparql.answer_directly`
#: (a result the engine's buffer did not take). About 4 096 × 3 KiB a process.
PLAN_ENTRIES = 4096
PLANS: dict[tuple, Plan | None] = {}


def respond(route: DirectRoute, method: bytes, target: bytes, headers: list[tuple[bytes, bytes]],
            body: bytes | None, client: str | None, fd: int | None) -> tuple[int, bytes, bytes] | None:
    """Answer a complete ``/sparql`` request: ``(status, header lines, body)``, or ``None`` to hand
    it to the application. ``fd``: the connection's socket (for the watchdog's 503)."""
    from quyhoach.api.inprocess import CURRENT_SOCKET
    from quyhoach.api.sparql import answer_directly

    parts = split_target(target)
    if parts is None:
        return None
    raw_path, query_string = parts
    fields = dict(headers)
    if route.cors and b"origin" in fields:
        return None
    tag = key = None
    accept = fields.get(b"accept")
    if method == b"GET":
        key = (target, accept, fields.get(b"accept-language"))
        plan = PLANS.get(key)
        if plan is not None and plan.indexed == (route.state.summary is not None):
            if caching.matches(fields.get(b"if-none-match"), plan.tag):
                return 304, header_lines(caching.not_modified_headers(plan.tag)) + b"content-length: 0\r\n", b""
            token = CURRENT_SOCKET.set(fd)
            try:
                answer = _by_plan(route, plan, client)
            finally:
                CURRENT_SOCKET.reset(token)
            if answer is not None:
                return answer
            PLANS[key] = None  # the buffer did not take it: through answer_directly from now on
        tag = caching.tag_of(raw_path, query_string, fields, caching.state_generation(route.generation, route.state))
        if caching.matches(fields.get(b"if-none-match"), tag):
            return 304, header_lines(caching.not_modified_headers(tag)) + b"content-length: 0\r\n", b""
    token = CURRENT_SOCKET.set(fd)
    try:
        answer = answer_directly(route.state, method.decode("ascii"), query_string,
                                 fields.get(b"content-type", b"").decode("latin-1"),
                                 None if accept is None else accept.decode("latin-1"), body, client)
    finally:
        CURRENT_SOCKET.reset(token)
    if answer is None:
        return None
    status, media, extra, content = answer
    if tag is not None and status == 200 and PLANS.get(key, True) is not None:  # none yet, or a stale one
        _remember(route, key, query_string, accept, media, extra, tag)
    return status, _lines(media, extra, tag if status == 200 else None, len(content)), content


def _remember(route: DirectRoute, key: tuple, query_string: bytes, accept: bytes | None, media: str,
              extra: dict[str, str], tag: str) -> None:
    """Make the :class:`Plan` of a ``GET`` just answered with 200, when its result is a SELECT the
    engine serialises under the row cap (the answer carries no truncation)."""
    from quyhoach.api import negotiation, results
    from quyhoach.api.sparql import PREPARED_BYTES, prepared, query_job
    from quyhoach.api.workers import query_options

    state = route.state
    settings = state.settings
    if len(query_string) > PREPARED_BYTES or settings.max_rows <= 0 or "X-Result-Truncated" in extra:
        return
    ready = prepared("GET", query_string, "", None, settings.max_query)
    if ready.info is None or ready.info.form != "SELECT":
        return
    text = None if accept is None else accept.decode("latin-1")
    try:
        choice = negotiation.choose("bindings", text, ready.op.format, html=False)
    except negotiation.NotAcceptable:
        return
    if choice.name not in results.ENGINE_FORMATS:
        return
    job = query_job(settings, ready.op, ready.info, text)
    before, _, after = _head_lines(media, extra, tag).partition(b"\0")
    if len(PLANS) >= PLAN_ENTRIES:
        del PLANS[next(iter(PLANS))]
    PLANS[key] = Plan(ready.op, job.query, query_options(state.pool.store, job), choice.name, settings.max_rows,
                      before, after, tag, state.summary is not None)


def _by_plan(route: DirectRoute, plan: Plan, client: str | None) -> tuple[int, bytes, bytes] | None:
    """Evaluate and serialise a planned request under the watchdog: the answer, or ``None`` when
    the engine's buffer did not take the result (then :func:`respond` answers it the general way)."""
    from quyhoach.api.sparql import PLAIN, _log
    from quyhoach.api.workers import QueryFailed

    state = route.state
    started = time.monotonic()
    try:
        content = state.executor.guarded(plan.query, _evaluate, state.pool.store, plan)
    except QueryFailed as exc:  # past the deadline
        _log(state, client, plan.op, exc.status, started, None, exc.message)
        body = (exc.message + "\n").encode()
        return exc.status, _lines(PLAIN, exc.headers, None, len(body)), body
    except Exception:  # whatever it is, the general way reports it
        return None
    if content is None:
        return None
    _log(state, client, plan.op, 200, started, None, "")  # (only slow ones, unless --access-log)
    return 200, plan.before + str(len(content)).encode() + plan.after, content


def _evaluate(store, plan: Plan) -> bytes | None:
    from quyhoach.api.workers import engine_bytes

    result = store.query(plan.query, **plan.options)
    if not isinstance(result, ox.QuerySolutions):
        return None
    return engine_bytes(result, plan.format, plan.max_rows)
