"""Chip read benchmark through a real pcscd: BAC + EF.COM + DG1 + DG13 + EF.SOD + passive authentication (and with DG2),
short and extended length, against the emulated CCCD on vpcd. Prints APDUs, bytes, kiosk CPU ms and wall ms.

    .venv/bin/python bench/chip_read.py [--runs N]

Needs root (pcscd runs in `unshare --net --mount`), pcscd and vsmartcard-vpcd. Kiosk CPU is the reading thread's
own CPU time: the emulated card runs on another thread and pcscd in another process, so neither is counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.domain.card_read import access_key_from_id
from tests.support.emulated_card import EmulatedCccd
from tests.support.emulated_card_data import build_card
from tests.support.emulated_card_vpcd import VpcdCardLink
from tests.support.pcsc_daemon import FIRST_READER, PcscDaemon, pcsc_unavailable_reason


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def bench(daemon: PcscDaemon, runs: int, extended: bool, face: bool, csca: Path) -> None:
    from kiosk.hardware.chip.adapter_pyscard import PcscReaderSettings, PyscardChipReader

    files = build_card(pki=None)
    csca.write_bytes(files.pki.csca_pem())
    card = files.card
    keys = access_key_from_id(card.id_number, card.date_of_birth, card.expiry)
    link = VpcdCardLink(EmulatedCccd(files, extended_length=extended), daemon.netns)
    link.insert()
    reader = PyscardChipReader(PcscReaderSettings(FIRST_READER, [csca], read_face=face))
    walls, cpus = [], []
    try:
        reader.read_blocking(keys)  # warm-up: imports, first connection
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.thread_time()
            read = reader.read_blocking(keys)
            cpus.append((time.thread_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
            if not read.passive_auth.hashes_ok or read.passive_auth.signature.value != "valid":
                raise RuntimeError("passive authentication failed in the benchmark")
    finally:
        asyncio.run(reader.close())
        link.pull()
    label = f"{'extended' if extended else 'short   '} {'+DG2' if face else '    '}"
    print(
        f"{label}  apdus={read.stats.apdu_count:3d}  sent={read.stats.bytes_sent:5d} B"
        f"  recv={read.stats.bytes_received:6d} B"
        f"  cpu median={statistics.median(cpus):6.2f} ms p95={_p95(cpus):6.2f} ms"
        f"  wall median={statistics.median(walls):6.2f} ms p95={_p95(walls):6.2f} ms  (n={runs})"
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
        try:
            for extended in (True, False):
                for face in (False, True):
                    bench(daemon, args.runs, extended, face, Path(tmp) / "csca.pem")
        finally:
            daemon.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
