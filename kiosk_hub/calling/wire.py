"""What the calling API takes and answers besides tickets (`kiosk_hub.wire.Ticket`)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from kiosk_hub.calling.models import RoomState
from kiosk_hub.wire import Wire


class TicketAction(StrEnum):
    RECALL = "recall"  # call the number again
    SKIP = "skip"  # did not come: back after a few calls, or missed
    START = "start"  # the patient is in the room
    DONE = "done"  # seen


class TransferRequest(Wire):
    to_department_id: str = Field(min_length=1, max_length=32)
    to_room_id: str | None = Field(default=None, min_length=1, max_length=32)


class RoomStateRequest(Wire):
    state: RoomState


class RoomStateAnswer(Wire):
    room_id: str
    state: RoomState
