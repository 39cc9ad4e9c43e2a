"""The interactive API documentation (Swagger UI, ReDoc) for signed-in admins at /fleet/docs and /fleet/redoc
(inside the console, where its session cookie goes), or not served at all (`KIOSK_HUB_API_DOCS=off`). /docs and
/redoc lead there. The contract itself, /openapi.json, stays public: it is published with the code and holds no data.

Both pages load their viewer from a CDN (the hub ships no copy); their policy allows that host's scripts and, for
ReDoc's generated styles, inline style — never inline script: the start-up code is /static/api-docs.js."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from kiosk_hub.access.principals import AdminOnly, Public

CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = (
    f"default-src 'none'; script-src 'self' {CDN}; style-src 'self' 'unsafe-inline' {CDN}; "
    f"img-src 'self' data: {CDN}; font-src {CDN} data:; connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_SWAGGER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kiosk HIS API</title>
<link rel="stylesheet" href="{CDN}/npm/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="{CDN}/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""
_REDOC = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kiosk HIS API</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="{CDN}/npm/redoc@2/bundles/redoc.standalone.js"></script></body></html>
"""

router = APIRouter(include_in_schema=False)
contract = APIRouter(include_in_schema=False)


@contract.get("/openapi.json", dependencies=[Public])
def openapi_document(request: Request) -> JSONResponse:
    """The Kiosk HIS API's contract (the same as docs/openapi.json)."""
    return JSONResponse(request.app.openapi())


def _page(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_POLICY, "Cache-Control": "no-store"})


@router.get("/fleet/docs")
def swagger_ui(_admin: AdminOnly) -> HTMLResponse:
    return _page(_SWAGGER)


@router.get("/fleet/redoc")
def redoc(_admin: AdminOnly) -> HTMLResponse:
    return _page(_REDOC)


@router.get("/docs", dependencies=[Public])
def docs_here() -> RedirectResponse:
    return RedirectResponse("/fleet/docs", status_code=307)


@router.get("/redoc", dependencies=[Public])
def redoc_here() -> RedirectResponse:
    return RedirectResponse("/fleet/redoc", status_code=307)


def include(app: FastAPI, mode: str) -> None:
    """The contract always; the interactive pages for admins unless `mode` is "off"."""
    app.include_router(contract)
    if mode == "admin":
        app.include_router(router)
