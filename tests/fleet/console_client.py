"""A console user driving the pages over HTTP as a browser would (forms, cookies, CSRF fields), for fast tests."""

from __future__ import annotations

import re

import httpx

from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import add_user
from kiosk_hub.hub import Hub

PASSWORD = "mật-khẩu-đủ-dài-42"


def add_console_user(hub: Hub, username: str, role: Role) -> None:
    with hub.writer() as session:
        add_user(session, username, PASSWORD, role, "test", hub.clock())
        session.commit()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/fleet/login")
    form = {"csrf": csrf_of(page.text), "username": username, "password": password}
    return await client.post("/fleet/login", data=form)


async def post_form(client: httpx.AsyncClient, page_url: str, action: str, data: dict[str, str]) -> httpx.Response:
    """Load the page that holds the form (for its CSRF token), then post the form."""
    page = await client.get(page_url)
    assert page.status_code == 200, page.text
    return await client.post(action, data={"csrf": csrf_of(page.text), **data})


def editor_form(html: str) -> dict[str, str]:
    """The editor's fields with their current values, as the browser would post them (single values only)."""
    form: dict[str, str] = {"csrf": csrf_of(html)}
    for name, value in re.findall(r'<input (?:type="number" )?name="([\w.]+)" value="([^"]*)"', html):
        form[name] = value
    for name, value in re.findall(r'<input type="hidden" name="([\w.]+)" value="([^"]*)"', html):
        form.setdefault(name, value)
    for name, body in re.findall(r'<select name="([\w.]+)">(.*?)</select>', html, re.DOTALL):
        chosen = re.search(r'value="([^"]*)" selected', body)
        if chosen:
            form[name] = chosen.group(1)
    form["languages"] = "vi"
    return form
