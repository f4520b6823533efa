"""Query execution in killable worker processes.

pyoxigraph cannot cancel a running query, so every query runs in a worker process that opens
the store read-only. The web process waits for the worker's answer until the deadline; past
it, the worker is killed (its query with it) and a fresh worker is started in the background,
while the other workers keep serving. Messages on a worker's pipe:

``("ready", pid, {"isolated": bool})`` once the store is open, or ``("fatal", reason)``; per job one of
``("error", status, message)``, ``("rows", kind, variables, rows, truncated)`` (pages),
``("batch", [message, ...])`` (several 'rows' jobs sent as one list: one page, one round trip),
``("whole", info, bytes, rows)`` (a serialised result that fits one chunk: one message, the
common case of a small query), or ``("head", info)`` followed by ``("chunk", bytes)``… and
``("end", info)`` (larger streamed results).

The web process waits on the pipes in its event loop (no thread per wait), and free workers are
handed to waiting requests directly (:meth:`WorkerPool.acquire_async`).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import threading
import time
from collections import deque
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
    """A binary file-like object that sends what is written in chunks down the pipe.

    The head goes out with the first full chunk; a result that never fills one is sent by
    :meth:`finish` as a single ``("whole", head, body, rows)`` message.
    """

    def __init__(self, conn: Connection, head: dict) -> None:
        self.conn = conn
        self.head = head
        self.started = False
        self.buffer = bytearray()

    def write(self, data: bytes | str) -> int:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.buffer += raw
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()
        return len(raw)

    def flush(self) -> None:
        """Send what is buffered (after the head) if a full chunk is there."""
        if len(self.buffer) < CHUNK_BYTES:
            return
        if not self.started:
            self.conn.send(("head", self.head))
            self.started = True
        self.conn.send(("chunk", bytes(self.buffer)))
        self.buffer.clear()

    def finish(self, rows: int) -> None:
        """End the job: one ``whole`` message, or the last chunk and ``end``."""
        if not self.started:
            self.conn.send(("whole", self.head, bytes(self.buffer), rows))
            return
        if self.buffer:
            self.conn.send(("chunk", bytes(self.buffer)))
            self.buffer.clear()
        self.conn.send(("end", {"rows": rows}))


def isolate_network() -> bool:
    """Move this process into a network namespace of its own, with no interface up.

    After it no connection to any host (loopback included) can be made from this process: the
    engine's ``SERVICE`` calls fail at once. Needs CAP_SYS_ADMIN or unprivileged user namespaces;
    returns whether it worked.
    """
    import ctypes

    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(clone_newnet) == 0 or libc.unshare(clone_newuser | clone_newnet) == 0
    except (OSError, AttributeError):
        return False


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (``RLIMIT_AS``) at ``megabytes`` MiB (0: no cap)."""
    import resource

    if megabytes > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = megabytes * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


#: Graphs a reader may see when the store holds staging graphs (``None``: all of them).
_READABLE: list | None = None


def open_reader(store_path: str):
    """Open the store read-only for this process's queries (staging graphs hidden from them)."""
    global _READABLE
    import pyoxigraph as ox

    from quyhoach.graph.store import KnowledgeStore

    store = KnowledgeStore(store_path, read_only=True)
    graphs = [ox.NamedNode(g) for g in store.named_graphs()]
    if any("/graph/staging/" in g.value for g in graphs):
        # a load that was killed left a staging graph: never let a reader see it
        _READABLE = [g for g in graphs if "/graph/staging/" not in g.value]
    return store


def worker_main(store_path: str, conn: Connection, memory_mb: int = 0, no_network: bool = False) -> None:
    """Entry point of a worker process: open the store read-only, then run jobs until told to stop.

    ``no_network``: the worker gets no network at all (see :func:`isolate_network`); the web
    process asks for it when no remote host is allowed. ``memory_mb``: see :func:`limit_memory`.
    """
    from quyhoach.graph.store import is_remote

    # a worker in front of a remote engine needs the network to reach it; the parse-based
    # SERVICE/LOAD check of the web process still refuses every other host
    isolated = isolate_network() if no_network and not is_remote(store_path) else False

    try:
        store = open_reader(store_path)
    except Exception as exc:  # report, don't crash silently
        conn.send(("fatal", f"cannot open store {store_path} read-only: {exc}"))
        return
    limit_memory(memory_mb)
    conn.send(("ready", os.getpid(), {"isolated": isolated}))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            if isinstance(job, list):  # a batch of 'rows' jobs for one page: one message back
                conn.send(("batch", [_rows_of(store, j) for j in job]))
                continue
            _run(store, job, conn)
        except SyntaxError as exc:
            conn.send(("error", 400, f"syntax error: {exc}"))
        except MemoryError:
            conn.send(("error", 503, "the query needed more memory than a worker may use; the worker was replaced"))
            return  # exit: the pool notices the dead worker and starts a fresh one
        except Exception as exc:
            conn.send(("error", 500, f"query failed: {type(exc).__name__}: {exc}"))


