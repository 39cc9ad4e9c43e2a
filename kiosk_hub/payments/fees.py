"""The exam fee of a visit: the HIS's price when it gives one, else the hospital's price list kept in the console,
else none (the desk takes the fee). BHYT visits pay nothing here (the co-payment is settled later by the HIS), nor
do patients whose priority reasons the hospital exempts."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.ticket import VisitType
from kiosk_hub.his.contract import ExamFeeQuery
from kiosk_hub.his.port import HisAdapter, HisError
from kiosk_hub.payments.models import ExamPrice

log = logging.getLogger("kiosk_hub.payments")


@dataclass(frozen=True)
class FeeQuote:
    amount_vnd: int  # 0: nothing to pay at the kiosk
    service_code: str
    service_name: str
    source: str  # his | price_list | bhyt | exempt


def bhyt_quote() -> FeeQuote:
    return FeeQuote(0, "", "", "bhyt")


class FeeDesk:
    def __init__(self, his: HisAdapter, reader: sessionmaker[Session], exempt: Iterable[str]) -> None:
        self._his = his
        self._reader = reader
        self._exempt = frozenset(exempt)

    def quote(
        self, department_id: str, visit_type: VisitType, room_id: str | None, priority_reasons: Iterable[str]
    ) -> FeeQuote | None:
        """The fee of this visit, or None when neither the HIS nor the price list knows it. Blocking: the HIS is
        asked (the hub runs this on a worker thread)."""
        if visit_type is VisitType.BHYT:
            return bhyt_quote()
        exempt = sorted(self._exempt.intersection(priority_reasons))
        if exempt:
            return FeeQuote(0, "", "", "exempt")
        try:
            fee = self._his.exam_fee(ExamFeeQuery(department_id=department_id, room_id=room_id, visit_type=visit_type))
        except HisError as exc:
            # The price list answers instead; the HIS's fault is the HIS page's business.
            log.warning("HIS gave no exam fee (%s); the price list answers", type(exc).__name__)
            fee = None
        if fee is not None:
            amount = 0 if fee.bhyt_covered else fee.amount_vnd
            return FeeQuote(amount, fee.service.code, fee.service.name, "his")
        return self.listed(department_id, visit_type)

    def listed(self, department_id: str, visit_type: VisitType) -> FeeQuote | None:
        with self._reader() as session:
            row = session.get(ExamPrice, (department_id, visit_type.value))
            if row is None:
                return None
            return FeeQuote(row.amount_vnd, row.service_code, row.service_name, "price_list")


def set_price(
    session: Session,
    department_id: str,
    visit_type: VisitType,
    amount_vnd: int | None,
    service: tuple[str, str],
    actor: str,
    now: datetime,
) -> None:
    """The console's price for a department and visit type; `amount_vnd` None removes it (the desk takes it)."""
    row = session.get(ExamPrice, (department_id, visit_type.value))
    if amount_vnd is None:
        if row is not None:
            session.delete(row)
        return
    code, name = service
    if row is None:
        row = ExamPrice(department_id=department_id, visit_type=visit_type.value)
        session.add(row)
    row.amount_vnd, row.service_code, row.service_name = amount_vnd, code, name
    row.updated_at, row.updated_by = now, actor


def price_list(session: Session) -> list[ExamPrice]:
    return list(session.scalars(select(ExamPrice).order_by(ExamPrice.department_id, ExamPrice.visit_type)))
