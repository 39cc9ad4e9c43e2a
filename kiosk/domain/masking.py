"""IDs as the screen shows them: only the last 4 characters (Decree 13/2023 on personal data)."""

from __future__ import annotations

MASK = "•"
VISIBLE = 4


def mask_id(number: str) -> str:
    """`001089012345` → `••••••••2345`. Numbers of 4 characters or fewer are masked entirely: showing all is no mask."""
    compact = "".join(number.split())
    if len(compact) <= VISIBLE:
        return MASK * len(compact)
    return MASK * (len(compact) - VISIBLE) + compact[-VISIBLE:]