class _Collect:
    """Stands in for the pipe to keep the messages a job sends."""

    def __init__(self) -> None:
        self.messages: list[tuple] = []

    def send(self, message: tuple) -> None:
        self.messages.append(message)

    @property
    def message(self) -> tuple:
        """The last message sent."""
        return self.messages[-1]


def _rows_of(store, job: Job) -> tuple:
    """The message a 'rows' job would send (an error becomes its message too)."""
    collect = _Collect()
    try:
        _run(store, job, collect)
    except SyntaxError as exc:
        return ("error", 400, f"syntax error: {exc}")
    except Exception as exc:
        return ("error", 500, f"query failed: {type(exc).__name__}: {exc}")
    return collect.message


def run_job(store, job: Job | list[Job]) -> list[tuple]:
    """Run a job (or a page's batch of 'rows' jobs) in this process; the messages a worker would send."""
    collect = _Collect()
    if isinstance(job, list):
        return [("batch", [_rows_of(store, j) for j in job])]
    try:
        _run(store, job, collect)
    except SyntaxError as exc:
        return [("error", 400, f"syntax error: {exc}")]
    except MemoryError:
        return [("error", 503, "the query needed more memory than a worker may use")]
    except Exception as exc:
        return [("error", 500, f"query failed: {type(exc).__name__}: {exc}")]
    return collect.messages


def query_options(store, job: Job) -> dict:
    """The engine's options for ``job`` (``Store.query`` keyword arguments): its dataset (default
    and named graphs, staging graphs never), the ``qhfn:`` functions, the library's prefixes."""
    import pyoxigraph as ox

    from quyhoach.graph import named_queries as nq
    from quyhoach.namespaces import PREFIXES

    # qhfn:fold (diacritic-insensitive matching) is available to every query, as in the library.
    kwargs: dict = {"custom_functions": nq.CUSTOM_FUNCTIONS}
    if job.library:
        kwargs["prefixes"] = dict(PREFIXES, qhfn=nq.FUNCTIONS)
        kwargs.update(_library_dataset(store))  # the data graphs, as the engine's union when it can
    elif job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs if "/graph/staging/" not in g]
    elif job.union and _READABLE is not None:
        kwargs["default_graph"] = _READABLE or [ox.DefaultGraph()]
    elif job.union:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs if "/graph/staging/" not in g]
    elif _READABLE is not None:
        kwargs["named_graphs"] = [g for g in _READABLE if not isinstance(g, ox.DefaultGraph)]
    return kwargs


def _run(store, job: Job, conn: Connection) -> None:
    import pyoxigraph as ox

    from quyhoach.api import negotiation, results
    from quyhoach.api.terms import Term
    from quyhoach.namespaces import PREFIXES

    kwargs = query_options(store, job)
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
    if kind == "boolean":
        writer = _ChunkWriter(conn, {"kind": kind, "media_type": choice.media_type, "rows": 1, "truncated": False})
        for piece in results.ASK_WRITERS[choice.name](bool(result)):
            writer.write(piece)
        writer.finish(1)
        return
    if kind == "bindings" and choice.name in results.ENGINE_FORMATS:
        if _engine_serialised(result, choice, cap, conn):
            return
        result = store.query(job.query, **kwargs)  # over the budget: again, through the capped writers
    variables = [v.value for v in result.variables] if kind == "bindings" else []
    items: Iterator = iter(result)
    truncated = False
    count: int | None = None
    if cap:  # evaluate up to the cap first: the client learns of truncation in the headers
        taken = list(islice(items, cap + 1))
        truncated = len(taken) > cap
        items = iter(taken[:cap])
        count = min(len(taken), cap)
    writer = _ChunkWriter(conn, {"kind": kind, "media_type": choice.media_type, "rows": count, "truncated": truncated})
    counter = _Counter(items)
    if kind == "graph":
        ox.serialize(counter, writer, format=results.GRAPH_FORMATS[choice.name], prefixes=PREFIXES)
    else:
        rows = (tuple(_cells(solution, kind, variables)) for solution in counter)
        for piece in results.SELECT_WRITERS[choice.name](variables, rows):
            writer.write(piece)
    writer.finish(counter.count)


class _OverBudget(Exception):
    """A serialised result may hold more rows than the cap, or outgrew the buffer."""


