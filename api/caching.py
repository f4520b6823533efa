"""HTTP caching for a read-only server: an ``ETag`` per request, ``304 Not Modified`` without any query.

While a server runs without a token its store does not change, so the answer to a ``GET`` is
fixed by the request itself (path, query string, the ``Accept`` headers) and by the server's
state: its start (``generation``) and whether the home counts and label index are in yet. The
tag is worked out from those before anything runs; a client that sends it back in
``If-None-Match`` gets ``304`` at once. Answers carry ``Cache-Control: no-cache`` (a cache may keep
them, and asks again each time, cheaply). ``/static`` has its own tags (the file server's).
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quyhoach.api.middleware import SECURITY_HEADERS

VARY_ON = (b"accept", b"accept-language")


def request_tag(scope: Scope, generation: str) -> str:
    """The weak entity tag of a ``GET``/``HEAD`` request's answer."""
    return tag_of(scope.get("raw_path") or scope["path"].encode(), scope.get("query_string", b""),
                  dict(scope.get("headers", [])), generation)


def tag_of(raw_path: bytes, query_string: bytes, headers: dict[bytes, bytes], generation: str) -> str:
    """The weak entity tag of the answer to a request with these parts (header names in lower case)."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(generation.encode())
    for part in (raw_path, query_string, *(headers.get(name, b"") for name in VARY_ON)):
        digest.update(b"\0" + part)
    return f'W/"{digest.hexdigest()}"'


def state_generation(generation: str, state) -> str:
    """The part of a tag that changes with the server: its start, and whether the label index is in."""
    return f"{generation}-{'1' if state is not None and state.summary is not None else '0'}"


def not_modified_headers(tag: str) -> list[tuple[bytes, bytes]]:
    """The headers of a ``304`` answer for ``tag``."""
    return [(b"etag", tag.encode()), (b"cache-control", b"no-cache"), (b"vary", b"Accept"), *SECURITY_HEADERS]


def matches(header: bytes | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``tag``."""
    if not header:
        return False
    # "*" is not taken as a match: whether the resource exists (or the query is valid) is known
    # only after running it, and a 304 must not stand for a 404 or a 400
    wanted = [t.strip() for t in header.decode("latin-1").split(",")]
    return tag in wanted or tag[2:] in wanted


class ReadOnlyCaching:
    """ASGI middleware: ``ETag`` and ``Cache-Control`` on successful ``GET``s, ``304`` on a match."""

    def __init__(self, app: ASGIApp, generation: str) -> None:
        self.app = app
        self.generation = generation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        state = getattr(scope["app"].state, "qh", None) if "app" in scope else None
        tag = request_tag(scope, state_generation(self.generation, state))
        if matches(dict(scope.get("headers", [])).get(b"if-none-match"), tag):
            await send({"type": "http.response.start", "status": 304, "headers": not_modified_headers(tag)})
            await send({"type": "http.response.body", "body": b""})
            return

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(b"etag", tag.encode())]
                if b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-cache"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, tagged)
