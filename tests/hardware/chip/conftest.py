"""Fixtures for chip tests on real PC/SC: a private pcscd (started and stopped by this run) and the emulated card."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from kiosk.hardware.chip.adapter_pyscard import PcscReaderSettings, PyscardChipReader
from tests.support.emulated_card import EmulatedCccd
from tests.support.emulated_card_data import CardFiles, build_card
from tests.support.emulated_card_vpcd import VpcdCardLink
from tests.support.pcsc_daemon import FIRST_READER, PcscDaemon, running_pcscd

# libpcsclite reads PCSCLITE_CSOCK_NAME once, at the first PC/SC call of the process, whichever test makes it:
# so the private pcscd's socket path is fixed (and exported) when this conftest is collected, before any test runs.
_PCSCD_DIR = Path(tempfile.mkdtemp(prefix="pcsc-"))  # short: a unix socket path must stay under 108 bytes
os.environ["PCSCLITE_CSOCK_NAME"] = str(PcscDaemon.socket_path_in(_PCSCD_DIR))
atexit.register(shutil.rmtree, _PCSCD_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PcscDaemon]:
    with running_pcscd(_PCSCD_DIR) as daemon:
        yield daemon


@pytest.fixture(scope="session")
def card_files() -> CardFiles:
    return build_card()


@pytest.fixture(scope="session")
def csca_file(card_files: CardFiles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("csca") / "csca.pem"
    path.write_bytes(card_files.pki.csca_pem())
    return path


@pytest.fixture
def card_on_reader(pcscd: PcscDaemon, card_files: CardFiles) -> Iterator[VpcdCardLink]:
    link = VpcdCardLink(EmulatedCccd(card_files), pcscd.netns)
    link.insert()
    try:
        yield link
    finally:
        link.pull()


@pytest.fixture
async def reader(pcscd: PcscDaemon, csca_file: Path) -> AsyncIterator[PyscardChipReader]:
    """The PC/SC adapter on the first vpcd reader, trusting the session's test CSCA."""
    chip = PyscardChipReader(PcscReaderSettings(FIRST_READER, [csca_file], read_deadline_s=5.0))
    try:
        yield chip
    finally:
        await chip.close()
