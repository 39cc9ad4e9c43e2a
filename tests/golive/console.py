"""The guide's console steps done as IT does them: Debian's Chromium (Playwright) on https://kiosk-hub.benhvien.local
through HAProxy, signed in as the user `kiosk-hub admin add` made. IT's browser trusts the hospital's CA (installed in
the browsers, by hand); this one is told to accept the hub's certificate by its public key, nothing wider."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.fleet import browser


def _public_key_pin(certificate: Path) -> str:
    """Chromium's --ignore-certificate-errors-spki-list value: base64 of the SHA-256 of the certificate's key."""
    key = x509.load_pem_x509_certificate(certificate.read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def console(base_url: str, certificate: Path) -> contextlib.AbstractContextManager[object]:
    """A page of a headless Chromium (Vietnamese locale) that trusts the hub's certificate."""
    return browser.chromium_page(base_url, (f"--ignore-certificate-errors-spki-list={_public_key_pin(certificate)}",))


def sign_in(page: object, username: str, password: str) -> list[str]:
    """Signs in; the home page's list of what the hub still lacks (its gap keys)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    browser.sign_in(page, username, password)
    page.goto("/fleet")
    return [str(gap.get_attribute("data-gap")) for gap in page.locator("#readiness li").all()]


def save_and_roll_out(page: object, departments: list[str], group: str, settings: dict[str, str]) -> int:
    """The editor: the departments ticked from the hub's own list, `settings` typed in; saved, then rolled out to
    `group`. The version saved."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/fleet/config")
    for department in departments:
        page.check(f"#pick-departments_shown input[value='{department}']")
    for name, value in settings.items():
        page.fill(f"input[name='{name}']", value)
    page.fill("#comment", "go-live: sảnh A")
    page.click("#save-config")
    expect(page.locator("#saved-version")).to_be_visible()
    version = int(page.locator("#saved-version").inner_text())
    page.goto("/fleet/rollouts")
    row = page.locator(f"tr[data-group='{group}']")
    row.locator("select[name='version']").select_option(str(version))
    row.locator("button.start-rollout").click()
    expect(page.locator(f"tr[data-group='{group}'] .phase")).to_be_visible()
    return version


def kiosk_page_shows(page: object, kiosk_name: str, version: int, timeout: float = 60) -> dict[str, str]:
    """The kiosk's console page once it shows `version` applied: its version, status line and display line."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto("/fleet")
    page.click(f"text={kiosk_name}")
    deadline = time.monotonic() + timeout
    while page.locator("#applied-version").inner_text() != str(version):
        assert time.monotonic() < deadline, f"the console never showed v{version} on {kiosk_name}'s page"
        time.sleep(1)
        page.reload()
    display = page.locator("#display")
    return {
        "version": page.locator("#applied-version").inner_text(),
        "devices": page.locator("#devices").inner_text(),
        "display": display.inner_text() if display.count() else "",
    }
