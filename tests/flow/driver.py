"""Drives the pure flow directly, one event at a time, with a hand-moved clock (like Electrum's test_wizard)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kiosk.domain.dates import VN_TZ
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.flow.effects import Effect
from kiosk.flow.events import Event
from kiosk.flow.machine import step
from kiosk.flow.records import IdentifierKind, IdentitySource, PatientRecord, PresentedIdentity
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import Context, FlowConfig

CONFIG = FlowConfig(hospital_name="Bệnh viện Đa khoa Demo", idle_after_s=45, warning_s=25, paper_in_hand_s=15)
WALL = datetime(2026, 11, 23, 8, 30, tzinfo=VN_TZ)

CHIP = PresentedIdentity(
    source=IdentitySource.CHIP,
    lookup_kind=IdentifierKind.CCCD,
    lookup_value="001089012345",
    full_name="Nguyễn Văn An",
    date_of_birth=dob("1989-02-01"),
    sex="male",
    id_number="001089012345",
)
PATIENT = PatientRecord(
    id="P1", full_name="Nguyễn Văn An", date_of_birth=dob("1989-02-01"), id_number_masked="••••2345"
)
CCCD_QR = "001089012345|123456789|Nguyễn Văn An|01021989|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021"


@dataclass
class Driver:
    session: Session = field(default_factory=Session)
    now: float = 0.0
    keys: int = 0
    effects: list[Effect] = field(default_factory=list)

    def send(self, event: Event) -> tuple[Effect, ...]:
        self.keys += 1
        ctx = Context(now=self.now, wall=WALL, fresh_key=f"key-{self.keys}")
        result = step(self.session, event, ctx, CONFIG)
        self.session = result.session
        self.effects.extend(result.effects)
        return result.effects

    def wait(self, seconds: float) -> tuple[Effect, ...]:
        from kiosk.flow.events import Tick

        out: list[Effect] = []
        for _ in range(int(seconds)):
            self.now += 1
            out.extend(self.send(Tick()))
        return tuple(out)

    @property
    def step(self) -> Step:
        return self.session.step

    @property
    def gen(self) -> int:
        return self.session.generation
