"""The out-of-service panel, rendered for real (offscreen): every reason in Vietnamese and English at once, the
way to the desk, the kiosk's name and the reason's code for IT; a new reason replaces the old one live."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from kiosk.app import prepare_kivy
from kiosk.domain.out_of_service import OutOfService
from kiosk.i18n.catalogue import translate
from tests.ui.shots import assert_not_blank

pytestmark = pytest.mark.ui
SIZE = (1080, 1920)


def test_every_reason_is_said_in_both_languages_and_replaced_live(tmp_path: Path) -> None:
    prepare_kivy(SIZE, headless=True)
    from kiosk.screens import theme
    from kiosk.screens.out_of_service import OutOfServiceApp

    theme.use(theme.theme_for(False, False))
    app = OutOfServiceApp(OutOfService.NOT_CONNECTED, "sanh-a-01", "not_connected: Connection refused")
    shots = Path(os.environ.get("KIOSK_SHOTS", tmp_path))
    seen: dict[OutOfService, dict[str, str]] = {}

    async def walk() -> None:
        await asyncio.sleep(0.5)  # the first frame
        for reason in OutOfService:
            app.show(reason, "sanh-a-01", f"{reason.value}: what the system said")
            await asyncio.sleep(0.15)
            ids = app.root.ids
            seen[reason] = {name: ids[name].text for name in ("title_vi", "title_en", "reason_vi", "reason_en",
                                                              "desk_vi", "desk_en", "for_it")}  # fmt: skip
            app.root.export_to_png(str(shots / f"out-of-service-{reason.value}.png"))
        app.stop()

    async def main() -> None:
        task = asyncio.ensure_future(walk())
        await app.async_run(async_lib="asyncio")
        await task

    asyncio.run(main())
    assert set(seen) == set(OutOfService)
    for reason, texts in seen.items():
        assert texts["title_vi"] == "Ki-ốt tạm ngừng phục vụ"
        assert texts["title_en"] == "This kiosk is out of service"
        assert texts["reason_vi"] == translate(reason.message_key, "vi") != translate(reason.message_key, "en")
        assert texts["reason_en"] == translate(reason.message_key, "en")
        assert texts["desk_en"] == "Please go to the reception desk."
        assert texts["for_it"] == f"sanh-a-01 · {reason.value} · {reason.value}: what the system said"
        assert_not_blank(shots / f"out-of-service-{reason.value}.png", SIZE)
