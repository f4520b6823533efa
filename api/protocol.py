"""The HTTP protocol the server runs: uvicorn's h11 protocol with a deadline on request heads.

uvicorn bounds idle keep-alive connections but not a client that sends its request line and
headers slowly (a byte now and then): such a connection would stay open for ever. Here every
request head must be complete within ``HEAD_TIMEOUT`` seconds of the connection opening (or of
the previous response ending); otherwise the connection is closed.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send a complete request line and headers.
HEAD_TIMEOUT = 10.0


class HeadTimeoutProtocol(H11Protocol):
    """:class:`H11Protocol` that closes connections whose request head does not arrive in time."""

    head_timeout = HEAD_TIMEOUT
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.logger.warning("closing a connection whose request head took over %g s", self.head_timeout)
            self.transport.close()

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before and self.cycle is not None:  # a complete request head arrived
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)


def with_head_timeout(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class with its deadline set to ``seconds``."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"head_timeout": seconds})
