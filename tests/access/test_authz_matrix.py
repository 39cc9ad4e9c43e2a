"""Every route of the hub × every kind of caller, over real HTTP on loopback (uvicorn): the route states its rule
through an access dependency, the rule is the one written here, and each caller is let in or refused as the rule
says. A route added without a stated rule, or without its line below, fails.

Callers: kiosk A, kiosk B, staff of NOI, staff of KKB, a viewer, an admin, the HIS (integration credential with
the calling and events scopes), an enrolled waiting-room screen, and someone with no credential."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.routing import Mount

from kiosk_hub.access.roles import Role, Scope
from kiosk_hub.access.users import add_user, assign_place
from kiosk_hub.app import create_app
from kiosk_hub.calling import screens
from kiosk_hub.calling.areas import AreaSettings, save_area
from kiosk_hub.calling.desk import Actor
from kiosk_hub.calling.models import CallLogEntry, DisplayScreen
from kiosk_hub.db.models import Appointment, Ticket
from kiosk_hub.fleet import configs, enrolment
from kiosk_hub.fleet.enrolment import default_group
from kiosk_hub.fleet.models import RemoteAction
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.payments.models import Payment
from kiosk_hub.payments.payos_peer import PayOsPeer, create_payos_peer
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import HubSettings
from kiosk_hub.wire import TicketRequest
from tests.access.routes import leaf_routes, stated_rules
from tests.fleet.console_client import PASSWORD, csrf_of
from tests.hub.conftest import add_integration, enrol, seed
from tests.hub.payments.conftest import (
    ACCOUNT,
    ACCOUNT_NAME,
    API_KEY,
    BANK_BIN,
    CALLBACK_PATH,
    CHECKSUM_KEY,
    CLIENT_ID,
    payment_settings,
    price_noi,
)
from tests.hub.servers import serve_in_thread

KIOSKS = {"kiosk_a", "kiosk_b"}
CONSOLE = {"staff_noi", "staff_kkb", "viewer", "admin"}
EVERYONE = KIOSKS | CONSOLE | {"his", "anonymous", "screen"}
# Who each rule lets in (the department in a path is NOI; the ticket in a path was issued by kiosk A).
ADMITS = {
    "public": EVERYONE,
    "kiosk": KIOSKS,
    "kiosk:own-ticket": {"kiosk_a"},
    "console:any": CONSOLE,
    "console:own": CONSOLE,
    "console:reader": {"viewer", "admin"},
    "console:admin": {"admin"},
    "console:staff-of-department": {"staff_noi", "admin"},
    "console:staff": {"staff_noi", "staff_kkb", "admin"},
    "integration:calling": {"his"},
    "integration:events": {"his"},
    "kiosk:own-payment": {"kiosk_a"},
    "gateway-signature": set(),  # no caller holds the gateway's checksum key: a forged callback is refused
    "screen": {"screen"},
}
OWN = {"kiosk:own-ticket", "kiosk:own-payment"}  # the kiosk rule narrowed by the owner of the ticket or payment
# Every route and the rule it must state. "kiosk:own-ticket" and "kiosk:own-payment" are the kiosk rule narrowed by
# the owner; "gateway-signature": anonymous, believed only with the payment gateway's signature over the body.
EXPECTED = {
    "GET /api/v1/departments": "kiosk",
    "POST /api/v1/patients/lookup": "kiosk",
    "POST /api/v1/patients": "kiosk",
    "POST /api/v1/entitlement/check": "kiosk",
    "GET /api/v1/appointments/{code}": "kiosk",
    "POST /api/v1/appointments/{code}/check-in": "kiosk",
    "POST /api/v1/tickets": "kiosk",
    "GET /api/v1/tickets/{ticket_id}": "kiosk:own-ticket",
    "POST /api/v1/tickets/{ticket_id}/cancel": "kiosk:own-ticket",
    "POST /api/v1/departments/{department_id}/call-next": "integration:calling",
    "POST /api/v1/departments/{department_id}/rooms/{room_id}/call-next": "integration:calling",
    "POST /api/v1/departments/{department_id}/tickets/{ticket_id}/{action}": "integration:calling",
    "POST /api/v1/departments/{department_id}/tickets/{ticket_id}/transfer": "integration:calling",
    "POST /api/v1/departments/{department_id}/rooms/{room_id}/state": "integration:calling",
    "POST /fleet/calling/departments/{department_id}/call-next": "console:staff-of-department",
    "POST /fleet/calling/departments/{department_id}/tickets/{ticket_id}/{action}": "console:staff-of-department",
    "POST /fleet/calling/departments/{department_id}/rooms/{room_id}/state": "console:staff-of-department",
    "GET /fleet/calling": "console:any",
    "GET /fleet/calling/departments/{department_id}": "console:staff-of-department",
    "GET /fleet/calling/areas": "console:reader",
    "POST /fleet/calling/areas": "console:admin",
    "POST /fleet/calling/screens": "console:admin",
    "POST /fleet/calling/screens/{screen_id}/revoke": "console:admin",
    "GET /screens/enrol": "public",
    "POST /screens/enrol": "public",
    "GET /screens/board": "screen",
    "GET /screens/board/events": "screen",
    "GET /screens/voice/{call_id}.wav": "screen",
    "GET /t/{token}/events": "public",
    "GET /t/{token}": "public",
    "GET /healthz": "public",
    "POST /fleet/v1/enrol": "public",
    "GET /fleet/v1/config": "kiosk",
    "POST /fleet/v1/config/report": "kiosk",
    "POST /fleet/v1/heartbeat": "kiosk",
    "POST /fleet/v1/actions/{action_id}/result": "kiosk",
    "GET /fleet/v1/release": "kiosk",
    "GET /fleet/v1/releases/{version}/files/{name}": "kiosk",
    "POST /fleet/v1/release/report": "kiosk",
    "GET /fleet": "console:reader",
    "GET /fleet/kiosks/{kiosk_id}": "console:reader",
    "POST /fleet/kiosks/{kiosk_id}/actions": "console:admin",
    "POST /fleet/kiosks/{kiosk_id}/settings": "console:admin",
    "POST /fleet/kiosks/{kiosk_id}/revoke": "console:admin",
    "GET /fleet/actions/{action_id}/screenshot.png": "console:reader",
    "GET /fleet/audit": "console:reader",
    "GET /fleet/config": "console:reader",
    "POST /fleet/config": "console:admin",
    "GET /fleet/config/{version}.json": "console:reader",
    "GET /fleet/enrol": "console:reader",
    "POST /fleet/enrol": "console:admin",
    "GET /fleet/rollouts": "console:reader",
    "GET /fleet/releases": "console:reader",
    "POST /fleet/releases/rollouts": "console:admin",
    "POST /fleet/releases/{group_id}/{step}": "console:admin",
    "GET /fleet/releases/kiosks/{kiosk_id}": "console:reader",
    "POST /fleet/releases/kiosks/{kiosk_id}/pin": "console:admin",
    "POST /fleet/rollouts": "console:admin",
    "POST /fleet/rollouts/{group_id}/rollback": "console:admin",
    "POST /fleet/groups": "console:admin",
    "GET /fleet/settings": "console:reader",
    "POST /fleet/settings/officer": "console:admin",
    "GET /fleet/departments": "console:reader",
    "GET /fleet/departments/export.{kind}": "console:reader",
    "GET /fleet/departments/new": "console:reader",
    "GET /fleet/departments/{department_id}": "console:reader",
    "POST /fleet/departments": "console:admin",
    "POST /fleet/departments/{department_id}": "console:admin",
    "POST /fleet/departments/{department_id}/move": "console:admin",
    "POST /fleet/departments/{department_id}/active": "console:admin",
    "GET /fleet/login": "public",
    "POST /fleet/login": "public",
    "POST /fleet/logout": "public",
    "GET /fleet/lang/{lang}": "public",
    "GET /fleet/account": "console:any",
    "POST /fleet/account/password": "console:own",
    "GET /fleet/users": "console:admin",
    "POST /fleet/users": "console:admin",
    "POST /fleet/users/{username}/disabled": "console:admin",
    "POST /fleet/users/{username}/password": "console:admin",
    "POST /fleet/users/{username}/role": "console:admin",
    "POST /fleet/users/{username}/places": "console:admin",
    "POST /fleet/users/{username}/names": "console:admin",
    "POST /fleet/users/unlock": "console:admin",
    "GET /fleet/integrations": "console:admin",
    "POST /fleet/integrations": "console:admin",
    "POST /fleet/integrations/{name}/revoke": "console:admin",
    "GET /fleet/access-log": "console:admin",
    "POST /fleet/access-log/find": "console:admin",
    "GET /fleet/access-log.csv": "console:admin",
    "POST /api/v1/leases": "kiosk",
    "GET /api/v1/leases": "kiosk",
    "POST /api/v1/leases/return": "kiosk",
    "POST /api/v1/leases/replay": "kiosk",
    "GET /t/k/{lease_id}/{hashed}": "public",
    "GET /api/v1/events": "integration:events",
    "GET /fleet/his": "console:reader",
    "POST /fleet/his/replay": "console:admin",
    "POST /fleet/his/retry": "console:admin",
    "GET /openapi.json": "public",
    "GET /fleet/docs": "console:admin",
    "GET /fleet/redoc": "console:admin",
    "GET /docs": "public",
    "GET /redoc": "public",
    "POST /api/v1/payments/quote": "kiosk",
    "POST /api/v1/payments": "kiosk",
    "GET /api/v1/payments/{payment_id}": "kiosk:own-payment",
    "POST /api/v1/payments/{payment_id}/abandon": "kiosk:own-payment",
    "POST /api/v1/payments/{payment_id}/pay-later": "kiosk:own-payment",
    "POST /api/v1/payments/callback/payos": "gateway-signature",
    "GET /p/{payment_token}": "public",
    "GET /fleet/payments": "console:reader",
    "GET /fleet/payments/statement.csv": "console:reader",
    "POST /fleet/payments/refunded": "console:admin",
    "GET /fleet/payments/prices": "console:reader",
    "POST /fleet/payments/prices": "console:admin",
    "POST /api/v1/help-calls": "kiosk",
    "GET /fleet/help": "console:any",
    "POST /fleet/help/{call_id}/acknowledge": "console:staff",
    "GET /fleet/analytics": "console:reader",
    "GET /fleet/analytics/tickets-per-hour.svg": "console:reader",
    "GET /fleet/analytics/waits.svg": "console:reader",
    "GET /fleet/analytics.csv": "console:reader",
}
MOUNTS = {"/static"}  # files anyone may read: the console's styles and script, the ticket pages' styles
# Last: posting it signs the caller out.
LAST = "POST /fleet/logout"


@dataclass
class World:
    """The hub on loopback with one of each caller, and the ids the paths are filled with."""

    url: str
    hub: Hub
    callers: dict[str, httpx.Client]
    params: dict[str, str]
    forged_callback: bytes  # the gateway's documented shape for kiosk A's payment, signed with another key


def _console_client(url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=20)
    page = client.get("/fleet/login")
    signed_in = client.post("/fleet/login", data={"csrf": csrf_of(page.text), "username": username,
                                                   "password": PASSWORD})  # fmt: skip
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] != "/fleet/login?failed=1"
    return client


def _screen_client(url: str, code: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=20)
    assert client.post("/screens/enrol", data={"code": code}).status_code == 303
    return client


def _people(hub: Hub) -> None:
    with hub.writer() as session:
        now = hub.clock()
        for name, role in (("it-admin", Role.ADMIN), ("xem", Role.VIEWER), ("staff-noi", Role.STAFF),
                           ("staff-kkb", Role.STAFF), ("tam", Role.STAFF)):  # fmt: skip
            add_user(session, name, PASSWORD, role, "test", now)
        session.flush()
        assign_place(session, "staff-noi", "NOI", None, "test", now)
        assign_place(session, "staff-kkb", "KKB", None, "test", now)
        session.commit()


def _things(hub: Hub, kiosk_a: str) -> dict[str, str]:
    """A ticket kiosk A issued, a fleet kiosk C (the console's target, revoked along the way), its action with a
    screenshot, a config version, the default group, a booking."""
    a_id = hub.gate.kiosk_id(kiosk_a)
    assert a_id is not None
    ticket, _ = hub.queue.issue(IssueRequest(a_id, "a-1", TicketRequest(department_id="NOI", patient_id="p-a")))
    with hub.writer() as session:
        now = hub.clock()
        kiosk_c, _token = enrolment.add_kiosk(session, "kiosk-c", now)
        session.add(RemoteAction(id="act-1", kiosk_id=kiosk_c, kind="screenshot", requested_by="test",
                                 requested_at=now, screenshot_png_base64="iVBORw0KGgo="))  # fmt: skip
        save_area(session, AreaSettings("sanh", "Sảnh", "Hall", (("NOI", None),)))
        codes = [screens.create_screen(session, name, "sanh", "test", now) for name in ("tv-1", "tv-spare")]
        spare = session.scalars(select(DisplayScreen.id).where(DisplayScreen.name == "tv-spare")).one()
        version = configs.save_version(session, configs.latest_config(session)[1], "test", now, "first")
        group = default_group(session, now).id
        code = session.query(Appointment.code).first()
        token = session.get(Ticket, ticket.id)
        session.commit()
    assert code is not None
    assert token is not None
    hub.queue.issue(IssueRequest(a_id, "a-2", TicketRequest(department_id="NOI")))
    called = hub.calling.desk.call_next("NOI", "NOI-02", Actor("staff:test"))
    with hub.reader() as session:
        call_id = session.scalars(select(CallLogEntry.id).where(CallLogEntry.ticket_id == called.id)).one()
    return {
        "ticket_id": ticket.id, "token": token.public_token, "kiosk_id": kiosk_c, "action_id": "act-1",
        "version": str(version), "group_id": group, "code": code[0], "department_id": "NOI", "lang": "en",
        "kind": "csv", "step": "pause", "username": "tam", "name": "spare", "lease_id": "none", "hashed": "0" * 32,
        "room_id": "NOI-01", "action": "recall", "screen_id": spare, "call_id": str(call_id),
        "screen_code": codes[0],
    }  # fmt: skip


def _payment_of(hub: Hub, kiosk_a: httpx.Client, peer: PayOsPeer) -> tuple[dict[str, str], bytes]:
    """A payment kiosk A opened (its id and public page), and a callback for it that is not the gateway's."""
    opened = kiosk_a.post("/api/v1/payments", json={"department_id": "NOI", "patient_id": "p-pay"},
                          headers={"Idempotency-Key": "matrix-payment"})  # fmt: skip
    assert opened.status_code == 201, opened.text
    payment_id = opened.json()["id"]
    with hub.reader() as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        token, code = payment.public_token, payment.order_code
    callback = json.loads(peer.pay(code))
    callback["signature"] = "0" * 64
    return {"payment_id": payment_id, "payment_token": token}, json.dumps(callback).encode()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'hub.sqlite3'}"
    upgrade(db)
    peer = PayOsPeer(CLIENT_ID, API_KEY, CHECKSUM_KEY, BANK_BIN, ACCOUNT, ACCOUNT_NAME)
    with serve_in_thread(create_payos_peer(peer)) as peer_url:
        yield from _world(db, peer, peer_url)


