"""Chip read benchmark through a real pcscd, against the emulated CCCD on vpcd: BAC, PACE (brainpoolP256r1, P-256,
the 1024-bit MODP group), PACE + chip authentication, and active authentication (RSA, ECDSA), each followed by
EF.SOD + DG1 + DG13 + passive authentication; the BAC read also with DG2 and in short length. Prints APDUs, bytes,
kiosk CPU ms, wall ms, and the emulated card's own crypto CPU ms.

    .venv/bin/python bench/chip_read.py [--runs N]

Needs root (pcscd runs in `unshare --net --mount`), pcscd and vsmartcard-vpcd. Kiosk CPU is the reading thread's
own CPU time: the emulated card runs on another thread and pcscd in another process, so neither is counted there.
"card crypto" is the CPU the emulated card's thread spends in PACE / chip / active authentication math (pure-Python
affine arithmetic): a proxy, clearly not a real chip's figure — a real chip's coprocessor is slower per operation
than a PC, so on a real card PACE costs more on the card than on the kiosk.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.domain.card_read import ChipAuthStatus, access_key_from_id
from tests.support.emulated_card import EmulatedCccd
from tests.support.emulated_card_data import TestPki, build_card, make_pki
from tests.support.emulated_card_keys import ActiveAuthOffer, ChipAuthOffer, ChipSecurity, PaceOffer
from tests.support.emulated_card_vpcd import VpcdCardLink
from tests.support.pcsc_daemon import FIRST_READER, PcscDaemon, pcsc_unavailable_reason


@dataclass(frozen=True)
class Scenario:
    label: str
    security: ChipSecurity | None = None
    extended: bool = True
    face: bool = False


SCENARIOS = (
    Scenario("BAC                      ext  "),
    Scenario("BAC +DG2                 ext  ", face=True),
    Scenario("BAC                      short", extended=False),
    Scenario("BAC +DG2                 short", extended=False, face=True),
    Scenario("PACE brainpoolP256r1 AES ext  ", ChipSecurity(pace=(PaceOffer(13, 2),))),
    Scenario("PACE P-256 AES           ext  ", ChipSecurity(pace=(PaceOffer(12, 2),))),
    Scenario("PACE DH-1024 AES         ext  ", ChipSecurity(pace=(PaceOffer(0, 2),))),
    Scenario("PACE + CA (bp256, AES)   ext  ", ChipSecurity(pace=(PaceOffer(13, 2),), chip_auth=ChipAuthOffer(13, 2))),
    Scenario("BAC + AA RSA-2048        ext  ", ChipSecurity(active_auth=ActiveAuthOffer("rsa", 2048))),
    Scenario(
        "PACE + AA ECDSA P-256    ext  ", ChipSecurity(pace=(PaceOffer(13, 2),), active_auth=ActiveAuthOffer("ecdsa"))
    ),
)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def bench(daemon: PcscDaemon, runs: int, scenario: Scenario, pki: TestPki, csca: Path) -> None:
    from kiosk.hardware.chip.adapter_pyscard import PcscReaderSettings, PyscardChipReader

    files = build_card(pki=pki, with_face=scenario.face, security=scenario.security)
    card = files.card
    keys = access_key_from_id(card.id_number, card.date_of_birth, card.expiry)
    emulated = EmulatedCccd(files, extended_length=scenario.extended)
    link = VpcdCardLink(emulated, daemon.netns)
    link.insert()
    reader = PyscardChipReader(PcscReaderSettings(FIRST_READER, [csca], read_face=scenario.face))
    walls, cpus, card_cpus = [], [], []
    proves = scenario.security is not None and bool(scenario.security.chip_auth or scenario.security.active_auth)
    try:
        reader.read_blocking(keys)  # warm-up: imports, first connection
        for _ in range(runs):
            card_before = emulated.crypto_seconds
            wall, cpu = time.perf_counter(), time.thread_time()
            read = reader.read_blocking(keys)
            cpus.append((time.thread_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
            card_cpus.append((emulated.crypto_seconds - card_before) * 1000)
            if not read.passive_auth.hashes_ok or read.passive_auth.signature.value != "valid":
                raise RuntimeError("passive authentication failed in the benchmark")
            if proves and read.chip_auth.status is not ChipAuthStatus.GENUINE:
                raise RuntimeError("chip / active authentication failed in the benchmark")
    finally:
        asyncio.run(reader.close())
        link.pull()
    print(
        f"{scenario.label}  {read.stats.access_control.value:4s} chip={read.chip_auth.status.value:11s}"
        f"  apdus={read.stats.apdu_count:3d}  sent={read.stats.bytes_sent:5d} B  recv={read.stats.bytes_received:6d} B"
        f"  kiosk cpu median={statistics.median(cpus):6.2f} ms p95={_p95(cpus):6.2f}"
        f"  wall median={statistics.median(walls):6.2f} ms p95={_p95(walls):6.2f}"
        f"  card crypto median={statistics.median(card_cpus):6.2f} ms  (n={runs})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    reason = pcsc_unavailable_reason()
    if reason:
        print(f"cannot run: {reason}")
        return 1
    with tempfile.TemporaryDirectory(prefix="pcsc-bench-") as tmp:
        daemon = PcscDaemon(Path(tmp))
        daemon.start()
        os.environ["PCSCLITE_CSOCK_NAME"] = str(daemon.socket_path)
        pki = make_pki()
        csca = Path(tmp) / "csca.pem"
        csca.write_bytes(pki.csca_pem())
        try:
            for scenario in SCENARIOS:
                bench(daemon, args.runs, scenario, pki, csca)
        finally:
            daemon.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
