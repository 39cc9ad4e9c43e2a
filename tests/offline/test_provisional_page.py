"""The provisional ticket's QR leads to a page that works once the hub has the ticket: "not received yet" before the
kiosk's journal is replayed, then a redirect to the ticket's own status page; the URL carries no personal data.
The hub runs as its own process on loopback HTTP behind a link the test cuts."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from kiosk.offline.provisional import key_hash as kiosk_key_hash
from kiosk_hub.leases.page import key_hash as hub_key_hash
from tests.offline.harness import FaultyLink, HubSite, check_in, kiosk, person

pytestmark = pytest.mark.slow
AN = person("Trần Thị Bích Ngọc", "079188001234", "1988-05-17", "HC4790123456789")


def test_the_kiosk_and_the_hub_hash_the_key_alike() -> None:
    key = uuid.uuid4().hex
    assert kiosk_key_hash(key) == hub_key_hash(key)
    assert len(kiosk_key_hash(key)) == 32


async def test_the_qr_page_says_not_received_then_redirects_to_the_ticket_after_replay(
    tmp_path: Path, gateway_url: str
) -> None:
    site = HubSite.create(tmp_path, gateway_url)
    with FaultyLink() as link:
        async with kiosk(tmp_path / "kiosk", link.url, site.tokens[0]) as his:
            with site.serving(link):
                await his.maintain()
            ticket = await check_in(his, AN)  # the hub is not served: a provisional ticket from the lease
            assert ticket.provisional
            url = urlsplit(ticket.status_url)
            assert url.path.startswith("/t/k/")
            born = AN.date_of_birth.iso() if AN.date_of_birth else None
            for value in (AN.full_name, AN.id_number, AN.bhyt_code, born):
                assert value is not None
                assert value not in ticket.status_url
            with site.serving(link):
                async with httpx.AsyncClient(base_url=link.url) as browser:
                    before = await browser.get(url.path)
                    assert before.status_code == 200
                    assert "chưa nhận được" in before.text
                    assert "Not yet received" in before.text
                    await asyncio.sleep(0.25)  # the breaker's open time in the harness
                    assert await his.maintain() == 1
                    after = await browser.get(url.path)
                    assert after.status_code == 303
                    status_path = urlsplit(after.headers["location"]).path
                    assert status_path.startswith("/t/")
                    assert not status_path.startswith("/t/k/")
                    page = await browser.get(status_path)
                    assert page.status_code == 200
                    assert ticket.display_number in page.text
                    lease_id = url.path.split("/")[3]
                    unknown_hash = await browser.get(f"/t/k/{lease_id}/{'0' * 32}")
                    assert unknown_hash.status_code == 200  # a number not replayed yet: still "not received"
                    assert (await browser.get(f"/t/k/{uuid.uuid4()}/{'0' * 32}")).status_code == 404
                    assert (await browser.get(f"/t/k/{lease_id}/not-a-hash")).status_code == 404