def _world(db: str, peer: PayOsPeer, peer_url: str) -> Iterator[World]:
    hub = build_hub(HubSettings(database_url=db, payments=payment_settings(peer_url)))
    seed(hub)
    price_noi(hub)
    _people(hub)
    kiosk_a, kiosk_b = enrol(hub, "kiosk-a"), enrol(hub, "kiosk-b")
    his = add_integration(hub, "his", frozenset({Scope.CALLING, Scope.EVENTS}))
    add_integration(hub, "spare", frozenset({Scope.EVENTS}))
    params = _things(hub, kiosk_a)
    # With its lifespan: the payment gateway's connections, made on the server's loop, are closed on it.
    with serve_in_thread(create_app(hub, background=False), lifespan="on") as url:

        def bearer(token: str) -> httpx.Client:
            return httpx.Client(base_url=url, timeout=20, headers={"Authorization": f"Bearer {token}"})

        peer.webhook_url = url + CALLBACK_PATH
        callers = {
            "kiosk_a": bearer(kiosk_a), "kiosk_b": bearer(kiosk_b), "his": bearer(his),
            "anonymous": httpx.Client(base_url=url, timeout=20),
            "staff_noi": _console_client(url, "staff-noi"), "staff_kkb": _console_client(url, "staff-kkb"),
            "viewer": _console_client(url, "xem"), "admin": _console_client(url, "it-admin"),
            "screen": _screen_client(url, params["screen_code"]),
        }  # fmt: skip
        paid, forged = _payment_of(hub, callers["kiosk_a"], peer)
        yield World(url, hub, callers, {**params, **paid}, forged)
        for client in callers.values():
            client.close()
    hub.engine.dispose()


