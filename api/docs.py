"""``/docs``: the API reference as a page rendered here from the OpenAPI schema (no CDN, no script)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from quyhoach.api.views import render

router = APIRouter(tags=["Pages"])
METHODS = ("get", "post", "put", "delete", "head")


@router.get("/docs", summary="API reference (from /openapi.json)", response_class=Response, include_in_schema=False)
async def api_docs(request: Request) -> Response:
    """Every operation of the OpenAPI schema with its parameters; the schema itself at ``/openapi.json``."""
    schema = request.app.openapi()
    operations = []
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                op = item[method]
                operations.append({
                    "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                    "description": op.get("description", ""), "tag": (op.get("tags") or [""])[0],
                    "parameters": op.get("parameters", []),
                })
    return render(request, "docs.html", {"info": schema.get("info", {}), "operations": operations})
