"""Sending the BHYT check-in record (XML0) to the BHXH gateway when a BHYT visit is opened: off by default
(`KIOSK_HUB_BHYT_CHECKIN=on`), because the hospital's HIS normally sends it after the visit's first cost and BHXH
would otherwise receive it twice.

The record is built and checked the moment the HIS confirms the visit (the HIS answers the patient's details with
it); the file waits in `bhyt_checkins` only until the gateway takes it, then only the receipt stays (maGiaoDich,
thoiGianTiepNhan). A record that breaks the table's rules is never sent: its row says which rule, not the data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.bhxh import checkin
from kiosk_hub.bhxh.client import BhxhClient, BhxhError
from kiosk_hub.bhxh.wire import CheckInAnswer
from kiosk_hub.his import contract as c
from kiosk_hub.his.models import BhytCheckIn

log = logging.getLogger("kiosk_hub.his.bhyt_checkin")
MAX_ATTEMPTS = 50


class CheckInSubmissions:
    def __init__(
        self,
        writer: sessionmaker[Session],
        reader: sessionmaker[Session],
        clock: Callable[[], datetime],
        facility_code: str,
        province_code: str,
    ) -> None:
        self._writer = writer
        self._reader = reader
        self._clock = clock
        self._facility_code = facility_code
        self._province_code = province_code or facility_code[:2]

    def prepare(self, opening: c.VisitOpening, opened: c.OpenedVisit) -> None:
        """Build and check the record of a just-opened visit; keep it to send (or say why it cannot be)."""
        if opening.visit_type != "bhyt":
            return
        now = self._clock()
        row = BhytCheckIn(visit_ref=opening.visit_ref, ma_lk=opened.visit_code, state="pending", created_at=now)
        if opened.patient is None:
            row.state, row.message = "invalid", "the HIS answered no patient details with the visit"
        else:
            record = checkin.build(opening, opened, opened.patient, self._facility_code, now)
            found = checkin.problems(record, bhyt=True)
            if found:
                row.state = "invalid"
                row.message = "; ".join(f"{p.element}: {p.rule}" for p in found)[:500]
            else:
                row.xml = checkin.to_xml(record).decode()
        with self._writer() as session:
            if session.get(BhytCheckIn, opening.visit_ref) is None:  # opened once: recorded once
                session.add(row)
                session.commit()
        if row.state == "invalid":
            log.warning("BHYT check-in of visit %s not sent: %s", opening.visit_ref, row.message)

    async def send_pending(self, client: BhxhClient, limit: int = 20) -> int:
        """Send what waits; the number the gateway accepted."""
        with self._reader() as session:
            pending = list(session.scalars(select(BhytCheckIn).where(BhytCheckIn.state == "pending").limit(limit)))
        accepted = 0
        for row in pending:
            try:
                answer = await client.send_checkin((row.xml or "").encode(), self._facility_code, self._province_code)
            except BhxhError as exc:
                log.warning("BHXH gateway did not take the check-in (%s): kept to send again", type(exc).__name__)
                self._update(row.visit_ref, attempts_only=True)
                break
            self._update(row.visit_ref, answer=answer)
            accepted += answer.accepted
        return accepted

    def _update(self, visit_ref: str, answer: CheckInAnswer | None = None, attempts_only: bool = False) -> None:
        with self._writer() as session:
            row = session.get(BhytCheckIn, visit_ref)
            if row is None:
                return
            row.attempts += 1
            if attempts_only:
                if row.attempts >= MAX_ATTEMPTS:
                    row.state, row.xml, row.message = "unsent", None, "the gateway never answered"
            elif answer is not None:
                row.state = "sent" if answer.accepted else "refused"
                row.result_code = answer.maKetQua
                row.transaction_code = answer.maGiaoDich
                row.received_at = answer.thoiGianTiepNhan
                row.message = (answer.thongDiep or "")[:500]
                row.xml = None  # the gateway has it (or refused it): nothing personal stays
            session.commit()
