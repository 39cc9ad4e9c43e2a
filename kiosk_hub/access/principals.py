"""The dependency each route states for who may call it, one per principal:

- `KioskPrincipal`: an enrolled kiosk (bearer token); tickets further limited to the kiosk's own (`grants.py`).
- `ConsoleReader` (admin, viewer), `AdminOnly`, `AdminChange` (admin, CSRF), `SignedIn` (any console user):
  the admin console's session cookie.
- `StaffCaller`: staff of the department in the path (or an admin), console session and CSRF token; `StaffReader`
  the same people opening its calling page; `StaffChange`: staff of any department (or an admin), with the CSRF
  token (the help calls' acknowledgement).
- `integration(scope)`: an integration credential (bearer token) holding the scope.
- `ScreenPrincipal`: an enrolled waiting-room screen (its cookie).
- `Public`, and `stated("…")` for a handler that checks its own credential on a hot path.

Each is registered with a rule name in `RULES`; the authorisation test walks every route of the app and fails one
that states no rule, then checks each rule against every kind of caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import FormData

from kiosk_hub import errors
from kiosk_hub.access.integrations import Integration
from kiosk_hub.access.roles import Role, Scope
from kiosk_hub.access.sessions import ConsoleIdentity, csrf_matches, identify
from kiosk_hub.calling.screens import Screen
from kiosk_hub.hub import Hub

SESSION_COOKIE = "kh_console"
RULES: dict[Callable[..., Any], str] = {}
bearer = HTTPBearer(
    auto_error=False,
    description="a kiosk's token (from its enrolment with a one-time code) or an integration credential (`khi_…`)",
)


def _rule(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(dependency: Callable[..., Any]) -> Callable[..., Any]:
        RULES[dependency] = name
        return dependency

    return register


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


# --- public, and rules a handler enforces itself ----------------------------------------------------------------


@_rule("public")
async def _public() -> None:
    """Anyone: the ticket status pages, health, sign-in, static files, the published contract."""


Public = Depends(_public)


def stated(rule: str) -> Any:
    """A route whose handler checks the credential itself (the heartbeat's hot path reads the token without the
    dependency machinery); the authorisation test holds the handler to `rule` like any other."""

    async def _stated() -> None:
        return None

    _rule(rule)(_stated)
    return Depends(_stated)


# --- kiosks --------------------------------------------------------------------------------------------------------


@_rule("kiosk")
async def _kiosk(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    """The id of the calling kiosk; 401 problem otherwise (a revoked kiosk within a second, on every process)."""
    if credentials is None or len(credentials.credentials) > 200:
        raise errors.unauthorized()
    tokens = _hub(request).gate.tokens
    kiosk_id = tokens.cached(credentials.credentials) or await run_in_threadpool(tokens.find, credentials.credentials)
    if kiosk_id is None:
        raise errors.unauthorized()
    return kiosk_id


KioskPrincipal = Annotated[str, Depends(_kiosk)]


# --- waiting-room screens ------------------------------------------------------------------------------------------

SCREEN_COOKIE = "kh_screen"


@_rule("screen")
def _screen(request: Request) -> Screen:
    """An enrolled waiting-room screen (its cookie, from a one-time code); 401 otherwise, a revoked one at once."""
    hub = _hub(request)
    screen = hub.calling.screens.find(request.cookies.get(SCREEN_COOKIE), hub.clock())
    if screen is None:
        raise errors.HubError(401, "screen_not_enrolled", "This screen is not enrolled (open /screens/enrol)")
    return screen


ScreenPrincipal = Annotated[Screen, Depends(_screen)]


# --- integrations --------------------------------------------------------------------------------------------------

_INTEGRATION_RULES: dict[Scope, Callable[..., Any]] = {}


def integration(scope: Scope) -> Any:
    """An integration credential holding `scope`: 401 without a valid one, 403 when it lacks the scope."""
    dependency = _INTEGRATION_RULES.get(scope)
    if dependency is None:

        async def dependency(
            request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
        ) -> Integration:
            if credentials is None or len(credentials.credentials) > 200:
                raise errors.integration_unauthorized()
            tokens = _hub(request).access.integrations.tokens
            found = tokens.cached(credentials.credentials) or await run_in_threadpool(
                tokens.find, credentials.credentials
            )
            if found is None:
                raise errors.integration_unauthorized()
            if scope not in found.scopes:
                raise errors.forbidden(f"the integration credential lacks the scope {scope.value!r}")
            return found

        _INTEGRATION_RULES[scope] = _rule(f"integration:{scope.value}")(dependency)
    return Depends(dependency)


# --- console users -------------------------------------------------------------------------------------------------


class ConsoleRefusedError(Exception):
    """A console request refused before its page runs; the console answers it (sign-in page, or error page)."""

    def __init__(self, kind: Literal["sign_in", "csrf", "forbidden"], user: ConsoleIdentity | None) -> None:
        super().__init__(f"console request refused: {kind}")
        self.kind = kind
        self.user = user


def current_user(request: Request) -> ConsoleIdentity | None:
    """The session's user (sliding its idle expiry); reads the user's row, so a disabled user is out at once."""
    hub = _hub(request)
    with hub.writer() as session:
        identity = identify(session, request.cookies.get(SESSION_COOKIE), hub.clock())
        session.commit()
    return identity


@_rule("console:any")
def _signed_in(request: Request) -> ConsoleIdentity:
    user = current_user(request)
    if user is None:
        raise ConsoleRefusedError("sign_in", None)
    return user


SignedIn = Annotated[ConsoleIdentity, Depends(_signed_in)]


@_rule("console:reader")
async def _reader(user: SignedIn) -> ConsoleIdentity:
    """Admins and viewers: the fleet pages. Staff have their calling pages, not the fleet's."""
    if user.role not in (Role.ADMIN, Role.VIEWER):
        raise ConsoleRefusedError("forbidden", user)
    return user


