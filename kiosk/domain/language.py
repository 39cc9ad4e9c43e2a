"""The languages a patient can use at the kiosk. Vietnamese comes first: every session starts in it unless the
kiosk is set otherwise, a kiosk always offers it, and a text missing in another language falls back to it."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    VI = "vi"
    EN = "en"


LANGUAGES: tuple[Language, ...] = tuple(Language)
DEFAULT_LANGUAGE = Language.VI
