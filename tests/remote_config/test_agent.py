"""The sync agent against a hub's wire: what it applies, what it refuses and why, and how it reverts."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.remote_config.agent import SyncAgent
from kiosk.remote_config.envelope import SignedConfig
from kiosk.remote_config.schema import ApplyStatus
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import ConfigTrust, starting_config
from tests.remote_config.conftest import ConfigHub, Kiosk, config_with, sign


async def test_a_signed_newer_config_is_applied_committed_and_reported(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey
) -> None:
    hub.document = sign(key, 3, config_with(idle__screen_seconds=45))
    outcome = await agent.poll_once()
    assert outcome.status is ApplyStatus.APPLIED
    assert [c.idle.screen_seconds for c in kiosk.applied] == [45]
    assert agent.applied_version == 3
    assert store.current() == hub.document
    assert store.last_good() == hub.document
    assert hub.reports == [{"version": 3, "status": "applied", "reason": ""}]


async def test_the_next_poll_sends_the_etag_and_gets_nothing_new(
    agent: SyncAgent, hub: ConfigHub, key: Ed25519PrivateKey
) -> None:
    hub.document = sign(key, 1, config_with())
    await agent.poll_once()
    second = await agent.poll_once()
    assert second.status is None
    assert "If-None-Match" not in hub.requests[0].headers
    assert hub.requests[-1].headers["If-None-Match"].startswith('"')


async def test_a_tampered_config_is_refused_and_nothing_is_written(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey
) -> None:
    signed = sign(key, 2, config_with(printer__uri="tcp://10.0.0.5:9100"))
    tampered = signed.model_copy(update={"config": config_with(printer__uri="tcp://203.0.113.9:9100")})
    hub.document = tampered
    outcome = await agent.poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "bad_signature")
    assert kiosk.applied == []
    assert store.current() is None
    assert hub.reports[0]["status"] == "refused"
    assert hub.reports[0]["reason"].startswith("bad_signature")


async def test_a_config_signed_by_another_key_is_refused(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, key: Ed25519PrivateKey
) -> None:
    hub.document = sign(Ed25519PrivateKey.generate(), 2, config_with())
    assert (await agent.poll_once()).reason == "unknown_key"
    # Another key that claims to be the hub's: its signature does not verify under the pinned key.
    forged = sign(Ed25519PrivateKey.generate(), 3, config_with())
    hub.document = forged.model_copy(update={"key_id": sign(key, 3, config_with()).key_id})
    assert (await agent.poll_once()).reason == "bad_signature"
    assert kiosk.applied == []


async def test_an_unsigned_config_is_refused(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, key: Ed25519PrivateKey
) -> None:
    hub.document = sign(key, 2, config_with()).model_copy(update={"signature": ""})
    assert (await agent.poll_once()).reason == "unsigned"
    hub.document = SignedConfig(version=3, config=config_with())  # format 1, as an older hub served it
    assert (await agent.poll_once()).reason == "unbound_document"
    assert kiosk.applied == []


async def test_an_older_version_is_refused(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, key: Ed25519PrivateKey
) -> None:
    hub.document = sign(key, 5, config_with())
    await agent.poll_once()
    hub.document = sign(key, 4, config_with(idle__screen_seconds=20))
    outcome = await agent.poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "older_version")
    assert agent.applied_version == 5
    assert len(kiosk.applied) == 1


async def test_a_signed_but_invalid_config_is_refused(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, key: Ed25519PrivateKey
) -> None:
    hub.document = sign(key, 2, config_with(idle__screen_seconds=1, languages=["en"]))
    outcome = await agent.poll_once()
    assert (outcome.status, outcome.reason) == (ApplyStatus.REFUSED, "invalid_config")
    assert "idle.screen_seconds" in hub.reports[0]["reason"]
    assert kiosk.applied == []


async def test_a_body_that_is_not_a_signed_document_is_refused(
    agent: SyncAgent, hub: ConfigHub, key: Ed25519PrivateKey
) -> None:
    hub.raw = b'{"version": "x"}'
    assert (await agent.poll_once()).reason == "invalid_document"
    hub.raw = sign(key, 2, {}).model_dump_json().replace('"signature":"', '"signature":"%%%').encode()
    assert (await agent.poll_once()).reason == "bad_signature"


async def test_a_config_waits_for_the_patient_to_finish(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, key: Ed25519PrivateKey
) -> None:
    kiosk.patient_present = True
    hub.document = sign(key, 2, config_with(idle__screen_seconds=90))
    assert (await agent.poll_once()).status is ApplyStatus.WAITING
    assert (await agent.poll_once()).status is None  # still with the patient
    assert kiosk.applied == []
    kiosk.patient_present = False
    assert (await agent.poll_once()).status is ApplyStatus.APPLIED
    assert kiosk.applied[-1].idle.screen_seconds == 90
    assert [r["status"] for r in hub.reports] == ["waiting", "applied"]


async def test_a_config_that_breaks_the_printer_is_reverted_to_the_last_good_one(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey
) -> None:
    kiosk.printer_ok_for = {"tcp://10.0.0.5:9100"}
    good = sign(key, 1, config_with(printer__uri="tcp://10.0.0.5:9100"))
    hub.document = good
    assert (await agent.poll_once()).status is ApplyStatus.APPLIED
    hub.document = sign(key, 2, config_with(printer__uri="tcp://10.0.0.99:9100"))
    outcome = await agent.poll_once()
    assert outcome.status is ApplyStatus.REVERTED
    assert "printer: no answer" in outcome.reason
    assert [c.printer.uri for c in kiosk.applied] == [
        "tcp://10.0.0.5:9100",
        "tcp://10.0.0.99:9100",
        "tcp://10.0.0.5:9100",
    ]
    assert store.current() == good
    assert agent.applied_version == 1
    assert hub.reports[-1]["status"] == "reverted"
    assert (await agent.poll_once()).status is None  # the failed version is not retried in a loop


async def test_a_failed_first_config_reverts_to_the_built_in_defaults(
    agent: SyncAgent, hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey
) -> None:
    kiosk.printer_ok_for = set()
    hub.document = sign(key, 1, config_with(printer__uri="tcp://10.0.0.99:9100"))
    assert (await agent.poll_once()).status is ApplyStatus.REVERTED
    assert store.current() is None
    assert kiosk.applied[-1].printer.uri is None  # unset: the kiosk's own printer


async def test_after_a_restart_the_agent_starts_from_the_stored_version(
    hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey, agent: SyncAgent, trust: ConfigTrust
) -> None:
    hub.document = sign(key, 7, config_with(idle__screen_seconds=33))
    await agent.poll_once()
    reborn = starting_config(ConfigStore(store.directory), trust)
    assert (reborn.config.idle.screen_seconds, reborn.version, reborn.problems) == (33, 7, ())
