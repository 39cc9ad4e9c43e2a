"""Every page of the admin console but sign-in itself sends a visitor without a session to the sign-in page.

The check is a FastAPI dependency each page declares; this walks the app's own routes, so a page added without it
fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from kiosk_hub.app import create_app
from tests.hub.conftest import HubUnderTest

OPEN_TO_ALL = {"/fleet/login", "/fleet/logout", "/fleet/lang/{lang}"}


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
        if included is not None:
            yield from api_routes(included.routes)


def console_pages(routes: Sequence[BaseRoute]) -> list[tuple[str, str]]:
    """(method, path with its parameters filled in) of every console page."""
    pages = []
    for route in api_routes(routes):
        if not route.path.startswith("/fleet"):
            continue
        if route.path.startswith("/fleet/v1") or route.path in OPEN_TO_ALL:
            continue  # the kiosks' fleet API (bearer tokens), and the pages a visitor needs to sign in
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        pages += [(method, path) for method in sorted(route.methods)]
    return pages


async def test_every_console_page_needs_a_signed_in_user(hub_api: HubUnderTest) -> None:
    pages = console_pages(create_app(hub_api.hub, background=False).routes)
    assert len(pages) >= 15  # the walk found the console (pages.py and pages_config.py)
    for method, path in pages:
        answer = await hub_api.client.request(method, path, data={"csrf": "anything"} if method == "POST" else None)
        # No session cookie: a first visit, not an expired session.
        assert (answer.status_code, answer.headers.get("location")) == (303, "/fleet/login"), (method, path)


async def test_a_made_up_session_is_sent_to_sign_in_and_its_cookie_dropped(hub_api: HubUnderTest) -> None:
    hub_api.client.cookies.set("kh_console", "made-up-token", domain="hub.test", path="/fleet")
    answer = await hub_api.client.get("/fleet/audit")
    assert (answer.status_code, answer.headers["location"]) == (303, "/fleet/login?expired=1")
    assert 'kh_console=""' in answer.headers["set-cookie"]
