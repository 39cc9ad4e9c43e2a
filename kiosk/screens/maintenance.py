"""Staff only: the kiosk's name and version, each device's state, and a test print."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from kiosk.flow.events import Back, PrintTestSlip
from kiosk.flow.state import Session
from kiosk.screens.base import KioskScreen, load_kv

load_kv(__file__.replace("maintenance.py", "confirm.py"))  # the ConfirmRow rule
load_kv(__file__)


def _version() -> str:
    try:
        return version("vn-hospital-kiosk")
    except PackageNotFoundError:
        return "dev"


class MaintenanceScreen(KioskScreen):
    NAME = "maintenance"

    kiosk_name = ""

    def render(self, session: Session) -> None:
        ids = self.ids
        ids.title.text = self.t("maintenance.title")
        ids.kiosk.label, ids.kiosk.value = self.t("maintenance.kiosk"), self.kiosk_name
        ids.version.label, ids.version.value = self.t("maintenance.version"), _version()
        board = self.devices
        for part in ("reader", "camera", "printer", "network"):
            ok = getattr(board, part, True)
            row = ids[part]
            row.label = self.t(f"status.{part}_ok")
            row.value = self.t("maintenance.ok" if ok else "maintenance.fault")
        ids.notice.text = self.t(session.notice_key) if session.notice_key else ""
        ids.test_print.text = self.t("maintenance.test_print")
        ids.close.text = self.t("maintenance.close")

    def test_print(self) -> None:
        self.send(PrintTestSlip())

    def close(self) -> None:
        self.send(Back())
