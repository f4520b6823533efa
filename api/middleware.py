"""ASGI middleware of the server: security headers on every response, bounded request bodies.

Pure ASGI (no buffering of responses), so streamed query results pass through unchanged.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Under this policy every page, the query editor (YASGUI, served from ``/static/vendor``) and the
#: API docs work; nothing is loaded from another origin and no page can be framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every HTTP response (unless the route set one itself)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in SECURITY_HEADERS if name not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def body_timeout_message(timeout: float) -> str:
    """The answer (408) to a request body that did not arrive in time."""
    return f"the request body did not arrive within {timeout:g} s"


class BodyLimit:
    """Read a request body completely, within a size cap (413) and a time limit (408), then pass it on.

    ``upload_paths`` get the larger ``max_upload`` cap (Graph Store uploads); every other path
    gets ``max_body``. A slow client cannot hold a handler: the body is read here before any
    route runs, and a body not complete within ``timeout`` seconds ends the request.
    """

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int, timeout: float,
                 upload_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.timeout = timeout
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        cap = self.max_upload if scope["path"] in self.upload_paths else self.max_body
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _plain(send, 400, "malformed Content-Length")
                return
            if length > cap:
                await _plain(send, 413, f"request body of {length} bytes is over this server's limit of {cap} bytes")
                return
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                await _plain(send, 408, body_timeout_message(self.timeout))
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                await _plain(send, 413, f"request body is over this server's limit of {cap} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
