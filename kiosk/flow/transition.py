"""The pieces every part of the flow shares: its configuration, the context of one step and its result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kiosk.domain.idle import WARNING_S_MIN
from kiosk.domain.language import DEFAULT_LANGUAGE, Language
from kiosk.flow.effects import Effect
from kiosk.flow.state import Session


@dataclass(frozen=True, slots=True)
class FlowConfig:
    hospital_name: str
    idle_after_s: float = 45.0  # no touch for this long → the "more time?" warning
    warning_s: float = 25.0  # the warning stays this long before the wipe (kiosk.domain.idle: the policy's minimum)
    paper_in_hand_s: float = 15.0  # ticket or slip printed: back to the start after this long
    language: Language = DEFAULT_LANGUAGE  # every session starts in it; the patient may switch
    kiosk_name: str = "kiosk"
    kiosk_location: str = ""  # where the kiosk stands, told to the reception staff with a call for help
    maintenance_pin_sha256: str | None = None  # None: no maintenance screen on this kiosk

    def __post_init__(self) -> None:
        if self.warning_s < WARNING_S_MIN:
            raise ValueError(f"the idle warning must give the patient at least {WARNING_S_MIN} seconds")


@dataclass(frozen=True, slots=True)
class Context:
    """What the flow may know about the world for one step: the clocks and a fresh random key."""

    now: float  # monotonic seconds, for timers
    wall: datetime  # aware, Asia/Ho_Chi_Minh, for dates and printed times
    fresh_key: str  # unique; used as the ticket order's idempotency key when one is needed


@dataclass(frozen=True, slots=True)
class Transition:
    session: Session
    effects: tuple[Effect, ...] = field(default=())
