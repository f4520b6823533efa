"""Running jobs on the worker pool from async request handlers, with deadlines.

Blocking waits on worker pipes happen in the thread pool; a job past its deadline gets
``QueryFailed(503)`` and its worker is killed and replaced.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from quyhoach.api.terms import Term
from quyhoach.api.workers import Job, PoolBusy, QueryFailed, Worker, WorkerDied, WorkerPool


@dataclass
class Rows:
    """Results of a 'rows' job: terms for a page."""

    kind: str
    variables: list[str]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False

    def dicts(self) -> list[dict[str, Term | None]]:
        """Rows as ``{variable: term}`` dictionaries."""
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


def _timeout_error(timeout: float) -> QueryFailed:
    return QueryFailed(
        503,
        f"query timed out: it ran longer than the server's limit of {timeout:g} s and was stopped "
        "(the worker evaluating it was ended). Make the query more selective, add a LIMIT, or ask "
        "the operator to raise --timeout.",
        {"Retry-After": "1"},
    )


def _busy_error(exc: PoolBusy) -> QueryFailed:
    return QueryFailed(503, f"server busy: {exc}; try again shortly", {"Retry-After": "2"})


class Executor:
    """Runs jobs on a pool with a per-query timeout."""

    def __init__(self, pool: WorkerPool, timeout: float, queue_wait: float) -> None:
        self.pool = pool
        self.timeout = timeout
        self.queue_wait = queue_wait

    async def _first(self, job: Job) -> tuple[Worker, tuple]:
        try:
            worker = await run_in_threadpool(self.pool.acquire, self.queue_wait)
        except PoolBusy as exc:
            raise _busy_error(exc) from exc
        try:
            worker.send(job)
            message = await run_in_threadpool(worker.receive, self.timeout)
        except TimeoutError:  # (a subclass of OSError: keep this clause first)
            self.pool.discard(worker)
            raise _timeout_error(self.timeout) from None
        except (WorkerDied, OSError) as exc:
            self.pool.discard(worker)
            raise QueryFailed(
                503, "the query worker ended while evaluating the query (it may have needed more memory than a "
                "worker may use); it was replaced: try again, or make the query more selective",
                {"Retry-After": "1"},
            ) from exc
        except BaseException:  # cancelled while waiting: the worker is mid-job
            self.pool.discard(worker)
            raise
        if message[0] == "error":
            self.pool.release(worker)
            raise QueryFailed(message[1], message[2])
        return worker, message

    async def rows(self, query: str, max_rows: int = 0, union: bool = True, library: bool = False) -> Rows:
        """Run a query for a page; the rows come back as :class:`Term` tuples.

        ``library``: evaluate as the named query library does (prefixes, ``qhfn:`` functions,
        data graphs only), see :class:`~quyhoach.api.workers.Job`.
        """
        job = Job(query=query, op="rows", max_rows=max_rows, union=union, library=library)
        worker, message = await self._first(job)
        self.pool.release(worker)
        _, kind, variables, rows, truncated = message
        if kind == "boolean":
            return Rows(kind, [], boolean=rows)
        return Rows(kind, variables, rows, truncated=truncated)

    async def stream(self, job: Job) -> Stream:
        """Start a streamed query: the head (media type, row count) is known when this returns."""
        worker, message = await self._first(job)
        if message[0] != "head":
            self.pool.release(worker)
            raise QueryFailed(500, f"unexpected worker answer {message[0]!r}")
        return Stream(self, worker, message[1])


class Stream:
    """The body of a streamed result; the worker goes back to the pool when it is consumed."""

    def __init__(self, executor: Executor, worker: Worker, head: dict) -> None:
        self.executor = executor
        self.worker = worker
        self.head = head
        self.rows: int | None = head.get("rows")
        self.bytes = 0
        self.complete = False
        self.error: str | None = None
        self.started = time.monotonic()

    async def body(self) -> AsyncIterator[bytes]:
        """Chunks of the serialised results; a stall past the timeout ends the response."""
        pool = self.executor.pool
        try:
            while True:
                message = await run_in_threadpool(self.worker.receive, self.executor.timeout)
                if message[0] == "chunk":
                    self.bytes += len(message[1])
                    yield message[1]
                elif message[0] == "end":
                    self.rows = message[1]["rows"]
                    self.complete = True
                    return
                else:  # an evaluation error after the head: the body cannot be repaired
                    self.error = str(message[2]) if len(message) > 2 else "error"
                    self.complete = True  # the worker itself is fine and waits for a job
                    return
        except (TimeoutError, WorkerDied, OSError):
            return
        finally:
            if self.complete:
                pool.release(self.worker)
            else:  # stalled, failed or abandoned by the client: the worker is mid-job
                pool.discard(self.worker)
