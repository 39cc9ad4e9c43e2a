"""Everything fleet management adds to the hub's app: the kiosks' fleet API and the admin console."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk_hub.fleet import api
from kiosk_hub.fleet.console import pages, pages_config

router = APIRouter()
router.include_router(api.router)
router.include_router(pages.router)
router.include_router(pages_config.router)
