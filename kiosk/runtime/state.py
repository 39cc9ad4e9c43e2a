"""Where an installed kiosk keeps what must outlive a restart (enrolment, the fleet's configuration, the offline
journal, trust anchors), and what the fleet left in effect when the kiosk last ran."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.remote_config import live
from kiosk.remote_config.enrolment import load_credentials
from kiosk.remote_config.schema import RemoteConfig
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import ConfigTrust, StartingConfig, starting_config
from kiosk.settings import KioskSettings

DEFAULT_STATE_DIR = Path("/var/lib/vn-hospital-kiosk")


@dataclass(frozen=True)
class StateDir:
    root: Path

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> StateDir:
        return cls(Path(env.get("KIOSK_STATE_DIR", str(DEFAULT_STATE_DIR))))

    @property
    def credentials(self) -> Path:
        return self.root / "credentials.json"

    @property
    def remote_config(self) -> Path:
        return self.root / "remote-config"

    @property
    def offline(self) -> Path:
        return self.root / "offline"

    @property
    def trust_anchors(self) -> Path:
        return self.root / "trust-anchors"


@dataclass(frozen=True)
class StartingPoint:
    """The configuration last applied (the fleet's, checked as `trust.starting_config` checks it, or the model's
    defaults), with the chip reader and camera it names: those two are opened only at start, so a remote kiosk
    starts as the fleet left it."""

    store: ConfigStore | None  # a remote kiosk's applied / last-good configurations; None with an embedded hub
    stored: StartingConfig | None  # what the store held that checked out; None: not enrolled (yet)
    config: RemoteConfig
    reader_name: str
    camera_device: str

    @classmethod
    def of(cls, settings: KioskSettings, state: StateDir) -> StartingPoint:
        store = ConfigStore(state.remote_config) if settings.hub.mode == "remote" else None
        stored = None
        if store is not None and state.credentials.exists():
            # Nothing stored is trusted before enrolment: the hub's key and this kiosk's id come with it.
            stored = starting_config(store, ConfigTrust.of(load_credentials(state.credentials), store))
        config = stored.config if stored is not None else RemoteConfig()
        reader_name, camera_device = live.at_start(config, settings.devices.chip_reader, settings.devices.camera)
        return cls(store, stored, config, reader_name, camera_device)

    def trust_anchor_files(self, state: StateDir) -> list[Path]:
        """The fleet's CSCA certificates as PEM files for the chip reader (none: the reader has no anchors)."""
        return live.trust_anchor_files(self.config, state.trust_anchors) if self.config.trust_anchors_pem else []
