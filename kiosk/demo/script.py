"""The scripted walkthrough of `kiosk demo --script`: patients touch the real screens over the embedded hub.

Each scenario drives the Kivy app with taps in window coordinates and simulated card/QR events, checks what the
flow, the hub and the printer did, and saves a PNG of every screen it passes. Any step that does not behave
fails the walkthrough (exit code 1). The scenarios live in `check_ins`, `faults`,
`beyond_check_in` and `outage`; this module puts them in order and runs them.
"""

from __future__ import annotations

import asyncio

from kiosk.demo.beyond_check_in import benefit_lookup, idle_timeout, maintenance
from kiosk.demo.check_ins import (
    appointment_qr_check_in,
    bhyt_qr_check_in_in_english,
    cccd_qr_check_in,
    chip_check_in,
    same_day_reprint,
)
from kiosk.demo.faults import (
    expired_card_pays,
    gateway_outage,
    new_card_issued_early,
    paper_out,
    revoked_card_to_desk,
)
from kiosk.demo.outage import hub_outage
from kiosk.demo.walk import DemoStepError, Scenario, Walk
from kiosk.flow.events import Cancel, CardRemoved

__all__ = ["SCENARIOS", "DemoStepError", "Walk", "walkthrough"]

# The order is part of the story: `same_day_reprint` meets again the patient of `chip_check_in`.
SCENARIOS: tuple[Scenario, ...] = (
    chip_check_in,
    cccd_qr_check_in,
    bhyt_qr_check_in_in_english,
    expired_card_pays,
    new_card_issued_early,
    gateway_outage,
    hub_outage,
    revoked_card_to_desk,
    benefit_lookup,
    appointment_qr_check_in,
    same_day_reprint,
    idle_timeout,
    paper_out,
    maintenance,
)


async def walkthrough(w: Walk, scenarios: tuple[Scenario, ...] = SCENARIOS) -> list[tuple[str, str | None]]:
    """Every scenario in order; (name, None) when it behaved, (name, why) when not."""
    from kiosk.screens.pilot import frames

    await frames(10)  # the first frame comes ~0.3 s after start
    results: list[tuple[str, str | None]] = []
    for scenario in scenarios:
        w.scenario = scenario.__name__.replace("_", "-")
        try:
            await asyncio.wait_for(scenario(w), timeout=60)
            results.append((w.scenario, None))
        except (DemoStepError, LookupError, TimeoutError) as exc:
            results.append((w.scenario, str(exc) or type(exc).__name__))
            # A failed scenario may leave a card on the reader or the flow mid-way: the next one starts at home.
            w.service.dispatch(CardRemoved())
            w.service.dispatch(Cancel())
            await w.settle()
    return results
