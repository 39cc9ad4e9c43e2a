"""`GET /healthz`: is this hub process ready, and if not, why. Open to anyone who reaches the hub (load balancers,
monitoring): it tells fault codes and counts, never a path, a name or a setting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from kiosk_hub.access.principals import Public
from kiosk_hub.health.checks import Check, readiness
from kiosk_hub.health.store import StoreFault
from kiosk_hub.web.deps import HubDep
from kiosk_hub.web.problems import STORE_RETRY_AFTER_SECONDS, store_unavailable

if TYPE_CHECKING:
    from kiosk_hub.serving.connections import ConnectionBook

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    dependencies=[Public],
    summary="Readiness: 200 when the store answers, takes writes and is migrated; 503 problem with the reason",
    responses={503: {"description": "not ready: the reason in `detail`", "content": {"application/json": {}}}},
)
async def healthz(
    request: Request,
    hub: HubDep,
    detail: Annotated[bool, Query(description="every check with its facts, and this process's sockets")] = False,
) -> JSONResponse:
    checks = await run_in_threadpool(readiness, hub)
    reasons = [check.fault.value for check in checks.values() if not check.ok and check.fault is not None]
    if not detail:
        if reasons:
            return store_unavailable(StoreFault(reasons[0]))
        return JSONResponse({"status": "ok"})
    body: dict[str, Any] = {
        "status": "failing" if reasons else "ok",
        "reasons": reasons,
        "checks": {name: _shown(check) for name, check in checks.items()},
    }
    book: ConnectionBook | None = getattr(request.app.state, "connections", None)
    if book is not None:
        body["checks"]["connections"] = {
            "open": len(book.open),
            "cap": book.limits.total,
            "refused": book.refused,
            "evicted": book.evicted,
            "timed_out": book.timed_out,
        }
    headers = {"Retry-After": str(STORE_RETRY_AFTER_SECONDS)} if reasons else None
    return JSONResponse(body, status_code=503 if reasons else 200, headers=headers)


def _shown(check: Check) -> dict[str, object]:
    return {"ok": check.ok, **({"fault": check.fault.value} if check.fault else {}), **check.facts}
