"""Shared plumbing of the console pages: templates, language, cookies, and the answer to a request the access
dependencies refused (`kiosk_hub.access.principals`): the sign-in page, or an error page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.datastructures import FormData

from kiosk.domain.dates import VN_TZ
from kiosk_hub.access.principals import SESSION_COOKIE, ConsoleRefusedError
from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet.console.i18n import pick_language, translator
from kiosk_hub.hub import Hub

LANG_COOKIE = "kh_console_lang"
COOKIE_PATH = "/fleet"
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def local_time(moment: datetime | None) -> Markup:
    """A stored (UTC) moment as the hospital reads it: Vietnam time, day first, the exact instant kept in the tag."""
    if moment is None:
        return Markup("—")
    local = as_utc(moment).astimezone(VN_TZ)
    return Markup('<time datetime="{}">{}</time>').format(local.isoformat(), local.strftime("%d/%m/%Y %H:%M:%S"))


def word(t: Callable[[str], str], key: str, fallback: str) -> str:
    """The translation of `key`, or `fallback` (a device or state the console has no word for yet)."""
    text = t(key)
    return fallback if text == key else text


templates.env.filters["local_time"] = local_time
templates.env.globals["word"] = word
_REFUSAL_KEYS = {"csrf": "error.csrf", "forbidden": "error.forbidden"}


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def language(request: Request) -> str:
    return pick_language(request.cookies.get(LANG_COOKIE))


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    return templates.TemplateResponse(
        request, name, {"t": translator(lang), "lang": lang, **context}, status_code=status
    )


def over_https(request: Request) -> bool:
    """Whether the browser reached the hub over HTTPS (the scheme a trusted proxy forwarded counts): cookies are
    then marked Secure, so a plain-HTTP request never carries them."""
    return request.url.scheme == "https"


def set_console_cookie(request: Request, response: Response, name: str, value: str, **options: Any) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="strict", path=COOKIE_PATH, secure=over_https(request), **options
    )


def to_login(request: Request, expired: bool = True) -> RedirectResponse:
    response = RedirectResponse("/fleet/login" + ("?expired=1" if expired else ""), status_code=303)
    if request.cookies.get(SESSION_COOKIE):
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, secure=over_https(request), httponly=True)
    return response


async def answer_refusal(request: Request, exc: Exception) -> Response:
    """The app's handler for `ConsoleRefusedError`: no session → the sign-in page; else the error page."""
    assert isinstance(exc, ConsoleRefusedError)
    if exc.kind == "sign_in":
        # "Session expired" only to someone who had one: a first visit is just the sign-in page.
        return to_login(request, expired=bool(request.cookies.get(SESSION_COOKIE)))
    return render(request, "error.html", 403, user=exc.user, message_key=_REFUSAL_KEYS[exc.kind])


def form_text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value if isinstance(value, str) else default
