"""Queries evaluated in the serving process itself, with a watchdog that ends the process past a deadline.

A read-only server (:mod:`quyhoach.api.serving`) runs several serving processes, each with the
whole application and its own read-only opening of the store. A process evaluates one query at
a time, on its event loop's thread: while it does, it accepts no connection (the other serving
processes take them from the shared listening socket). pyoxigraph releases the interpreter lock
while it evaluates, so the :class:`Watchdog` thread runs meanwhile: past the deadline it writes
the 503 answer to the request's socket itself and ends the process, the runaway query with it.
The supervisor starts a replacement; requests on the other processes go on.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from quyhoach.api.execute import Executor, Stream, _timeout_error
from quyhoach.api.middleware import SECURITY_HEADERS
from quyhoach.api.protocol import SOCKET_KEY
from quyhoach.api.workers import Job, QueryFailed, run_job

log = logging.getLogger("quyhoach.api.sparql")
#: The socket descriptor of the request this task serves (set by :class:`ConnectionContext`).
CURRENT_SOCKET: contextvars.ContextVar[int | None] = contextvars.ContextVar("quyhoach_socket", default=None)
#: Exit status of a serving process ended by its watchdog.
EXIT_TIMED_OUT = 75


class ConnectionContext:
    """ASGI middleware: makes the request's socket known to the executor (:data:`CURRENT_SOCKET`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = CURRENT_SOCKET.set(scope.get(SOCKET_KEY))
        try:
            await self.app(scope, receive, send)
        finally:
            CURRENT_SOCKET.reset(token)


class Watchdog:
    """A thread that ends this process when the running query passes its deadline.

    ``deadlines``: a slot in memory shared with the supervisor (the deadline as ``time.monotonic()``,
    0 when idle), so that the supervisor can kill the process itself should this thread not run.
    """

    def __init__(self, timeout: float, deadlines=None, slot: int = 0) -> None:
        self.timeout = timeout
        self.deadlines = deadlines
        self.slot = slot
        self._lock = threading.Lock()
        self._job: tuple[float, int | None, str, float] | None = None
        threading.Thread(target=self._watch, name="query-watchdog", daemon=True).start()

    def begin(self, text: str, timeout: float | None = None) -> float:
        """A query starts now on behalf of the current request; returns its deadline."""
        now = time.monotonic()
        deadline = now + (self.timeout if timeout is None else timeout)
        with self._lock:
            self._job = (deadline, CURRENT_SOCKET.get(), text, now)
        if self.deadlines is not None:
            self.deadlines[self.slot] = deadline
        return deadline

    def end(self) -> None:
        """The query ended in time."""
        with self._lock:
            self._job = None
        if self.deadlines is not None:
            self.deadlines[self.slot] = 0.0

    def _watch(self) -> None:
        while True:
            time.sleep(min(0.05, max(self.timeout / 4, 0.001)))
            with self._lock:
                job = self._job
            if job is not None and time.monotonic() > job[0]:
                self._expire(*job)

    def _expire(self, _deadline: float, fd: int | None, text: str, started: float) -> None:
        error = _timeout_error(self.timeout)
        log.info("sparql status=503 duration=%.3fs rows=- client=- note='timed out; serving process %d ended' | %s",
                 time.monotonic() - started, os.getpid(), " ".join(text.split())[:200])
        if fd is not None:
            body = (error.message + "\n").encode()
            head = [b"HTTP/1.1 503 Service Unavailable", b"content-type: text/plain; charset=utf-8",
                    b"content-length: " + str(len(body)).encode(), b"connection: close",
                    *(name.encode() + b": " + value.encode() for name, value in error.headers.items()),
                    *(name + b": " + value for name, value in SECURITY_HEADERS)]
            try:
                os.write(fd, b"\r\n".join(head) + b"\r\n\r\n" + body)
            except OSError:
                pass  # the client went away
        for handler in logging.getLogger("quyhoach.api").handlers:
            handler.flush()
        os._exit(EXIT_TIMED_OUT)


class LocalPool:
    """The stand-in for a worker pool in a serving process: the store, opened here, read-only."""

    def __init__(self, store, isolated: bool) -> None:
        self.store = store
        self.isolated = isolated
        self.size = 1

    def release(self, worker: object) -> None:
        """Nothing to give back (the same store serves the next query)."""

    def discard(self, worker: object) -> None:
        """Nothing to replace: a query past its deadline ends the whole process (:class:`Watchdog`)."""

    @property
    def idle_count(self) -> int:
        """Always one: the process evaluates a query as soon as its event loop gets to it."""
        return 1

    def close(self) -> None:
        """Close the store."""
        close = getattr(self.store, "close", None)
        if close is not None:
            close()


class LocalExecutor(Executor):
    """:class:`Executor` that evaluates jobs in this process, under the :class:`Watchdog`'s deadline."""

    #: Seconds the queries of start-up (ontology labels) may take, whatever the query timeout.
    STARTUP_TIMEOUT = 120.0

    def __init__(self, pool: LocalPool, timeout: float, watchdog: Watchdog) -> None:
        super().__init__(pool, timeout, timeout)  # type: ignore[arg-type]
        self.watchdog = watchdog
        #: Whether the server is still starting (:data:`STARTUP_TIMEOUT` applies).
        self.starting = True

    def _evaluate(self, job: Job | list[Job]) -> list[tuple]:
        text = job[0].query if isinstance(job, list) and job else getattr(job, "query", "")
        return self.guarded(text, run_job, self.pool.store, job)

    def guarded(self, text: str, call, *args):
        """``call(*args)``, the evaluation of query ``text``, under the watchdog's deadline;
        ``QueryFailed(503)`` if it ended past the deadline (between two looks of the watchdog)."""
        deadline = self.watchdog.begin(text, self.STARTUP_TIMEOUT if self.starting else None)
        try:
            value = call(*args)
        finally:
            self.watchdog.end()
        if time.monotonic() > deadline:  # ended between two looks of the watchdog, but late
            raise _timeout_error(self.timeout)
        return value

    async def _first(self, job: Job | list[Job]) -> tuple[None, tuple]:
        messages = self._evaluate(job)
        message = messages[0]
        if message[0] == "error":
            raise QueryFailed(message[1], message[2])
        return None, message

    async def stream(self, job: Job) -> Stream:
        """Evaluate a query and serialise its result in full (bounded by the row cap)."""
        return self.evaluate(job)

    def evaluate(self, job: Job) -> Stream:
        """:meth:`stream`, called without an event loop (the protocol-level route of ``/sparql``)."""
        messages = self._evaluate(job)
        first = messages[0]
        if first[0] == "error":
            raise QueryFailed(first[1], first[2])
        if first[0] == "whole":
            return Stream(self, None, first[1], whole=first[2], rows=first[3])
        chunks, rows, error = [], first[1].get("rows"), None
        for message in messages[1:]:
            if message[0] == "chunk":
                chunks.append(message[1])
            elif message[0] == "end":
                rows = message[1]["rows"]
            elif message[0] == "error":  # after the head: the body stops there, as when streamed
                error = str(message[2])
        stream = Stream(self, None, first[1], whole=b"".join(chunks), rows=rows)
        stream.error = error
        return stream
