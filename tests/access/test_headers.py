"""Security headers and cookies: a policy with no inline script or style on every answer (and pages that need none),
no framing, no sniffing, a same-origin referrer; HSTS and Secure cookies when the browser came over HTTPS (a
trusted proxy's X-Forwarded-Proto), not otherwise; the API docs only for signed-in admins, or off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk_hub.access.roles import Role
from kiosk_hub.app import create_app
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import AccessSettings, HubSettings
from kiosk_hub.web.headers import CONTENT_SECURITY_POLICY
from tests.access.routes import leaf_routes
from tests.fleet.console_client import PASSWORD, add_console_user, csrf_of, log_in
from tests.hub.conftest import HubUnderTest
from tests.hub.servers import hub_process, serve_in_thread

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def assert_guarded(answer: httpx.Response) -> None:
    policy = answer.headers["content-security-policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script
    assert "'unsafe-eval'" not in script
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "same-origin"


async def test_every_console_page_and_public_page_is_guarded_and_has_nothing_inline(hub_api: HubUnderTest) -> None:
    add_console_user(hub_api.hub, "it-admin", Role.ADMIN)
    admin = httpx.AsyncClient(transport=hub_api.client._transport, base_url="http://hub.test")
    login = await admin.get("/fleet/login")
    assert_guarded(login)
    assert not INLINE.search(login.text)
    await log_in(admin, "it-admin")
    ticket = (await hub_api.client.post("/api/v1/tickets", json={"department_id": "NOI"},
                                        headers={"Idempotency-Key": "k"})).json()  # fmt: skip
    pages = [
        r.path for r in leaf_routes(create_app(hub_api.hub, background=False).routes)
        if getattr(r, "methods", None) == {"GET"} and r.path.startswith("/fleet") and "{" not in r.path
        and not r.path.startswith(("/fleet/v1", "/fleet/docs", "/fleet/redoc"))
    ]  # fmt: skip
    assert len(pages) >= 10
    for path in [*pages, "/fleet/config/1.json"]:
        answer = await admin.get(path)
        assert_guarded(answer)
        if answer.headers.get("content-type", "").startswith("text/html"):
            assert not INLINE.search(answer.text), path
    status = await hub_api.client.get(ticket["status_url"].removeprefix("http://hub.test"))
    assert status.status_code == 200
    assert not INLINE.search(status.text)
    assert_guarded(status)
    provisional = await hub_api.client.get(f"/t/k/none/{'0' * 32}")
    assert_guarded(provisional)
    assert_guarded(await hub_api.client.get("/api/v1/departments"))
    assert_guarded(await hub_api.client.get("/api/v1/nothing-here"))
    assert "strict-transport-security" not in login.headers  # plain HTTP: no HSTS
    await admin.aclose()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url))
    add_console_user(hub, "it-admin", Role.ADMIN)
    with serve_in_thread(create_app(hub, background=False)) as base:
        yield base
    hub.engine.dispose()


async def sign_in(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    page = await client.get("/fleet/login", headers=headers)
    # Handed back by hand: an HTTP client keeps a Secure cookie off plain http, as a browser would, and this client
    # talks plain http to a hub that believes (from the proxy's header) the browser is on https.
    login_cookie = page.headers["set-cookie"].split(";", 1)[0]
    form = {"csrf": csrf_of(page.text), "username": "it-admin", "password": PASSWORD}
    return await client.post("/fleet/login", data=form, headers={**headers, "Cookie": login_cookie})


@pytest.mark.slow
async def test_over_https_through_a_trusted_proxy_hsts_and_secure_cookies(served: str) -> None:
    async with httpx.AsyncClient(base_url=served) as client:
        plain = await sign_in(client)
        assert "secure" not in plain.headers["set-cookie"].lower()
        assert "strict-transport-security" not in plain.headers
    async with httpx.AsyncClient(base_url=served) as client:
        https = await sign_in(client, **{"X-Forwarded-Proto": "https"})
        assert https.headers["strict-transport-security"] == "max-age=31536000"
        session_cookie = next(c for c in https.headers.get_list("set-cookie") if c.startswith("kh_console="))
        assert "; secure" in session_cookie.lower()
        assert "httponly" in session_cookie.lower()
        assert "samesite=strict" in session_cookie.lower()


@pytest.mark.slow
def test_a_proxy_not_trusted_cannot_claim_https(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    with hub_process(url, {"KIOSK_HUB_PROXY_ADDRESSES": "10.20.30.40"}) as base:
        answer = httpx.get(base + "/fleet/login", headers={"X-Forwarded-Proto": "https"})
        trusted = None
    with hub_process(url) as base:  # the default: the proxy on this host (loopback)
        trusted = httpx.get(base + "/fleet/login", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in answer.headers
    assert trusted.headers["strict-transport-security"] == "max-age=31536000"


async def test_the_api_docs_are_for_signed_in_admins(hub_api: HubUnderTest) -> None:
    assert (await hub_api.client.get("/openapi.json")).json()["info"]["title"] == "Kiosk HIS API"  # public
    assert (await hub_api.client.get("/docs")).headers["location"] == "/fleet/docs"
    assert (await hub_api.client.get("/fleet/docs")).headers["location"] == "/fleet/login"
    add_console_user(hub_api.hub, "it-admin", Role.ADMIN)
    add_console_user(hub_api.hub, "xem", Role.VIEWER)
    async with httpx.AsyncClient(transport=hub_api.client._transport, base_url="http://hub.test") as viewer:
        await log_in(viewer, "xem")
        assert (await viewer.get("/fleet/docs")).status_code == 403
    async with httpx.AsyncClient(transport=hub_api.client._transport, base_url="http://hub.test") as admin:
        await log_in(admin, "it-admin")
        for path in ("/fleet/docs", "/fleet/redoc"):
            page = await admin.get(path)
            assert page.status_code == 200
            assert_guarded(page)
            assert page.headers["content-security-policy"] != CONTENT_SECURITY_POLICY  # its own, for the CDN
            assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)  # still no inline script


async def test_the_api_docs_can_be_off(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url, access=AccessSettings(api_docs="off")))
    add_console_user(hub, "it-admin", Role.ADMIN)
    transport = httpx.ASGITransport(app=create_app(hub, background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as admin:
        await log_in(admin, "it-admin")
        for path in ("/docs", "/redoc", "/fleet/docs", "/fleet/redoc"):
            assert (await admin.get(path)).status_code == 404
        assert (await admin.get("/openapi.json")).status_code == 200
    hub.engine.dispose()
