"""The entitlement check the kiosk sees: the gateway's answer normalised with the domain's result catalogue.

A gateway that cannot answer never turns a patient away (the law forbids it): the answer is "register and
re-check", and the check is queued for the background re-checker.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.bhyt_code import benefit_percent, parse_bhyt_code
from kiosk.domain.entitlement import EntitlementAction, card_valid_on, result_for_code
from kiosk.domain.errors import DomainParseError
from kiosk_hub import wire
from kiosk_hub.bhxh.client import BhxhClient, BhxhError, GatewayCredentialsError, OfficerSource
from kiosk_hub.bhxh.wire import GATEWAY_DATE, CardAnswer
from kiosk_hub.db.engine import utc_now
from kiosk_hub.db.models import EntitlementRecheck
from kiosk_hub.events.outbox import EventType, record_event, subject_of
from kiosk_hub.his.contract import EntitlementRecord
from kiosk_hub.his.models import EntitlementCheck

log = logging.getLogger("kiosk_hub.entitlement")
GATEWAY_DOWN_CODES = frozenset({"100", "101", "500"})
NEW_CARD_CODES = frozenset({"003", "004"})
MAX_CARDS_ON_FILE = 2  # of the three a patient may have on file, the two the kiosk did not send


def gateway_date(text: str | None) -> date | None:
    if not text or not text.strip() or text.strip() == "-":
        return None
    try:
        return datetime.strptime(text.strip(), GATEWAY_DATE).date()  # noqa: DTZ007 - a calendar date, no time
    except ValueError:
        return None


def partial_from_gateway(text: str | None) -> str | None:
    """The gateway's ngaySinh ("dd/MM/yyyy" or "yyyy") as "YYYY-MM-DD" / "YYYY"."""
    if not text:
        return None
    text = text.strip()
    if len(text) == 4 and text.isdigit():
        return text
    day = gateway_date(text)
    return day.isoformat() if day else None


def partial_to_gateway(partial: str) -> str:
    """ "YYYY-MM-DD" → "dd/MM/yyyy"; a year alone (or year-month) goes as the year, which the gateway accepts."""
    if len(partial) == 10:
        year, month, day = partial.split("-")
        return f"{day}/{month}/{year}"
    return partial[:4]


def _digits(code: str | None) -> str | None:
    return "".join(ch for ch in code if ch.isdigit()) if code else None


def normalise(answer: CardAnswer, today: date, facility_code: str) -> wire.Entitlement:
    """What the kiosk shows and does for a gateway answer."""
    result = result_for_code(answer.maKetQua)
    action, message_key = result.action, result.message_key
    new_card = answer.maKetQua in NEW_CARD_CODES and bool(answer.maTheMoi)
    if new_card:
        card, start, end = answer.maTheMoi, answer.gtTheTuMoi, answer.gtTheDenMoi
        facility, facility_name = answer.maDKBDMoi or answer.maDKBD, answer.tenDKBDMoi
    else:
        card, start, end, facility, facility_name = answer.maThe, answer.gtTheTu, answer.gtTheDen, answer.maDKBD, None
    valid_from, valid_to = gateway_date(start), gateway_date(end)
    valid_today = card_valid_on(valid_from, valid_to, today) if (valid_from or valid_to) else None
    if action in (EntitlementAction.PROCEED, EntitlementAction.USE_NEW_CARD) and valid_today is False:
        # The gateway said "valid" but the dates do not cover today: treat it as an expired card.
        expired = result_for_code("010")
        action, message_key = expired.action, expired.message_key
    level: int | None = None
    if card:
        try:
            level = parse_bhyt_code(card).benefit_level
        except DomainParseError:
            level = None
    facility_digits = _digits(facility)
    return wire.Entitlement(
        action=action,
        message_key=message_key,
        bhxh_code=answer.maKetQua,
        bhxh_note=answer.ghiChu,
        to_recheck=answer.maKetQua in GATEWAY_DOWN_CODES,
        card_code=card,
        new_card_applied=new_card,
        benefit_level=level,
        benefit_percent=benefit_percent(level) if level else None,
        valid_from=valid_from,
        valid_to=valid_to,
        valid_today=valid_today,
        registered_facility_code=facility_digits,
        registered_facility_name=facility_name,
        registered_here=(facility_digits == facility_code) if facility_digits else None,
        five_year_date=gateway_date(answer.ngayDu5Nam),
        gateway_full_name=answer.hoTen if answer.maKetQua in ("060", "061") else None,
        gateway_date_of_birth=partial_from_gateway(answer.ngaySinh) if answer.maKetQua == "070" else None,
    )


def without_answer(request: wire.EntitlementRequest, code: str | None) -> wire.Entitlement:
    """No card details: the gateway was unreachable (code None) or refused the facility account ("401")."""
    result = result_for_code(code or "500")
    return wire.Entitlement(
        action=result.action,
        message_key=result.message_key,
        bhxh_code=code,
        bhxh_note=None,
        to_recheck=code is None,
        card_code=request.card_code,
        new_card_applied=False,
        benefit_level=None,
        benefit_percent=None,
        valid_from=None,
        valid_to=None,
        valid_today=None,
        registered_facility_code=None,
        registered_facility_name=None,
        registered_here=None,
        five_year_date=None,
        gateway_full_name=None,
        gateway_date_of_birth=None,
    )


