"""Jinja2 templates (autoescaped) and the small helpers every page uses."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from quyhoach.api.terms import Term
from quyhoach.namespaces import ID, PREFIXES

HERE = Path(__file__).resolve().parent
DATA_NS = str(ID)

EDITOR_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
#: The known namespaces, longest first (the most specific one wins in :func:`short`).
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def href(iri: str | Term) -> str:
    """The page of an IRI on this server: ``/id/…`` for data IRIs, ``/resource?iri=…`` otherwise."""
    value = iri.value if isinstance(iri, Term) else str(iri)
    if value.startswith(DATA_NS) and len(value) > len(DATA_NS):
        return "/id/" + quote(value[len(DATA_NS):], safe="/-._~")
    return "/resource?" + urlencode({"iri": value})


def short(iri: str | Term) -> str:
    """``qh:Province`` for a known namespace, the IRI itself otherwise."""
    value = iri.value if isinstance(iri, Term) else str(iri)
    for prefix, ns in _LONGEST_FIRST:
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


def editor_link(query: str) -> str:
    """A link that opens the editor with ``query`` (prefixes added)."""
    return "/editor?" + urlencode({"query": EDITOR_PREFIXES + "\n" + query})


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html", "htm", "xml"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package: no file check per render
    )
    env.filters["href"] = href
    env.filters["short"] = short
    env.globals["editor_link"] = editor_link
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: dict,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``templates/{name}`` for ``request``."""
    return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)
