"""The calling kiosk of a request, from its bearer token (a FastAPI dependency for every kiosk-facing route)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kiosk_hub import errors
from kiosk_hub.kiosk_tokens import KioskGate

bearer = HTTPBearer(
    auto_error=False, description="the kiosk's token, from its enrolment with a one-time code made in the console"
)


async def current_kiosk(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str:
    """The id of the calling kiosk; 401 problem otherwise."""
    if credentials is None or len(credentials.credentials) > 200:
        raise errors.unauthorized()
    gate: KioskGate = request.app.state.hub.gate
    kiosk_id = gate.cached(credentials.credentials) or await run_in_threadpool(gate.kiosk_id, credentials.credentials)
    if kiosk_id is None:
        raise errors.unauthorized()
    return kiosk_id


KioskId = Annotated[str, Depends(current_kiosk)]
