"""Tables of kiosk software releases: the release-signing keys (sealed like the configuration keys, but their own
role), the releases and their files, rollouts per group, per-kiosk pins, maintenance windows per group and what
each kiosk reported of each update."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base


class ReleaseSigningKey(Base):
    """An Ed25519 key that signs release manifests and kiosks' release orders; its private half sealed with the
    hub's key file. Kiosks pin it at enrolment, beside (never instead of) the configuration key."""

    __tablename__ = "release_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_b64: Mapped[str] = mapped_column(String(64))
    private_sealed: Mapped[str] = mapped_column(Text)
    sealed_by: Mapped[str] = mapped_column(String(16))
    active: Mapped[str | None] = mapped_column(String(8), unique=True, nullable=True)  # "active", or NULL
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Release(Base):
    __tablename__ = "releases"
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    python: Mapped[str] = mapped_column(String(8))
    signed: Mapped[str] = mapped_column(Text)  # the manifest's JSON text exactly as signed
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(200))
    total_size: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReleaseRollout(Base):
    __tablename__ = "release_rollouts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("fleet_groups.id"), index=True)
    version: Mapped[str] = mapped_column(ForeignKey("releases.version"))
    previous_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    phase: Mapped[str] = mapped_column(String(16))  # kiosk_hub.fleet.models.RolloutPhase
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    is_rollback: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReleasePin(Base):
    """One kiosk held on one release whatever its group's rollout says (a kiosk under investigation, a test bed)."""

    __tablename__ = "release_pins"
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    version: Mapped[str] = mapped_column(ForeignKey("releases.version"))
    pinned_by: Mapped[str] = mapped_column(String(64))
    pinned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MaintenanceWindow(Base):
    """When kiosks of a group may switch to a new release: "12:00-13:00,17:00-23:59" (Vietnam time); empty: any
    time between patients."""

    __tablename__ = "release_windows"
    group_id: Mapped[str] = mapped_column(ForeignKey("fleet_groups.id"), primary_key=True)
    windows: Mapped[str] = mapped_column(String(200), default="")


class UpdateReport(Base):
    """One step of one kiosk's update: downloaded, refused (why), installed, rolled back (why)."""

    __tablename__ = "release_reports"
    __table_args__ = (Index("ix_release_reports_kiosk_at", "kiosk_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16))  # kiosk.updates.report.UpdateStatus
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
