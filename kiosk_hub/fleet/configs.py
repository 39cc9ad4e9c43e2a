"""Configuration versions: each save validates the document against the kiosk's model and stores the next version.
Nothing is signed here: the fleet API signs a version for each kiosk when it serves it (`issuing.py`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.remote_config.schema import RemoteConfig
from kiosk_hub.db.models import Department
from kiosk_hub.explain import Bilingual, explain, field_path
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import ConfigVersion


class InvalidConfigError(ValueError):
    """The document does not fit the kiosk's model or the hub's data; `problems` lists field paths and why, in
    Vietnamese and English, for the editor."""

    def __init__(self, problems: list[tuple[str, Bilingual]]) -> None:
        super().__init__("; ".join(f"{path}: {words.en}" for path, words in problems))
        self.problems = problems


def validate(document: dict[str, Any]) -> dict[str, Any]:
    try:
        return RemoteConfig.model_validate(document).model_dump(mode="json")
    except ValidationError as exc:
        problems = [(field_path(e["loc"]), explain(e)) for e in exc.errors()]
        raise InvalidConfigError(problems) from exc


def check_departments(session: Session, config: dict[str, Any]) -> None:
    """Refuse department ids the hub does not have: a kiosk told to show only unknown ones would show none, and
    still report the configuration applied."""
    wanted: list[str] = config.get("departments_shown", [])
    known = set(session.scalars(select(Department.id).where(Department.id.in_(wanted)))) if wanted else set()
    unknown = ", ".join(d for d in wanted if d not in known)
    if unknown:
        words = Bilingual(f"không có khoa mã {unknown}", f"no department has the id {unknown}")
        raise InvalidConfigError([("departments_shown", words)])


def save_version(session: Session, document: dict[str, Any], actor: str, now: datetime, comment: str = "") -> int:
    """Validate and store `document` as the next version; returns that version."""
    config = validate(document)
    check_departments(session, config)
    version = (session.scalar(select(func.max(ConfigVersion.version))) or 0) + 1
    session.add(
        ConfigVersion(
            version=version,
            config=json.dumps(config, ensure_ascii=False, sort_keys=True),
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


def latest_config(session: Session) -> tuple[int, dict[str, Any]]:
    """The newest saved version and its document; (0, defaults) before the first save."""
    row = session.scalars(select(ConfigVersion).order_by(ConfigVersion.version.desc()).limit(1)).first()
    if row is None:
        return 0, RemoteConfig().model_dump(mode="json")
    return row.version, _current_schema(json.loads(row.config))
