"""docs/go-live.md run inside the sandbox (tests/golive/sandbox.sh: a private mount and network namespace with
copy-on-write system directories) as root, one "machine" that is both the hub and the kiosk: every `go-live hub`
block as written (the real install with HAProxy and PostgreSQL, the database, settings, HTTPS, the console user,
departments, an enrolment code) with the units started as their files say (tests/golive/units.py), then every
`go-live kiosk` block (the code the hub printed typed in), the kiosk session started as its unit says, the panel's
picture, the console's steps in Chromium (a configuration saved and rolled out), a hub process killed (systemd
restarts it), then the whole hub (every hub process and HAProxy) and its start again. Writes what it saw to
WORK/result.json for the test to judge.

    python -m tests.golive.driver WORK
WORK holds hub/ (the bundle, the hub's certificate and key, khoa.csv, the CA: what IT copies onto the hub), kiosk/
(the bundle and the CA, for the kiosk) and pki/."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet.models import FleetKiosk
from tests.golive import console
from tests.golive.doc_commands import Block, blocks
from tests.golive.kiosk_session import KioskSession
from tests.golive.units import ServiceManager
from tests.support.escpos_fake import FakePrinterServer
from tests.support.postgres import running_postgres
from tests.support.waiting import until

HUB_NAME = "kiosk-hub.benhvien.local"
PRINTER_NAME = "may-in-sanh-a-01.benhvien.local"  # the guide's network receipt printer
CODE_PLACEHOLDER = "XXXX-XXXX-XXXX"
PASSWORD = "mật-khẩu-của-IT-2026"  # what IT types at `kiosk-hub admin add`'s prompt
INSTANCES = ["kiosk-hub@8081.service", "kiosk-hub@8082.service"]
# The hub's database, as the test looks at it (PostgreSQL's superuser over the socket the guide's hub uses).
OBSERVER_URL = "postgresql+psycopg://postgres@/kiosk_hub?host=/run/postgresql"


class Guide:
    """The guide's blocks, run in order as root with bash, output kept in WORK/commands.log and timed."""

    def __init__(self, work: Path, services: ServiceManager) -> None:
        self.log = work / "commands.log"
        self.services = services
        self.timings: dict[str, float] = {}

    def run(self, number: int, block: Block, cwd: Path, script: str | None = None) -> str:
        started = time.monotonic()
        if block.role.endswith("-start"):  # systemctl: what systemd would do (no systemd runs here)
            for line in block.script.strip().splitlines():
                words = line.split()
                assert words[:2] == ["sudo", "systemctl"], f"a start block runs systemctl only: {line}"
                self._note(f"$ {line}\n")
                self.services.systemctl(words[2:])
        else:
            script = script or block.script
            typed = (PASSWORD + "\n").encode() if "admin add" in script else b""  # the password at its prompt
            with tempfile.TemporaryFile() as out:
                self._note(f"$ {script}\n")
                done = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", script], cwd=cwd, input=typed, stdout=out, stderr=out,
                    check=False, timeout=900,
                )  # fmt: skip
                out.seek(0)
                output = out.read().decode(errors="replace")
            self._note(output)
            assert done.returncode == 0, f"a go-live command failed ({done.returncode}):\n{script}\n{output[-3000:]}"
        self.timings[f"{block.role} {number}: {block.script.strip().splitlines()[0][:60]}"] = time.monotonic() - started
        return "" if block.role.endswith("-start") else output

    def _note(self, text: str) -> None:
        with self.log.open("a", encoding="utf-8") as log:
            log.write(text)


