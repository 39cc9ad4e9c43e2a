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
    if response.status_code in (400, 401, 403, 404, 409, 410, 422):
        try:
            title = str(response.json().get("title", "refused"))
        except ValueError:  # not the hub's problem+json (a proxy's page)
            title = f"refused (HTTP {response.status_code})"
        raise EnrolmentRefusedError(title)
    response.raise_for_status()
    return KioskCredentials(**response.json(), hub_url=str(http.base_url))


def save_credentials(path: Path, credentials: KioskCredentials) -> None:
    """Write (or replace: a re-enrolment) the credentials atomically, readable by the kiosk's user only. Written
    by root (`sudo kiosk enrol`), the file goes to the owner of the state directory, the kiosk's user."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(credentials.model_dump(), ensure_ascii=False).encode())
    os.chmod(path, 0o600)  # the token is the kiosk's password
    if os.geteuid() == 0:
        owner = path.parent.stat()
        os.chown(path, owner.st_uid, owner.st_gid)


def load_credentials(path: Path) -> KioskCredentials:
    return KioskCredentials.model_validate_json(path.read_bytes())
