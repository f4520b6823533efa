"""Query execution in killable worker processes.

pyoxigraph cannot cancel a running query, so every query runs in a worker process that opens
the store read-only. The web process waits for the worker's answer until the deadline; past
it, the worker is killed (its query with it) and a fresh worker is started in the background,
while the other workers keep serving. Messages on a worker's pipe:

``("ready", pid)`` once the store is open, or ``("fatal", reason)``; per job one of
``("error", status, message)``, ``("rows", kind, variables, rows, truncated)`` (pages), or
``("head", info)`` followed by ``("chunk", bytes)``… and ``("end", info)`` (streamed results).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path

log = logging.getLogger("quyhoach.api.workers")

CHUNK_BYTES = 64 * 1024
_CTX = mp.get_context("spawn")  # no fork: the web process has threads and an event loop


class QueryFailed(Exception):
    """A query that ends with an HTTP error status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Job:
    """One query for a worker."""

    query: str
    op: str = "stream"  # 'stream' (serialised results) | 'rows' (terms for a page)
    accept: str | None = None
    format: str | None = None
    html: bool = True
    union: bool = True
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    max_rows: int = 0  # 0: no cap
    #: Run as the query library does: project prefixes, ``qhfn:`` functions, and the data graphs
    #: (all but findings and staging) as the default graph (``quyhoach.graph.named_queries.run_sparql``).
    library: bool = False


