"""Which remote hosts a query or update would contact, decided on its parse, and the allow-list.

The SPARQL engine calls the endpoint of every ``SERVICE`` and the source of every ``LOAD``
itself, so the web process decides before a worker sees the text. The decision is made on a
full parse (the SPARQL grammar of :mod:`rdflib.plugins.sparql.parser`, which applies
``\\u`` escapes, prefixes and ``BASE`` exactly as the grammar says), never on a search in the
text: a request whose text could hold the keyword and that does not parse is refused.

A text in which neither ``service`` nor ``load`` occurs in any letter case, and that has no
``\\u``/``\\U`` escape, cannot contain either keyword; it skips the parse (a substring test of
a few microseconds instead of milliseconds of parsing).

Targets are compared with the allow-list after normalisation: scheme ``http``/``https``, host
(lower case, IDNA, IPv4 in any legacy spelling such as ``2130706433`` or ``0x7f.1`` read as the
address it names), port (the scheme's default when absent). A target with user information is
refused; a host that is an IP address matches only an entry naming that same address, so
loopback, private and link-local ranges are never reachable unless listed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from quyhoach.api.workers import QueryFailed

DEFAULT_PORTS = {"http": 80, "https": 443}
#: Longest text that is given the full parse (the parser is pure Python: ~1 s for 10 kB of expressions).
MAX_PARSED_CHARS = 20_000
_TRIGGERS = ("service", "load", "\\u")


@dataclass(frozen=True)
class Endpoint:
    """A normalised remote endpoint: scheme, host and port."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class Remote:
    """One remote access of a request: ``SERVICE`` or ``LOAD`` and its target (``None``: a variable)."""

    keyword: str
    target: str | None


def may_reach_out(text: str) -> bool:
    """Whether ``text`` could contain ``SERVICE`` or ``LOAD`` at all (a necessary condition)."""
    lowered = text.lower()
    return any(t in lowered for t in _TRIGGERS)


def remote_calls(text: str, update: bool) -> list[Remote]:
    """Every ``SERVICE``/``LOAD`` of a query (or update) with its resolved target.

    Raises :class:`QueryFailed` (400) when the text could reach out but does not parse.
    """
    if not may_reach_out(text):
        return []
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.algebra import translatePrologue

    try:
        parsed = parser.parseUpdate(text) if update else parser.parseQuery(text)
    except RecursionError:
        raise QueryFailed(400, "the request is nested too deeply to check") from None
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise QueryFailed(400, f"syntax error: {first[:300]}") from None
    if update:
        units = list(zip(parsed.prologue, parsed.request, strict=False))
    else:
        units = [(parsed[0], parsed[1])]
    found: list[Remote] = []
    prologue = None
    for prologue_part, body in units:
        try:
            prologue = translatePrologue(prologue_part, None, None, prologue)
        except Exception as exc:
            raise QueryFailed(400, f"bad prologue: {exc}") from None
        for keyword, term in _walk(body):
            found.append(Remote(keyword, _resolve(prologue, term)))
    return found


def _walk(node) -> Iterator[tuple[str, object]]:
    """``(keyword, term)`` for every SERVICE pattern and LOAD operation below ``node``."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                yield "SERVICE", item.get("term")
            elif item.name == "Load":
                yield "LOAD", item.get("iri")
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(item)


def _resolve(prologue, term) -> str | None:
    from rdflib.term import URIRef, Variable

    if isinstance(term, Variable) or term is None:
        return None
    try:
        value = prologue.absolutize(term)
    except Exception as exc:
        raise QueryFailed(400, f"bad SERVICE/LOAD target: {exc}") from None
    if not isinstance(value, URIRef):
        raise QueryFailed(400, "bad SERVICE/LOAD target")
    text = str(value)
    if prologue.base and not urlsplit(text).scheme:
        text = urljoin(str(prologue.base), text)
    return text


def normalise(target: str) -> Endpoint:
    """The endpoint a target IRI (or an allow-list entry) names; ``ValueError`` if it is not one."""
    if "://" not in target:
        target = "http://" + target
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"scheme {scheme or 'none'} is not http or https")
    if "@" in parts.netloc:
        raise ValueError("user information in the address")
    host = parts.hostname or ""
    if not host:
        raise ValueError("no host")
    port = parts.port or DEFAULT_PORTS[scheme]  # (.port raises ValueError when malformed)
    return Endpoint(scheme, _canonical_host(host), port)


def _canonical_host(host: str) -> str:
    host = host.rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    if all(c in "0123456789abcdefx." for c in host) and any(c.isdigit() for c in host):
        try:  # 2130706433, 0x7f.1, 0177.0.0.1: the legacy IPv4 spellings resolvers accept
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            pass
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"bad host name {host!r}") from exc


def allow_list(entries: tuple[str, ...]) -> tuple[set[Endpoint], set[tuple[str, int | None]]]:
    """Parse allow-list entries: ``host``, ``host:port`` or ``scheme://host[:port]``.

    Returns exact endpoints (entries with a scheme) and ``(host, port or None)`` pairs (a bare
    ``host`` allows both schemes on their default ports).
    """
    exact: set[Endpoint] = set()
    loose: set[tuple[str, int | None]] = set()
    for entry in entries:
        if "://" in entry:
            exact.add(normalise(entry))
            continue
        parts = urlsplit("//" + entry)
        if parts.hostname is None or "@" in parts.netloc:
            raise ValueError(f"bad --allow-service entry {entry!r}")
        loose.add((_canonical_host(parts.hostname), parts.port))
    return exact, loose


def allowed(endpoint: Endpoint, entries: tuple[str, ...]) -> bool:
    """Whether the normalised ``endpoint`` is on the allow-list ``entries``."""
    exact, loose = allow_list(entries)
    if endpoint in exact:
        return True
    if (endpoint.host, endpoint.port) in loose:
        return True
    return (endpoint.host, None) in loose and endpoint.port == DEFAULT_PORTS[endpoint.scheme]


def check(text: str, update: bool, entries: tuple[str, ...]) -> list[Remote]:
    """Refuse (403) a request that would contact a host off the allow-list; return its remote calls.

    With an empty allow-list every ``SERVICE`` and ``LOAD`` is refused.
    """
    calls = remote_calls(text, update)
    for call in calls:
        if call.target is None:
            raise QueryFailed(403, f"{call.keyword} with a variable endpoint is not allowed on this server")
        if not entries:
            raise QueryFailed(
                403, f"{call.keyword} is disabled: this server's allow-list of remote hosts is empty"
                " (start it with --allow-service HOST to permit one)")
        try:
            endpoint = normalise(call.target)
        except ValueError as exc:
            raise QueryFailed(400, f"bad {call.keyword} target: {exc}") from None
        if not allowed(endpoint, entries):
            raise QueryFailed(
                403,
                f"{call.keyword} target {endpoint} is not on this server's allow-list"
                " (start the server with --allow-service HOST to permit it)",
            )
    return calls
