"""Console pages to sign in and out, switch language, and change one's own password.

Sign-in goes through `SignInGate` (throttled per account and address, argon2 off the event loop, failures audited).
The sign-in form's CSRF token is a double-submit cookie: there is no session yet to hold one."""

from __future__ import annotations

import asyncio
import secrets

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from kiosk.domain.language import LANGUAGES
from kiosk_hub.access import sessions
from kiosk_hub.access.passwords import HasherBusyError, PasswordTooShortError
from kiosk_hub.access.principals import SESSION_COOKIE, OwnChange, Public, SignedIn, current_user
from kiosk_hub.access.roles import MIN_PASSWORD_LENGTH, Role
from kiosk_hub.access.sign_in import SignedInNow
from kiosk_hub.access.users import set_password_hash
from kiosk_hub.fleet.console.web import (
    COOKIE_PATH,
    LANG_COOKIE,
    form_text,
    hub_of,
    over_https,
    render,
    set_console_cookie,
    to_login,
)
from kiosk_hub.fleet.models import ConsoleUser
from kiosk_hub.hub import Hub

router = APIRouter(prefix="/fleet", include_in_schema=False)
LOGIN_CSRF_COOKIE = "kh_login_csrf"
# A refused attempt is answered only after this long (or its wait, if shorter): a client that waits for each answer
# (a script, a browser) slows to a few attempts a minute, and a waiting request costs a socket, no CPU.
SLOW_REFUSAL_SECONDS = 3.0


def client_address(request: Request) -> str:
    """The browser's address: uvicorn puts the one a trusted proxy forwarded here (`KIOSK_HUB_PROXY_ADDRESSES`)."""
    return request.client.host if request.client else "unknown"


def _login_form(request: Request, status: int = 200, **notice: object) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status, csrf=token, user=None, **notice)
    set_console_cookie(request, response, LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login", dependencies=[Public])
def login_page(request: Request, expired: int = 0, failed: int = 0) -> Response:
    return _login_form(request, expired=expired, failed=failed)


@router.post("/login", dependencies=[Public])
async def login(request: Request) -> Response:
    form = await request.form()
    if not sessions.csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form_text(form, "csrf") or None):
        return render(request, "error.html", 403, user=None, message_key="error.csrf")
    username, password = form_text(form, "username")[:64], form_text(form, "password")[:200]
    outcome = await hub_of(request).access.sign_in.attempt(username, password, client_address(request))
    if isinstance(outcome, SignedInNow):
        home = "/fleet/account" if outcome.role == Role.STAFF else "/fleet"
        signed_in = RedirectResponse(home, status_code=303)
        set_console_cookie(request, signed_in, SESSION_COOKIE, outcome.session_token)
        signed_in.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH, secure=over_https(request), httponly=True)
        return signed_in
    if outcome.reason == "wrong_credentials":
        return RedirectResponse("/fleet/login?failed=1", status_code=303)
    status = 503 if outcome.reason == "busy" else 429
    if status == 429:
        await asyncio.sleep(min(outcome.retry_after_seconds, SLOW_REFUSAL_SECONDS))
    response = _login_form(request, status, refused=outcome.reason, wait=outcome.retry_after_seconds)
    response.headers["Retry-After"] = str(outcome.retry_after_seconds)
    return response


@router.post("/logout", dependencies=[Public])
async def logout(request: Request) -> Response:
    user = await run_in_threadpool(current_user, request)
    form = await request.form()
    if user is not None and sessions.csrf_matches(user.csrf_token, form_text(form, "csrf") or None):
        await hub_of(request).write(_close_session, hub_of(request), request.cookies.get(SESSION_COOKIE))
    return to_login(request, expired=False)


def _close_session(hub: Hub, token: str | None) -> None:
    with hub.writer() as session:
        sessions.close_session(session, token)
        session.commit()


@router.get("/lang/{lang}", dependencies=[Public])
def switch_language(lang: str, request: Request) -> Response:
    back = request.headers.get("referer", "/fleet")
    response = RedirectResponse(back if back.startswith(str(request.base_url)) else "/fleet", status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, samesite="lax", path=COOKIE_PATH, max_age=365 * 86400, secure=over_https(request)
        )
    return response


@router.get("/account")
def account_page(request: Request, user: SignedIn, changed: int = 0) -> Response:
    return render(request, "account.html", user=user, changed=changed, min_length=MIN_PASSWORD_LENGTH)


@router.post("/account/password")
async def change_own_password(request: Request, change: OwnChange) -> Response:
    """The current password, then the new one twice; every session of the user ends (this one too)."""
    hub, user = hub_of(request), change.user
    new, again = form_text(change.form, "new_password")[:200], form_text(change.form, "new_password_again")[:200]
    with hub.reader() as session:
        row = session.get(ConsoleUser, user.username)
        stored = row.password_hash if row is not None else None
    problem = ""
    try:
        if not await hub.access.hasher.verify(stored, form_text(change.form, "password")[:200]):
            problem = "account.wrong_password"
        elif new != again:
            problem = "account.mismatch"
        else:
            new_hash = await hub.access.hasher.hash(new)
            await hub.write(_store_password, hub, user.username, new_hash)
            return to_login(request, expired=False)
    except PasswordTooShortError:
        problem = "account.too_short"
    except HasherBusyError:
        problem = "account.busy"
    return render(request, "account.html", 422, user=user, problem=problem, min_length=MIN_PASSWORD_LENGTH)


def _store_password(hub: Hub, username: str, password_hash: str) -> None:
    with hub.writer() as session:
        set_password_hash(session, username, password_hash, username, hub.clock())
        session.commit()