def _routes(world: World) -> list[APIRoute]:
    return [r for r in leaf_routes(create_app(world.hub, background=False).routes) if isinstance(r, APIRoute)]


def test_every_route_states_the_rule_written_here(world: World) -> None:
    app = create_app(world.hub, background=False)
    routes = list(leaf_routes(app.routes))
    assert {r.path for r in routes if isinstance(r, Mount)} == MOUNTS
    assert all(isinstance(r, APIRoute | Mount) for r in routes)
    stated = {f"{m} {r.path}": stated_rules(r) for r in routes if isinstance(r, APIRoute) for m in r.methods}
    unstated = sorted(route for route, rules in stated.items() if not rules)
    assert unstated == []
    assert set(stated) == set(EXPECTED), "a route was added or removed: write its rule in EXPECTED"
    written = {route: {"kiosk" if EXPECTED[route] in OWN else EXPECTED[route]} for route in EXPECTED}
    assert stated == written


def _request(world: World, caller: str, method: str, path: str) -> httpx.Response:
    client = world.callers[caller]
    filled = re.sub(r"\{(\w+)\}", lambda m: world.params[m.group(1)], path)
    if method == "GET" and path.endswith("/events"):  # a stream: its answer's status is enough
        with client.stream("GET", filled) as answer:
            return answer
    if method == "GET":
        return client.get(filled)
    if path == CALLBACK_PATH:
        return client.post(filled, content=world.forged_callback, headers={"Content-Type": "application/json"})
    if path.startswith(("/api/", "/fleet/v1/")):
        return client.post(filled, json={}, headers={"Idempotency-Key": f"matrix-{caller}"})
    form = {}
    if path == "/fleet/login":  # the sign-in form's own token (a cookie and a field: no session yet)
        form["csrf"] = csrf_of(client.get("/fleet/login").text)
    elif caller in CONSOLE:  # the caller's own CSRF token, from a page it may open
        form["csrf"] = csrf_of(client.get("/fleet/account").text)
    return client.post(filled, data=form)


