"""Where an installed kiosk keeps what must outlive a restart (enrolment, the fleet's configuration, the offline
journal, trust anchors), and what the fleet left in effect when the kiosk last ran."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.remote_config import live
from kiosk.remote_config.schema import RemoteConfig
from kiosk.remote_config.store import ConfigStore
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
    """The configuration last applied (the fleet's, or the model's defaults), with the chip reader and camera it
    names: those two are opened only at start, so a remote kiosk starts as the fleet left it."""

    store: ConfigStore | None  # a remote kiosk's applied / last-good configurations; None with an embedded hub
    config: RemoteConfig
    reader_name: str
    camera_device: str

    @classmethod
    def of(cls, settings: KioskSettings, state: StateDir) -> StartingPoint:
        store = ConfigStore(state.remote_config) if settings.hub.mode == "remote" else None
        config, _version = store.effective() if store is not None else (RemoteConfig(), 0)
        reader_name, camera_device = live.at_start(config, settings.devices.chip_reader, settings.devices.camera)
        return cls(store, config, reader_name, camera_device)

    def trust_anchor_files(self, state: StateDir) -> list[Path]:
        """The fleet's CSCA certificates as PEM files for the chip reader (none: the reader has no anchors)."""
        return live.trust_anchor_files(self.config, state.trust_anchors) if self.config.trust_anchors_pem else []
