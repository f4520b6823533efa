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
"""

from __future__ import annotations

import logging

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
    tag = None
    if method == b"GET":
        tag = caching.tag_of(raw_path, query_string, fields, caching.state_generation(route.generation, route.state))
        if caching.matches(fields.get(b"if-none-match"), tag):
            return 304, header_lines(caching.not_modified_headers(tag)) + b"content-length: 0\r\n", b""
    accept = fields.get(b"accept")
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
    lines = [b"content-type: ", media.encode(), b"\r\ncontent-length: ", str(len(content)).encode(), b"\r\n"]
    lines += [f"{name.lower()}: {value}\r\n".encode("latin-1") for name, value in extra.items()]
    if tag is not None and status == 200:
        lines += [b"etag: ", tag.encode(), b"\r\ncache-control: no-cache\r\n"]
    lines.append(_SECURITY_LINES)
    return status, b"".join(lines), content
