"""`kiosk-hub his …`: run the conformance suite against a HIS, sync departments now, print the REST contract,
list the installed adapters."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from typing import Any


def _check(args: argparse.Namespace) -> int:
    from kiosk_hub.his.conformance import passed, run_checks, table

    if args.url:
        from kiosk_hub.his.rest import RestHis, rest_client

        token = args.token if args.token is not None else os.environ.get("KIOSK_HUB_HIS_TOKEN", "")
        adapter: Any = RestHis(rest_client(args.url, token, args.timeout))
        target = f"{args.url} (REST contract)"
    else:
        from kiosk_hub.hub import build_hub
        from kiosk_hub.settings import settings_from_env

        hub = build_hub(settings_from_env(args.db))
        adapter, target = hub.his, f"adapter {hub.settings.his.adapter!r}"
    try:
        results = run_checks(adapter, args.appointment)
    finally:
        getattr(adapter, "close", lambda: None)()
    print(table(results, target))
    return 0 if passed(results) else 1


def _sync(args: argparse.Namespace) -> int:
    from kiosk_hub.his.sync import sync_departments
    from kiosk_hub.hub import build_hub
    from kiosk_hub.settings import settings_from_env

    report = sync_departments(build_hub(settings_from_env(args.db)))
    print(json.dumps(dataclasses.asdict(report), ensure_ascii=False))
    return 0


def _contract(_args: argparse.Namespace) -> int:
    from kiosk_hub.his.rest_document import contract_document

    print(json.dumps(contract_document(), ensure_ascii=False, indent=2, sort_keys=True))
    return 0


def _adapters(_args: argparse.Namespace) -> int:
    from kiosk_hub.his.loading import available_adapters

    print(json.dumps({"adapters": available_adapters()}))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    his = sub.add_parser("his", help="the hospital's HIS: check, sync, contract").add_subparsers(
        dest="his_command", required=True
    )
    check = his.add_parser("check", help="run the conformance suite; prints a pass/fail table (exit 1 on a failure)")
    check.add_argument("url", nargs="?", help="a HIS implementing the REST contract; default: the configured adapter")
    check.add_argument("--token", help="bearer token for URL (default: KIOSK_HUB_HIS_TOKEN)")
    check.add_argument("--appointment", help="a booking code the HIS holds, to check the booking calls")
    check.add_argument("--timeout", type=float, default=5.0)
    check.add_argument("--db")
    check.set_defaults(handler=_check)
    sync = his.add_parser("sync", help="copy departments and rooms from the HIS into the hub now")
    sync.add_argument("--db")
    sync.set_defaults(handler=_sync)
    his.add_parser("contract", help="print the REST contract (docs/his-adapter.openapi.json)").set_defaults(
        handler=_contract
    )
    his.add_parser("adapters", help="list the installed HIS adapters").set_defaults(handler=_adapters)
