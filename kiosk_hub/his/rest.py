"""The generic REST HIS adapter (`KIOSK_HUB_HIS_ADAPTER=rest`): the port's calls as HTTP requests to a HIS that
implements the contract in `docs/his-adapter.openapi.json` (built from `OPERATIONS` and the models of
`contract.py` by `rest_document.py`, so adapter and document cannot drift apart).

Every call has a deadline (`KIOSK_HUB_HIS_TIMEOUT_SECONDS`). A request that never left (connection refused, connect
timeout) is sent once more for any call; a timeout while waiting for the answer, or a 502/503/504, only for calls
the contract makes idempotent (a registration is not: a HIS that keys patients by CCCD alone could make two).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from kiosk_hub import wire
from kiosk_hub.his import contract as c
from kiosk_hub.his.port import HisAdapter, HisRefusedError, HisUnavailableError

if TYPE_CHECKING:
    from kiosk_hub.his.loading import AdapterContext

log = logging.getLogger("kiosk_hub.his.rest")
M = TypeVar("M", bound=BaseModel)
RETRY_PAUSE = 0.2


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    summary: str
    request: type[BaseModel] | None
    response: type[BaseModel] | None
    idempotent: bool
    not_found_is_none: bool = False  # 404 means "no such thing", answered as None
    example: dict[str, Any] = field(default_factory=dict)


OPERATIONS = {
    op.name: op
    for op in (
        Operation("about", "GET", "/about", "Who answers: vendor, product, version, contract version", None,
                  c.HisAbout, True),
        Operation("find_patient", "POST", "/patients/search", "Tìm bệnh nhân: find a patient by one identifier",
                  c.PatientQuery, c.HisPatient, True, not_found_is_none=True,
                  example={"kind": "cccd", "value": "001090012345"}),
        Operation("register_patient", "POST", "/patients",
                  "Đăng ký bệnh nhân: register a patient (an existing one is answered, created=false)",
                  c.PatientRegistration, c.RegisteredPatient, False,
                  example={"full_name": "Nguyễn Văn An", "date_of_birth": "1990-03-15", "sex": "male",
                           "id_number": "001090012345", "bhyt_code": "DN4010190012345"}),
        Operation("open_visit", "POST", "/visits",
                  "Mở lượt khám: open a visit; the same visit_ref again answers the same visit",
                  c.VisitOpening, c.OpenedVisit, True,
                  example={"visit_ref": "3f0b6c1e-8a57-4a8e-9d0e-5c1f2a7b9e10", "patient_id": "BN2026000123",
                           "department_id": "NOI", "room_id": "NOI-01", "visit_type": "bhyt", "priority": False,
                           "priority_reasons": [], "queue_number": 12, "display_number": "0012",
                           "ticket_id": "9d1c3a52-0f0e-4d8e-a3c4-1f5b7c2d9e01",
                           "arrived_at": "2026-12-07T07:45:00+07:00",
                           "entitlement": {"checked_at": "2026-12-07T07:44:10+07:00", "result_code": "000",
                                           "note": "Thẻ còn giá trị sử dụng", "card_code": "DN4010190012345",
                                           "registered_facility_code": "01043", "valid_from": "2026-01-01",
                                           "valid_to": "2026-12-31", "officer_name": "Nguyễn Thị Tra Cứu",
                                           "officer_id_number": "001190000001"}}),
        Operation("cancel_visit", "POST", "/visits/{visit_ref}/cancel",
                  "Hủy lượt khám: cancel a visit (again, or never opened: no error)", c.VisitChange, None, True,
                  example={"reason": "Bệnh nhân hủy số tại ki-ốt"}),
        Operation("close_visit", "POST", "/visits/{visit_ref}/close",
                  "Kết thúc lượt khám: close a visit (again: no error)", c.VisitChange, None, True,
                  example={"reason": "Đã khám xong"}),
        Operation("departments", "GET", "/departments",
                  "Danh mục khoa, phòng: departments and rooms with opening hours and load", None,
                  c.DepartmentCatalogue, True),
        Operation("find_appointment", "GET", "/appointments/{code}", "Lịch hẹn: the booking behind a booking QR",
                  None, c.HisAppointment, True, not_found_is_none=True),
        Operation("mark_checked_in", "POST", "/appointments/{code}/check-in",
                  "Xác nhận đến khám theo hẹn: record the arrival (again: answered unchanged)",
                  c.AppointmentArrival, c.HisAppointment, True,
                  example={"checked_in_at": "2026-12-07T08:50:00+07:00"}),
        Operation("exam_fee", "POST", "/exam-fees/quote",
                  "Tiền khám: the exam fee of a visit (404: this HIS gives no price)", c.ExamFeeQuery, c.ExamFee,
                  True, not_found_is_none=True, example={"department_id": "NOI", "room_id": "NOI-01",
                                                         "visit_type": "fee"}),
    )
}  # fmt: skip


class RestHis:
    """A HisAdapter speaking the REST contract over an injected httpx.Client (base URL, bearer token, timeout)."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def close(self) -> None:
        self._http.close()

    def about(self) -> c.HisAbout:
        return self._call("about", c.HisAbout)

    def find_patient(self, kind: wire.IdentifierKind, value: str) -> c.HisPatient | None:
        return self._call_or_none("find_patient", c.HisPatient, c.PatientQuery(kind=kind, value=value))

    def register_patient(self, registration: c.PatientRegistration) -> c.RegisteredPatient:
        return self._call("register_patient", c.RegisteredPatient, registration)

    def open_visit(self, opening: c.VisitOpening) -> c.OpenedVisit:
        return self._call("open_visit", c.OpenedVisit, opening, headers={"Idempotency-Key": opening.visit_ref})

    def cancel_visit(self, visit_ref: str, change: c.VisitChange) -> None:
        self._send("cancel_visit", change, visit_ref=visit_ref)

    def close_visit(self, visit_ref: str, change: c.VisitChange) -> None:
        self._send("close_visit", change, visit_ref=visit_ref)

    def departments(self) -> c.DepartmentCatalogue:
        return self._call("departments", c.DepartmentCatalogue)

    def find_appointment(self, code: str) -> c.HisAppointment | None:
        return self._call_or_none("find_appointment", c.HisAppointment, None, code=code)

    def mark_checked_in(self, code: str, moment: datetime) -> c.HisAppointment:
        return self._call("mark_checked_in", c.HisAppointment, c.AppointmentArrival(checked_in_at=moment), code=code)

    def exam_fee(self, query: c.ExamFeeQuery) -> c.ExamFee | None:
        return self._call_or_none("exam_fee", c.ExamFee, query)

    # --- plumbing -------------------------------------------------------------------------------------------

    def _call(self, name: str, answer: type[M], body: BaseModel | None = None, **kw: Any) -> M:
        found = self._call_or_none(name, answer, body, **kw)
        if found is None:
            raise HisRefusedError("not_found", f"{name}: 404")
        return found

    def _call_or_none(self, name: str, answer: type[M], body: BaseModel | None = None, **kw: Any) -> M | None:
        response = self._send(name, body, **kw)
        if response is None:
            return None
        try:
            return answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise HisUnavailableError(f"{name}: the answer does not follow the contract") from exc

    def _send(
        self, name: str, body: BaseModel | None, headers: dict[str, str] | None = None, **path: str
    ) -> httpx.Response | None:
        op = OPERATIONS[name]
        url = op.path.format(**{key: quote(value, safe="") for key, value in path.items()})
        content = body.model_dump_json().encode() if body is not None else None
        send_headers = {"Content-Type": "application/json", **(headers or {})} if content else headers
        for attempt in (1, 2):
            try:
                response = self._http.request(op.method, url, content=content, headers=send_headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt == 1:  # the request never left: safe to send again whatever it is
                    time.sleep(RETRY_PAUSE)
                    continue
                raise HisUnavailableError(f"{name}: {type(exc).__name__}") from exc
            except httpx.HTTPError as exc:
                if attempt == 1 and op.idempotent:
                    continue
                raise HisUnavailableError(f"{name}: {type(exc).__name__}") from exc
            if response.status_code in (502, 503, 504) and attempt == 1 and op.idempotent:
                time.sleep(RETRY_PAUSE)
                continue
            return self._read(op, response)
        raise AssertionError("unreachable: the second attempt returns or raises")

    @staticmethod
    def _read(op: Operation, response: httpx.Response) -> httpx.Response | None:
        status = response.status_code
        if status < 300:
            return response
        if status == 404 and op.not_found_is_none:
            return None
        if status in (401, 403):
            # A wrong token is a configuration fault IT fixes: keep the work queued until then, not refused.
            log.error("the HIS refused the hub's credentials (HTTP %d): check KIOSK_HUB_HIS_TOKEN", status)
            raise HisUnavailableError(f"{op.name}: credentials refused (HTTP {status})")
        if status >= 500 or status in (408, 429):
            raise HisUnavailableError(f"{op.name}: HTTP {status}")
        try:
            problem = c.HisProblem.model_validate_json(response.content)
        except ValidationError as exc:
            raise HisUnavailableError(f"{op.name}: HTTP {status} without a problem body") from exc
        raise HisRefusedError(problem.code, problem.title)


def rest_adapter(context: AdapterContext) -> HisAdapter:
    """Entry point `rest`: KIOSK_HUB_HIS_URL (the contract's base URL), KIOSK_HUB_HIS_TOKEN (bearer)."""
    settings = context.settings
    if not settings.base_url:
        raise ValueError("the rest HIS adapter needs KIOSK_HUB_HIS_URL")
    return RestHis(rest_client(settings.base_url, settings.token.get_secret_value(), settings.timeout_seconds))


def rest_client(base_url: str, token: str, timeout: float) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # Connections are kept: the check-in's added latency is one round trip, not a TCP (and TLS) handshake.
    return httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)
