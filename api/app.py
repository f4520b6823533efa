"""The web application: ``create_app(settings)`` builds it; ``create_app()`` reads the environment.

Run with ``quyhoach serve`` or ``uvicorn --factory quyhoach.api.app:create_app``.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from quyhoach import __version__
from quyhoach.api import fastpath
from quyhoach.api.execute import Executor
from quyhoach.api.fastpath import SparqlFastPath
from quyhoach.api.settings import Settings
from quyhoach.api.state import AppState
from quyhoach.api.workers import QueryFailed, WorkerPool

log = logging.getLogger("quyhoach.api")
HERE = Path(__file__).resolve().parent
#: Modules that, once written, each provide a ``router`` (named queries, consistency reports).
OPTIONAL_ROUTERS = ("quyhoach.api.named_queries", "quyhoach.api.reports")


def configure_logging() -> None:
    """Log ``quyhoach.api`` messages to stderr (once)."""
    logger = logging.getLogger("quyhoach.api")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


async def refresh_caches(state: AppState) -> None:
    """(Re)build what pages keep: the ontology term labels, the home page's counts and the label index.

    The counts and the index come from a builder process (:mod:`quyhoach.api.summary`); this
    waits for it up to ``settings.cache_wait`` seconds, then lets it finish in the background.
    """
    from quyhoach.api.search import load_vocabulary
    from quyhoach.api.summary import Builder

    state.vocabulary = await load_vocabulary(state.executor)
    if state.pending is not None:
        state.pending.discard()
    builder = state.pending = Builder(state.settings.store_path)

    async def finish() -> None:
        while not await builder.wait(3600):
            pass
        if state.pending is not builder:
            return
        state.pending = None
        result = builder.result()
        if result is None:
            builder.discard()
            return
        old = state.built
        state.summary, state.index = result
        state.built = builder
        if old is not None:
            old.discard()

    if await builder.wait(state.settings.cache_wait):
        await finish()
    else:
        log.info("still counting and indexing labels after %g s; continuing in the background", state.settings.cache_wait)
        state.background = asyncio.get_running_loop().create_task(finish())


def _discard_caches(state: AppState) -> None:
    for builder in (state.pending, state.built):
        if builder is not None:
            builder.discard()


def create_app(settings: Settings | None = None, serving=None) -> FastAPI:
    """Build the application; the worker pool starts with it and stops with it.

    ``serving``: in a serving process of a read-only server (:mod:`quyhoach.api.serving`), its
    :class:`~quyhoach.api.serving.ServingContext`: queries run in this process, under a watchdog.
    """
    settings = settings or Settings.from_env()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from quyhoach.graph.store import server_lock

        if serving is not None:  # the supervisor holds the lock
            async with _serving_here(app) as nothing:
                yield nothing
            return
        with server_lock(settings.store_path):  # every way of starting a server takes the lock
            async with _serving(app) as nothing:
                yield nothing

    @asynccontextmanager
    async def _serving(app: FastAPI):
        pool = WorkerPool(settings.store_path, settings.workers, memory_mb=settings.worker_memory,
                          no_network=not settings.service_allow)
        await run_in_threadpool(pool.start)
        if not settings.service_allow and not pool.isolated:
            log.warning("query workers could not be given a network namespace of their own (no "
                        "CAP_SYS_ADMIN or user namespaces); SERVICE and LOAD are refused on the parse alone")
        state = AppState(settings, pool, Executor(pool, settings.timeout, settings.wait_for_worker))
        app.state.qh = state
        try:
            await refresh_caches(state)
        except QueryFailed as exc:
            log.warning("caches not built: %s", exc.message)
        log.info(
            "serving %s with %d workers, timeout %gs, max rows %d, updates %s",
            settings.store_path, settings.workers, settings.timeout, settings.max_rows,
            "enabled" if settings.token else "disabled",
        )
        try:
            yield None
        finally:
            _discard_caches(state)
            await run_in_threadpool(pool.close)

    @asynccontextmanager
    async def _serving_here(app: FastAPI):
        from quyhoach.api.inprocess import LocalExecutor, LocalPool, Watchdog
        from quyhoach.api.search import load_vocabulary
        from quyhoach.api.serving import follow_builder, wait_for_siblings

        pool = LocalPool(serving.store, serving.isolated)
        watchdog = Watchdog(settings.timeout, serving.deadlines, serving.slot)
        state = AppState(settings, pool, LocalExecutor(pool, settings.timeout, watchdog))  # type: ignore[arg-type]
        app.state.qh = state
        try:
            state.vocabulary = await load_vocabulary(state.executor)
        except QueryFailed as exc:
            log.warning("ontology labels not read: %s", exc.message)
        await follow_builder(state, serving.folder, settings.cache_wait if serving.initial else 0.0)
        await wait_for_siblings(serving)
        state.executor.starting = False  # type: ignore[attr-defined]
        gc.collect()
        gc.freeze()  # what start-up made (application, labels) stays out of the collections per request
        fastpath.install(fastpath.DirectRoute(state, serving.generation))  # /sparql below ASGI (api/protocol.py)
        try:
            yield None
        finally:
            fastpath.install(None)
            pool.close()

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="quyhoach-kg",
        version=__version__,
        description="Knowledge graph of Vietnam's planning system: SPARQL endpoint, entity pages, search.",
        lifespan=lifespan,
    )
    app.add_middleware(SparqlFastPath)  # first added: innermost, inside CORS and later middleware
    if settings.cors:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors),
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
            expose_headers=["X-Row-Limit", "X-Result-Truncated"],
        )
    from quyhoach.api import docs, entity, graph_store, pages, sparql
    from quyhoach.api.middleware import BodyLimit, SecurityHeaders

    app.add_middleware(BodyLimit, max_body=settings.max_body, max_upload=settings.max_upload,
                       timeout=settings.body_timeout, upload_paths=(graph_store.PATH,))
    app.add_middleware(SecurityHeaders)
    if not settings.token:  # a read-only store: answers are fixed per request and server start
        from quyhoach.api.caching import ReadOnlyCaching

        app.add_middleware(ReadOnlyCaching, generation=serving.generation if serving else f"{id(app):x}{time.time_ns():x}")
    if serving is not None:
        from quyhoach.api.inprocess import ConnectionContext

        app.add_middleware(ConnectionContext)
    app.include_router(docs.router)

    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(pages.router)
    app.include_router(entity.router)
    for name in OPTIONAL_ROUTERS:  # hooks for later parts: /api/queries/{name}, /reports/latest
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(QueryFailed)
    async def query_failed(request: Request, exc: QueryFailed):
        from quyhoach.api.views import render

        if "text/html" in request.headers.get("accept", ""):
            return render(request, "error.html", {"status": exc.status, "message": exc.message}, exc.status, exc.headers)
        return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        from quyhoach.api.views import render

        if "text/html" in request.headers.get("accept", ""):
            return render(request, "error.html", {"status": exc.status_code, "message": str(exc.detail)}, exc.status_code)
        return PlainTextResponse(f"{exc.detail}\n", status_code=exc.status_code)

    return app
