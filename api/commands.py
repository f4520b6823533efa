"""The ``quyhoach serve`` command, added to the CLI by :func:`register`."""

from __future__ import annotations

from typing import Annotated

import typer

SERVE_EPILOG = """Examples:

\b
  quyhoach serve                                  # http://127.0.0.1:8000
  quyhoach serve --host 0.0.0.0 --port 8080 --cors https://example.org
  QUYHOACH_TOKEN=secret quyhoach serve            # allow SPARQL Update with that bearer token
"""

#: Largest request line + headers the server reads (uvicorn's h11 default, 16 KiB, is applied only
#: when a request arrives in several reads, so longer GET URLs failed at random). Large enough for
#: the longest query parameter the routes accept (the editor's 100 000 characters, percent-encoded).
MAX_REQUEST_HEAD = 2 * 1024 * 1024


def ensure_loaded(store_path) -> bool:
    """Load the ontology, reference graph and bundled corpus if the store is empty.

    Opens the store read-write, then closes it (the server opens it read-only). Returns whether
    anything was loaded.
    """
    from quyhoach import loading
    from quyhoach.graph.store import KnowledgeStore

    with KnowledgeStore(store_path) as store:
        if store.named_graphs():
            return False
        report = loading.LoadReport()
        loading.load_ontology(store, report)
        loading.load_reference(store, report)
        loading.load_documents(store, [loading.bundled_corpus()], report)
        from quyhoach.graph.reasoning import materialise

        materialise(store)
    for failure in report.failures:
        typer.echo(f"warning: {failure.reason}", err=True)
    typer.echo(f"loaded {len(report.graphs)} graphs, {len(report.documents)} documents into {store.path}", err=True)
    return True


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a query may run before it is stopped.")] = 30.0,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Most rows (or triples) a query returns; 0: no cap.")] = 10_000,
    workers: Annotated[int, typer.Option("--workers", help="Query worker processes.", min=1)] = 2,
    token: Annotated[
        str | None, typer.Option("--token", envvar="QUYHOACH_TOKEN", help="Bearer token that enables SPARQL Update.")
    ] = None,
    cors: Annotated[
        list[str] | None, typer.Option("--cors", help="Origin allowed to call the API from a browser (repeatable).")
    ] = None,
    allow_service: Annotated[
        list[str] | None,
        typer.Option("--allow-service",
                     help="Host (HOST, HOST:PORT or SCHEME://HOST[:PORT]) that SERVICE may query (repeatable); none by default."),
    ] = None,
    http: Annotated[
        str, typer.Option("--http", help="HTTP parser: httptools (faster; /sparql answered below ASGI), or h11.")
    ] = "httptools",
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every HTTP request and SPARQL query (without it: failed, truncated and slow queries only).")
    ] = False,
    max_body: Annotated[int, typer.Option("--max-body", help="Largest request body, bytes (413 above).")] = 1024 * 1024,
    max_upload: Annotated[int, typer.Option("--max-upload", help="Largest Graph Store upload, bytes.")] = 64 * 1024 * 1024,
    max_query: Annotated[int, typer.Option("--max-query", help="Longest query or update, characters.")] = 100_000,
    worker_memory: Annotated[
        int, typer.Option("--worker-memory", help="Address-space cap per query worker, MiB (0: none).")
    ] = 4096,
    body_timeout: Annotated[float, typer.Option("--body-timeout", help="Seconds a client may take to send a body.")] = 10.0,
    header_timeout: Annotated[
        float, typer.Option("--header-timeout", help="Seconds a client may take to send a request's headers.")
    ] = 10.0,
    limit_concurrency: Annotated[
        int, typer.Option("--limit-concurrency", help="Most open connections; 503 past it (0: no cap).")
    ] = 1000,
) -> None:
    """Serve the SPARQL endpoint, entity pages, search and the query editor.

    Loads the bundled corpus first if the store is empty. Queries run in worker processes that
    open the store read-only; a query past --timeout is stopped and answered with HTTP 503.
    """
    import uvicorn

    from quyhoach.api.app import create_app
    from quyhoach.api.settings import Settings
    from quyhoach.cli import state
    from quyhoach.errors import UserError

    if timeout <= 0:
        raise UserError("--timeout must be positive")
    if max_rows < 0:
        raise UserError("--max-rows must be 0 (no cap) or positive")
    ensure_loaded(state.store_path)
    settings = Settings(
        store_path=state.store_path,
        timeout=timeout,
        max_rows=max_rows,
        workers=workers,
        token=token or None,
        cors=tuple(cors or ()),
        service_allow=tuple(h.lower() for h in allow_service or ()),
        max_body=max_body,
        max_upload=max_upload,
        max_query=max_query,
        worker_memory=worker_memory,
        body_timeout=body_timeout,
        access_log=access_log,
    )
    from quyhoach.api.outbound import allow_list

    try:
        allow_list(settings.service_allow)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    from quyhoach.graph.store import server_lock

    with server_lock(state.store_path):  # fail early, with a clear message; the app takes it again
        pass
    server = {"http": http, "header_timeout": header_timeout, "access_log": access_log,
              "limit_concurrency": limit_concurrency}
    if not settings.token:  # read-only: serving processes answer HTTP themselves (quyhoach.api.serving)
        from quyhoach.api import serving

        serving.run(settings, host, port, server)
        return
    uvicorn.run(create_app(settings), host=host, port=port, **uvicorn_options(**server))


