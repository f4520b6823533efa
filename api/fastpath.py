"""A lean route to ``/sparql``: the endpoint's handler called straight from the ASGI scope.

The SPARQL Protocol handler (:func:`quyhoach.api.sparql.sparql`) does all its own parsing,
checks and error answers, so the framework's routing, dependency and exception layers add
only cost on the endpoint's hot path. This middleware, the innermost of the user middlewares
(CORS and anything added later wrap it), hands ``GET``/``POST /sparql`` to the handler directly;
every other request goes on to the application as before.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

METHODS = ("GET", "POST")


class SparqlFastPath:
    """ASGI middleware: ``/sparql`` queries skip the router."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        from quyhoach.api.sparql import sparql

        response = await sparql(Request(scope, receive))
        await response(scope, receive, send)
