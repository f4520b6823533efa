"""The HTTP protocol the server runs: uvicorn's httptools (or h11) protocol with a deadline on request heads.

uvicorn bounds idle keep-alive connections but not a client that sends its request line and
headers slowly (a byte now and then): such a connection would stay open for ever. Here every
request head must be complete within ``HEAD_TIMEOUT`` seconds of the connection opening (or of
the previous response ending); otherwise the connection is closed. With httptools (the faster
parser, used when installed) a request head is also capped in size (``max_head`` bytes, as h11's
``h11_max_incomplete_event_size``): a longer one closes the connection.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

from quyhoach.api import fastpath
from quyhoach.api.middleware import SECURITY_HEADERS, body_timeout_message

#: Seconds a client has to send a complete request line and headers.
HEAD_TIMEOUT = 10.0


#: Key of the ASGI scope that holds the request's socket descriptor (for a watchdog that must
#: answer the client while the event loop is blocked; see :mod:`quyhoach.api.inprocess`).
SOCKET_KEY = "quyhoach.fd"


def tag_connection(scope: dict, transport) -> None:
    """Put the connection's socket descriptor into the request's ASGI scope (before its task runs)."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        scope[SOCKET_KEY] = sock.fileno()


class _HeadDeadline:
    """Mixin for a uvicorn protocol: a request head must arrive within ``head_timeout`` seconds of
    the connection opening or of the previous response ending; otherwise the connection is closed."""

    head_timeout = HEAD_TIMEOUT
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)  # type: ignore[attr-defined]

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():  # type: ignore[attr-defined]
            self.logger.warning("closing a connection whose request head took over %g s", self.head_timeout)  # type: ignore[attr-defined]
            self.transport.close()  # type: ignore[attr-defined]

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():  # type: ignore[attr-defined]
            self._arm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]


class HeadTimeoutProtocol(_HeadDeadline, H11Protocol):
    """:class:`H11Protocol` that closes connections whose request head does not arrive in time."""

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before and self.cycle is not None:  # a complete request head arrived
            self._disarm()
            tag_connection(self.cycle.scope, self.transport)


def with_head_timeout(seconds: float, parser: str = "h11", max_head: int = 2 * 1024 * 1024) -> type:
    """The protocol class (``parser`` 'h11' or 'httptools') with its deadline set to ``seconds``."""
    if parser == "httptools":
        return type("HttpToolsHeadTimeoutProtocol", (HttpToolsHeadTimeoutProtocol,),
                    {"head_timeout": seconds, "max_head": max_head})
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"head_timeout": seconds})


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: h11 only
    HttpToolsProtocol = None  # type: ignore[assignment, misc]

#: The longest request target httptools' URL parser takes (its offsets are 16-bit).
MAX_PARSED_URL = 65535

