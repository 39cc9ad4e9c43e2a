"""The commands of docs/go-live.md that the test runs: fenced blocks whose info string is `sh go-live ROLE`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "go-live.md"
FENCE = re.compile(r"^```sh go-live (?P<role>[\w-]+)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    role: str  # build (the repository), kiosk (a kiosk), kiosk-start (the session's start), hub
    script: str


def blocks(text: str | None = None) -> list[Block]:
    found = [Block(m["role"], m["body"]) for m in FENCE.finditer(text if text is not None else GUIDE.read_text())]
    assert found, "no go-live blocks in the guide"
    return found
