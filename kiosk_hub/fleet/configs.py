"""Configuration versions: each save validates the document against the kiosk's model and signs a new version."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.remote_config.schema import RemoteConfig, SignedConfig
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import ConfigVersion
from kiosk_hub.fleet.signing import signing_key


class InvalidConfigError(ValueError):
    """The document does not fit the kiosk's model; `problems` lists field paths and messages for the editor."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in problems))
        self.problems = problems


def validate(document: dict[str, Any]) -> dict[str, Any]:
    try:
        return RemoteConfig.model_validate(document).model_dump(mode="json")
    except ValidationError as exc:
        problems = [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        raise InvalidConfigError(problems) from exc


def save_version(session: Session, document: dict[str, Any], actor: str, now: datetime, comment: str = "") -> int:
    """Validate, sign and store `document` as the next version; returns that version."""
    config = validate(document)
    key = signing_key(session, now)
    version = (session.scalar(select(func.max(ConfigVersion.version))) or 0) + 1
    session.add(
        ConfigVersion(
            version=version,
            config=json.dumps(config, ensure_ascii=False, sort_keys=True),
            signature=key.sign(version, config),
            key_id=key.key_id,
            comment=comment[:200],
            created_by=actor,
            created_at=now,
        )
    )
    audit.record(session, now, actor, "config.save", f"v{version}", comment=comment)
    return version


def config_of(session: Session, version: int) -> dict[str, Any]:
    row = session.get(ConfigVersion, version)
    if row is None:
        raise KeyError(version)
    return _current_schema(json.loads(row.config))


def _current_schema(document: dict[str, Any]) -> dict[str, Any]:
    """A stored document as the current schema reads it: a version 1 document saved again from the editor (or by a
    rollback) must keep meaning what it meant, not set the kiosks' own settings to version 1's defaults."""
    return RemoteConfig.model_validate(document).model_dump(mode="json")


def signed_document(row: ConfigVersion) -> SignedConfig:
    return SignedConfig(version=row.version, config=json.loads(row.config), signature=row.signature, key_id=row.key_id)


def latest_config(session: Session) -> tuple[int, dict[str, Any]]:
    """The newest saved version and its document; (0, defaults) before the first save."""
    row = session.scalars(select(ConfigVersion).order_by(ConfigVersion.version.desc()).limit(1)).first()
    if row is None:
        return 0, RemoteConfig().model_dump(mode="json")
    return row.version, _current_schema(json.loads(row.config))