class _Bounded:
    """A binary file-like object that keeps what is written while the result may still fit the row cap.

    ``marker``/``slack``: a byte string the format writes once per solution (or between two),
    such that a result holding it ``n`` times has at most ``n + slack`` solutions (see
    :data:`quyhoach.api.results.ROW_MARKERS`). Past ``cap`` solutions or ``limit`` bytes,
    :class:`_OverBudget` ends the serialisation.
    """

    def __init__(self, cap: int, marker: bytes, slack: int, limit: int) -> None:
        self.cap = cap - slack
        self.marker = marker
        self.limit = limit
        self.size = 0
        self.rows = 0  # occurrences of the marker so far
        self.tail = b""  # the last len(marker) - 1 bytes written (a marker may straddle two writes)
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        data = bytes(data)
        self.size += len(data)
        self.rows += data.count(self.marker)
        keep = len(self.marker) - 1
        if keep:
            self.rows += (self.tail + data[:keep]).count(self.marker)
            self.tail = data[-keep:] if len(data) >= keep else (self.tail + data)[-keep:]
        if self.rows > self.cap or self.size > self.limit:
            raise _OverBudget
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the parts are kept."""


#: Largest SELECT result, in bytes, that the engine's serialiser writes into one buffer under a
#: row cap; a larger one is written by the capped writers (:mod:`quyhoach.api.results`).
ENGINE_BUFFER = 32 * 1024 * 1024


def _engine_serialised(result, choice, cap: int | None, conn) -> bool:
    """Write SELECT ``result`` with the engine's own serialiser; ``False`` if it may exceed the row cap.

    Without a cap the result streams through the chunk writer. With one, it is serialised into a
    buffer that counts the format's row marker (:data:`results.ROW_MARKERS`) as it fills: a
    result that stays within ``cap`` rows by that count (an upper bound) and within
    :data:`ENGINE_BUFFER` bytes is sent whole. Any other is abandoned (the caller evaluates again
    and caps it row by row). The row count is not known here (``None``).
    """
    from quyhoach.api import results

    head = {"kind": "bindings", "media_type": choice.media_type, "rows": None, "truncated": False}
    fmt = results.ENGINE_FORMATS[choice.name]
    if not cap:
        writer = _ChunkWriter(conn, head)
        result.serialize(writer, format=fmt)
        writer.finish(None)
        return True
    whole = engine_bytes(result, choice.name, cap)
    if whole is None:
        return False
    conn.send(("whole", head, whole, None))
    return True


def engine_bytes(result, name: str, cap: int) -> bytes | None:
    """SELECT ``result`` serialised by the engine in format ``name`` (one of
    :data:`results.ENGINE_FORMATS`), or ``None`` if it may hold more than ``cap`` rows by the
    format's row marker or outgrows :data:`ENGINE_BUFFER` (the serialisation stops there)."""
    from quyhoach.api import results

    buffer = _Bounded(cap, *results.ROW_MARKERS[name], ENGINE_BUFFER)
    try:
        result.serialize(buffer, format=results.ENGINE_FORMATS[name])
    except _OverBudget:
        return None
    return b"".join(buffer.parts)


_DATA_GRAPHS: dict[int, dict] = {}


