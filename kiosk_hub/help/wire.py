"""What a kiosk sends when a patient asks for help, and what the hub answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from kiosk_hub.wire import Wire


class HelpCallRequest(Wire):
    location: Annotated[str, StringConstraints(max_length=120)] = Field(
        default="", description="where the kiosk stands, from its settings (e.g. 'Sảnh tầng 1, nhà A')"
    )
    screen: Annotated[str, StringConstraints(max_length=32, pattern=r"^[a-z_]*$")] = Field(
        default="", description="the kiosk's step when the patient asked (never anything about the patient)"
    )


class HelpCallAnswer(Wire):
    id: str
    asked_at: datetime
    already_open: bool = Field(description="true when this kiosk's earlier call is still open (pressed twice)")
