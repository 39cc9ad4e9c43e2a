"""application/problem+json answers for every error, so the kiosk handles one shape with stable codes."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk_hub.errors import HubError
from kiosk_hub.health.store import StoreFault, store_fault
from kiosk_hub.wire import Problem

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("kiosk_hub.api")

# How long a kiosk waits before asking again when the store fails: IT needs minutes to free a disk, and the kiosk
# issues from its offline lease meanwhile, so asking sooner only adds load.
STORE_RETRY_AFTER_SECONDS = 30

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(exclude_none=True), status_code=problem.status, media_type=PROBLEM_JSON, headers=headers
    )


def store_unavailable(fault: StoreFault) -> JSONResponse:
    """503 for a store that cannot take the request now (disk full, read-only, unreachable, busy)."""
    problem = Problem(
        title="The hub's database cannot take requests now",
        status=503,
        code="store_unavailable",
        detail=fault.value,
        message_key="hub.store_unavailable",
    )
    return problem_response(problem, {"Retry-After": str(STORE_RETRY_AFTER_SECONDS)})


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, exc: HubError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer", **exc.headers} if exc.status == 401 else exc.headers
        problem = Problem(title=exc.title, status=exc.status, code=exc.code, message_key=exc.message_key)
        return problem_response(problem, headers or None)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # The detail names fields and reasons only: echoing the input could put an ID number in a log or screen.
        fields = sorted({".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()})
        problem = Problem(
            title="The request is not valid",
            status=422,
            code="validation_failed",
            detail="invalid: " + ", ".join(fields),
            message_key="hub.validation_failed",
        )
        return problem_response(problem)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        problem = Problem(title=str(exc.detail), status=exc.status_code, code=code, message_key=f"hub.{code}")
        return problem_response(problem, dict(exc.headers) if exc.headers else None)

    # Store errors get handlers of their own (not the catch-all below): Starlette re-raises what reaches the catch-all
    # after answering, and uvicorn then closes the connection, dropping whatever the client had sent next on it.
    @app.exception_handler(SQLAlchemyError)
    @app.exception_handler(OSError)
    async def _store(request: Request, exc: Exception) -> JSONResponse:
        fault = store_fault(exc)
        if fault is None:
            return _internal_error(request, exc)
        request.app.state.hub.store.failed(fault)
        log.warning("store failure on %s %s: %s", request.method, request.url.path, fault.value)
        return store_unavailable(fault)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return _internal_error(request, exc)


def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    problem = Problem(title="Internal error", status=500, code="internal_error", message_key="hub.internal_error")
    return problem_response(problem)
