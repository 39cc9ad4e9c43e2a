"""`GET /healthz` for load balancers and systemd checks: 200 `{"status": "ok"}` when this process's store answers,
503 otherwise. No sign-in, nothing about the hospital in it; HAProxy asks it every second (deploy/haproxy/)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kiosk_hub.web.deps import HubDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(hub: HubDep) -> JSONResponse:
    try:
        with hub.reader() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable"}, status_code=503, headers={"Cache-Control": "no-store"})
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
