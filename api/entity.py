"""Entity pages ``/id/{path}`` and ``/resource?iri=``, and the source view ``/source/{sha256}``.

Pages are assembled from a handful of bounded queries (every list is paged), run by the same
killable workers as the SPARQL endpoint. RDF views of an entity go through the streamed path.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from quyhoach.api import negotiation
from quyhoach.api.entity_model import EntityPage, build_page, build_source_view, paged_group
from quyhoach.api.state import get_state
from quyhoach.api.views import DATA_NS, href, render
from quyhoach.api.workers import Job

router = APIRouter(tags=["Pages"])

EXTENSIONS = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples", ".rdf": "rdfxml"}
IRI_OK = re.compile(r"^[^<>\"{}|^`\\\x00-\x20]+$")


def checked_iri(value: str, what: str = "IRI") -> str:
    """``value`` if it is an absolute IRI that can stand between ``<`` and ``>``; else 400.

    Every IRI a page query is built from passes here first (the same check pyoxigraph applies to
    a term), so no request text can end the IRI and continue the query.
    """
    if len(value) > 2000 or not IRI_OK.match(value):
        raise HTTPException(400, f"not a valid {what}")
    try:
        ox.NamedNode(value)
    except ValueError:
        raise HTTPException(400, f"not a valid {what}") from None
    return value


def _describe(iri: str) -> str:
    iri = checked_iri(iri)
    return (
        f"CONSTRUCT {{ <{iri}> ?p ?o . ?o ?bp ?bo . ?s ?ip <{iri}> }} WHERE {{"
        f" {{ <{iri}> ?p ?o OPTIONAL {{ FILTER(isBlank(?o)) ?o ?bp ?bo }} }}"
        f" UNION {{ ?s ?ip <{iri}> FILTER(?ip != <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject>"
        f" && ?ip != <http://www.w3.org/1999/02/22-rdf-syntax-ns#object>) }} }}"
    )


async def _rdf(request: Request, iri: str, fmt: str | None) -> Response:
    state = get_state(request)
    job = Job(query=_describe(iri), accept=request.headers.get("accept"), format=fmt, html=False,
              max_rows=state.settings.max_rows)
    stream = await state.executor.stream(job)
    return StreamingResponse(stream.body(), media_type=stream.head["media_type"], headers={"Vary": "Accept"})


def _wants_rdf(request: Request) -> str | None:
    """The RDF format the Accept header prefers over HTML (and over ``*/*``), if any."""
    for media, _q in negotiation.parse_accept(request.headers.get("accept")):
        name = negotiation.ALIASES.get(media)
        if name in negotiation.GRAPH_NAMES:
            return name
        if name == "html" or media.endswith("/*"):
            return None
    return None


async def _page(request: Request, iri: str, direction: str | None, prop: str | None, page: int) -> Response:
    iri = checked_iri(iri)
    if prop is not None:
        prop = checked_iri(prop, "property IRI (p)")
    state = get_state(request)
    headers = {"Vary": "Accept"}
    if prop and direction in ("out", "in"):
        group = await paged_group(state, iri, direction, prop, page)
        return render(request, "group.html", {"iri": iri, "group": group, "label": _label(state, iri)}, headers=headers)
    model: EntityPage | None = await build_page(state, iri)
    if model is None:
        raise HTTPException(404, f"nothing is known about {iri}")
    from quyhoach.api.reports import findings_about, report_link

    findings = [(f, report_link(f, iri)) for f in await findings_about(state, iri)]
    return render(request, "entity.html", {"e": model, "findings": findings}, headers=headers)


def _label(state, iri: str) -> str:
    entry = state.index.entries.get(iri) if state.index else None
    return entry.label if entry else iri


@router.get("/id/{path:path}", summary="Page (or RDF) of a data IRI https://w3id.org/quyhoach/id/{path}",
            response_class=Response)
async def entity_page(
    request: Request,
    path: str,
    dir: str | None = Query(None, pattern="^(in|out)$", description="Paging: link direction"),
    p: str | None = Query(None, max_length=2000, description="Paging: property IRI"),
    page: int = Query(1, ge=1, le=100000),
) -> Response:
    """HTML for browsers; Turtle, JSON-LD, N-Triples or RDF/XML by Accept or by extension."""
    for ext, fmt in EXTENSIONS.items():
        if path.endswith(ext):
            return await _rdf(request, DATA_NS + path[: -len(ext)], fmt)
    iri = DATA_NS + path
    fmt = _wants_rdf(request)
    if fmt:
        return await _rdf(request, iri, fmt)
    return await _page(request, iri, dir, p, page)


@router.get("/resource", summary="Page (or RDF) of any IRI", response_class=Response)
async def resource_page(
    request: Request,
    iri: str = Query(..., min_length=1, max_length=2000),
    format: str | None = Query(None, description="turtle, jsonld, ntriples or rdfxml"),
    dir: str | None = Query(None, pattern="^(in|out)$"),
    p: str | None = Query(None, max_length=2000),
    page: int = Query(1, ge=1, le=100000),
) -> Response:
    """Data IRIs redirect to ``/id/…``; other IRIs (ontology terms, external) are shown here."""
    if iri.startswith(DATA_NS) and not format and not dir:
        return RedirectResponse(href(iri), status_code=303)
    iri = checked_iri(iri)
    fmt = negotiation.format_name(format) if format else _wants_rdf(request)
    if fmt and fmt != "html":
        return await _rdf(request, iri, fmt)
    return await _page(request, iri, dir, p, page)


@router.get("/source/{sha256}", summary="A loaded source document with every evidence span marked",
            response_class=Response)
async def source_view(
    request: Request,
    sha256: str,
    start: int | None = Query(None, ge=0),
    end: int | None = Query(None, ge=0),
) -> Response:
    """The normalised text; each quoted span links to what was derived from it."""
    if not re.fullmatch(r"[0-9a-f]{16,64}", sha256):
        raise HTTPException(404, "not a source document key")
    state = get_state(request)
    view = await build_source_view(state, sha256, start, end)
    if view is None:
        raise HTTPException(404, f"no source document {sha256}")
    return render(request, "source.html", {"v": view})


def source_link(sha: str, start: int | None, end: int | None) -> str:
    """The source view with one quote highlighted."""
    if start is None or end is None:
        return f"/source/{sha}"
    return f"/source/{sha}?{urlencode({'start': start, 'end': end})}#focus"
