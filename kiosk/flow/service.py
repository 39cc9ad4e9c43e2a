"""Runs the pure flow on the asyncio loop: feeds it events, runs its effects through the ports, feeds answers back.

Screens subscribe to session changes and call `dispatch` with user events; devices call `dispatch` (on the loop)
with what they read. Work in flight for a patient is cancelled when the session is wiped.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from kiosk.domain.dates import VN_TZ
from kiosk.domain.printer_state import PRINTER_FAILED
from kiosk.flow import effects as fx
from kiosk.flow.alerts import AlertPort, LoggingAlerts
from kiosk.flow.events import (
    AppointmentFound,
    AppointmentRefused,
    DepartmentsLoaded,
    EntitlementChecked,
    Event,
    FeeQuoted,
    HelpAnswered,
    HubFailed,
    PatientFound,
    PatientNotFound,
    PaymentChanged,
    PaymentUnknown,
    Printed,
    PrinterChecked,
    PrintFailed,
    Tick,
    TicketIssued,
)
from kiosk.flow.machine import step
from kiosk.flow.ports import AppointmentPort, HelpPort, HisPort, PaymentPort, PrinterPort
from kiosk.flow.records import FeeQuote
from kiosk.flow.state import Operation, Session
from kiosk.flow.transition import Context, FlowConfig

log = logging.getLogger("kiosk.flow")
PAYMENT_RETRY_S = 2.0
Listener = Callable[[Session], None]


def _message_key(exc: BaseException, fallback: str) -> str:
    key = getattr(exc, "message_key", None)
    return key if isinstance(key, str) else fallback


class FlowService:
    def __init__(
        self,
        config: FlowConfig,
        his: HisPort,
        printer: PrinterPort,
        *,
        alerts: AlertPort | None = None,
        appointments: AppointmentPort | None = None,
        payments: PaymentPort | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(VN_TZ),
    ) -> None:
        self.config = config
        self._his, self._printer = his, printer
        # Bookings: the HIS client answers them itself unless a wrapper hides it; without one, a booking code
        # reads as "not recognised" (the patient uses a card or a number).
        self._appointments = appointments or (his if isinstance(his, AppointmentPort) else None)
        self._help = his if isinstance(his, HelpPort) else None  # without it, a call for help says "go to the desk"
        self.alerts: AlertPort = alerts if alerts is not None else LoggingAlerts()
        # None: this kiosk takes no payments; fee-paying patients get their ticket and pay at the cashier.
        self._payments = payments
        self._monotonic, self._wall = monotonic, wall
        self.session = Session(last_activity=monotonic(), language=config.language)
        self._listeners: list[Listener] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._alerting: set[asyncio.Task[None]] = set()
        self.effects_run: list[fx.Effect] = []  # what ran, for the maintenance screen and tests (no personal data)
        # What the status strip shows: the last printer job and the last hub call, did they work?
        self.printer_ok = True
        self.hub_ok = True

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def dispatch(self, event: Event) -> None:
        ctx = Context(now=self._monotonic(), wall=self._wall(), fresh_key=uuid.uuid4().hex)
        before = self.session
        result = step(before, event, ctx, self.config)
        self.session = result.session
        for effect in result.effects:
            self._run(effect)
        if self.session is not before:
            for listener in list(self._listeners):
                listener(self.session)

    async def tick_forever(self, period_s: float = 1.0) -> None:
        while True:
            await asyncio.sleep(period_s)
            self.dispatch(Tick())

    async def idle(self) -> None:
        """Wait until no effect is in flight (tests and the scripted demo)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _run(self, effect: fx.Effect) -> None:
        self.effects_run.append(effect)
        if isinstance(effect, fx.SessionWiped):
            for task in list(self._tasks - self._alerting):
                task.cancel()
            return
        task = self._spawn(self._perform(effect))
        if isinstance(effect, fx.AlertIt | fx.AbandonPayment | fx.CallForHelp):
            # An alert is about the kiosk, a given-up payment about the money, not the patient, and staff asked for
            # come to the kiosk even if the patient's session ends (the idle wipe while they wait): the wipe that
            # often follows must not cancel them.
            self._alerting.add(task)
            task.add_done_callback(self._alerting.discard)

    def _spawn(self, work: Awaitable[None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _perform(self, effect: fx.Effect) -> None:
        printing = isinstance(effect, fx.PrintTicket | fx.PrintDeskSlip | fx.CheckPrinter)
        hub_call = not printing and not isinstance(effect, fx.AlertIt)
        if isinstance(effect, fx.WatchPayment | fx.PayPaymentLater):
            await self._paying(effect)
            return
        try:
            event = await self._answer(effect)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any port failure becomes a flow event; the flow decides what the patient sees
            log.warning("%s failed: %s", type(effect).__name__, type(exc).__name__)
            event = _failure_event(effect, exc)
            if printing:
                self.printer_ok = False
            elif hub_call and _message_key(exc, "hub.unavailable") in ("hub.unavailable", "hub.timeout"):
                self.hub_ok = False
        else:
            if isinstance(event, PrinterChecked):
                self.printer_ok = event.printable
            elif printing:
                self.printer_ok = True
            elif hub_call:
                self.hub_ok = True
        if event is not None:
            self.dispatch(event)

    async def _answer(self, effect: fx.Effect) -> Event | None:
        his = self._his
        if isinstance(effect, fx.FindPatient):
            found = await his.find_patient(effect.kind, effect.value)
            return PatientFound(effect.generation, found) if found else PatientNotFound(effect.generation)
        if isinstance(effect, fx.RegisterPatient):
            return PatientFound(effect.generation, await his.register_patient(effect.identity))
        if isinstance(effect, fx.CheckEntitlement):
            answer = await his.check_entitlement(
                effect.card_code, effect.full_name, effect.date_of_birth, effect.patient_id
            )
            return EntitlementChecked(effect.generation, answer)
        if isinstance(effect, fx.LoadDepartments):
            return DepartmentsLoaded(effect.generation, tuple(await his.departments()))
        if isinstance(effect, fx.IssueTicket):
            return TicketIssued(effect.generation, await his.issue_ticket(effect.order))
        if isinstance(effect, fx.FindAppointment | fx.CheckInAppointment):
            return await self._appointment_answer(effect)
        if isinstance(effect, fx.QuoteFee | fx.OpenPayment | fx.AbandonPayment):
            return await self._payment_answer(effect)
        if isinstance(effect, fx.CheckPrinter):
            status = await self._printer.check()
            return PrinterChecked(effect.generation, status.printable, str(status.state))
        if isinstance(effect, fx.PrintTicket):
            await self._printer.print_ticket(effect.ticket)
            return Printed(effect.generation)
        if isinstance(effect, fx.PrintDeskSlip):
            await self._printer.print_desk_slip(effect.slip)
            return Printed(effect.generation)
        if isinstance(effect, fx.AlertIt):
            await self.alerts.alert(effect.reason)
        if isinstance(effect, fx.CallForHelp):
            if self._help is None:
                return HelpAnswered(effect.generation, sent=False)
            await self._help.call_for_help(effect.location, effect.screen)
            return HelpAnswered(effect.generation, sent=True)
        return None

    async def _payment_answer(self, effect: fx.QuoteFee | fx.OpenPayment | fx.AbandonPayment) -> Event | None:
        payments = self._payments
        if isinstance(effect, fx.QuoteFee):
            if payments is None:
                return FeeQuoted(effect.generation, FeeQuote(payment_required=False, reason="payments_off"))
            try:
                quote = await payments.quote(effect.department_id, effect.visit, effect.priority_reasons)
            except Exception as exc:  # no price now: the ticket and the cashier, as before payments
                log.warning("fee quote failed: %s", type(exc).__name__)
                quote = FeeQuote(payment_required=False, reason="unavailable")
            return FeeQuoted(effect.generation, quote)
        if payments is None:
            return None
        if isinstance(effect, fx.OpenPayment):
            return PaymentChanged(effect.generation, await payments.open_payment(effect.order))
        await payments.abandon_payment(effect.payment_id)
        return None

    async def _paying(self, effect: fx.WatchPayment | fx.PayPaymentLater) -> None:
        """One long poll (or the pay-later call); a failure is reported after a pause, so a hub that is away is
        asked again every few seconds rather than in a tight loop."""
        if self._payments is None:
            return
        try:
            if isinstance(effect, fx.WatchPayment):
                payment = await self._payments.watch_payment(effect.payment_id, effect.seen)
            else:
                payment = await self._payments.pay_later(effect.payment_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the money is the hub's: the kiosk keeps asking until its countdown ends
            log.warning("%s failed: %s", type(effect).__name__, type(exc).__name__)
            self.hub_ok = False
            await asyncio.sleep(PAYMENT_RETRY_S)
            self.dispatch(PaymentUnknown(effect.generation))
            return
        self.hub_ok = True
        self.dispatch(PaymentChanged(effect.generation, payment))

    async def _appointment_answer(self, effect: fx.FindAppointment | fx.CheckInAppointment) -> Event:
        if self._appointments is None:
            return AppointmentRefused(effect.generation, "identify.not_recognised")
        if isinstance(effect, fx.CheckInAppointment):
            ticket = await self._appointments.check_in_appointment(effect.code, effect.order)
            return TicketIssued(effect.generation, ticket)
        found = await self._appointments.find_appointment(effect.code)
        if found is None:
            return AppointmentRefused(effect.generation, "appointment.not_found")
        return AppointmentFound(effect.generation, found, tuple(await self._his.departments()))


_OPERATIONS: dict[type, Operation] = {
    fx.FindPatient: Operation.FIND_PATIENT,
    fx.RegisterPatient: Operation.REGISTER_PATIENT,
    fx.CheckEntitlement: Operation.CHECK_ENTITLEMENT,
    fx.LoadDepartments: Operation.LOAD_DEPARTMENTS,
    fx.IssueTicket: Operation.ISSUE_TICKET,
    fx.CheckInAppointment: Operation.ISSUE_TICKET,
    fx.OpenPayment: Operation.OPEN_PAYMENT,
}


def _failure_event(effect: fx.Effect, exc: Exception) -> Event | None:
    if isinstance(effect, fx.CallForHelp):
        return HelpAnswered(effect.generation, sent=False)
    if isinstance(effect, fx.CheckPrinter):
        return PrinterChecked(effect.generation, printable=False, state="error")  # a check that fails is no "ready"
    if isinstance(effect, fx.PrintTicket | fx.PrintDeskSlip):
        return PrintFailed(effect.generation, _message_key(exc, PRINTER_FAILED))
    if isinstance(effect, fx.FindAppointment | fx.CheckInAppointment):
        key = _message_key(exc, "hub.unavailable")
        if key.startswith("appointment."):  # the hub refused this booking: say why, offer the other ways
            return AppointmentRefused(effect.generation, key)
        if isinstance(effect, fx.FindAppointment):
            return AppointmentRefused(effect.generation, "appointment.unavailable")
    operation = _OPERATIONS.get(type(effect))
    if operation is None:
        return None  # an IT alert that could not be sent is logged above; the patient is already at the desk
    generation: int = effect.generation  # type: ignore[union-attr]
    return HubFailed(generation, operation, _message_key(exc, "hub.unavailable"))
