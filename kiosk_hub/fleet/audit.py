"""The audit log: every change from the console or by enrolment, written in the same transaction as the change."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kiosk_hub.fleet.models import AuditEntry


def record(session: Session, at: datetime, actor: str, action: str, target: str = "", **detail: Any) -> None:
    """Add one audit entry; `detail` must not hold secrets or personal data (codes and tokens are never passed)."""
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else ""
    session.add(AuditEntry(at=at, actor=actor, action=action, target=target, detail=text[:4000]))
