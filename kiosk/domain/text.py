"""Vietnamese text as the kiosk keeps it: NFC everywhere, and a diacritic-free form for comparing names."""

from __future__ import annotations

import unicodedata

# Đ/đ is a letter of its own, not D plus a combining mark, so NFD does not take it apart.
_NON_DECOMPOSING = str.maketrans({"Đ": "D", "đ": "d"})


def nfc(text: str) -> str:
    """Scanners, chips and keyboards deliver both composed and decomposed Vietnamese; we keep only NFC."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """`Nguyễn Thị Đào` → `Nguyen Thi Dao`: the form of the MRZ and of scanners that lose the marks."""
    decomposed = unicodedata.normalize("NFD", text.translate(_NON_DECOMPOSING))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


def name_key(text: str) -> str:
    """A name reduced for comparison across documents: no marks, upper case, single spaces."""
    return " ".join(strip_diacritics(nfc(text)).upper().split())
