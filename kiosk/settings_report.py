"""What `kiosk config check` prints: every setting in effect and where it came from (the file, the default, or
for the two things systemd and the session decide, the environment), and whether the kiosk may serve with them."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from kiosk.runtime.state import DEFAULT_STATE_DIR
from kiosk.settings import KioskSettings, refusals


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    source: str  # "file", "default", "env KIOSK_STATE_DIR", …


def report(settings: KioskSettings, written: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> list[Setting]:
    """Each leaf setting, with the file's keys (`written`, the TOML as read) telling file from default."""
    rows = [Setting(key, value, "file" if _written(written, key) else "default") for key, value in _leaves(settings)]
    from kiosk.panel import choose_driver  # imports nothing of Kivy

    driver, why = choose_driver(settings.screen.video_driver, env)
    rows.append(Setting("screen.video_driver (in effect)", driver, why))
    state = env.get("KIOSK_STATE_DIR")
    source = "env KIOSK_STATE_DIR" if state else "default"
    rows.append(Setting("state_dir", state or str(DEFAULT_STATE_DIR), source))
    return rows


def verdict(settings: KioskSettings) -> list[str]:
    """Why the kiosk would refuse to serve (empty: it would serve)."""
    return refusals(settings)


def enrolment_state(state_dir: Path) -> str:
    return "enrolled" if (state_dir / "credentials.json").exists() else "not enrolled"


def _leaves(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, str]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from _leaves(value, f"{key}.")
        elif isinstance(value, SecretStr):
            yield key, "(set, hidden)"
        else:
            yield key, "(not set)" if value is None else _shown(value)


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple, frozenset, set)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(getattr(value, "value", value))


def _written(data: Mapping[str, Any], key: str) -> bool:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True
