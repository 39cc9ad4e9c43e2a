"""Debian's Chromium driven by Playwright (headless, no `playwright install`) and a hub served by uvicorn for it,
shared by the console's browser tests."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fleet.console_client import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]


def hub_cli(*args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk_hub.cli", *args], input=stdin.encode(), cwd=REPO, check=True,
        capture_output=True, timeout=60,
    )  # fmt: skip
    return done.stdout.decode()


def console_users(db: str) -> None:
    """An admin `it-admin` and a viewer `xem`, both with PASSWORD, made by the command IT uses."""
    hub_cli("admin", "add", "it-admin", "--role", "admin", "--db", db, stdin=PASSWORD + "\n")
    hub_cli("admin", "add", "xem", "--role", "viewer", "--db", db, stdin=PASSWORD + "\n")


@contextlib.contextmanager
def chromium_page(base_url: str, args: tuple[str, ...] = ()) -> Iterator[object]:
    """A fresh page (Vietnamese locale) of a headless Chromium started with these extra arguments, closed
    afterwards."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *args])
        context = browser.new_context(base_url=base_url, locale="vi-VN")
        yield context.new_page()
        context.close()
        browser.close()


def sign_in(page: object, username: str, password: str = PASSWORD) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/fleet/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login")
    expect(page.locator("#who")).to_contain_text(username)
