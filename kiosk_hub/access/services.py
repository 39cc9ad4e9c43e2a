"""The access services one hub process holds (built with the Hub; no HTTP here)."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.access.integrations import IntegrationGate
from kiosk_hub.access.keys import KEY_BYTES, default_key_path, load_or_create_key
from kiosk_hub.access.lookups import LookupGuard, LookupLimit
from kiosk_hub.access.passwords import PasswordHasherPool
from kiosk_hub.access.revocations import RevocationWatch
from kiosk_hub.access.sign_in import SignInGate
from kiosk_hub.settings import HubSettings


@dataclass
class AccessServices:
    revocations: RevocationWatch
    hasher: PasswordHasherPool
    sign_in: SignInGate
    lookups: LookupGuard
    integrations: IntegrationGate


def build_access(
    settings: HubSettings,
    reader: sessionmaker[Session],
    writer: sessionmaker[Session],
    writes: Executor,
    revocations: RevocationWatch,
    clock: Callable[[], datetime],
) -> AccessServices:
    config = settings.access
    hasher = PasswordHasherPool(config.password_hash_workers)
    key_path = default_key_path(settings)
    return AccessServices(
        revocations=revocations,
        hasher=hasher,
        sign_in=SignInGate(reader, writer, writes, hasher, clock),
        # The key is read at the first lookup: a hub that never serves one (a command, a test) needs no key file.
        lookups=LookupGuard(
            functools.partial(load_or_create_key, key_path) if key_path is not None else _process_key,
            LookupLimit(config.lookup_burst, config.lookup_refill_seconds),
        ),
        integrations=IntegrationGate(reader, revocations),
    )


def _process_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)  # an in-memory database: its log lives no longer than this key
