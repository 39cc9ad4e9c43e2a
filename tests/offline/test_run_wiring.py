"""`kiosk run` with a remote hub builds its HIS port through the outage wrapper (kiosk/runtime/hub.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.offline.resilient_his import ResilientHis
from kiosk.runtime.hub import hub_line
from kiosk.runtime.state import StateDir
from kiosk.settings import load_settings
from tests.hub.servers import REPO
from tests.offline.harness import FaultyLink, HubSite, check_in, person

pytestmark = pytest.mark.slow


async def test_kiosk_run_issues_provisional_tickets_when_its_hub_goes(
    tmp_path: Path, gateway_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    monkeypatch.setenv("KIOSK_STATE_DIR", str(tmp_path / "state"))
    with FaultyLink() as link:
        example = (REPO / "config" / "kiosk.example.toml").read_text(encoding="utf-8")
        remote = f'base_url = "{link.url}"\ntoken = "{site.tokens[0]}"'
        config = tmp_path / "kiosk.toml"
        config.write_text(example.replace('base_url = "https://kiosk-hub.benhvien.local"', remote), encoding="utf-8")
        settings = load_settings(config)
        async with hub_line(settings, StateDir.from_environment()) as line:
            his = line.his
            assert isinstance(his, ResilientHis)
            assert line.fleet is None  # a token from the settings file: not enrolled, no fleet
            with site.serving(link):
                await his.maintain()
                online = await check_in(his, person("Nguyễn Văn An", "001085000001", "1985-03-15", "DN4010100000001"))
            offline = await check_in(his, person("Hà Thị Thu", "001197000321", "1997-07-07"))
    assert not online.provisional
    assert offline.provisional
    assert (tmp_path / "state" / "offline" / "journal.key").exists()
