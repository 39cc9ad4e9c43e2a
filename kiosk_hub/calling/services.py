"""Calling's services of one hub process: the rooms' actions, the call board screens and phones listen to, the
screens' gate and the announcement voice."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.domain.dates import VN_TZ
from kiosk_hub.calling.board import CallBoard
from kiosk_hub.calling.desk import CallingDesk
from kiosk_hub.calling.screens import ScreenGate
from kiosk_hub.calling.voice import VoiceBox
from kiosk_hub.db.files import sqlite_file
from kiosk_hub.settings import HubSettings


@dataclass
class CallingServices:
    desk: CallingDesk
    board: CallBoard
    screens: ScreenGate
    voice: VoiceBox


def voice_cache(settings: HubSettings) -> Path:
    if settings.calling.voice_cache_dir is not None:
        return settings.calling.voice_cache_dir
    database = sqlite_file(settings.database_url)
    if database is not None:
        return database.parent / "voice-cache"
    return Path(tempfile.gettempdir()) / "kiosk-hub-voice"


def day_start(now: datetime) -> datetime:
    """The start of the hospital's day (Vietnam time) as an aware moment."""
    local = now.astimezone(VN_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def build_calling(settings: HubSettings, desk: CallingDesk, board: CallBoard, screens: ScreenGate) -> CallingServices:
    desk.changed = board.nudge
    return CallingServices(desk, board, screens, VoiceBox(voice_cache(settings), settings.calling.espeak))
