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

if HttpToolsProtocol is not None:

    class HttpToolsHeadTimeoutProtocol(_HeadDeadline, HttpToolsProtocol):  # type: ignore[misc, valid-type]
        """:class:`HttpToolsProtocol` with the same deadline, and a cap on the size of a request head."""

        max_head = 2 * 1024 * 1024
        _head_bytes = 0  # bytes received since the current request head began (None: head complete)

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
            super().on_headers_complete()
            if self.cycle is not None:
                tag_connection(self.cycle.scope, self.transport)