async def _nobody() -> tuple[str, str]:
    return "", ""


class EntitlementChecker:
    """Runs card checks for kiosks and keeps the ones the gateway could not answer for a later re-check."""

    def __init__(
        self,
        client: BhxhClient,
        writer: sessionmaker[Session],
        facility_code: str,
        officer: OfficerSource | None = None,
        clock: Callable[[], datetime] | None = None,
        cards_on_file: Callable[[str], list[str]] | None = None,
    ) -> None:
        self._client = client
        self._writer = writer
        self._facility_code = facility_code
        self._officer = officer or _nobody
        self._clock = clock or utc_now
        # The patient's cards the hub holds (the kiosk is never sent them); none known: no second try.
        self._cards_on_file = cards_on_file or (lambda _patient: [])

    async def check(self, request: wire.EntitlementRequest, today: date) -> wire.Entitlement:
        """The card's check; when the gateway does not know it (050–053) and the patient is named, their other
        cards on file are tried (the kiosk never receives those numbers, so it cannot try them itself)."""
        result = await self._check_one(request, today)
        if result.action is not EntitlementAction.TRY_OTHER_IDENTIFIER or request.patient_id is None:
            return result
        on_file = await asyncio.to_thread(self._cards_on_file, request.patient_id)
        for code in [c for c in on_file if c != request.card_code][:MAX_CARDS_ON_FILE]:
            other = await self._check_one(request.model_copy(update={"card_code": code}), today)
            if other.action is not EntitlementAction.TRY_OTHER_IDENTIFIER:
                return other
        return result

    async def _check_one(self, request: wire.EntitlementRequest, today: date) -> wire.Entitlement:
        try:
            answer = await self._client.check_card(
                request.card_code, request.full_name, partial_to_gateway(request.date_of_birth)
            )
        except GatewayCredentialsError:
            log.error("BHXH gateway refused the facility account: check the hub's BHXH settings")
            return without_answer(request, "401")
        except BhxhError as exc:
            log.warning("BHXH gateway unavailable (%s): patient registered, check queued", exc)
            await asyncio.to_thread(self.queue_recheck, request)
            result = without_answer(request, None)
            await asyncio.to_thread(self.record, request, result, await self._officer())
            return result
        result = normalise(answer, today, self._facility_code)
        if result.to_recheck:
            await asyncio.to_thread(self.queue_recheck, request)
        await asyncio.to_thread(self.record, request, result, await self._officer())
        return result

    def record(
        self, request: wire.EntitlementRequest, result: wire.Entitlement, officer: tuple[str, str] = ("", "")
    ) -> None:
        """Keep the check for the patient's visit in the HIS (with the officer it was made on behalf of), and announce
        it (one transaction)."""
        if request.patient_id is None:
            return
        now = self._clock()
        record = EntitlementRecord(
            checked_at=now,
            result_code=result.bhxh_code or "500",
            note=result.bhxh_note,
            card_code=result.card_code,
            registered_facility_code=result.registered_facility_code,
            valid_from=result.valid_from,
            valid_to=result.valid_to,
            to_recheck=result.to_recheck,
            officer_name=officer[0] or None,
            officer_id_number=officer[1] or None,
        )
        with self._writer() as session:
            session.add(
                EntitlementCheck(
                    id=str(uuid.uuid4()),
                    patient_ref=request.patient_id,
                    record=record.model_dump_json(),
                    checked_at=now,
                )
            )
            record_event(
                session,
                EventType.ENTITLEMENT_CHECKED,
                subject=subject_of(request.patient_id),
                data={
                    "patient_ref": request.patient_id,
                    "result_code": record.result_code,
                    "action": result.action.value,
                    "to_recheck": result.to_recheck,
                    "valid_today": result.valid_today,
                    "registered_here": result.registered_here,
                },
                occurred_at=now,
            )
            session.commit()

    def queue_recheck(self, request: wire.EntitlementRequest) -> None:
        with self._writer() as session:
            session.add(
                EntitlementRecheck(
                    id=str(uuid.uuid4()),
                    patient_ref=request.patient_id,
                    card_code=request.card_code,
                    full_name=request.full_name,
                    date_of_birth=request.date_of_birth,
                    created_at=utc_now(),
                )
            )
            session.commit()

    async def recheck_pending(self, limit: int = 50) -> int:
        """Ask the gateway again for queued checks; the number answered (the HIS reads the outcome)."""
        with self._writer() as session:
            pending = session.scalars(
                select(EntitlementRecheck).where(EntitlementRecheck.done.is_(False)).limit(limit)
            ).all()
        answered = 0
        for item in pending:
            try:
                answer = await self._client.check_card(
                    item.card_code, item.full_name, partial_to_gateway(item.date_of_birth)
                )
            except BhxhError:
                break  # still down: try again on the next round
            with self._writer() as session:
                row = session.get(EntitlementRecheck, item.id)
                if row is not None:
                    row.attempts += 1
                    row.last_code = answer.maKetQua
                    row.done = answer.maKetQua not in GATEWAY_DOWN_CODES
                    session.commit()
            answered += answer.maKetQua not in GATEWAY_DOWN_CODES
        return answered