if HttpToolsProtocol is not None:
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE

    class HttpToolsHeadTimeoutProtocol(_HeadDeadline, HttpToolsProtocol):  # type: ignore[misc, valid-type]
        """:class:`HttpToolsProtocol` with the same deadline, a cap on the size of a request head,
        request targets longer than httptools' URL parser takes, and the protocol-level route of
        ``/sparql`` (:mod:`quyhoach.api.fastpath`) in a serving process."""

        max_head = 2 * 1024 * 1024
        _head_bytes = 0  # bytes received since the current request head began (None: head complete)
        _direct: bytearray | None = None  # body of the request answered here (None: through ASGI)
        _fd: int | None = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            self._fd = sock.fileno() if sock is not None else None

        def _arm(self) -> None:
            self._head_bytes = 0
            super()._arm()

        def data_received(self, data: bytes) -> None:
            if self._head_bytes is not None:
                self._head_bytes += len(data)
                if self._head_bytes > self.max_head:
                    self.logger.warning("closing a connection whose request head exceeds %d bytes", self.max_head)
                    self.transport.close()
                    return
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._disarm()
            self._head_bytes = None
            if self._direct_candidate():
                self._direct = bytearray()
                if self.parser.get_method() == b"POST":  # the body must arrive in time, as BodyLimit asks
                    self._head_timer = self.loop.call_later(fastpath.ROUTE.body_timeout, self._body_too_slow)  # type: ignore[union-attr]
                return
            self._to_application()

        def _to_application(self) -> None:
            """Start the request's ASGI cycle (uvicorn's own handling of a complete head)."""
            query = None
            if len(self.url) > MAX_PARSED_URL:  # parse the path alone; the query string is kept aside
                target = self.url.partition(b"#")[0]
                self.url, _, query = target.partition(b"?")
            super().on_headers_complete()
            if query is not None:
                self.scope["query_string"] = query
            if self.cycle is not None:
                tag_connection(self.cycle.scope, self.transport)

        def _direct_candidate(self) -> bool:
            """Whether the request may be answered by the protocol-level route."""
            route = fastpath.ROUTE
            if route is None or self.expect_100_continue or not (
                    self.url == fastpath.PATH or self.url.startswith(fastpath.PATH + b"?")):
                return False
            method = self.parser.get_method()
            if method not in (b"GET", b"POST") or self.parser.should_upgrade() or self.pipeline:
                return False
            if self.cycle is not None and not self.cycle.response_complete:
                return False
            if self.limit_concurrency is not None and len(self.connections) >= self.limit_concurrency:
                return False
            if method == b"POST":  # a declared body within the cap; anything else gets BodyLimit's answers
                declared = next((value for name, value in self.headers if name == b"content-length"), None)
                if declared is None or not declared.isdigit() or int(declared) > route.max_body:
                    return False
                if any(name == b"transfer-encoding" for name, _ in self.headers):
                    return False
            return True

        def _body_too_slow(self) -> None:
            self._head_timer = None
            self._direct = None
            body = (body_timeout_message(fastpath.ROUTE.body_timeout) + "\n").encode()  # type: ignore[union-attr]
            self._write(408, fastpath.header_lines([(b"content-type", b"text/plain; charset=utf-8"),
                                                    (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]),
                        body, False)

        def on_body(self, body: bytes) -> None:
            if self._direct is None:
                super().on_body(body)
                return
            self._direct += body
            if len(self._direct) > fastpath.ROUTE.max_body:  # type: ignore[union-attr]  # (a GET's body)
                self._direct = None
                self.transport.close()

        def on_message_complete(self) -> None:
            if self._direct is None:
                if self.cycle is not None:
                    super().on_message_complete()
                return
            self._disarm()
            body, self._direct = bytes(self._direct), None
            method = self.parser.get_method()
            try:
                answer = fastpath.respond(fastpath.ROUTE, method, self.url, self.headers,  # type: ignore[arg-type]
                                          body if method == b"POST" else None,
                                          self.client[0] if self.client else None, self._fd)
            except Exception:
                self.logger.exception("the /sparql route failed")
                answer = 500, fastpath.header_lines([(b"content-type", b"text/plain; charset=utf-8"),
                                                     (b"content-length", b"22"), *SECURITY_HEADERS]), b"Internal Server Error\n"
            if answer is None:  # for the application: as if the head had just arrived, with the whole body
                self._to_application()
                self.cycle.body = body
                super().on_message_complete()
                return
            keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
            self._write(*answer, keep_alive)

        def _write(self, status: int, lines: bytes, body: bytes, keep_alive: bool) -> None:
            """Write one whole answer: status line, the server's default headers, header ``lines``
            (:func:`~quyhoach.api.fastpath.header_lines`, with the content length), body."""
            defaults = self.server_state.default_headers
            if defaults is not _DEFAULTS[0]:  # uvicorn renews them (the date) once a second
                _DEFAULTS[:] = [defaults, fastpath.header_lines(defaults)]
            end = b"\r\n" if keep_alive else b"connection: close\r\n\r\n"
            self.transport.write(b"".join((STATUS_LINE[status], _DEFAULTS[1], lines, end, body)))
            if not keep_alive:
                self.transport.close()
            self.on_response_complete()

    #: The server's default headers last seen, and their lines.
    _DEFAULTS: list = [None, b""]
