"""A kiosk process for the SIGKILL test: checks one patient in while the hub is away, says the ticket is
journaled, then waits where it would print, to be killed there. Usage: DATA_DIR HUB_URL TOKEN"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.offline.harness import check_in, kiosk, person

PATIENT = person("Đỗ Thị Hồng A", "001195000000", "1995-05-05")


async def main(data_dir: str, hub_url: str, token: str) -> None:
    async with kiosk(Path(data_dir), hub_url, token) as his:
        ticket = await check_in(his, PATIENT)
        print(f"JOURNALED {ticket.number} {int(ticket.provisional)}", flush=True)
        await asyncio.sleep(60)  # where the printer would be driven; the test kills the process here


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
