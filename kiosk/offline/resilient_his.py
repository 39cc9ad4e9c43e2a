"""The HIS port that keeps working without the hub: the real client while the hub answers, the lease and the
encrypted journal when it does not, and a background round that renews leases and replays the journal.

A patient never waits long for a dead hub: each online call has a short deadline (`answer_within_s`) and the hub's
breaker, once open, sends the next calls straight to the offline path. An order whose answer was lost keeps its
Idempotency-Key in the journal, so the hub moves a ticket it did issue to the number the patient holds.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from kiosk.backend_client import mapping
from kiosk.backend_client.errors import HisConnectionError, HisResponseError
from kiosk.domain.dates import PartialDate, local_date
from kiosk.domain.ticket import Lane
from kiosk.flow.ports import HisPort, PortError, bookings_of, help_of
from kiosk.flow.records import (
    AppointmentRecord,
    DepartmentChoice,
    EntitlementAnswer,
    IdentifierKind,
    IssuedTicket,
    PatientRecord,
    PresentedIdentity,
    TicketOrder,
)
from kiosk.offline import provisional
from kiosk.offline.breaker import CircuitBreaker
from kiosk.offline.lease_client import LeaseClient
from kiosk.offline.replay import replay_journal
from kiosk.offline.store import HeldLease, LeaseExhaustedError, OfflineStore

log = logging.getLogger("kiosk.offline")
T = TypeVar("T")
SESSION_MEMORY_S = 300.0  # longer than any check-in session (idle wipe after ~70 s)


class HubUnreachableError(HisConnectionError):
    """The hub is down or too slow and the offline path cannot serve this either."""


def _hub_fault(exc: BaseException) -> bool:
    if isinstance(exc, HisConnectionError | TimeoutError):
        return True
    return isinstance(exc, HisResponseError) and exc.status >= 500


class ResilientHis:
    def __init__(
        self,
        inner: HisPort,
        store: OfflineStore,
        leases: LeaseClient,
        *,
        status_url: str,
        breaker: CircuitBreaker | None = None,
        answer_within_s: float = 0.8,  # an online check-in takes ~25 ms; the goal is ≤ 1 s extra on a hub loss
        entitlement_within_s: float = 10.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._inner, self._store, self._leases = inner, store, leases
        self.breaker = breaker or CircuitBreaker("hub")
        self._status_url = status_url
        self._within, self._entitlement_within = answer_within_s, entitlement_within_s
        self._clock = clock
        # Only for the session in progress: who was registered offline and which card to re-check.
        # Kept by monotonic time: a session abandoned before its ticket (Cancel, idle wipe) is forgotten soon.
        self._offline_patients: dict[str, tuple[float, dict[str, Any]]] = {}
        self._cards: dict[str, tuple[float, dict[str, Any]]] = {}

    async def _online(self, call: Callable[[], Awaitable[T]], within_s: float) -> T | None:
        """The hub's answer, or None when the hub is (known) unreachable; the hub's refusals pass through."""
        if not self.breaker.allow():
            return None
        try:
            answer = await asyncio.wait_for(call(), within_s)
        except Exception as exc:
            if not _hub_fault(exc):
                self.breaker.succeeded()  # the hub answered, with a refusal the flow must see
                raise
            log.warning("hub call failed (%s): offline path", type(exc).__name__)
            self.breaker.failed()
            return None
        self.breaker.succeeded()
        return answer

    # --- bookings: online only. A booking is the hub's record; while the hub is away the patient checks in as
    # a walk-in (card, QR or number), which the lease path serves.

    async def find_appointment(self, code: str) -> AppointmentRecord | None:
        if not self.breaker.allow():
            raise PortError("appointment.unavailable")
        return await bookings_of(self._inner).find_appointment(code)

    async def check_in_appointment(self, code: str, order: TicketOrder) -> IssuedTicket:
        if not self.breaker.allow():
            raise PortError("appointment.unavailable")
        return await bookings_of(self._inner).check_in_appointment(code, order)

    async def call_for_help(self, location: str, screen: str) -> None:
        """With the hub known to be away the patient is told at once to walk to the desk, not after a timeout."""
        if not self.breaker.allow():
            raise PortError("call_staff.hub_away")
        await help_of(self._inner).call_for_help(location, screen)

    # --- the HIS port ----------------------------------------------------------------------------------------

    async def find_patient(self, kind: IdentifierKind, value: str) -> PatientRecord | None:
        return await self._online(lambda: self._inner.find_patient(kind, value), self._within)

    async def register_patient(self, identity: PresentedIdentity) -> PatientRecord:
        record = await self._online(lambda: self._inner.register_patient(identity), self._within)
        if record is not None:
            return record
        if not identity.complete:
            raise HubUnreachableError("offline registration needs a name and a date of birth")
        patient_id = provisional.OFFLINE_PREFIX + str(uuid.uuid4())
        self._forget_abandoned()
        registration = mapping.registration(identity).model_dump(mode="json", exclude_none=True)
        self._offline_patients[patient_id] = (time.monotonic(), registration)
        assert identity.full_name is not None
        return PatientRecord(id=patient_id, full_name=identity.full_name, date_of_birth=identity.date_of_birth)

    async def check_entitlement(
        self, card_code: str, full_name: str, date_of_birth: PartialDate | None, patient_id: str | None
    ) -> EntitlementAnswer:
        answer = await self._online(
            lambda: self._inner.check_entitlement(card_code, full_name, date_of_birth, patient_id),
            self._entitlement_within,
        )
        if answer is not None:
            return answer
        card = {"card_code": card_code, "full_name": full_name, "date_of_birth": mapping.iso(date_of_birth)}
        self._forget_abandoned()
        self._cards[patient_id or ""] = (time.monotonic(), card)
        return provisional.pending_entitlement(card_code)

    async def departments(self) -> list[DepartmentChoice]:
        found = await self._online(self._inner.departments, self._within)
        if found is not None:
            self._store.keep_departments([provisional.department_to_json(d) for d in found])
            return found
        cached = [provisional.department_from_json(d) for d in self._store.departments()]
        if not cached:
            raise HubUnreachableError("no department list kept yet")
        return cached

    async def issue_ticket(self, order: TicketOrder) -> IssuedTicket:
        if not order.patient_id.startswith(provisional.OFFLINE_PREFIX):
            issued = await self._online(lambda: self._inner.issue_ticket(order), self._within)
            if issued is not None:
                return issued
        return self._issue_provisional(order)

    def _issue_provisional(self, order: TicketOrder) -> IssuedTicket:
        now = self._clock()
        patient = self._offline_patients.pop(order.patient_id, (0.0, None))[1]
        card = self._cards.pop(order.patient_id, (0.0, None))[1]
        entry = provisional.registration(order, now, patient, card)
        try:
            number, lease_id = self._store.journal_ticket_from(
                order.department_id, order.lane.value, local_date(now), order.idempotency_key, entry
            )
        except LeaseExhaustedError as exc:
            raise HubUnreachableError("no leased number left") from exc
        department = next((d for d in self._cached_departments() if d.id == order.department_id), None)
        log.info("provisional ticket issued from the lease (%s)", order.lane.value)
        url = provisional.status_url(self._status_url, lease_id, order.idempotency_key)
        return provisional.provisional_ticket(order, number, now, department, url)

    def _forget_abandoned(self) -> None:
        cutoff = time.monotonic() - SESSION_MEMORY_S
        for kept in (self._offline_patients, self._cards):
            for key in [k for k, (at, _) in kept.items() if at < cutoff]:
                del kept[key]

    def _cached_departments(self) -> list[DepartmentChoice]:
        return [provisional.department_from_json(d) for d in self._store.departments()]

    # --- the background round: departments, leases, replay -------------------------------------------------

    def held_leases(self) -> list[HeldLease]:
        """The number blocks this kiosk holds (for the maintenance screen and tests)."""
        return self._store.leases()

    def health(self) -> dict[str, object]:
        """For the banner and the heartbeat: the hub breaker's state and how many tickets wait for the hub."""
        return {"hub": self.breaker.state.value, "journal": self._store.journal_size()}

    async def maintain(self) -> int:
        """One round: replay the journal, then renew leases; the number of registrations the hub confirmed."""
        if not self.breaker.allow():
            return 0
        try:
            replayed = await replay_journal(self._store, self._leases)
            await self._renew_leases()
        except Exception as exc:
            if not _hub_fault(exc):
                raise
            self.breaker.failed()
            return 0
        self.breaker.succeeded()
        return replayed

    async def _renew_leases(self) -> None:
        departments = await self._inner.departments()
        self._store.keep_departments([provisional.department_to_json(d) for d in departments])
        now = self._clock()
        if any(lease.day != local_date(now) for lease in self._store.leases()):
            # A new day (the journal is already replayed): yesterday's blocks go back, today's are taken below.
            await self._leases.give_back()
            self._store.drop_leases()
        held = {(lease.department_id, lease.lane): lease for lease in self._store.leases()}
        for department in departments:
            for lane in Lane:
                lease = held.get((department.id, lane.value))
                size = lease.last_number - lease.first_number + 1 if lease else 0
                stale = lease is None or lease.day != local_date(now) or now >= lease.renew_after
                if stale or (lease is not None and lease.remaining * 2 < size):
                    self._store.keep_lease(await self._leases.take(department.id, lane.value))

    async def run(self, every_s: float = 10.0, busy_every_s: float = 2.0) -> None:
        """The background loop (a task on the kiosk's loop); faster while tickets wait for the hub."""
        said = ""
        while True:
            try:
                await self.maintain()
                said = ""
            except HisResponseError as refused:  # e.g. the token revoked: one line while it lasts, no traceback
                if str(refused) != said:
                    said = str(refused)
                    log.warning("offline maintenance: the hub refused: %s", said)
            except Exception:  # the loop must outlive one bad round; the reason is logged without personal data
                log.exception("offline maintenance round failed")
            await asyncio.sleep(busy_every_s if self._store.journal_size() else every_s)