def refused(answer: httpx.Response, rule: str) -> bool:
    if answer.status_code in (401, 403):
        return True
    if rule == "public":
        return False  # its redirects (sign-out to the sign-in page) are its answer, not a refusal
    if answer.status_code == 303 and answer.headers.get("location") in ("/fleet/login", "/fleet/login?expired=1"):
        return True  # sent to sign in: no session (a failed sign-in itself goes to ?failed=1)
    if rule == "screen" and answer.status_code == 303 and answer.headers.get("location") == "/screens/enrol":
        return True  # the screen's page sends a box that is not enrolled to enrol
    return rule in OWN and answer.status_code == 404  # another kiosk's ticket or payment "does not exist"


@pytest.mark.slow
def test_each_caller_is_let_in_or_refused_as_the_rule_says(world: World) -> None:
    routes = sorted((f"{m} {r.path}" for r in _routes(world) for m in r.methods), key=lambda k: k == LAST)
    wrong = []
    for route in routes:
        rule = EXPECTED[route]
        method, path = route.split(" ", 1)
        for caller in sorted(EVERYONE):
            answer = _request(world, caller, method, path)
            assert answer.status_code < 500, (route, caller, answer.text)
            if refused(answer, rule) == (caller in ADMITS[rule]):
                wrong.append(f"{route} as {caller}: {answer.status_code}")
    assert wrong == []


def test_static_files_are_served_to_anyone_and_nothing_beside_them(world: World) -> None:
    anonymous = world.callers["anonymous"]
    assert anonymous.get("/static/console.css").status_code == 200
    assert anonymous.get("/static/console.js").headers["content-type"].startswith("text/javascript")
    assert anonymous.get("/static/../../settings.py").status_code == 404
    assert anonymous.get(f"/static/{Path(__file__).name}").status_code == 404