def main(work: Path) -> int:
    with Path("/etc/hosts").open("a") as hosts:  # the hospital's DNS
        hosts.write(f"127.0.0.1 {HUB_NAME} {PRINTER_NAME}\n")
    (work / "units").mkdir(exist_ok=True)
    services = ServiceManager(work / "units")
    guide = Guide(work, services)
    printer = FakePrinterServer()
    printer.port = 9100  # the sandbox's own loopback: nothing else listens there
    printer.start()
    result: dict[str, object] = {}
    session: KioskSession | None = None
    # PostgreSQL where Debian's package puts its cluster (port 5432, socket in /run/postgresql, superuser postgres):
    # the test starts it as the other tests do, since no systemd runs here to start Debian's.
    with running_postgres(port=5432, socket_dir=Path("/run/postgresql"), user="postgres"):
        try:
            code = _the_hub(guide, work)
            session = _the_kiosk(guide, work, code, result)
            _the_console_and_the_hub_going_away(services, session, work, result)
            result["session_log"] = session.log()[-20000:]
        finally:
            if session is not None:
                session.stop()
            services.stop_all()
            printer.stop()
    result["timings"] = guide.timings
    result["unit_logs"] = {name: services.log(name)[-3000:] for name in [*INSTANCES, "haproxy.service"]}
    (work / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def _the_hub(guide: Guide, work: Path) -> str:
    """Section 2, as written, on the hub's directory; the one-time code `enrolment-code` printed."""
    codes: list[str] = []
    for number, block in enumerate(blocks()):
        if block.role in ("hub", "hub-start"):
            output = guide.run(number, block, work / "hub")
            printed = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
            codes += [code for answer in printed for code in answer.get("codes", [])]
    assert len(codes) == 1, f"the guide's enrolment-code printed {codes}"
    return codes[0]


def _the_kiosk(guide: Guide, work: Path, code: str, result: dict[str, object]) -> KioskSession:
    """Section 3, as written, on the kiosk's directory, with the hub's code typed in; the session started and its
    panel photographed."""
    session: KioskSession | None = None
    for number, block in enumerate(blocks()):
        if block.role == "kiosk":
            guide.run(number, block, work / "kiosk", block.script.replace(CODE_PLACEHOLDER, code))
        elif block.role == "kiosk-start":
            assert block.script.strip() == "sudo systemctl start kiosk-weston.service", block.script
            session = KioskSession(Path("/etc/systemd/system/kiosk-weston.service"), work)
            session.start()
            guide.timings["kiosk: start to READY=1"] = session.ready()
    assert session is not None, "the guide never starts the kiosk"
    time.sleep(2.0)  # a few frames after the first
    session.screenshot(work / "panel.png")
    return session


def _the_console_and_the_hub_going_away(
    services: ServiceManager, session: KioskSession, work: Path, result: dict[str, object]
) -> None:
    database = create_engine(OBSERVER_URL)
    seen = until("the kiosk's first heartbeat", lambda: _kiosk(database), 60)
    result["devices"] = json.loads(seen.devices)
    started = time.monotonic()
    with console.console(f"https://{HUB_NAME}", work / "pki" / "hub.pem") as page:
        result["gaps_before"] = console.sign_in(page, "it-admin", PASSWORD)
        settings = {"idle.screen_seconds": "90", "heartbeat_seconds": "5", "poll_seconds": "5"}
        version = console.save_and_roll_out(page, ["KKB", "NHI"], "sanh-a", settings)
        result["kiosk_page"] = console.kiosk_page_shows(page, "sanh-a-01", version, timeout=120)
        row = _kiosk(database)
        assert row is not None
        result["config_status"] = row.config_status
        result["gaps_after"] = console.sign_in(page, "it-admin", PASSWORD)
    result["timings_config"] = time.monotonic() - started

    # One hub process dies (SIGKILL): HAProxy sends the kiosk's requests to the other, systemd restarts it.
    killed_at = datetime.now(UTC)
    services.kill(INSTANCES[0])
    result["beat_after_a_process_died"] = until("a beat after the kill", lambda: _beat_after(database, killed_at), 60)
    result["restarted_by_its_unit"] = until("the unit's restart", lambda: _restarted(services, INSTANCES[0]), 60)

    # The whole hub goes (every hub process and HAProxy, as when its machine loses power), then starts again.
    down = ["haproxy.service", *INSTANCES]
    for name in down:
        services.power_off(name)
    until("the kiosk to notice the hub is gone", lambda: "heartbeat failed" in session.log() or None, 60)
    result["alive_without_hub"] = session.alive()
    session.screenshot(work / "panel-without-hub.png")
    back_from = datetime.now(UTC)
    services.systemctl(["start", "kiosk-hub.target", "haproxy.service"])
    result["beats_again"] = until("heartbeats again", lambda: _beat_after(database, back_from), 90)
    result["log_after_restart"] = session.log()[-4000:]


def _kiosk(database: Engine) -> FleetKiosk | None:
    with Session(database) as session:
        return session.scalars(select(FleetKiosk).where(FleetKiosk.last_seen_at.is_not(None))).first()


def _beat_after(database: Engine, moment: datetime) -> bool | None:
    row = _kiosk(database)
    return True if row is not None and row.last_seen_at is not None and as_utc(row.last_seen_at) > moment else None


def _restarted(services: ServiceManager, name: str) -> bool | None:
    if services.starts(name) < 2:
        return None
    port = name.split("@")[1].split(".")[0]
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200 or None
    except httpx.TransportError:
        return None


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