def uvicorn_options(http: str = "httptools", header_timeout: float = 10.0, access_log: bool = False,
                    limit_concurrency: int = 1000) -> dict:
    """Keyword arguments of ``uvicorn.run`` / ``uvicorn.Config`` for ``quyhoach serve`` (no app, host, port)."""
    from quyhoach.api.protocol import with_head_timeout

    options = server_options(http)
    return dict(log_level="info", access_log=access_log,
                http=with_head_timeout(header_timeout, options.pop("http"), MAX_REQUEST_HEAD),
                timeout_keep_alive=5, limit_concurrency=limit_concurrency or None, **options)


def server_options(http: str = "httptools") -> dict:
    """uvicorn options: the HTTP parser (``httptools`` when installed and asked for, else ``h11``) and
    uvloop's event loop when installed.

    httptools is the default: it parses faster, and in a read-only server its protocol
    (:mod:`quyhoach.api.protocol`) answers ``/sparql`` itself, below ASGI. Request targets longer
    than its URL parser takes (64 KiB; the editor's GET URLs may be longer) are split by that
    protocol. Either way a request head is capped at :data:`MAX_REQUEST_HEAD` bytes (h11's own
    limit, or the httptools protocol) and must arrive within ``--header-timeout``.
    """
    import importlib.util

    options: dict = {}
    if http == "httptools" and importlib.util.find_spec("httptools"):
        options["http"] = "httptools"
    else:
        options["http"] = "h11"
        options["h11_max_incomplete_event_size"] = MAX_REQUEST_HEAD
    if importlib.util.find_spec("uvloop"):
        options["loop"] = "uvloop"
    return options


def assets(
    skip_npm: Annotated[
        bool, typer.Option("--skip-npm", help="Only copy from an existing node_modules (no npm ci).")
    ] = False,
) -> None:
    """Install the query editor's front-end code (YASGUI) from the npm registry.

    Runs `npm ci` (locked versions, no install scripts) in api/vendor-src/ and copies the built
    files to api/static/vendor/ (git-ignored), served at /static/vendor/. Without them the editor
    is a plain text-area form.
    """
    from quyhoach.api import assets as vendor

    manifest = vendor.install(skip_npm=skip_npm)
    for package, info in manifest["packages"].items():
        typer.echo(f"installed {package} {info['version']} -> {vendor.VENDOR_OUT}", err=True)


def register(app: typer.Typer) -> None:
    """Add the ``serve`` and ``assets`` commands to the CLI ``app`` (idempotent)."""
    names = {(info.name or getattr(info.callback, "__name__", "")) for info in app.registered_commands}
    if "serve" not in names:
        app.command(name="serve", epilog=SERVE_EPILOG)(serve)
    if "assets" not in names:
        app.command(name="assets")(assets)
