"""Everything fleet management adds to the hub's app: the kiosks' fleet API and the admin console."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk_hub.fleet import api

router = APIRouter()
router.include_router(api.router)
