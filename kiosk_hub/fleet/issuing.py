"""Signing a configuration for the one kiosk it is served to: audience (the kiosk, and its group for the record),
when it was signed, an expiry, the active key; and when a kiosk should fetch a fresh signature.

Each kiosk gets its own signed document, so a document meant for the canaries of a rollout (which may be halted
later), or for another group, is refused by every other kiosk. The hub signs anew whenever a kiosk fetches its
configuration and at least once every seventh of the validity (the ETag names that period), so a kiosk in touch
with its hub never holds an expired signature; one that cannot reach its hub keeps running what it has.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from kiosk.remote_config.envelope import ENVELOPE_FORMAT, Audience, KeyChange, SignedConfig, timestamp
from kiosk_hub.fleet.signing import HubSigningKey

REFRESHES_PER_VALIDITY = 7


def refresh_period(kiosk_id: str, now: datetime, validity: timedelta) -> int:
    """Which refresh period `now` falls in for this kiosk: each kiosk's periods start at their own offset, so a
    fleet does not fetch fresh signatures all at the same moment."""
    length = max(int(validity.total_seconds()) // REFRESHES_PER_VALIDITY, 60)
    offset = int(hashlib.sha256(kiosk_id.encode()).hexdigest()[:8], 16) % length
    return (int(now.timestamp()) + offset) // length


def config_etag(version: int, key_id: str, period: int) -> str:
    """Changes with the version, the signing key (a rotation) and the refresh period (a fresh expiry)."""
    return f'"v{version}.{key_id}.{period}"'


def issue(
    key: HubSigningKey,
    version: int,
    config: dict[str, Any],
    audience: Audience,
    now: datetime,
    validity: timedelta,
    key_changes: list[KeyChange],
) -> SignedConfig:
    unsigned = SignedConfig(
        format=ENVELOPE_FORMAT,
        version=version,
        config=config,
        audience=audience,
        signed_at=timestamp(now),
        expires_at=timestamp(now + validity),
        key_id=key.key_id,
    )
    return unsigned.model_copy(update={"signature": key.sign(unsigned.signed_bytes()), "key_changes": key_changes})
