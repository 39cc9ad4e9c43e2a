"""Every sentence the kiosk shows, by message key, read from gettext catalogues (Vietnamese first, the default).

The texts live in `locale/<lang>/LC_MESSAGES/kiosk.po` (msgid = the key the code names, msgstr = the text), so a
hospital's translator edits them with any PO editor and a new language is a new directory (docs/kiosk-app.md).
They are parsed once, at import, with Babel; fuzzy and empty entries are skipped, so an unfinished translation
falls back to Vietnamese rather than showing a half-checked sentence. Text is NFC so Roboto draws one glyph per
toned vowel, whatever the editor saved.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from babel.messages.pofile import read_po

from kiosk.domain.language import DEFAULT_LANGUAGE, LANGUAGES

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).with_name("locale")


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def installed_languages() -> tuple[str, ...]:
    """Every language with a catalogue on disk: Vietnamese, English, then any the hospital added."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple([lang for lang in LANGUAGES if lang in found] + [lang for lang in found if lang not in LANGUAGES])


def read_catalogue(language: str) -> dict[str, str]:
    """The finished translations of one catalogue: key → NFC text (fuzzy and empty entries left out)."""
    with catalogue_path(language).open("rb") as file:
        catalog = read_po(file, locale=language, domain=DOMAIN)
    return {
        str(message.id): unicodedata.normalize("NFC", str(message.string))
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


TEXTS: dict[str, dict[str, str]] = {language: read_catalogue(language) for language in installed_languages()}

# (Vietnamese, English) by key, as the key-coverage tests and the speech prompts' test read it; a key missing in
# one language shows as "" here, which those tests catch.
CATALOGUE: dict[str, tuple[str, str]] = {
    key: (TEXTS["vi"].get(key, ""), TEXTS["en"].get(key, "")) for key in TEXTS["vi"].keys() | TEXTS["en"].keys()
}


def translate(key: str, language: str, **values: object) -> str:
    """The sentence for `key`; a language without it says it in Vietnamese, and an unknown key falls back to a
    generic sentence rather than showing the key."""
    texts = TEXTS.get(language, TEXTS[DEFAULT_LANGUAGE])
    fallback = "hub.error" if key.startswith("hub.") else "entitlement.unknown_result"
    text = (
        texts.get(key) or TEXTS[DEFAULT_LANGUAGE].get(key) or texts.get(fallback) or TEXTS[DEFAULT_LANGUAGE][fallback]
    )
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in CATALOGUE
