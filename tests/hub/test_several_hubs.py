"""Two hub processes on PostgreSQL behind HAProxy (the shipped configuration, HTTPS with a hospital CA), one of
them killed in the middle of a burst of ticket requests from three kiosks.

Everything is set up as docs/several-hubs.md says: `kiosk-hub migrate` once, the departments imported from a CSV
file, kiosks enrolled with codes from `kiosk-hub enrolment-code`, two `kiosk-hub serve` processes. Each request
carries its Idempotency-Key and is sent again until answered, as the kiosk's client does. Afterwards: every key
has exactly one ticket, the answers agree with the database, numbers are unique and gapless per department and
lane, and the kiosks carry on (heartbeats, departments) through the hub that is left.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from kiosk_hub.db.models import Ticket
from tests.hub.servers import REPO, hub_process
from tests.support import haproxy
from tests.support.postgres import PostgresServer
from tests.support.tls_pki import CertificateAuthority

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
REQUESTS, CLIENTS = 360, 24
PLAN = [("KHAM", "normal"), ("KHAM", "priority"), ("NHI", "normal"), ("NHI", "priority")]
DEPARTMENTS_CSV = """department_id;room_id;name_vi;name_en;opening_hours;lane_policy;priority_every
KHAM;;Khoa Khám bệnh;Outpatient Clinic;T2-CN 00:00-24:00;interleaved;3
KHAM;KHAM-01;Phòng khám 1;Room 1;;;
NHI;;Khoa Nhi;Paediatrics;T2-CN 00:00-24:00;strict;
"""


def hub_cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk_hub.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL, check=False, env={**os.environ, **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class Burst:
    answers: dict[str, dict[str, object]] = field(default_factory=dict)  # key → the ticket the kiosk got
    attempts: int = 0
    failures_seen: list[str] = field(default_factory=list)
    after_kill: int = 0  # requests first sent after the kill, all answered
    longest_wait: float = 0.0


async def burst(base: str, tokens: list[str], context: object, kill: asyncio.Event) -> Burst:
    """REQUESTS ticket requests from CLIENTS workers over three kiosks; `kill` is set once a third are answered."""
    seen = Burst()
    queue = list(range(REQUESTS))
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, verify=context, limits=limits, timeout=15) as client:  # type: ignore[arg-type]

        async def one(i: int) -> None:
            department, lane = PLAN[i % len(PLAN)]
            headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}", "Idempotency-Key": f"burst-{i}"}
            body = {"department_id": department, "lane": lane}
            started, sent_after_kill = time.monotonic(), kill.is_set()
            while True:  # the kiosk sends it again until it is answered: the key makes that safe
                seen.attempts += 1
                try:
                    response = await client.post("/api/v1/tickets", json=body, headers=headers)
                    if response.status_code in (200, 201):
                        break
                    seen.failures_seen.append(str(response.status_code))
                except httpx.TransportError as exc:
                    seen.failures_seen.append(type(exc).__name__)
                await asyncio.sleep(0.05)
            seen.answers[f"burst-{i}"] = response.json()
            seen.longest_wait = max(seen.longest_wait, time.monotonic() - started)
            seen.after_kill += sent_after_kill
            if len(seen.answers) >= REQUESTS // 3:
                kill.set()

        async def worker() -> None:
            while queue:
                await one(queue.pop(0))

        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return seen


def test_a_hub_killed_mid_burst_loses_no_ticket_and_makes_none_twice(postgres: PostgresServer, tmp_path: Path) -> None:
    if not haproxy.available():
        pytest.skip("Debian's haproxy is not installed")
    db = postgres.create_database("hub_several")
    # Every command and process of this hub shares one key file, as the units do (never the installed one in /etc).
    env = {"KIOSK_HUB_KEY_FILE": str(tmp_path / "hub-keys" / "config-signing.key")}
    hub_cli("migrate", "--db", db, env=env)  # once, as kiosk-hub-migrate.service does
    departments = tmp_path / "departments.csv"
    departments.write_text(DEPARTMENTS_CSV, encoding="utf-8")
    hub_cli("departments", "import", str(departments), "--db", db, env=env)
    codes = json.loads(hub_cli("enrolment-code", "--count", "3", "--db", db, env=env))["codes"]
    ca = CertificateAuthority(tmp_path / "pki")
    bundle = ca.issue("localhost", ips=("127.0.0.1",)).bundle_path
    port, pids = haproxy.free_port(), []
    with hub_process(db, env, pid=pids) as first, hub_process(db, env, pid=pids) as second:
        config = haproxy.configuration(port, bundle, [first.removeprefix("http://"), second.removeprefix("http://")])
        with haproxy.running_haproxy(config, tmp_path, port, ca.client_context()):
            base = f"https://localhost:{port}"
            tokens = [_enrol(base, ca, code, f"sanh-{n}") for n, code in enumerate(codes)]
            seen = asyncio.run(_burst_with_a_kill(base, tokens, ca, pids[0]))
            for token in tokens:  # the kiosks carry on through the hub that is left
                with httpx.Client(base_url=base, verify=ca.client_context(), headers=_bearer(token)) as kiosk:
                    assert kiosk.post("/fleet/v1/heartbeat", json={"app_version": "0.1.0"}).status_code == 200
                    assert [d["id"] for d in kiosk.get("/api/v1/departments").json()["departments"]] == ["KHAM", "NHI"]
    print(
        f"\n{REQUESTS} tickets, {CLIENTS} clients, hub 1 killed after {REQUESTS // 3}: {seen.attempts} attempts, "
        f"{len(seen.failures_seen)} failed ({sorted(set(seen.failures_seen))}), longest wait {seen.longest_wait:.2f} s"
    )
    assert seen.after_kill > 0  # requests first sent after the kill were answered too
    _assert_one_ticket_per_key_and_gapless_numbers(db, seen)


async def _burst_with_a_kill(base: str, tokens: list[str], ca: CertificateAuthority, victim: int) -> Burst:
    kill = asyncio.Event()

    async def killer() -> None:
        await kill.wait()
        os.kill(victim, signal.SIGKILL)

    killing = asyncio.create_task(killer())
    seen = await burst(base, tokens, ca.client_context(), kill)
    await killing
    return seen


def _enrol(base: str, ca: CertificateAuthority, code: str, name: str) -> str:
    with httpx.Client(base_url=base, verify=ca.client_context()) as http:
        enrolled = http.post("/fleet/v1/enrol", json={"code": code, "name": name})
    assert enrolled.status_code == 201, enrolled.text
    return str(enrolled.json()["token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_one_ticket_per_key_and_gapless_numbers(db: str, seen: Burst) -> None:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Ticket.idempotency_key, Ticket.id, Ticket.department_id, Ticket.lane,
                                       Ticket.number)).all()  # fmt: skip
    finally:
        engine.dispose()
    assert len(rows) == REQUESTS  # nothing lost, nothing made twice
    by_key = {key: (ticket_id, number) for key, ticket_id, _, _, number in rows}
    assert len(by_key) == REQUESTS
    assert {key: (str(a["id"]), a["number"]) for key, a in seen.answers.items()} == by_key  # answers = the store
    numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for _, _, department, lane, number in rows:
        numbers[(department, lane)].append(number)
    assert set(numbers) == set(PLAN)
    for queue, got in numbers.items():
        assert sorted(got) == list(range(1, len(got) + 1)), queue  # unique and gapless
