"""The BHXH lookup officer: the member of staff on whose behalf the hub asks the gateway about a card (their name
and CCCD go with every check). A hub setting, never sent to kiosks: from KIOSK_HUB_BHXH_OFFICER_NAME / _CCCD, or
what an admin saved in the console (sealed in the database with the key file, the CCCD shown by its last 4 digits).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.bhxh.models import LookupOfficerRow
from kiosk_hub.db.engine import as_utc
from kiosk_hub.fleet.signing import ConfigKeys
from kiosk_hub.settings import BhxhSettings

_ROW = 1
_LABEL = "bhxh lookup officer"
CACHE_SECONDS = 10.0  # every hub process sees an admin's change within this
_CCCD = re.compile(r"^\d{12}$")
NAME_MAX = 100


class OfficerError(ValueError):
    """What an admin typed is not a name and a 12-digit CCCD; `field` names which."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class LookupOfficer:
    name: str
    id_number: str

    @property
    def masked_id(self) -> str:
        return f"•••• •••• {self.id_number[-4:]}" if self.id_number else ""


@dataclass(frozen=True)
class OfficerView:
    """What the console shows: never the whole CCCD."""

    name: str
    masked_id: str
    source: str  # "console" or "environment"
    changed: str = ""  # who saved it in the console, and when


class OfficerBook:
    """The officer in effect: the console's, else the settings'. Read at most every CACHE_SECONDS per process."""

    def __init__(
        self, settings: BhxhSettings, reader: sessionmaker[Session], keys: ConfigKeys,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self._default = LookupOfficer(settings.officer_name, settings.officer_id_number.get_secret_value())
        self._reader, self._keys, self._monotonic = reader, keys, monotonic
        self._cached: tuple[float, LookupOfficer | None] | None = None

    async def current(self) -> LookupOfficer:
        cached = self._cached
        if cached is None or self._monotonic() - cached[0] > CACHE_SECONDS:
            cached = self._cached = (self._monotonic(), await asyncio.to_thread(self._load))
        return cached[1] or self._default

    async def name_and_id(self) -> tuple[str, str]:
        """What the BHXH client sends with a card check (`BhxhClient`'s officer source)."""
        officer = await self.current()
        return officer.name, officer.id_number

    def _load(self) -> LookupOfficer | None:
        with self._reader() as session:
            row = session.get(LookupOfficerRow, _ROW)
            if row is None:
                return None
            fields = json.loads(self._keys.open_value(session, _LABEL, row.sealed))
        return LookupOfficer(fields["name"], fields["id_number"])

    def view(self) -> OfficerView:
        """For the console page (no CCCD beyond its last 4 digits; nothing opened but the name)."""
        with self._reader() as session:
            row = session.get(LookupOfficerRow, _ROW)
            if row is None:
                return OfficerView(self._default.name, self._default.masked_id, "environment")
            name = json.loads(self._keys.open_value(session, _LABEL, row.sealed))["name"]
            changed = f"{row.updated_by}, {as_utc(row.updated_at):%Y-%m-%d %H:%M} UTC"
            return OfficerView(name, f"•••• •••• {row.id_last4}", "console", changed)

    def save(self, session: Session, name: str, id_number: str, actor: str, now: datetime) -> None:
        """An admin's officer; a blank CCCD keeps the one saved before (it is never sent back to the browser)."""
        name = " ".join(name.split())
        if not name or len(name) > NAME_MAX:
            raise OfficerError("name")
        id_number = id_number.strip()
        if not id_number:
            row = session.get(LookupOfficerRow, _ROW)
            if row is None:
                raise OfficerError("id_number")
            id_number = json.loads(self._keys.open_value(session, _LABEL, row.sealed))["id_number"]
        if not _CCCD.match(id_number):
            raise OfficerError("id_number")
        sealed = self._keys.seal_value(session, _LABEL, json.dumps({"name": name, "id_number": id_number}).encode())
        row = LookupOfficerRow(id=_ROW, sealed=sealed, id_last4=id_number[-4:], updated_by=actor, updated_at=now)
        session.merge(row)
        self._cached = None

    def forget(self, session: Session) -> None:
        """Back to the settings' officer."""
        row = session.get(LookupOfficerRow, _ROW)
        if row is not None:
            session.delete(row)
        self._cached = None
