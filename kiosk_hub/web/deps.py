"""Shared route helpers: the hub behind a request and the problem responses every route documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from kiosk_hub.hub import Hub
from kiosk_hub.wire import Problem


async def _hub(request: Request) -> Hub:  # async: no thread hop for a dict lookup
    hub: Hub = request.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(_hub)]


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json answers of a route (401 and 422 always apply)."""
    return {
        status: {"model": Problem, "content": {"application/problem+json": {}}, "description": "problem"}
        for status in sorted({401, 422, *statuses})
    }
