"""docs/go-live.md's kiosk half, run inside the sandbox (tests/golive/sandbox.sh: a private mount and network
namespace with copy-on-write system directories) as root: the hub over HTTPS on kiosk-hub.benhvien.local:443, every
`go-live kiosk` block as written, the session started as its unit says, the panel's picture, a configuration
applied, the hub killed and started again. Writes what it saw to WORK/result.json for the test to judge.

    python -m tests.golive.driver WORK
WORK holds kiosk/ (the bundle's tarball and hospital-ca.crt, as IT copies them onto the kiosk) and pki/ (the hub's
certificate and key)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from sqlalchemy import select

from kiosk.remote_config.schema import RemoteConfig
from kiosk_hub.app import create_app
from kiosk_hub.fleet import configs, enrolment, rollout
from kiosk_hub.fleet.models import FleetKiosk
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.golive.doc_commands import blocks
from tests.golive.kiosk_session import KioskSession
from tests.support.escpos_fake import FakePrinterServer
from tests.support.waiting import until

HUB_NAME = "kiosk-hub.benhvien.local"
PRINTER_NAME = "may-in-sanh-a-01.benhvien.local"  # the guide's network receipt printer
CODE_PLACEHOLDER = "XXXX-XXXX-XXXX"


class HubOverTls:
    """The hub application served over HTTPS on 127.0.0.1:443 (the sandbox's own loopback), stopped and started."""

    def __init__(self, work: Path) -> None:
        url = f"sqlite:///{work / 'hub.sqlite3'}"
        upgrade(url)
        self.hub: Hub = build_hub(HubSettings(database_url=url))
        self.pki = work / "pki"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            create_app(self.hub, background=False), host="127.0.0.1", port=443, log_level="warning",
            ssl_certfile=str(self.pki / "hub.pem"), ssl_keyfile=str(self.pki / "hub.key"),
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        until("the hub to listen", lambda: True if self._server and self._server.started else None, 20)

    def stop(self) -> None:
        assert self._server is not None
        assert self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=20)

    def new_code(self) -> str:
        with self.hub.writer() as session:
            code = enrolment.create_code(session, "it-admin", datetime.now(UTC))
            session.commit()
        return code

    def roll_out(self, **changes: object) -> int:
        document = RemoteConfig().model_dump(mode="json") | changes
        now = datetime.now(UTC)
        with self.hub.writer() as session:
            version = configs.save_version(session, document, "it-admin", now)
            session.flush()
            rollout.start(session, enrolment.default_group(session, now).id, version, "it-admin", now)
            session.commit()
        return version

    def kiosk(self) -> FleetKiosk | None:
        with self.hub.reader() as session:
            return session.scalars(select(FleetKiosk).where(FleetKiosk.last_seen_at.is_not(None))).first()


def run_block(script: str, cwd: Path, log: Path) -> float:
    started = time.monotonic()
    with log.open("ab") as out:
        out.write(f"$ {script}\n".encode())
        out.flush()
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, stdout=out, stderr=out, check=False)
    assert done.returncode == 0, f"a go-live command failed ({done.returncode}):\n{script}\n{log.read_text()[-3000:]}"
    return time.monotonic() - started


def main(work: Path) -> int:
    result: dict[str, object] = {}
    timings: dict[str, float] = {}
    with Path("/etc/hosts").open("a") as hosts:
        hosts.write(f"127.0.0.1 {HUB_NAME} {PRINTER_NAME}\n")
    printer = FakePrinterServer()
    printer.port = 9100  # the sandbox's own loopback: nothing else listens there
    printer.start()
    hub = HubOverTls(work)
    hub.start()
    commands = work / "commands.log"
    home = work / "kiosk"
    session: KioskSession | None = None
    try:
        for number, block in enumerate(b for b in blocks() if b.role.startswith("kiosk")):
            if block.role == "kiosk-start":
                assert block.script.strip() == "sudo systemctl start kiosk-weston.service", block.script
                session = KioskSession(Path("/etc/systemd/system/kiosk-weston.service"), work)
                session.start()
                timings["start to READY=1"] = session.ready()
                continue
            script = block.script
            if CODE_PLACEHOLDER in script:  # the code IT reads off the console
                script = script.replace(CODE_PLACEHOLDER, hub.new_code())
            timings[f"block {number}: {block.script.splitlines()[0][:60]}"] = run_block(script, home, commands)
        assert session is not None, "the guide never starts the kiosk"
        time.sleep(2.0)  # a few frames after the first
        session.screenshot(work / "panel.png")
        seen = until("the kiosk's first heartbeat", hub.kiosk)
        result["devices"] = json.loads(seen.devices)
        result["printed_nothing_yet"] = printer.printer.tickets() == []
        started = time.monotonic()
        version = hub.roll_out(poll_seconds=2, heartbeat_seconds=5, idle={"screen_seconds": 90})

        def applied() -> FleetKiosk | None:
            row = hub.kiosk()
            return row if row is not None and row.config_version == version else None

        result["config_status"] = until("the configuration to be applied", applied, 120).config_status
        timings["configuration saved to applied"] = time.monotonic() - started
        hub.stop()
        gone = until("the kiosk to notice the hub is gone", lambda: "heartbeat failed" in session.log() or None, 30)
        result["noticed_hub_gone"] = gone
        result["alive_without_hub"] = session.alive()
        session.screenshot(work / "panel-without-hub.png")
        last = hub.kiosk()
        assert last is not None
        seen_at = last.last_seen_at
        assert seen_at is not None
        hub.start()
        back = until("heartbeats again", lambda: _beat_after(hub, seen_at), 60)
        result["beats_again"] = back
        result["session_log"] = session.log()[-20000:]
    finally:
        if session is not None:
            session.stop()
        hub.stop()
        printer.stop()
    result["timings"] = timings
    (work / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def _beat_after(hub: HubOverTls, before: datetime) -> bool | None:
    row = hub.kiosk()
    return True if row is not None and row.last_seen_at is not None and row.last_seen_at > before else None


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
