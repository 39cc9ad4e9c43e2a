"""Everything fleet management adds to the hub's app: the kiosks' fleet API and the admin console."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from kiosk_hub.access.principals import ConsoleRefusedError
from kiosk_hub.calling import routes_pages as calling_pages
from kiosk_hub.fleet import api
from kiosk_hub.fleet.console import (
    pages,
    pages_access_log,
    pages_config,
    pages_departments,
    pages_integrations,
    pages_settings,
    pages_sign_in,
    pages_users,
)
from kiosk_hub.fleet.console.web import answer_refusal
from kiosk_hub.releases import api as release_api
from kiosk_hub.releases import console as release_console

router = APIRouter()
router.include_router(api.router)
router.include_router(release_api.router)
router.include_router(release_console.router)
router.include_router(pages.router)
router.include_router(pages_config.router)
router.include_router(pages_settings.router)
router.include_router(pages_departments.router)
router.include_router(pages_sign_in.router)
router.include_router(pages_users.router)
router.include_router(pages_integrations.router)
router.include_router(pages_access_log.router)
router.include_router(pages_access_log.csv_router)
router.include_router(calling_pages.router)


def include(app: FastAPI) -> None:
    """The fleet's routes, and the console's answer to a request its sign-in or role check refused."""
    app.include_router(router)
    app.add_exception_handler(ConsoleRefusedError, answer_refusal)
