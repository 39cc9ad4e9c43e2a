"""A new kiosk trades the one-time code IT gave it for its own bearer token and the hub's config-signing key.

The answer comes over the hub's TLS: the key it names is pinned (the kiosk applies configurations signed by it, or
by a key it handed on to), and the version its group runs is the lowest this kiosk will ever accept."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
from pydantic import BaseModel

from kiosk.remote_config.schema import EnrolReply
from kiosk.remote_config.signature import load_public_key, public_key_id
from kiosk.remote_config.store import atomic_write

ENROL_PATH = "/fleet/v1/enrol"


class KioskCredentials(BaseModel):
    kiosk_id: str
    token: str
    config_public_key: str  # base64 raw Ed25519, pinned: the key this kiosk's trust in configurations starts from
    hub_url: str
    group_id: str = ""  # the group it was enrolled into (for the record: IT may move it)
    enrolled_config_version: int = 0  # what its group ran at enrolment: nothing older is ever applied
    # The hub's release-signing key, pinned likewise (empty: enrolled before the hub had one; `kiosk enrol` again).
    release_public_key: str = ""
    release_key_id: str = ""


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
    reply = EnrolReply.model_validate_json(response.content)
    if public_key_id(load_public_key(reply.config_public_key)) != reply.config_key_id:
        raise EnrolmentRefusedError("the hub's configuration key does not match its name")
    if reply.release_public_key and public_key_id(load_public_key(reply.release_public_key)) != reply.release_key_id:
        raise EnrolmentRefusedError("the hub's release key does not match its name")
    return KioskCredentials(
        kiosk_id=reply.kiosk_id, token=reply.token, config_public_key=reply.config_public_key,
        hub_url=str(http.base_url), group_id=reply.group_id, enrolled_config_version=reply.config_version,
        release_public_key=reply.release_public_key, release_key_id=reply.release_key_id,
    )  # fmt: skip


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
