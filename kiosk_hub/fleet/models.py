"""Tables of fleet management: console users (roles: `kiosk_hub.access.roles`) and sessions, the audit log,
enrolment codes, kiosk groups and fleet state, configuration versions and the keys that sign them, rollouts,
configuration reports, heartbeats and remote actions.

The hub's `kiosks` table stays the hub's: fleet state lives beside it in `fleet_kiosks`, keyed by the kiosk id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base


class RolloutPhase(StrEnum):
    CANARY = "canary"  # only the group's canary kiosks get the new version
    WIDE = "wide"  # every kiosk of the group gets it
    DONE = "done"  # every kiosk of the group reported it applied
    HALTED = "halted"  # too many failures: nobody else gets it
    SUPERSEDED = "superseded"  # a newer rollout (or a rollback) replaced it


class ConsoleUser(Base):
    __tablename__ = "fleet_users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # a kiosk_hub.access.roles.Role
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Staff only: whether their calling pages show patients' names (otherwise numbers alone).
    may_see_names: Mapped[bool] = mapped_column(Boolean, default=False)


class ConsoleSession(Base):
    __tablename__ = "fleet_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("fleet_users.username"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # absolute end
    idle_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # slides with each request


class AuditEntry(Base):
    __tablename__ = "fleet_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # a console user, or "kiosk:<id>"
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class KioskGroup(Base):
    __tablename__ = "fleet_groups"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    failure_threshold_percent: Mapped[int] = mapped_column(Integer, default=20)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EnrolmentCode(Base):
    __tablename__ = "fleet_enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("fleet_groups.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    kiosk_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class FleetKiosk(Base):
    """What the fleet knows of one kiosk: its group, and the latest of what it reported."""

    __tablename__ = "fleet_kiosks"
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("fleet_groups.id"), index=True)
    canary: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    app_version: Mapped[str] = mapped_column(String(40), default="")
    config_version: Mapped[int] = mapped_column(Integer, default=0)
    config_status: Mapped[str] = mapped_column(String(16), default="")
    config_reason: Mapped[str] = mapped_column(String(500), default="")
    devices: Mapped[str] = mapped_column(Text, default="{}")  # JSON {device: state}
    funnel: Mapped[str] = mapped_column(Text, default="{}")  # JSON FunnelCounters of `funnel_day`
    funnel_day: Mapped[str] = mapped_column(String(10), default="")


class ConfigSigningKey(Base):
    """An Ed25519 key that signs kiosk configurations, shared by every hub process through the database; its
    private half sealed with the key file's key (`key_file.py`). One key is active; the others were retired by a
    rotation and stay for the record (and the chain of key changes)."""

    __tablename__ = "fleet_config_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_b64: Mapped[str] = mapped_column(String(64))
    private_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Only a key an older hub wrote in clear, until this hub seals it at its next start (`ConfigKeys.prepare`).
    private_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    sealed_by: Mapped[str] = mapped_column(String(16), default="")  # the key file's id (`key_file.file_key_id`)
    active: Mapped[str | None] = mapped_column(String(8), unique=True, nullable=True)  # ACTIVE_KEY, or NULL
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


ACTIVE_KEY = "active"  # the unique marker of the one key that signs now (retired keys hold NULL)


class ConfigKeyChange(Base):
    """One link of the chain kiosks follow to a new key: `envelope.KeyChange`, signed by the previous key."""

    __tablename__ = "fleet_config_key_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    previous_key_id: Mapped[str] = mapped_column(String(16), unique=True)  # one successor per key: no forks
    key_id: Mapped[str] = mapped_column(String(16))
    public_b64: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(20))  # the signed text, as signed
    signature: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(64))


class ConfigVersion(Base):
    """A saved configuration. It is signed when served, for the kiosk it is served to (`fleet/issuing.py`)."""

    __tablename__ = "fleet_config_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    config: Mapped[str] = mapped_column(Text)  # canonical JSON of RemoteConfig
    comment: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Rollout(Base):
    __tablename__ = "fleet_rollouts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("fleet_groups.id"), index=True)
    version: Mapped[int] = mapped_column(ForeignKey("fleet_config_versions.version"))
    previous_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phase: Mapped[str] = mapped_column(String(16))
    is_rollback: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConfigReportRow(Base):
    __tablename__ = "fleet_config_reports"
    __table_args__ = (Index("ix_fleet_config_reports_kiosk_version", "kiosk_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HeartbeatRow(Base):
    __tablename__ = "fleet_heartbeats"
    __table_args__ = (Index("ix_fleet_heartbeats_kiosk_at", "kiosk_id", "received_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)  # the Heartbeat as received (no personal data by construction)


class RemoteAction(Base):
    __tablename__ = "fleet_actions"
    __table_args__ = (Index("ix_fleet_actions_kiosk_pending", "kiosk_id", "picked_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    picked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    detail: Mapped[str] = mapped_column(String(500), default="")
    screenshot_png_base64: Mapped[str] = mapped_column(Text, default="")
