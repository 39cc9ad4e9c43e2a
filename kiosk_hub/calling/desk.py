"""What a room does with its numbers: call the next, call again, skip a no-show, start, finish, transfer, pause or
close the room. Staff at the calling page and a HIS with the `calling` scope do the same actions through here.

Each action is one transaction: the department is locked first (PostgreSQL; SQLite has one writer), the ticket is
read and checked in it, the change, the call log row screens follow and the queue watcher's event commit together,
or a typed refusal (`refusals.py`) leaves everything as it was. Two counters never take the same ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.ticket import display_number
from kiosk_hub import wire
from kiosk_hub.calling import refusals
from kiosk_hub.calling.models import CallingRoom, CallKind, CallLogEntry, RoomState, TicketCall
from kiosk_hub.db.models import CallCounter, Department, Room, Ticket, TicketStatus
from kiosk_hub.errors import HubError
from kiosk_hub.queue.state import add_to_counter, raise_counter
from kiosk_hub.queue.tickets import QueueBook, lock_department, take_next
from kiosk_hub.queue.watch import QueueWatcher
from kiosk_hub.settings import CallingSettings
from kiosk_hub.waits.learn import record_service

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Actor:
    """Who acts: "staff:<username>" or "his:<credential>", and the rooms they may act for (None: every room of the
    department)."""

    label: str
    rooms: frozenset[str] | None = None

    def check_room(self, room_id: str | None) -> None:
        if self.rooms is not None and room_id not in self.rooms:
            raise refusals.room_not_yours()


@dataclass(frozen=True)
class Transfer:
    to_department_id: str
    to_room_id: str | None = None


class CallingDesk:
    """The rooms' actions over the queue book; `changed` (set by the call board) hears of each commit."""

    def __init__(
        self,
        queue: QueueBook,
        writer: sessionmaker[Session],
        clock: Clock,
        settings: CallingSettings,
        watcher: QueueWatcher,
    ) -> None:
        self._queue = queue
        self._writer = writer
        self._clock = clock
        self._settings = settings
        self._watcher = watcher
        self.changed: Callable[[], None] = lambda: None

    # --- calling the next ---------------------------------------------------------------------------------------

    def call_next(self, department_id: str, room_id: str | None, actor: Actor) -> wire.Ticket:
        """The next number by the department's lane policy, for the room (its own tickets and the department's)."""
        actor.check_room(room_id)
        with self._writer() as session:
            department = self._department(session, department_id)
            if room_id is not None:
                self._check_open(session, self._room(session, department_id, room_id))
            day, now = self._queue.today(), self._clock()
            self._release_skipped(session, department_id, day)
            ticket = take_next(session, department, day, room_id, now)
            if ticket is None:
                raise refusals.queue_empty()
            record = self._ticket_call(session, ticket)
            record.calls, record.room_id = record.calls + 1, ticket.room_id
            self._log(session, CallKind.CALLED, ticket, actor, now)
            self._watcher.called(session.connection(), ticket, now)
            return self._commit(session, ticket)

    def _release_skipped(self, session: Session, department_id: str, day: date) -> None:
        """Skipped tickets whose turn came back wait again (their low numbers put them first in their lane)."""
        last = calls_so_far(session, department_id, day)
        due = select(TicketCall.ticket_id).where(TicketCall.returns_at_call <= last)
        session.execute(
            update(Ticket)
            .where(
                Ticket.department_id == department_id,
                Ticket.day == day,
                Ticket.status == TicketStatus.SKIPPED,
                Ticket.id.in_(due),
            )
            .values(status=TicketStatus.WAITING)
            .execution_options(synchronize_session=False)
        )

    # --- actions on a called ticket -----------------------------------------------------------------------------

    def recall(self, department_id: str, ticket_id: str, actor: Actor) -> wire.Ticket:
        """Call the number again (also one that was skipped or missed and came late)."""
        with self._writer() as session:
            ticket, record, now = self._called(session, department_id, ticket_id, actor)
            if ticket.status not in (TicketStatus.CALLED, TicketStatus.SKIPPED, TicketStatus.MISSED):
                raise self._wrong_state(ticket)
            ticket.status = TicketStatus.CALLED
            record.calls, record.returns_at_call = record.calls + 1, None
            self._log(session, CallKind.RECALLED, ticket, actor, now)
            self._watcher.recalled(session.connection(), ticket, now)
            return self._commit(session, ticket)

    def skip(self, department_id: str, ticket_id: str, actor: Actor) -> wire.Ticket:
        """Did not come: back in the queue after the configured number of later calls, or missed."""
        with self._writer() as session:
            ticket, record, now = self._called(session, department_id, ticket_id, actor)
            if ticket.status != TicketStatus.CALLED:
                raise self._wrong_state(ticket)
            record.skips += 1
            after = self._settings.skip_returns_after_calls
            missed = after == 0 or record.skips > self._settings.skip_returns
            if missed:
                ticket.status, record.returns_at_call = TicketStatus.MISSED, None
            else:
                ticket.status = TicketStatus.SKIPPED
                record.returns_at_call = calls_so_far(session, department_id, ticket.day) + after
            self._log(session, CallKind.MISSED if missed else CallKind.SKIPPED, ticket, actor, now)
            self._watcher.skipped(session.connection(), ticket, now, missed=missed)
            return self._commit(session, ticket)

    def start(self, department_id: str, ticket_id: str, actor: Actor) -> wire.Ticket:
        with self._writer() as session:
            ticket, record, now = self._called(session, department_id, ticket_id, actor)
            if ticket.status != TicketStatus.CALLED:
                raise self._wrong_state(ticket)
            ticket.status, record.started_at = TicketStatus.SERVING, now
            self._log(session, CallKind.STARTED, ticket, actor, now)
            self._watcher.started(session.connection(), ticket, now)
            return self._commit(session, ticket)

    def done(self, department_id: str, ticket_id: str, actor: Actor) -> wire.Ticket:
        with self._writer() as session:
            ticket, record, now = self._called(session, department_id, ticket_id, actor)
            if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
                raise self._wrong_state(ticket)
            ticket.status, record.done_at = TicketStatus.SERVED, now
            self._log(session, CallKind.DONE, ticket, actor, now)
            if record.started_at is not None:  # the time at the counter teaches the expected waits
                record_service(session.connection(), ticket.department_id, ticket.room_id, ticket.lane,
                               record.started_at, now)  # fmt: skip
            self._watcher.served(session.connection(), ticket, now)
            return self._commit(session, ticket)

    def transfer(self, department_id: str, ticket_id: str, where: Transfer, actor: Actor) -> wire.Ticket:
        """To a room of the same department (keeps the number), or to another department: the next number there,
        or the same one when the hospital keeps numbers and it is free there today. The ticket (and its QR page)
        stays the same; it waits again at the new place."""
        with self._writer() as session:
            for locked in sorted({department_id, where.to_department_id}):  # one order: no deadlock between two
                self._department(session, locked)
            ticket, record, now = self._called(session, department_id, ticket_id, actor)
            if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
                raise self._wrong_state(ticket)
            target = self._department(session, where.to_department_id)
            if not target.active:
                raise refusals.department_closed(target.id)
            if where.to_room_id is not None:
                self._check_open(session, self._room(session, target.id, where.to_room_id), paused_ok=True)
            if (target.id, where.to_room_id) == (ticket.department_id, ticket.room_id):
                raise refusals.same_place()
            if target.id != ticket.department_id:
                ticket.number = self._number_at(session, target.id, ticket)
            ticket.department_id, ticket.room_id = target.id, where.to_room_id
            ticket.status, ticket.called_at = TicketStatus.WAITING, None
            record.room_id, record.transfers, record.started_at = where.to_room_id, record.transfers + 1, None
            try:
                session.flush()
            except IntegrityError:  # the patient already holds a live number there today
                raise refusals.already_queued_there() from None
            self._log(session, CallKind.TRANSFERRED, ticket, actor, now, detail=department_id)
            self._watcher.transferred(session.connection(), ticket, now, department_id)
            return self._commit(session, ticket)

    def _number_at(self, session: Session, target: str, ticket: Ticket) -> int:
        if self._settings.transfer_keeps_number:
            taken = session.scalars(
                select(Ticket.id).where(
                    Ticket.department_id == target,
                    Ticket.day == ticket.day,
                    Ticket.lane == ticket.lane,
                    Ticket.number == ticket.number,
                )
            ).first()
            if taken is None:
                raise_counter(session, target, ticket.day, ticket.lane, ticket.number)
                return ticket.number
        return add_to_counter(session, target, ticket.day, ticket.lane, 1)

    # --- the room -----------------------------------------------------------------------------------------------

    def set_room_state(self, department_id: str, room_id: str, state: RoomState, actor: Actor) -> RoomState:
        actor.check_room(room_id)
        with self._writer() as session:
            self._department(session, department_id)
            self._room(session, department_id, room_id)
            now = self._clock()
            row = session.get(CallingRoom, room_id)
            if row is None:
                session.add(CallingRoom(room_id=room_id, state=state.value, changed_at=now, changed_by=actor.label))
            else:
                row.state, row.changed_at, row.changed_by = state.value, now, actor.label
            session.add(CallLogEntry(at=now, kind=CallKind.ROOM.value, department_id=department_id, room_id=room_id,
                                     detail=state.value, actor=actor.label))  # fmt: skip
            session.commit()
        self.changed()
        return state

    # --- shared steps -------------------------------------------------------------------------------------------

    @staticmethod
    def _department(session: Session, department_id: str) -> Department:
        try:
            return lock_department(session, department_id)
        except HubError as exc:
            if exc.code == "department_not_found":
                raise refusals.unknown_department(department_id) from None
            raise

    @staticmethod
    def _room(session: Session, department_id: str, room_id: str) -> Room:
        room = session.get(Room, room_id)
        if room is None or room.department_id != department_id:
            raise refusals.unknown_room(room_id)
        return room

    @staticmethod
    def _check_open(session: Session, room: Room, *, paused_ok: bool = False) -> None:
        row = session.get(CallingRoom, room.id)
        state = RoomState(row.state) if row is not None else RoomState.OPEN
        if not room.active:
            state = RoomState.CLOSED
        if state is RoomState.CLOSED or (state is RoomState.PAUSED and not paused_ok):
            raise refusals.room_not_open(state.value)

    def _called(
        self, session: Session, department_id: str, ticket_id: str, actor: Actor
    ) -> tuple[Ticket, TicketCall, datetime]:
        """The department's ticket of today, locked with its department, and its calling record."""
        self._department(session, department_id)
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.department_id != department_id or ticket.day != self._queue.today():
            raise refusals.ticket_not_here()
        actor.check_room(ticket.room_id)
        return ticket, self._ticket_call(session, ticket), self._clock()

    @staticmethod
    def _ticket_call(session: Session, ticket: Ticket) -> TicketCall:
        record = session.get(TicketCall, ticket.id)
        if record is None:
            record = TicketCall(ticket_id=ticket.id, room_id=ticket.room_id, calls=0, skips=0, transfers=0)
            session.add(record)
        return record

    @staticmethod
    def _wrong_state(ticket: Ticket) -> refusals.CallingRefusedError:
        if ticket.status == TicketStatus.SERVED:
            return refusals.already_done()
        return refusals.not_at_room(ticket.status)

    @staticmethod
    def _log(session: Session, kind: CallKind, ticket: Ticket, actor: Actor, now: datetime, detail: str = "") -> None:
        session.add(
            CallLogEntry(
                at=now,
                kind=kind.value,
                department_id=ticket.department_id,
                room_id=ticket.room_id,
                ticket_id=ticket.id,
                display_number=display_number(ticket.lane, ticket.number),
                detail=detail,
                actor=actor.label,
            )
        )

    def _commit(self, session: Session, ticket: Ticket) -> wire.Ticket:
        session.flush()
        answer = self._queue.wire_of(session, ticket)
        session.commit()
        self.changed()
        return answer


def calls_so_far(session: Session, department_id: str, day: date) -> int:
    """The number of calls the department's day has counted so far."""
    value = session.scalars(
        select(CallCounter.last_call).where(CallCounter.department_id == department_id, CallCounter.day == day)
    ).first()
    return int(value or 0)
