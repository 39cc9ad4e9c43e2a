"""The `kiosk-hub` command: serve the API, migrate the database, manage departments, enrol kiosks, seed a demo.

Settings come from flags, else KIOSK_HUB_* environment variables (see `settings.settings_from_env`). Output is JSON
(ensure_ascii=False) where a program may read it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from kiosk_hub.access import cli as access_cli
from kiosk_hub.catalogue import cli as catalogue_cli
from kiosk_hub.events import cli as events_cli
from kiosk_hub.fleet import cli as fleet_cli
from kiosk_hub.his import cli as his_cli
from kiosk_hub.releases import cli as release_cli
from kiosk_hub.retention import cli as retention_cli
from kiosk_hub.settings import HubSettings, settings_from_env

if TYPE_CHECKING:
    from kiosk_hub.serving.run import TlsFiles


def _serve(args: argparse.Namespace) -> int:
    from kiosk_hub.app import create_app
    from kiosk_hub.hub import build_hub
    from kiosk_hub.serving.run import serve

    settings = settings_from_env(args.db)
    flags = {"public_base_url": args.public_url, "tls_cert": args.tls_cert, "tls_key": args.tls_key}
    # Validated like the environment's values (model_copy would keep the flags' text as it is).
    settings = HubSettings.model_validate(settings.model_dump() | {k: v for k, v in flags.items() if v})
    tls = _tls_options(settings)
    if tls is False:
        return 2
    if args.migrate:
        from kiosk_hub.migrate import upgrade

        upgrade(settings.database_url)
    app = create_app(build_hub(settings))
    serve(app, settings.server, host=args.host, port=args.port, log_level=args.log_level, tls=tls)
    return 0


def _tls_options(settings: HubSettings) -> TlsFiles | Literal[False] | None:
    """The files to serve HTTPS with once they are checked; None for plain HTTP; False (and one line on stderr)
    when they cannot serve."""
    from kiosk_hub import tls
    from kiosk_hub.hub import system_clock
    from kiosk_hub.serving.run import TlsFiles

    if settings.tls_cert is None and settings.tls_key is None:
        return None
    if settings.tls_cert is None or settings.tls_key is None:
        error = {"error": "tls_incomplete", "message": "give both --tls-cert and --tls-key (or neither)"}
        print(json.dumps(error), file=sys.stderr)
        return False
    try:
        served = tls.check_files(settings.tls_cert, settings.tls_key)
    except tls.TlsSetupError as exc:
        print(json.dumps({"error": f"tls_{exc.code}", "message": str(exc)}), file=sys.stderr)
        return False
    for warning in tls.warnings(served, settings.public_base_url, system_clock()):
        logging.getLogger("kiosk_hub").warning("%s", warning)
    return TlsFiles(str(settings.tls_cert), str(settings.tls_key))


def _migrate(args: argparse.Namespace) -> int:
    from kiosk_hub.hub import build_hub
    from kiosk_hub.migrate import upgrade

    settings = settings_from_env(args.db)
    upgrade(settings.database_url)
    # `migrate` runs before every start of the unit: the config-signing key is made (with its key file) on the
    # first, and sealed if an older hub kept it in clear.
    hub = build_hub(settings)
    key_id = hub.prepare_config_keys()
    hub.engine.dispose()
    print(json.dumps({"migrated": True, "config_key_id": key_id}))
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    from kiosk_hub.his.demo_seed import seed_demo_hospital
    from kiosk_hub.hub import build_hub, system_clock

    hub = build_hub(settings_from_env(args.db))
    with hub.writer() as session:
        counts = seed_demo_hospital(session, system_clock())
        session.commit()
    print(json.dumps({"added": counts}, ensure_ascii=False))
    return 0


def _openapi(_args: argparse.Namespace) -> int:
    from kiosk_hub.app import create_app
    from kiosk_hub.hub import build_hub

    # The document depends on the code only; an in-memory database keeps this side-effect free.
    app = create_app(build_hub(HubSettings(database_url="sqlite://")), background=False)
    print(json.dumps(app.openapi(), ensure_ascii=False, indent=2, sort_keys=True))
    return 0


def _bhxh_simulator(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk_hub.bhxh.client import password_md5
    from kiosk_hub.bhxh.simulator import SimulatedGateway, create_simulator

    gateway = SimulatedGateway(
        username=args.username,
        password_md5=password_md5(args.password, uppercase=False),
        officer_name=args.officer_name,
        officer_id_number=args.officer_cccd,
    )
    uvicorn.run(create_simulator(gateway), host=args.host, port=args.port, log_level="warning")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-hub", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the Kiosk HIS API")
    serve.add_argument("--db", help="SQLAlchemy URL (default: KIOSK_HUB_DB or ./kiosk-hub.sqlite3)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port (printed in the log)")
    serve.add_argument("--public-url", help="base URL the ticket QR points at")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate chain (or KIOSK_HUB_TLS_CERT)")
    serve.add_argument("--tls-key", help="...and this PEM private key (or KIOSK_HUB_TLS_KEY)")
    serve.add_argument(
        "--migrate", action="store_true", help="run the migrations first (one hub only; several: `kiosk-hub migrate`)"
    )
    serve.set_defaults(handler=_serve)
    migrate = sub.add_parser("migrate", help="create or upgrade the database tables")
    migrate.add_argument("--db")
    migrate.set_defaults(handler=_migrate)
    seed = sub.add_parser(
        "seed-demo",
        help="FOR DEMOS ONLY: add a made-up hospital's departments, 30 synthetic patients and bookings (a hospital "
        "imports its own departments with `kiosk-hub departments import`)",
    )
    seed.add_argument("--db")
    seed.set_defaults(handler=_seed_demo)
    sub.add_parser("openapi", help="print the OpenAPI document (docs/openapi.json)").set_defaults(handler=_openapi)
    sim = sub.add_parser("bhxh-simulator", help="run the loopback BHXH gateway simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=0)
    sim.add_argument("--username", default="01043_BV")
    sim.add_argument("--password", default="demo-password")
    sim.add_argument("--officer-name", default="Nguyễn Thị Tra Cứu")
    sim.add_argument("--officer-cccd", default="001190000001")
    sim.set_defaults(handler=_bhxh_simulator)
    access_cli.register(sub)
    catalogue_cli.register(sub)
    fleet_cli.register(sub)
    his_cli.register(sub)
    release_cli.register(sub)
    events_cli.register(sub)
    retention_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
