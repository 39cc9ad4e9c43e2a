"""Shared plumbing of the console pages: templates, language, and the sign-in, CSRF and role checks every page
takes as a FastAPI dependency (`SignedIn`, `AdminChange`): a refused request never reaches the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.datastructures import FormData

from kiosk.domain.dates import VN_TZ
from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet.console import auth
from kiosk_hub.fleet.console.i18n import pick_language, translator
from kiosk_hub.hub import Hub

SESSION_COOKIE = "kh_console"
LANG_COOKIE = "kh_console_lang"
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


def current_user(request: Request) -> auth.ConsoleIdentity | None:
    hub = hub_of(request)
    with hub.writer() as session:
        identity = auth.identify(session, request.cookies.get(SESSION_COOKIE), hub.clock())
        session.commit()
    return identity


def to_login(request: Request, expired: bool = True) -> RedirectResponse:
    response = RedirectResponse("/fleet/login" + ("?expired=1" if expired else ""), status_code=303)
    if request.cookies.get(SESSION_COOKIE):
        response.delete_cookie(SESSION_COOKIE, path="/fleet")
    return response


class ConsoleRefusedError(Exception):
    """A console request answered before its page runs: the sign-in page, or an error page."""

    def __init__(self, response: Response) -> None:
        super().__init__("console request refused")
        self.response = response


async def answer_refusal(_request: Request, exc: Exception) -> Response:
    """The app's handler for `ConsoleRefusedError`: the answer the check built."""
    assert isinstance(exc, ConsoleRefusedError)
    return exc.response


def signed_in(request: Request) -> auth.ConsoleIdentity:
    """The signed-in console user; anyone else is sent to the sign-in page."""
    user = current_user(request)
    if user is None:
        # "Session expired" only to someone who had one: a first visit is just the sign-in page.
        raise ConsoleRefusedError(to_login(request, expired=bool(request.cookies.get(SESSION_COOKIE))))
    return user


SignedIn = Annotated[auth.ConsoleIdentity, Depends(signed_in)]


@dataclass(frozen=True)
class Change:
    """A checked state-changing request: who asked, and the form they sent."""

    user: auth.ConsoleIdentity
    form: FormData


async def admin_change(request: Request, user: SignedIn) -> Change:
    """The user and form of a POST that changes something: signed in, CSRF token right, role admin."""
    form = await request.form()
    if not auth.csrf_matches(user.csrf_token, _text(form.get("csrf"))):
        raise ConsoleRefusedError(render(request, "error.html", 403, user=user, message_key="error.csrf"))
    if not user.is_admin:
        raise ConsoleRefusedError(render(request, "error.html", 403, user=user, message_key="error.forbidden"))
    return Change(user, form)


AdminChange = Annotated[Change, Depends(admin_change)]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def form_text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value if isinstance(value, str) else default