ConsoleReader = Annotated[ConsoleIdentity, Depends(_reader)]


@_rule("console:admin")
async def _admin(user: SignedIn) -> ConsoleIdentity:
    if not user.is_admin:
        raise ConsoleRefusedError("forbidden", user)
    return user


AdminOnly = Annotated[ConsoleIdentity, Depends(_admin)]


@dataclass(frozen=True)
class Change:
    """A checked state-changing request: who asked, and the form they sent."""

    user: ConsoleIdentity
    form: FormData


async def _checked_form(request: Request, user: ConsoleIdentity) -> FormData:
    form = await request.form()
    given = request.headers.get("x-csrf-token") or _text(form.get("csrf"))
    if not csrf_matches(user.csrf_token, given):
        raise ConsoleRefusedError("csrf", user)
    return form


@_rule("console:admin")
async def _admin_change(request: Request, user: SignedIn) -> Change:
    """A POST that changes something: signed in, CSRF token right, role admin."""
    form = await _checked_form(request, user)
    if not user.is_admin:
        raise ConsoleRefusedError("forbidden", user)
    return Change(user, form)


AdminChange = Annotated[Change, Depends(_admin_change)]


@_rule("console:own")
async def _own_change(request: Request, user: SignedIn) -> Change:
    """A POST any signed-in user makes for themselves (their password): CSRF token right."""
    return Change(user, await _checked_form(request, user))


OwnChange = Annotated[Change, Depends(_own_change)]


@_rule("console:staff-of-department")
async def _staff_caller(request: Request, department_id: str, user: SignedIn) -> Change:
    """Staff assigned to the department in the path (or an admin), with the session's CSRF token."""
    form = await _checked_form(request, user)
    if not user.serves(department_id):
        raise ConsoleRefusedError("forbidden", user)
    return Change(user, form)


StaffCaller = Annotated[Change, Depends(_staff_caller)]


@_rule("console:staff-of-department")
async def _staff_reader(department_id: str, user: SignedIn) -> ConsoleIdentity:
    """The same people opening the department's calling page (a GET: no CSRF token)."""
    if not user.serves(department_id):
        raise ConsoleRefusedError("forbidden", user)
    return user


StaffReader = Annotated[ConsoleIdentity, Depends(_staff_reader)]


@_rule("console:staff")
async def _front_desk(request: Request, user: SignedIn) -> Change:
    """A POST of the staff's pages not bound to one department (acknowledging a kiosk's call for help): staff or
    an admin, with the session's CSRF token; viewers change nothing."""
    form = await _checked_form(request, user)
    if user.role not in (Role.STAFF, Role.ADMIN):
        raise ConsoleRefusedError("forbidden", user)
    return Change(user, form)


StaffChange = Annotated[Change, Depends(_front_desk)]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
