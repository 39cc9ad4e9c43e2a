"""Booking QRs reach the hub through the HIS wrappers `kiosk run` puts around the client (offline leases, the
departments IT chose): found and checked in while the hub answers, "unavailable" at once while it is away."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from kiosk.flow.fakes import FakeHis
from kiosk.flow.ports import AppointmentPort, PortError
from kiosk.offline.breaker import CircuitBreaker
from kiosk.offline.lease_client import LeaseClient
from kiosk.offline.resilient_his import ResilientHis
from kiosk.offline.store import OfflineStore
from kiosk.remote_config.live import ShownDepartments
from tests.flow.test_appointments import booking


class _NoBookings:
    """A HIS port from before bookings: the wrappers must say "unavailable", not crash."""


async def _resilient(tmp_path: Path, inner: object, breaker: CircuitBreaker) -> ResilientHis:
    http = httpx.AsyncClient(base_url="http://127.0.0.1:9")  # never called: bookings go through `inner`
    return ResilientHis(
        inner, OfflineStore(tmp_path), LeaseClient(http, token="t"), status_url="http://x", breaker=breaker
    )  # type: ignore[arg-type]


async def test_the_offline_wrapper_passes_bookings_through_while_the_hub_answers(tmp_path: Path) -> None:
    his = FakeHis()
    his.appointments["DEMO-NOW"] = booking()
    wrapped = await _resilient(tmp_path, his, CircuitBreaker("hub"))
    assert isinstance(wrapped, AppointmentPort)
    found = await wrapped.find_appointment("DEMO-NOW")
    assert found is not None
    assert found.code == "DEMO-NOW"
    assert await wrapped.find_appointment("NO-SUCH") is None


async def test_the_offline_wrapper_says_unavailable_at_once_while_the_hub_is_away(tmp_path: Path) -> None:
    his = FakeHis()
    his.appointments["DEMO-NOW"] = booking()
    breaker = CircuitBreaker("hub", open_for_s=60)
    breaker.failed()
    wrapped = await _resilient(tmp_path, his, breaker)
    with pytest.raises(PortError) as refused:
        await wrapped.find_appointment("DEMO-NOW")
    assert refused.value.message_key == "appointment.unavailable"


async def test_shown_departments_passes_bookings_through_and_the_flow_finds_them() -> None:
    his = FakeHis()
    his.appointments["DEMO-NOW"] = booking()
    shown = ShownDepartments(his)
    found = await shown.find_appointment("DEMO-NOW")
    assert found is not None
    assert found.patient.full_name == "Trần Thị Bình"
    assert isinstance(shown, AppointmentPort)  # how FlowService finds the booking calls on the HIS it is given


async def test_a_his_without_bookings_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    for wrapped in (ShownDepartments(_NoBookings()), await _resilient(tmp_path, _NoBookings(), CircuitBreaker("h"))):  # type: ignore[arg-type]
        with pytest.raises(PortError) as refused:
            await wrapped.find_appointment("DEMO-NOW")
        assert refused.value.message_key == "appointment.unavailable"
