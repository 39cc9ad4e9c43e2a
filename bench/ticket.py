"""Ticket figures: render time (layout, ESC/POS bytes, PNG preview), bytes on the wire, and paper/print time.

Run: .venv/bin/python bench/ticket.py [--runs 200]
Pinned to one CPU core (the goal is ≤ 30 ms per ticket on one core; ≤ 25 KB per ticket on the wire).

Every ticket has its own number, patient name, time and status URL (so its QR and those lines are drawn afresh).
"warm" is a running kiosk: the lines every ticket shares (hospital, department, labels) are already drawn and
cached; "cold" clears every cache before each ticket, so every line and the QR are drawn (fonts stay loaded).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from kiosk.hardware.printer.blocks import PaperWidth, PrinterProfile, QrMode
from kiosk.hardware.printer.preview import qr_image
from kiosk.hardware.printer.render import ticket_job
from kiosk.hardware.printer.sample import sample_ticket
from kiosk.hardware.printer.text_raster import render_paragraph, rule

PRINT_SPEED_MM_S = 200
SERIAL_BAUD = 115200


def _clear_caches() -> None:
    render_paragraph.cache_clear()
    qr_image.cache_clear()
    rule.cache_clear()


def _ms(call: Callable[[], object], runs: int, *, cold: bool = False) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        if cold:
            _clear_caches()
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    counter = iter(range(1, 10**6))

    def fresh():  # type: ignore[no-untyped-def]
        # A new number, name, minute and status URL each time: what differs between two patients' tickets.
        i = next(counter)
        letters = "".join("ABCDĐEGHIKLMNOPQRSTUVXY"[(i // 23**k) % 23] for k in range(3))
        ticket = sample_ticket(number=i % 9999 + 1)
        return replace(
            ticket,
            patient_display_name=f"Nguyễn Thị Ánh {letters}",
            printed_at=ticket.printed_at + timedelta(minutes=i),
            status_url=f"https://kiosk.bvdktthue.vn/t/{i:06d}",
        )

    cold_start = time.perf_counter()
    ticket_job(fresh(), PrinterProfile()).escpos()
    print(f"first ticket in the process (loads the fonts): {(time.perf_counter() - cold_start) * 1000:.1f} ms\n")
    header = f"{'paper':>5} {'qr':>6} | {'escpos ms p50/p95':>18} {'png ms p50/p95':>16} "
    header += f"{'cold escpos':>14} {'cold png':>14} | {'bytes':>6} "
    header += f"{'provisional':>11} | {'paper mm':>8} {'print s @200mm/s':>16} {'wire s @115200':>14}"
    print(header)
    print("-" * len(header))
    for paper in PaperWidth:
        for mode in QrMode:
            profile = PrinterProfile(paper=paper, qr_mode=mode)
            escpos_ms = _ms(lambda p=profile: ticket_job(fresh(), p).escpos(), runs)
            png_ms = _ms(lambda p=profile: ticket_job(fresh(), p).preview_png(), runs)
            cold_escpos = _ms(lambda p=profile: ticket_job(fresh(), p).escpos(), runs, cold=True)
            cold_png = _ms(lambda p=profile: ticket_job(fresh(), p).preview_png(), runs, cold=True)
            job = ticket_job(sample_ticket(), profile)
            size = len(job.escpos())
            provisional = len(ticket_job(sample_ticket(provisional=True), profile).escpos())
            length = job.paper_length_mm()
            print(
                f"{paper.mm:>5} {mode.value:>6} | {escpos_ms[0]:>8.1f} / {escpos_ms[1]:>6.1f} "
                f"{png_ms[0]:>7.1f} / {png_ms[1]:>6.1f} "
                f"{cold_escpos[0]:>5.1f} / {cold_escpos[1]:>5.1f} {cold_png[0]:>5.1f} / {cold_png[1]:>5.1f} "
                f"| {size:>6} {provisional:>11} | {length:>8.0f} "
                f"{length / PRINT_SPEED_MM_S:>16.2f} {size * 10 / SERIAL_BAUD:>14.2f}"
            )


if __name__ == "__main__":
    main()