# --------------------------------------------------------------------------- worker side
class _ChunkWriter:
    """A binary file-like object that sends what is written in chunks down the pipe."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.buffer = bytearray()

    def write(self, data: bytes | str) -> int:
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self.buffer += raw
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()
        return len(raw)

    def flush(self) -> None:
        if self.buffer:
            self.conn.send(("chunk", bytes(self.buffer)))
            self.buffer.clear()


def worker_main(store_path: str, conn: Connection) -> None:
    """Entry point of a worker process: open the store read-only, then run jobs until told to stop."""
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(store_path)
    except Exception as exc:  # report, don't crash silently
        conn.send(("fatal", f"cannot open store {store_path} read-only: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            _run(store, job, conn)
        except SyntaxError as exc:
            conn.send(("error", 400, f"syntax error: {exc}"))
        except Exception as exc:
            conn.send(("error", 500, f"query failed: {type(exc).__name__}: {exc}"))


def _run(store, job: Job, conn: Connection) -> None:
    import pyoxigraph as ox

    from quyhoach.api import negotiation, results
    from quyhoach.api.terms import Term
    from quyhoach.graph import named_queries as nq
    from quyhoach.namespaces import PREFIXES

    # qhfn:fold (diacritic-insensitive matching) is available to every query, as in the library.
    kwargs: dict = {"custom_functions": nq.CUSTOM_FUNCTIONS}
    if job.library:
        kwargs["prefixes"] = dict(PREFIXES, qhfn=nq.FUNCTIONS)
        kwargs.update(nq.dataset(store))  # the data graphs, as the engine's union when it can
    elif job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.union:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    result = store.query(job.query, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        kind = "boolean"
    elif isinstance(result, ox.QueryTriples):
        kind = "graph"
    else:
        kind = "bindings"
    cap = job.max_rows if job.max_rows > 0 else None
    if job.op == "rows":
        if kind == "boolean":
            conn.send(("rows", kind, [], bool(result), False))
            return
        variables = [v.value for v in result.variables] if kind == "bindings" else ["s", "p", "o"]
        taken = list(islice(result, cap + 1 if cap else None))
        truncated = bool(cap) and len(taken) > cap
        rows = [
            tuple(None if t is None else Term.from_ox(t) for t in _cells(item, kind, variables))
            for item in taken[:cap]
        ]
        conn.send(("rows", kind, variables, rows, truncated))
        return
    try:
        choice = negotiation.choose(kind, job.accept, job.format, html=False)
    except negotiation.NotAcceptable as exc:
        conn.send(("error", 406, str(exc)))
        return
    writer = _ChunkWriter(conn)
    if kind == "boolean":
        conn.send(("head", {"kind": kind, "media_type": choice.media_type, "rows": 1, "truncated": False}))
        for piece in results.ASK_WRITERS[choice.name](bool(result)):
            writer.write(piece)
        writer.flush()
        conn.send(("end", {"rows": 1}))
        return
    variables = [v.value for v in result.variables] if kind == "bindings" else []
    items: Iterator = iter(result)
    truncated = False
    count: int | None = None
    if cap:  # evaluate up to the cap first: the client learns of truncation in the headers
        taken = list(islice(items, cap + 1))
        truncated = len(taken) > cap
        items = iter(taken[:cap])
        count = min(len(taken), cap)
    conn.send(("head", {"kind": kind, "media_type": choice.media_type, "rows": count, "truncated": truncated}))
    counter = _Counter(items)
    if kind == "graph":
        ox.serialize(counter, writer, format=results.GRAPH_FORMATS[choice.name], prefixes=PREFIXES)
    else:
        rows = (tuple(_cells(solution, kind, variables)) for solution in counter)
        for piece in results.SELECT_WRITERS[choice.name](variables, rows):
            writer.write(piece)
    writer.flush()
    conn.send(("end", {"rows": counter.count}))


def _cells(item, kind: str, variables: list[str]) -> tuple:
    if kind == "graph":
        return (item.subject, item.predicate, item.object)
    return tuple(item[v] for v in variables)


class _Counter:
    """Counts what passes through an iterator."""

    def __init__(self, items: Iterator) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self):
        item = next(self.items)
        self.count += 1
        return item


# ----------------------------------------------------------------------------- web side
class WorkerDied(Exception):
    """The worker process ended without answering."""


class Worker:
    """One worker process and the web process's end of its pipe."""

    def __init__(self, store_path: Path) -> None:
        self.conn, child = _CTX.Pipe(duplex=True)
        self.process = _CTX.Process(target=worker_main, args=(str(store_path), child), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has opened the store; raise ``RuntimeError`` if it cannot."""
        message = self.receive(timeout)
        if message[0] != "ready":
            self.kill()
            raise RuntimeError(message[1] if len(message) > 1 else "worker failed to start")

    def send(self, job: Job | None) -> None:
        """Hand a job (or ``None``: stop) to the worker."""
        self.conn.send(job)

    def receive(self, timeout: float | None) -> tuple:
        """The worker's next message; ``TimeoutError`` if none comes within ``timeout`` seconds."""
        try:
            ready = self.conn.poll(timeout)
            message = self.conn.recv() if ready else None
        except (EOFError, OSError) as exc:
            raise WorkerDied(f"worker {self.process.pid} ended: exit code {self.process.exitcode}") from exc
        if message is None:
            raise TimeoutError(f"no answer within {timeout} s")
        return message

    def kill(self) -> None:
        """End the process now (its query with it)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to exit; kill it if it does not."""
        try:
            self.send(None)
        except OSError:
            pass
        self.process.join(2)
        self.kill()


class PoolBusy(Exception):
    """No worker became free in time."""


class WorkerPool:
    """A fixed number of query workers; killed workers are replaced in the background.

    ``exclusive()`` drains the pool (waits for running queries, stops every worker) so that
    the store can be opened read-write by an update, then starts the workers again.
    """

    def __init__(self, store_path: Path, size: int, start_timeout: float = 60.0) -> None:
        self.store_path = Path(store_path)
        self.size = size
        self.start_timeout = start_timeout
        self._idle: list[Worker] = []
        self._busy = 0
        self._starting = 0
        self._paused = False
        self._closed = False
        self._cond = threading.Condition()

    def start(self) -> None:
        """Start all workers and wait until each has opened the store."""
        workers = [Worker(self.store_path) for _ in range(self.size)]
        try:
            for worker in workers:
                worker.wait_ready(self.start_timeout)
        except BaseException:
            for worker in workers:
                worker.kill()
            raise
        with self._cond:
            self._idle.extend(workers)
            self._cond.notify_all()

    def acquire(self, timeout: float) -> Worker:
        """A free worker, waiting up to ``timeout`` seconds; ``PoolBusy`` otherwise."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._closed or (not self._paused and self._idle), timeout):
                raise PoolBusy(f"all {self.size} query workers are busy")
            if self._closed:
                raise PoolBusy("the server is shutting down")
            self._busy += 1
            return self._idle.pop()

    def release(self, worker: Worker) -> None:
        """Give back a worker whose job ended normally."""
        with self._cond:
            self._busy -= 1
            if self._closed:
                worker.stop()
            else:
                self._idle.append(worker)
            self._cond.notify_all()

    def discard(self, worker: Worker) -> None:
        """Kill a worker (timed out, died, abandoned mid-stream) and start a replacement.

        Returns at once: killing and restarting happen in a background thread.
        """
        with self._cond:
            self._busy -= 1
            self._starting += 1
        threading.Thread(target=self._replace, args=(worker,), name="worker-replace", daemon=True).start()

    def _replace(self, old: Worker) -> None:
        old.kill()
        new: Worker | None = None
        try:
            new = Worker(self.store_path)
            new.wait_ready(self.start_timeout)
        except Exception as exc:
            log.error("could not start a replacement worker: %s", exc)
            new = None
        with self._cond:
            self._starting -= 1
            if new is not None:
                if self._closed:
                    new.stop()
                else:
                    self._idle.append(new)
            self._cond.notify_all()

    @property
    def idle_count(self) -> int:
        """Workers ready for a job now."""
        with self._cond:
            return len(self._idle)

    @contextmanager
    def exclusive(self, timeout: float) -> Iterator[None]:
        """Stop every worker (after running jobs end) for the duration of the block."""
        with self._cond:
            if self._paused:
                raise PoolBusy("another update is running")
            self._paused = True
            drained = self._cond.wait_for(lambda: self._busy == 0 and self._starting == 0, timeout)
            if not drained:
                self._paused = False
                self._cond.notify_all()
                raise PoolBusy("queries are still running; try the update again")
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.stop()
        try:
            yield
        finally:
            try:
                self.start()
            finally:
                with self._cond:
                    self._paused = False
                    self._cond.notify_all()

    def close(self) -> None:
        """Stop all workers (running jobs are killed)."""
        with self._cond:
            self._closed = True
            workers, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in workers:
            worker.stop()
