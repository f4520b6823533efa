"""Home, search, ontology documentation and the query editor."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from quyhoach.api.negotiation import parse_accept
from quyhoach.api.ontology_doc import ontology_terms
from quyhoach.api.state import get_state
from quyhoach.api.views import EDITOR_PREFIXES, href, render, short
from quyhoach.namespaces import DCTERMS, QH

router = APIRouter(tags=["Pages"])

DOCUMENTS_QUERY = f"""
SELECT ?doc ?sha (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date) (SAMPLE(?pub) AS ?publisher) WHERE {{
  ?doc a <{QH.SourceDocument}> ; <{QH.sha256}> ?sha .
  OPTIONAL {{ ?doc <{DCTERMS.title}> ?t }} OPTIONAL {{ ?doc <{DCTERMS.date}> ?d }}
  OPTIONAL {{ ?doc <{DCTERMS.publisher}> ?pub }}
}} GROUP BY ?doc ?sha ORDER BY ?date ?doc
"""

DEFAULT_QUERY = """SELECT ?class (COUNT(?s) AS ?n) WHERE {
  ?s a ?class .
} GROUP BY ?class ORDER BY DESC(?n) LIMIT 20
"""


#: Loaded documents listed per home page (the rest by the page's "next" link).
DOCUMENTS_PER_PAGE = 50


@router.get("/", summary="Home page", response_class=Response)
async def home(
    request: Request,
    page: int = Query(1, ge=1, le=1_000_000, description="Page of the list of loaded documents"),
) -> Response:
    """What the graph holds: counts by class, named graphs, loaded documents (a page at a time); search box."""
    state = get_state(request)
    summary = state.summary  # counted once per store state (quyhoach.api.summary), never per request
    vocabulary = state.vocabulary
    counts = [
        {"iri": c, "label": (vocabulary.get(c, (None, None))[1] or short(c)), "count": n}
        for c, n in (summary.classes if summary else [])
    ]
    total = summary.documents if summary else 0
    offset = (page - 1) * DOCUMENTS_PER_PAGE
    documents = summary.document_page(offset, DOCUMENTS_PER_PAGE) if summary else []
    return render(request, "home.html", {
        "counts": counts, "graphs": summary.graphs if summary else 0, "triples": summary.triples if summary else 0,
        "documents": documents, "document_count": total, "counting": summary is None,
        "page": page, "first": offset + 1, "last": offset + len(documents),
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if offset + DOCUMENTS_PER_PAGE < total else None,
        "indexed": len(state.index) if state.index else 0,
    })


def _wants_json(request: Request, fmt: str | None) -> bool:
    if fmt:
        return fmt == "json"
    accepted = parse_accept(request.headers.get("accept"))
    return bool(accepted) and accepted[0][0] in ("application/json", "application/*")


#: Most words a search may have (each word is matched against every label).
MAX_SEARCH_WORDS = 12


@router.get("/search", summary="Search labels (accents and case ignored)", response_class=Response)
async def search(
    request: Request,
    q: str = Query("", max_length=200, description="Words to find, e.g. 'lang son'"),
    limit: int = Query(50, ge=1, le=500),
    format: str | None = Query(None, pattern="^(json|html)$"),
) -> Response:
    """HTML results, or JSON with ``Accept: application/json`` (or ``format=json``)."""
    state = get_state(request)
    if len(q.split()) > MAX_SEARCH_WORDS:
        raise HTTPException(400, f"search for at most {MAX_SEARCH_WORDS} words")
    # (indexed SQLite reads, best candidates first: in a thread, so the event loop keeps serving)
    hits = await run_in_threadpool(state.index.search, q, limit) if state.index and q.strip() else []
    if _wants_json(request, format):
        return JSONResponse({
            "query": q,
            "results": [
                {"iri": h.entry.iri, "label": h.entry.label, "label_vi": h.entry.label_vi,
                 "label_en": h.entry.label_en, "type": h.entry.type, "page": href(h.entry.iri)}
                for h in hits
            ],
        })
    return render(request, "search.html", {"q": q, "hits": hits, "vocabulary": state.vocabulary})


@router.get("/ontology", summary="Ontology documentation", response_class=Response)
async def ontology(request: Request) -> Response:
    """Every class and property of the ontology graph: labels, comments, domains, ranges."""
    state = get_state(request)
    classes, properties = await ontology_terms(state)
    return render(request, "ontology.html", {"classes": classes, "properties": properties})


def example_queries() -> list[dict[str, str]]:
    """Named queries shipped in ``queries/`` (``*.rq``), offered as examples in the editor."""
    out: list[dict[str, str]] = []
    try:
        folder = resources.files("quyhoach.queries")
    except ModuleNotFoundError:
        return out
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq") and entry.is_file():
            out.append({"name": entry.name[:-3], "query": entry.read_text(encoding="utf-8")})
    return out


@router.get("/editor", summary="SPARQL query editor", response_class=Response)
async def editor(
    request: Request,
    query: str | None = Query(None, max_length=100_000),
    plain: bool = Query(False, description="Use the plain text-area editor even when YASGUI is installed"),
) -> Response:
    """A form that posts to ``/sparql`` (works without JavaScript); YASGUI on top when installed."""
    from quyhoach.api.assets import installed_versions, vendor_ready
    from quyhoach.namespaces import PREFIXES

    return render(request, "editor.html", {
        "query": query if query is not None else EDITOR_PREFIXES + "\n" + DEFAULT_QUERY,
        "examples": example_queries(),
        "updates": bool(get_state(request).settings.token),
        "yasgui": vendor_ready() and not plain,
        "yasgui_version": installed_versions().get("@zazuko/yasgui", {}).get("version", ""),
        "prefixes": dict(PREFIXES),
    })
