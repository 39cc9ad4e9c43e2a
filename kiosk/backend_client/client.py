"""The Kiosk HIS API client, written as if published on its own (the python-elgato shape).

The caller owns the `httpx.AsyncClient` (a real connection pool, or `ASGITransport` for the embedded hub). Every
call has a timeout. Idempotent calls are retried on connection faults and 502/503/504 with exponential backoff
and full jitter; the ticket order is idempotent because it carries an `Idempotency-Key`, so a retry returns the
ticket already issued instead of a second number.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from kiosk.backend_client import mapping, wire
from kiosk.backend_client.errors import (
    HisAuthError,
    HisConnectionError,
    HisError,
    HisRateLimitedError,
    HisResponseError,
)
from kiosk.domain.dates import PartialDate
from kiosk.flow.ports import PortError
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

log = logging.getLogger("kiosk.backend_client")
AnswerT = TypeVar("AnswerT", bound=BaseModel)
RETRYABLE_STATUS = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_s: float = 0.2
    max_delay_s: float = 2.0

    def delay(self, attempt: int, rnd: Callable[[], float]) -> float:
        """Full jitter: a random wait up to the exponential cap, so a fleet does not retry in step."""
        cap: float = min(self.max_delay_s, self.base_delay_s * 2**attempt)
        return rnd() * cap


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds for a whole answer, and for opening the connection."""

    default_s: float = 5.0
    # The hub waits up to ~8 s for the insurance gateway before answering "register and re-check".
    entitlement_s: float = 12.0
    connect_s: float = 2.0

    def of(self, seconds: float) -> httpx.Timeout:
        return httpx.Timeout(seconds, connect=min(seconds, self.connect_s))


class HisClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        token: str,
        base_url: str = "",
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rnd: Callable[[], float] = random.random,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {token}"}
        self._timeouts = timeouts or Timeouts()
        self._retry = retry or RetryPolicy()
        self._sleep, self._rnd = sleep, rnd
        self.attempts = 0  # HTTP requests sent, retries included (for tests and the maintenance screen)

    # --- the HIS port the flow uses ------------------------------------------------------------------------

    async def find_patient(self, kind: IdentifierKind, value: str) -> PatientRecord | None:
        body = wire.PatientLookup(kind=kind.value, value=value)
        try:
            found = await self.call("POST", "/api/v1/patients/lookup", wire.Patient, json=body, idempotent=True)
        except HisResponseError as exc:
            if exc.status == 404:
                return None
            raise
        return mapping.patient(found)

    async def register_patient(self, identity: PresentedIdentity) -> PatientRecord:
        # The hub answers a second registration of the same person with the first record: safe to retry.
        body = mapping.registration(identity)
        return mapping.patient(await self.call("POST", "/api/v1/patients", wire.Patient, json=body, idempotent=True))

    async def check_entitlement(
        self, card_code: str, full_name: str, date_of_birth: PartialDate | None, patient_id: str | None
    ) -> EntitlementAnswer:
        body = wire.EntitlementRequest(
            card_code=card_code, full_name=full_name, date_of_birth=mapping.iso(date_of_birth), patient_id=patient_id
        )
        answer = await self.call(
            "POST", "/api/v1/entitlement/check", wire.Entitlement, json=body, idempotent=True,
            deadline=self._timeouts.of(self._timeouts.entitlement_s),
        )  # fmt: skip
        return mapping.entitlement(answer)

    async def departments(self) -> list[DepartmentChoice]:
        answer = await self.call("GET", "/api/v1/departments", wire.DepartmentList, idempotent=True)
        return [mapping.department(d) for d in answer.departments]

    async def issue_ticket(self, order: TicketOrder) -> IssuedTicket:
        headers = {"Idempotency-Key": order.idempotency_key}
        body = mapping.ticket_request(order)
        answer = await self.call("POST", "/api/v1/tickets", wire.Ticket, json=body, headers=headers, idempotent=True)
        return mapping.ticket(answer)

    async def cancel_ticket(self, ticket_id: str) -> IssuedTicket:
        # Not idempotent: a second cancel is refused (409), so a lost answer is reported, not retried.
        path = f"/api/v1/tickets/{ticket_id}/cancel"
        return mapping.ticket(await self.call("POST", path, wire.Ticket, idempotent=False))

    async def find_appointment(self, code: str) -> AppointmentRecord | None:
        """The booking behind the code in its QR, or None when the hub has none."""
        path = f"/api/v1/appointments/{quote(code, safe='')}"
        try:
            found = await self.call("GET", path, wire.Appointment, idempotent=True)
        except HisResponseError as exc:
            if exc.status == 404:
                return None
            raise
        return mapping.appointment(found)

    async def check_in_appointment(self, code: str, order: TicketOrder) -> IssuedTicket:
        """Check in for the booking; the hub returns the same ticket on a retry (its Idempotency-Key), so this
        is retried like the ticket order. A refusal (too early, too late, cancelled, gone) raises `PortError`
        with the `appointment.*` sentence for the patient."""
        path = f"/api/v1/appointments/{quote(code, safe='')}/check-in"
        headers = {"Idempotency-Key": order.idempotency_key}
        body = mapping.check_in_request(order)
        try:
            answer = await self.call("POST", path, wire.CheckIn, json=body, headers=headers, idempotent=True)
        except HisResponseError as exc:
            refusal = mapping.CHECK_IN_REFUSALS.get(exc.code)
            if refusal is None:
                raise
            raise PortError(refusal) from exc
        return mapping.ticket(answer.ticket)

    async def call_for_help(self, location: str, screen: str) -> None:
        """Tell the reception staff a patient here needs help. One attempt within the default deadline: a patient
        waiting is better told "go to the desk" soon than after retries (pressing again asks again; the hub
        answers a second call while the first is open with the same call)."""
        body = wire.HelpCallRequest(location=location[:120], screen=screen[:32])
        await self.call("POST", "/api/v1/help-calls", wire.HelpCallAnswer, json=body, idempotent=False)

    # --- one request, with timeout, retries and the problem+json error mapping (the payment client's too) ------

    async def call(
        self,
        method: str,
        path: str,
        answer: type[AnswerT],
        *,
        idempotent: bool,
        json: BaseModel | None = None,
        headers: dict[str, str] | None = None,
        deadline: httpx.Timeout | None = None,
    ) -> AnswerT:
        """One call to the hub: `answer` read from a success, a problem raised as `HisResponseError`."""
        attempts = self._retry.attempts if idempotent else 1
        deadline = deadline or self._timeouts.of(self._timeouts.default_s)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._send(
                    method, path, json, headers, deadline or self._timeouts.of(self._timeouts.default_s)
                )
            except HisConnectionError:
                if last:
                    raise
            else:
                if response.status_code not in RETRYABLE_STATUS or last:
                    return _read(response, answer)
            delay = self._retry.delay(attempt, self._rnd)
            log.info("%s %s: retry %d in %.2f s", method, path.split("/")[3], attempt + 1, delay)
            await self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _send(
        self, method: str, path: str, body: BaseModel | None, headers: dict[str, str] | None, deadline: httpx.Timeout
    ) -> httpx.Response:
        self.attempts += 1
        content = body.model_dump_json(exclude_none=True).encode() if body is not None else None
        all_headers = {**self._auth, **(headers or {})}
        if content is not None:
            all_headers["Content-Type"] = "application/json"
        try:
            return await self._http.request(
                method, self._base + path, content=content, headers=all_headers, timeout=deadline
            )
        except httpx.TimeoutException as exc:
            raise HisConnectionError(f"{method} {path}: timed out", timed_out=True) from exc
        except httpx.TransportError as exc:
            raise HisConnectionError(f"{method} {path}: {type(exc).__name__}") from exc


def _read(response: httpx.Response, answer: type[AnswerT]) -> AnswerT:
    if response.is_success:
        try:
            return answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise HisError(f"unexpected answer from the hub: {exc.error_count()} field errors") from exc
    try:
        problem = wire.Problem.model_validate_json(response.content)
    except ValidationError:
        problem = wire.Problem(status=response.status_code, code=f"http_{response.status_code}")
    if response.status_code == 429:
        wait = response.headers.get("retry-after", "")
        raise HisRateLimitedError(problem.code, problem.message_key, problem.title, int(wait) if wait.isdigit() else 30)
    error = HisAuthError if response.status_code == 401 else HisResponseError
    raise error(response.status_code, problem.code, problem.message_key, problem.title)
