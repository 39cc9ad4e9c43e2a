"""A department and its rooms as IT gives them (a file row, a JSON object, the console's form): one validated shape.

The same names are CSV columns, JSON keys and form fields, so a file exported from one hub imports into another.
Empty English names fall back to the Vietnamese ones (a kiosk switched to English still shows a name).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from kiosk_hub.catalogue.hours import HoursError, format_hours, parse_hours
from kiosk_hub.db.models import LanePolicy

_YES = {"1", "true", "yes", "y", "x", "có", "co", "c", "đúng"}
_NO = {"0", "false", "no", "n", "không", "khong", "k", "sai"}
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


def _yes_no(value: object) -> object:
    """Booleans as a Vietnamese spreadsheet holds them: có/không, 1/0, x, yes/no; empty means yes."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "" or word in _YES:
            return True
        if word in _NO:
            return False
        raise PydanticCustomError("yes_no", "yes or no", {"vi": "phải là có hoặc không (1 hoặc 0)",
                                                           "en": "must be yes or no (1 or 0)"})  # fmt: skip
    return value


def _code(value: object) -> object:
    if isinstance(value, str) and value.strip() and not re.match(ID_PATTERN, value.strip()):
        raise PydanticCustomError(
            "code",
            "letters, digits, - _ .",
            {
                "vi": "chỉ gồm chữ không dấu, chữ số và - _ . (không dấu cách)",
                "en": "only letters without accents, digits and - _ . (no spaces)",
            },
        )
    return value


YesNo = Annotated[bool, BeforeValidator(_yes_no)]
Code = Annotated[str, BeforeValidator(_code), Field(min_length=1, max_length=32)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=200)]


class _Named(BaseModel):
    """What a department and a room both have: an id, names and a location in both languages."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: Code
    name_vi: Name
    name_en: Text = ""
    location_vi: Text = ""
    location_en: Text = ""

    @model_validator(mode="after")
    def _english_falls_back(self) -> Any:
        for field in ("name", "location"):
            if not getattr(self, f"{field}_en"):
                setattr(self, f"{field}_en", getattr(self, f"{field}_vi"))
        return self


class RoomRecord(_Named):
    active: YesNo = True


class DepartmentRecord(_Named):
    opening_hours: list[dict[str, Any]] = Field(description="text `T2-T6 07:00-16:30; T7 07:00-11:30` or periods")
    lane_policy: LanePolicy = LanePolicy.STRICT
    priority_every: int = Field(default=3, ge=1, le=20)
    minutes_per_patient: int = Field(default=6, ge=1, le=240)
    order: int | None = Field(default=None, ge=0, le=100_000, description="kiosk display order; empty keeps it")
    active: YesNo = True
    rooms: list[RoomRecord] = Field(default_factory=list)

    @field_validator("opening_hours", mode="before")
    @classmethod
    def _hours(cls, value: object) -> object:
        try:
            if isinstance(value, str):
                return parse_hours(value)
            if isinstance(value, list) and all(isinstance(p, dict) for p in value):
                return parse_hours(format_hours(value))  # one reading, whichever form it came in
        except HoursError as exc:
            raise PydanticCustomError("opening_hours", exc.words.en, {"vi": exc.words.vi, "en": exc.words.en}) from exc
        except (KeyError, TypeError, IndexError) as exc:
            raise PydanticCustomError(
                "opening_hours", "periods", {"vi": "mỗi khoảng cần days, opens, closes",
                                             "en": "each period needs days, opens, closes"},
            ) from exc  # fmt: skip
        return value

    @property
    def hours_text(self) -> str:
        return format_hours(self.opening_hours)
