"""IT alerts leave the flow through the AlertPort: an ERROR line with the reason code, never personal data."""

from __future__ import annotations

import logging

import pytest

from kiosk.flow.alerts import LoggingAlerts
from kiosk.flow.events import CardPresented, KeypadDigit, KeypadSubmit, OpenMaintenance
from kiosk.flow.fakes import FakeHis, FakePrinter
from kiosk.flow.maintenance import pin_digest
from kiosk.flow.service import FlowService
from kiosk.flow.transition import FlowConfig
from tests.flow.driver import CHIP
from tests.flow.test_service import his_with_patient


async def test_a_configuration_fault_is_one_error_line_with_its_code_and_no_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    alerts = LoggingAlerts()
    service = FlowService(FlowConfig("Bệnh viện Đa khoa Demo"), his_with_patient("054"), FakePrinter(), alerts=alerts)
    with caplog.at_level(logging.INFO):
        service.dispatch(CardPresented(CHIP))
        await service.idle()
    assert list(alerts.recent) == ["bhxh_054"]
    lines = [r for r in caplog.records if r.name == "kiosk.alerts"]
    assert [(r.levelno, r.getMessage()) for r in lines] == [(logging.ERROR, "IT alert: bhxh_054")]
    assert not any(CHIP.lookup_value in r.getMessage() or "Nguyễn" in r.getMessage() for r in caplog.records)


async def test_three_wrong_maintenance_pins_alert_it() -> None:
    alerts = LoggingAlerts()
    config = FlowConfig("Bệnh viện Đa khoa Demo", maintenance_pin_sha256=pin_digest("2468"))
    service = FlowService(config, FakeHis(), FakePrinter(), alerts=alerts)
    service.dispatch(OpenMaintenance())
    for _ in range(3):
        for digit in "1111":
            service.dispatch(KeypadDigit(digit))
        service.dispatch(KeypadSubmit())
    await service.idle()
    assert len(alerts.recent) == 1
    assert alerts.recent[0].startswith("maintenance")


@pytest.mark.parametrize("reason", ["001089012345", "Nguyễn Văn An", "printer paper", "x" * 60, ""])
async def test_a_reason_that_is_not_a_code_is_never_logged_as_given(
    reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    alerts = LoggingAlerts()
    with caplog.at_level(logging.ERROR):
        await alerts.alert(reason)
    assert list(alerts.recent) == ["unnamed"]
    assert caplog.records[-1].getMessage() == "IT alert: unnamed"
