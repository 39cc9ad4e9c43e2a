"""Remote actions: queued by the console, handed to the kiosk with its next heartbeat, results stored."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.remote_config.schema import ActionKind, ActionResult
from kiosk_hub.db.models import Kiosk
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import RemoteAction


def queue(session: Session, kiosk_id: str, kind: ActionKind, actor: str, now: datetime) -> str:
    if session.get(Kiosk, kiosk_id) is None:
        raise LookupError(kiosk_id)
    action_id = str(uuid.uuid4())
    session.add(RemoteAction(id=action_id, kiosk_id=kiosk_id, kind=kind, requested_by=actor, requested_at=now))
    audit.record(session, now, actor, "action.queued", kiosk_id, kind=kind.value)
    return action_id


def finish(session: Session, kiosk_id: str, action_id: str, result: ActionResult, now: datetime) -> None:
    action = session.get(RemoteAction, action_id)
    if action is None or action.kiosk_id != kiosk_id:
        raise LookupError(action_id)
    action.done_at = now
    action.ok = result.ok
    action.detail = result.detail
    action.screenshot_png_base64 = result.screenshot_png_base64
