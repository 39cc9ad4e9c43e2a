"""What a kiosk tells the hub about one update, and the words the console shows for it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class UpdateStatus(StrEnum):
    DOWNLOADED = "downloaded"  # every file here and verified; waiting for a window and a quiet moment
    REFUSED = "refused"  # not installed: the reason says why (signature, expiry, platform, space...)
    INSTALLED = "installed"  # switched, and the new version proved healthy: committed
    ROLLED_BACK = "rolled_back"  # switched, did not prove healthy: back on the previous release


class UpdateReport(BaseModel):
    version: str = Field(min_length=1, max_length=40)
    status: UpdateStatus
    reason: str = Field(default="", max_length=500)
