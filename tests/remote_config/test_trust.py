"""What the kiosk trusts a configuration for: this kiosk, not expired, not below its enrolment, signed by its
hub's key (or one that key handed on to); what it stored is checked again at start; a failed version stays failed."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.remote_config.agent import SyncAgent
from kiosk.remote_config.schema import ApplyStatus
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import ConfigTrust
from tests.remote_config.conftest import (
    START,
    Alerts,
    Clock,
    ConfigHub,
    Kiosk,
    config_with,
    key_change,
    make_agent,
    sign,
    sign_legacy,
    trust_for,
)


async def test_a_config_for_another_kiosk_is_refused(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, key: Ed25519PrivateKey
) -> None:
    hub.document = sign(key, 4, config_with(idle__screen_seconds=45), kiosk="another-kiosk-of-another-group")
    outcome = await agent.poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "wrong_audience")
    assert kiosk.applied == []
    assert agent.applied_version == 0


async def test_an_expired_config_is_refused_and_one_a_little_early_by_the_kiosk_clock_is_not(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, key: Ed25519PrivateKey, clock: Clock
) -> None:
    clock.now = START + timedelta(days=8)
    hub.document = sign(key, 2, config_with(), signed_at=START, valid=timedelta(days=7))
    assert (await agent.poll_once()).reason == "expired"
    # Two minutes past its expiry by a kiosk clock that runs a little fast: still inside the leeway.
    hub.document = sign(key, 3, config_with(), signed_at=clock.now - timedelta(days=7, minutes=-2))
    clock.now += timedelta(minutes=4)
    assert (await agent.poll_once()).status is ApplyStatus.APPLIED
    assert [r["reason"].split(":")[0] for r in hub.reports] == ["expired", ""]


async def test_nothing_older_than_the_version_the_group_ran_at_enrolment_is_applied(
    http: httpx.AsyncClient, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey, clock: Clock,
    alerts: Alerts,
) -> None:  # fmt: skip
    agent = make_agent(http, store, trust_for(store, key, clock, enrolled_version=5), kiosk, alerts)
    hub.document = sign(key, 4, config_with())  # a fresh kiosk holds nothing: only the enrolment floor stops this
    outcome = await agent.poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "older_version")
    hub.document = sign(key, 5, config_with())
    assert (await agent.poll_once()).status is ApplyStatus.APPLIED


async def test_a_hand_edited_current_file_is_set_aside_at_start_and_the_last_good_one_runs(
    agent: SyncAgent, http: httpx.AsyncClient, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore,
    key: Ed25519PrivateKey, trust: ConfigTrust, alerts: Alerts,
) -> None:  # fmt: skip
    hub.document = sign(key, 3, config_with(idle__screen_seconds=45))
    await agent.poll_once()
    current = store.directory / "current.json"
    edited = json.loads(current.read_bytes()) | {"version": 999}
    current.write_text(json.dumps(edited))  # what a technician's editor leaves behind
    reborn = make_agent(http, store, trust, kiosk, alerts)
    assert (reborn.applied_version, reborn.config.idle.screen_seconds) == (3, 45)
    assert (store.directory / "current.json.refused").exists()
    restored = store.current()
    assert restored is not None
    assert restored.version == 3
    hub.document = sign(key, 4, config_with(idle__screen_seconds=50))  # the real next version is not blocked
    assert (await reborn.poll_once()).status is ApplyStatus.APPLIED
    assert alerts.raised == ["stored_config_refused"]


async def test_stored_files_signed_by_a_foreign_key_fall_back_to_the_defaults(
    http: httpx.AsyncClient, kiosk: Kiosk, store: ConfigStore, trust: ConfigTrust, alerts: Alerts
) -> None:
    foreign = Ed25519PrivateKey.generate()
    store.write_current(sign(foreign, 999, config_with(idle__screen_seconds=45)))
    store.commit(sign(foreign, 998, config_with()))
    agent = make_agent(http, store, trust, kiosk, alerts)
    assert (agent.applied_version, agent.config.idle.screen_seconds) == (0, None)
    assert (store.current(), store.last_good()) == (None, None)


async def test_what_an_older_hub_signed_still_runs_after_the_update_and_is_replaced_by_the_same_version_resigned(
    http: httpx.AsyncClient, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey,
    trust: ConfigTrust, alerts: Alerts,
) -> None:  # fmt: skip
    legacy = sign_legacy(key, 6, config_with(idle__screen_seconds=45))
    store.write_current(legacy)
    store.commit(legacy)
    agent = make_agent(http, store, trust, kiosk, alerts)
    assert (agent.applied_version, agent.config.idle.screen_seconds) == (6, 45)
    hub.document = sign(key, 6, config_with(idle__screen_seconds=45))
    assert (await agent.poll_once()).status is None  # the same version: nothing is applied again
    assert kiosk.applied == []
    for held in (store.current(), store.last_good()):
        assert held is not None
        assert (held.format, held.version, held.expires_at) == (2, 6, hub.document.expires_at)
    hub.document = sign_legacy(key, 7, config_with())  # but the network never gets a format 1 document through
    assert (await agent.poll_once()).reason == "unbound_document"


async def test_an_expired_running_config_keeps_running_is_reported_once_and_a_fresh_signature_clears_it(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey, clock: Clock,
    alerts: Alerts,
) -> None:  # fmt: skip
    hub.document = sign(key, 2, config_with(idle__screen_seconds=45))
    await agent.poll_once()
    clock.now = START + timedelta(days=9)  # the hub was away for more than the validity
    await agent.poll_once()
    await agent.poll_once()
    assert alerts.raised == ["config_expired"]
    assert agent.config.idle.screen_seconds == 45
    assert kiosk.applied[-1].idle.screen_seconds == 45
    hub.document = sign(key, 2, config_with(idle__screen_seconds=45), signed_at=clock.now)  # the hub is back
    await agent.poll_once()
    await agent.poll_once()
    assert alerts.raised == ["config_expired"]
    current = store.current()
    assert current is not None
    assert current.expires_at == hub.document.expires_at
    assert len(kiosk.applied) == 1


async def test_a_held_config_that_expires_while_the_patient_finishes_is_not_applied(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, key: Ed25519PrivateKey, clock: Clock
) -> None:
    kiosk.patient_present = True
    hub.document = sign(key, 2, config_with(), valid=timedelta(minutes=10))
    assert (await agent.poll_once()).status is ApplyStatus.WAITING
    clock.now += timedelta(minutes=30)
    kiosk.patient_present = False
    outcome = await agent.poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "expired")
    assert kiosk.applied == []


async def test_a_version_that_failed_its_probes_is_not_tried_again_after_a_restart(
    agent: SyncAgent, http: httpx.AsyncClient, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore,
    key: Ed25519PrivateKey, trust: ConfigTrust, alerts: Alerts,
) -> None:  # fmt: skip
    kiosk.printer_ok_for = {"tcp://10.0.0.5:9100"}
    hub.document = sign(key, 1, config_with(printer__uri="tcp://10.0.0.5:9100"))
    await agent.poll_once()
    hub.document = sign(key, 2, config_with(printer__uri="tcp://10.0.0.99:9100"))
    assert (await agent.poll_once()).status is ApplyStatus.REVERTED
    applied = len(kiosk.applied)
    reborn = make_agent(http, store, trust, kiosk, alerts)  # systemd restarted the kiosk
    assert (await reborn.poll_once()).status is None
    assert len(kiosk.applied) == applied
    assert reborn.applied_version == 1
    hub.document = sign(key, 3, config_with(printer__uri="tcp://10.0.0.5:9100", idle__screen_seconds=45))
    assert (await reborn.poll_once()).status is ApplyStatus.APPLIED  # a newer version is tried


async def test_a_kiosk_follows_key_changes_and_refuses_a_forged_one(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey, trust: ConfigTrust
) -> None:
    second, third = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    chain = [key_change(key, second), key_change(second, third)]
    # An attacker's key change: a key of theirs, "handed on" by another key of theirs.
    intruder = Ed25519PrivateKey.generate()
    forged = key_change(Ed25519PrivateKey.generate(), intruder)
    hub.document = sign(intruder, 2, config_with(), changes=[forged])
    assert (await agent.poll_once()).reason == "unknown_key"
    # The same, claiming the hub's own key handed on to the intruder: the signature does not hold.
    claimed = forged.model_copy(update={"previous_key_id": trust.keys.current.key_id})
    hub.document = sign(intruder, 2, config_with(), changes=[claimed])
    assert (await agent.poll_once()).reason == "bad_key_change"
    assert trust.keys.current.key_id == sign(key, 1, {}).key_id
    # Offline through two rotations: the chain leads from the pinned key to the third one.
    hub.document = sign(third, 2, config_with(idle__screen_seconds=45), changes=chain)
    assert (await agent.poll_once()).status is ApplyStatus.APPLIED
    assert [k.key_id for k in trust.keys.known()] == [sign(k, 1, {}).key_id for k in (key, second, third)]
    hub.document = sign(key, 3, config_with())  # the retired key signs nothing any more
    assert (await agent.poll_once()).reason == "unknown_key"
    kept = json.loads((store.directory / "trusted-keys.json").read_bytes())
    assert len(kept["keys"]) == 3
    restarted = trust_for(store, key, trust.clock)  # after a restart it starts from the key it reached
    assert restarted.keys.current.key_id == sign(third, 1, {}).key_id
