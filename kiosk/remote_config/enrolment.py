"""A new kiosk trades the one-time code IT gave it for its own bearer token and the hub's config-signing key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
from pydantic import BaseModel

from kiosk.remote_config.store import atomic_write

ENROL_PATH = "/fleet/v1/enrol"


class KioskCredentials(BaseModel):
    kiosk_id: str
    token: str
    config_public_key: str  # base64 raw Ed25519: the only key whose configurations this kiosk applies
    hub_url: str


class EnrolmentRefusedError(Exception):
    """The hub did not accept the code (unknown, used or expired); IT must create a new one."""


async def enrol(http: httpx.AsyncClient, code: str, name: str) -> KioskCredentials:
    response = await http.post(ENROL_PATH, json={"code": code, "name": name})
    if response.status_code in (400, 401, 403, 404, 409, 410):
        raise EnrolmentRefusedError(response.json().get("title", "refused"))
    response.raise_for_status()
    return KioskCredentials(**response.json(), hub_url=str(http.base_url))


def save_credentials(path: Path, credentials: KioskCredentials) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(credentials.model_dump(), ensure_ascii=False).encode())
    os.chmod(path, 0o600)  # the token is the kiosk's password


def load_credentials(path: Path) -> KioskCredentials:
    return KioskCredentials.model_validate_json(path.read_bytes())
