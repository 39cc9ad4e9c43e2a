"""The `kiosk-hub` command: serve the API, migrate the database, seed the demo hospital, enrol kiosks.

Settings come from flags, else KIOSK_HUB_* environment variables (see `settings.settings_from_env`). Output is JSON
(ensure_ascii=False) where a program may read it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import uuid
from collections.abc import Sequence

from kiosk_hub.events import cli as events_cli
from kiosk_hub.fleet import cli as fleet_cli
from kiosk_hub.his import cli as his_cli
from kiosk_hub.retention import cli as retention_cli
from kiosk_hub.settings import HubSettings, settings_from_env


def _serve(args: argparse.Namespace) -> int:
    from kiosk_hub.app import create_app
    from kiosk_hub.hub import build_hub
    from kiosk_hub.serving.run import serve

    settings = settings_from_env(args.db)
    if args.migrate:
        from kiosk_hub.migrate import upgrade

        upgrade(settings.database_url)
    if args.public_url:
        settings = settings.model_copy(update={"public_base_url": args.public_url})
    app = create_app(build_hub(settings))
    serve(app, settings.server, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from kiosk_hub.migrate import upgrade

    upgrade(settings_from_env(args.db).database_url)
    print(json.dumps({"migrated": True}))
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


def _kiosk_add(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from kiosk_hub.db.engine import utc_now
    from kiosk_hub.db.models import Kiosk
    from kiosk_hub.hub import build_hub
    from kiosk_hub.kiosk_tokens import hash_token, new_token

    hub = build_hub(settings_from_env(args.db))
    token = new_token()
    kiosk_id = str(uuid.uuid4())
    with hub.writer() as session:
        session.add(Kiosk(id=kiosk_id, name=args.name, token_hash=hash_token(token), created_at=utc_now()))
        try:
            session.commit()
        except IntegrityError:
            print(json.dumps({"error": "kiosk_name_taken", "name": args.name}, ensure_ascii=False), file=sys.stderr)
            return 1
    # The only time the token is shown: the hub keeps its hash.
    print(json.dumps({"kiosk_id": kiosk_id, "name": args.name, "token": token}, ensure_ascii=False))
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
    serve.add_argument("--migrate", action="store_true", help="run the migrations first (one hub process only)")
    serve.set_defaults(handler=_serve)
    migrate = sub.add_parser("migrate", help="create or upgrade the database tables")
    migrate.add_argument("--db")
    migrate.set_defaults(handler=_migrate)
    seed = sub.add_parser("seed-demo", help="add the demo hospital's departments, patients and bookings")
    seed.add_argument("--db")
    seed.set_defaults(handler=_seed_demo)
    kiosk = sub.add_parser("kiosk", help="manage kiosks").add_subparsers(dest="kiosk_command", required=True)
    add = kiosk.add_parser("add", help="enrol a kiosk and print its bearer token once")
    add.add_argument("name")
    add.add_argument("--db")
    add.set_defaults(handler=_kiosk_add)
    sub.add_parser("openapi", help="print the OpenAPI document (docs/openapi.json)").set_defaults(handler=_openapi)
    sim = sub.add_parser("bhxh-simulator", help="run the loopback BHXH gateway simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=0)
    sim.add_argument("--username", default="01043_BV")
    sim.add_argument("--password", default="demo-password")
    sim.add_argument("--officer-name", default="Nguyễn Thị Tra Cứu")
    sim.add_argument("--officer-cccd", default="001190000001")
    sim.set_defaults(handler=_bhxh_simulator)
    fleet_cli.register(sub)
    his_cli.register(sub)
    events_cli.register(sub)
    retention_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
