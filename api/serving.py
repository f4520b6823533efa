"""A read-only server: serving processes that answer HTTP themselves, under a supervisor.

Without a token (no updates) the store never changes while it is served, so each request can be
answered by one process: ``--workers`` serving processes each open the store read-only, run the
whole application (SPARQL endpoint, pages, search) and accept connections from one listening
socket they share. A process evaluates one query at a time; while it does, the others take the
new connections. A query past its deadline ends its process (:class:`~quyhoach.api.inprocess.Watchdog`
answers 503 first); the supervisor — this module's :func:`run`, the process ``quyhoach serve``
started — then starts a replacement, and kills a process itself should its watchdog not act.
The supervisor also runs the builder of the home counts and the label index
(:mod:`quyhoach.api.summary`) once; the serving processes read its output folder.

A server with a token keeps the web process and its pool of query workers
(:mod:`quyhoach.api.workers`): an update needs every reader stopped first.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from quyhoach.api.inprocess import EXIT_TIMED_OUT
from quyhoach.api.settings import Settings
from quyhoach.api.workers import _CTX

log = logging.getLogger("quyhoach.api")
#: Exit status of a serving process that could not open the store (the supervisor gives up).
EXIT_FATAL = 78
#: Seconds past a query's deadline after which the supervisor kills the process itself.
KILL_GRACE = 1.0


@dataclass
class ServingContext:
    """What a serving process's application needs from the supervisor."""

    store: object
    isolated: bool
    folder: Path
    deadlines: object
    slot: int
    ready: object
    initial: bool
    generation: str
    processes: int


def serving_main(settings: Settings, sock: socket.socket, folder: str, deadlines, slot: int, ready,
                 initial: bool, generation: str, server: dict) -> None:
    """Entry point of a serving process: isolate, open the store read-only, serve on ``sock``."""
    import uvicorn

    from quyhoach.api.app import create_app
    from quyhoach.api.commands import uvicorn_options
    from quyhoach.api.workers import isolate_network, limit_memory, open_reader
    from quyhoach.graph.store import is_remote

    store_path = str(settings.store_path)
    isolated = isolate_network() if not settings.service_allow and not is_remote(store_path) else False
    try:
        store = open_reader(store_path)
    except Exception as exc:
        print(f"error: cannot open store {store_path} read-only: {exc}", file=sys.stderr, flush=True)
        sys.exit(EXIT_FATAL)
    limit_memory(settings.worker_memory)
    context = ServingContext(store, isolated, Path(folder), deadlines, slot, ready, initial, generation,
                             settings.workers)
    app = create_app(settings, serving=context)
    config = uvicorn.Config(app, **uvicorn_options(**server))
    uvicorn.Server(config).run(sockets=[sock])


async def follow_builder(state, folder: Path, wait: float) -> None:
    """Take the builder's output into ``state`` once it is written; wait for it up to ``wait``
    seconds, then keep looking in the background (one ``stat`` a second)."""
    from quyhoach.api.summary import read_output

    def take(quiet: bool) -> bool:
        result = read_output(folder, quiet=quiet)
        if result is None:
            return False
        state.summary, state.index = result
        return True

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if take(quiet=True):
            return
        await asyncio.sleep(0.05)

    async def later() -> None:
        while not take(quiet=True):
            await asyncio.sleep(1.0)

    state.background = asyncio.get_running_loop().create_task(later())


async def wait_for_siblings(context: ServingContext, timeout: float = 120.0) -> None:
    """Count this process as ready; at first start, wait until every serving process is."""
    with context.ready.get_lock():
        context.ready.value += 1
    deadline = time.monotonic() + timeout
    while context.initial and context.ready.value < context.processes and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


class _Stop(Exception):
    pass


def _raise_stop(_signum, _frame) -> None:
    raise _Stop


def run(settings: Settings, host: str, port: int, server: dict) -> None:
    """Supervise ``settings.workers`` serving processes on ``host:port`` until SIGINT/SIGTERM.

    ``server``: the keyword arguments of :func:`quyhoach.api.commands.uvicorn_options`.
    """
    from quyhoach.api.app import configure_logging
    from quyhoach.api.summary import Builder
    from quyhoach.errors import UserError
    from quyhoach.graph.store import server_lock

    configure_logging()
    with server_lock(settings.store_path):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            sock = socket.create_server((host, port), family=family, backlog=2048)
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        builder = Builder(settings.store_path)
        deadlines = _CTX.Array("d", settings.workers, lock=False)
        ready = _CTX.Value("i", 0)
        generation = f"{time.time_ns():x}"

        def start(slot: int, initial: bool):
            deadlines[slot] = 0.0
            process = _CTX.Process(target=serving_main, name=f"quyhoach-serve-{slot}", daemon=True, args=(
                settings, sock, str(builder.folder), deadlines, slot, ready, initial, generation, server))
            process.start()
            return process

        processes = []
        reported = False
        previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, _raise_stop),
                    signal.SIGINT: signal.signal(signal.SIGINT, _raise_stop)}
        try:
            processes = [start(slot, True) for slot in range(settings.workers)]
            log.info("serving %s read-only on http://%s:%d: %d serving processes, timeout %gs, max rows %d",
                     settings.store_path, host, sock.getsockname()[1], settings.workers, settings.timeout,
                     settings.max_rows)
            while True:
                time.sleep(0.1)
                for slot, process in enumerate(processes):
                    deadline = deadlines[slot]  # read once: the process resets it to 0 when its query ends
                    if not process.is_alive():
                        if process.exitcode == EXIT_FATAL:
                            raise SystemExit(f"error: a serving process could not open {settings.store_path}")
                        if process.exitcode != EXIT_TIMED_OUT:
                            log.warning("serving process %s ended (exit code %s); starting another",
                                        process.pid, process.exitcode)
                        processes[slot] = start(slot, False)
                    elif deadline and time.monotonic() > deadline + KILL_GRACE:
                        log.warning("serving process %s is %.1f s past its query deadline; killing it", process.pid,
                                    time.monotonic() - deadline)
                        process.kill()
                        process.join(5)
                        processes[slot] = start(slot, False)
                if not reported and not builder.process.is_alive():
                    reported = True
                    if builder.process.exitcode != 0:
                        log.error("summary builder failed (exit code %s): no counts, no search",
                                  builder.process.exitcode)
                    else:
                        builder.result()  # logs its time and size
        except _Stop:
            log.info("stopping")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(10)
                if process.is_alive():
                    process.kill()
                    process.join(5)
            builder.discard()
            sock.close()
