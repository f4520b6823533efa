"""The web application: ``create_app(settings)`` builds it; ``create_app()`` reads the environment.

Run with ``quyhoach serve`` or ``uvicorn --factory quyhoach.api.app:create_app``.
"""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from quyhoach import __version__
from quyhoach.api.execute import Executor
from quyhoach.api.settings import Settings
from quyhoach.api.state import AppState
from quyhoach.api.workers import QueryFailed, WorkerPool

log = logging.getLogger("quyhoach.api")
HERE = Path(__file__).resolve().parent
#: Modules that, once written, each provide a ``router`` (named queries, consistency reports).
OPTIONAL_ROUTERS = ("quyhoach.api.named_queries", "quyhoach.api.reports")


def _configure_logging() -> None:
    logger = logging.getLogger("quyhoach.api")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


async def refresh_caches(state: AppState) -> None:
    """(Re)build what pages keep in memory: the label index and the ontology term labels."""
    from quyhoach.api.search import build_index, load_vocabulary

    state.index = await build_index(state.executor)
    state.vocabulary = await load_vocabulary(state.executor)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the worker pool starts with it and stops with it."""
    settings = settings or Settings.from_env()
    _configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from quyhoach.graph.store import server_lock

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
            await run_in_threadpool(pool.close)

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="quyhoach-kg",
        version=__version__,
        description="Knowledge graph of Vietnam's planning system: SPARQL endpoint, entity pages, search.",
        lifespan=lifespan,
    )
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