def _library_dataset(store) -> dict:
    """The library's default graph (query options), worked out once per worker (a worker's store
    never changes: after an update every worker is restarted)."""
    from quyhoach.graph import named_queries as nq

    key = id(store)
    if key not in _DATA_GRAPHS:
        _DATA_GRAPHS[key] = nq.dataset(store)
    return dict(_DATA_GRAPHS[key])


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

    def __init__(self, store_path: Path, memory_mb: int = 0, no_network: bool = False) -> None:
        self.conn, child = _CTX.Pipe(duplex=True)
        self.isolated = False
        self.process = _CTX.Process(target=worker_main, args=(str(store_path), child, memory_mb, no_network),
                                    daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has opened the store; raise ``RuntimeError`` if it cannot."""
        message = self.receive(timeout)
        if message[0] != "ready":
            self.kill()
            raise RuntimeError(message[1] if len(message) > 1 else "worker failed to start")
        self.isolated = bool(len(message) > 2 and message[2].get("isolated"))

    @property
    def alive(self) -> bool:
        """Whether the process still runs (checked before a job is handed to it)."""
        return not self.conn.closed and self.process.is_alive()

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

    async def receive_async(self, timeout: float) -> tuple:
        """The worker's next message, awaited in the event loop (no thread); ``TimeoutError`` past ``timeout``.

        The pipe is watched with ``add_reader``; a worker writes each message in one piece, so
        once the pipe is readable the whole message follows.
        """
        conn = self.conn
        try:
            if not conn.poll(0):
                loop = asyncio.get_running_loop()
                ready = loop.create_future()
                fd = conn.fileno()

                def wake(outcome: object) -> None:
                    if not ready.done():
                        ready.set_result(outcome)

                loop.add_reader(fd, wake, True)
                timer = loop.call_later(timeout, wake, False)
                try:
                    if not await ready:
                        raise TimeoutError(f"no answer within {timeout} s")
                finally:
                    timer.cancel()
                    loop.remove_reader(fd)
                    os.set_blocking(fd, True)  # uvloop leaves a watched fd non-blocking; the rest of a long message follows
            return conn.recv()
        except (EOFError, OSError) as exc:
            if isinstance(exc, TimeoutError):
                raise
            raise WorkerDied(f"worker {self.process.pid} ended: exit code {self.process.exitcode}") from exc

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

    def __init__(self, store_path: Path, size: int, start_timeout: float = 60.0, memory_mb: int = 0,
                 no_network: bool = False) -> None:
        self.store_path = Path(store_path)
        self.size = size
        self.memory_mb = memory_mb
        self.no_network = no_network
        #: Whether every worker started so far runs without network.
        self.isolated = no_network
        self.start_timeout = start_timeout
        self._idle: list[Worker] = []
        self._busy = 0
        self._starting = 0
        self._paused = False
        self._closed = False
        self._cond = threading.Condition()
        #: Requests waiting in an event loop for a worker: (loop, future), first come first served.
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = deque()

    def start(self) -> None:
        """Start all workers and wait until each has opened the store."""
        workers = [self._new_worker() for _ in range(self.size)]
        try:
            for worker in workers:
                worker.wait_ready(self.start_timeout)
                self.isolated = self.isolated and worker.isolated
        except BaseException:
            for worker in workers:
                worker.kill()
            raise
        with self._cond:
            self._idle.extend(workers)
            self._dispatch()
            self._cond.notify_all()

    def _dispatch(self) -> None:
        """Hand idle workers to requests waiting in an event loop (called with the lock held)."""
        while self._idle and self._waiters and not self._paused and not self._closed:
            loop, future = self._waiters.popleft()
            if future.done():
                continue
            worker = self._idle.pop()
            self._busy += 1
            loop.call_soon_threadsafe(self._hand, future, worker)

    def _hand(self, future: asyncio.Future, worker: Worker) -> None:
        if future.done():  # the request gave up meanwhile: the worker goes back
            self.release(worker)
        else:
            future.set_result(worker)

    async def acquire_async(self, timeout: float) -> Worker:
        """A free worker for a request in the event loop, waiting up to ``timeout`` seconds."""
        with self._cond:
            if self._closed:
                raise PoolBusy("the server is shutting down")
            if self._idle and not self._paused and not self._waiters:
                self._busy += 1
                return self._idle.pop()
            loop = asyncio.get_running_loop()
            future: asyncio.Future = loop.create_future()
            self._waiters.append((loop, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            raise PoolBusy(f"all {self.size} query workers are busy") from None
        finally:
            if not future.done():
                future.cancel()

    async def acquire_live(self, timeout: float) -> Worker:
        """:meth:`acquire_async`, but a worker found dead (killed from outside, out of memory) is
        replaced, never used."""
        deadline = time.monotonic() + timeout
        while True:
            worker = await self.acquire_async(max(0.0, deadline - time.monotonic()))
            if worker.alive:
                return worker
            log.warning("worker %s had ended (exit code %s); replacing it", worker.process.pid, worker.process.exitcode)
            self.discard(worker)

    def _new_worker(self) -> Worker:
        return Worker(self.store_path, self.memory_mb, self.no_network)

    def acquire(self, timeout: float) -> Worker:
        """A free, live worker, waiting up to ``timeout`` seconds; ``PoolBusy`` otherwise.

        A worker found dead (killed from outside, or out of memory) is replaced, never used.
        """
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: self._closed or (not self._paused and self._idle), timeout):
                    raise PoolBusy(f"all {self.size} query workers are busy")
                if self._closed:
                    raise PoolBusy("the server is shutting down")
                self._busy += 1
                worker = self._idle.pop()
            if worker.alive:
                return worker
            log.warning("worker %s had ended (exit code %s); replacing it", worker.process.pid, worker.process.exitcode)
            self.discard(worker)

    def release(self, worker: Worker) -> None:
        """Give back a worker whose job ended normally."""
        with self._cond:
            self._busy -= 1
            if self._closed:
                worker.stop()
            else:
                self._idle.append(worker)
                self._dispatch()
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
            new = self._new_worker()
            new.wait_ready(self.start_timeout)
            self.isolated = self.isolated and new.isolated
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
                    self._dispatch()
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
                    self._dispatch()
                    self._cond.notify_all()

    def close(self) -> None:
        """Stop all workers (running jobs are killed)."""
        with self._cond:
            self._closed = True
            workers, self._idle = self._idle, []
            waiters, self._waiters = self._waiters, deque()
            self._cond.notify_all()
        for loop, future in waiters:
            loop.call_soon_threadsafe(_refuse, future)
        for worker in workers:
            worker.stop()


def _refuse(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(PoolBusy("the server is shutting down"))
