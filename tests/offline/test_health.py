"""The breakers feed the banner and the heartbeat: with the hub process cut, the flow's `hub_ok` goes false (the
outage wrapper answers every call, so the flow alone never sees it) and the heartbeat says `hub: degraded`; back
once the hub answers and the journal is drained. The printer's breaker feeds `printer_ok` and `printer`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kiosk.flow.fakes import FakeHis, FakePrinter
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from kiosk.hardware.virtual import VIRTUAL
from kiosk.offline.breaker import BreakerState, CircuitBreaker
from kiosk.offline.guarded_printer import GuardedPrinter
from kiosk.offline.health import OfflineHealth
from kiosk.remote_config.live import LivePrinter
from kiosk.remote_config.schema import DeviceState
from tests.flow.test_service import check_in, his_with_patient
from tests.offline.harness import FaultyLink, HubSite, kiosk
from tests.offline.test_flow_offline import CONFIG as OFFLINE_CONFIG

CONFIG = FlowConfig(hospital_name="Bệnh viện Đa khoa Demo")


@pytest.mark.slow
async def test_the_hub_cut_turns_the_banner_and_the_heartbeat_and_the_replay_turns_them_back(
    tmp_path: Path, gateway_url: str
) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    with FaultyLink() as link:
        async with kiosk(tmp_path / "kiosk", link.url, site.tokens[0]) as his:
            health = OfflineHealth(his)
            with site.serving(link):
                await his.maintain()
            service = FlowService(OFFLINE_CONFIG, his, FakePrinter())
            health.follow(service)
            assert (service.hub_ok, health.device_states()) == (True, {"hub": DeviceState.OK})
            await _bhyt_check_in(service)  # the hub is not served: the ticket comes from the lease
            assert service.session.step == Step.DONE
            assert service.session.ticket is not None
            assert service.session.ticket.provisional
            assert health.hub_state() is BreakerState.OPEN
            assert service.hub_ok is False  # the flow's own flag said True after each answered call
            assert health.device_states() == {"hub": DeviceState.DEGRADED}
            assert health.journal_size() == 1
            with site.serving(link):
                await asyncio.sleep(0.25)  # the breaker's open time (0.2 s in the harness) passes
                assert await his.maintain() == 1
            watcher = asyncio.create_task(health.watch(service, every_s=0.01))
            await asyncio.sleep(0.05)  # no session change: the watch task turns the flag back
            watcher.cancel()
            assert service.hub_ok is True
            assert health.device_states() == {"hub": DeviceState.OK}


async def _bhyt_check_in(service: FlowService) -> None:
    from kiosk.demo.devices import chip_identity, demo_card
    from kiosk.domain.ticket import VisitType
    from kiosk.flow.events import CardPresented, ChooseDepartment, ChooseVisit, Confirm

    service.dispatch(CardPresented(chip_identity(demo_card("000"))))
    await service.idle()
    service.dispatch(ChooseVisit(VisitType.BHYT))
    await service.idle()
    service.dispatch(ChooseDepartment(next(d for d in service.session.departments if d.open_now).id))
    service.dispatch(Confirm())
    await service.idle()


async def test_the_printer_breaker_feeds_printer_ok_and_the_heartbeat_through_a_swap() -> None:
    clock = [0.0]
    breaker = CircuitBreaker("printer", clock=lambda: clock[0])
    printer = LivePrinter(GuardedPrinter(FakePrinter(paper_out=True), breaker), VIRTUAL, 80)
    health = OfflineHealth(FakeHis(), printer)
    service = FlowService(CONFIG, his_with_patient(), printer)
    health.follow(service)
    assert health.device_states() == {"printer": DeviceState.OK}  # no hub breaker: the embedded hub
    await check_in(service)
    assert service.session.step == Step.PRINTER_NOT_READY
    assert health.device_states() == {"printer": DeviceState.FAULT}
    health.apply(service)
    assert service.printer_ok is False
    printer.swap(GuardedPrinter(FakePrinter()), VIRTUAL, 80)  # the fleet swapped the printer
    assert health.device_states() == {"printer": DeviceState.OK}


def test_without_the_outage_wrapper_the_flags_are_left_to_the_flow() -> None:
    health = OfflineHealth(FakeHis())
    service = FlowService(CONFIG, FakeHis(), FakePrinter())
    service.hub_ok = False
    health.apply(service)
    assert service.hub_ok is False
    assert health.hub_ok()
    assert health.device_states() == {}
