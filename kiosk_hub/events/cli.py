"""`kiosk-hub events …`: webhook subscriptions (the secret is printed once), the dead-letter list and replay."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import uuid


def _hub(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kiosk_hub.hub import build_hub
    from kiosk_hub.settings import settings_from_env

    return build_hub(settings_from_env(args.db))


def _subscribe(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from kiosk_hub.events.models import WebhookSubscription

    hub = _hub(args)
    secret = "whsec_" + secrets.token_urlsafe(32)
    with hub.writer() as session:
        session.add(
            WebhookSubscription(
                id=str(uuid.uuid4()),
                name=args.name,
                url=args.url,
                secret=secret,
                event_types=",".join(args.types or []),
                active=True,
                created_at=hub.clock(),
            )
        )
        try:
            session.commit()
        except IntegrityError:
            print(
                json.dumps({"error": "subscription_name_taken", "name": args.name}, ensure_ascii=False), file=sys.stderr
            )
            return 1
    # The only time the secret is shown: the receiver keeps it to check signatures.
    print(json.dumps({"name": args.name, "url": args.url, "secret": secret}, ensure_ascii=False))
    return 0


def _list(args: argparse.Namespace) -> int:
    from kiosk_hub.events.status import feed_status

    print(json.dumps(feed_status(_hub(args)), ensure_ascii=False, default=str))
    return 0


def _replay(args: argparse.Namespace) -> int:
    from kiosk_hub.events.delivery import replay_dead

    hub = _hub(args)
    count = replay_dead(hub.writer, hub.clock(), None if args.all else args.delivery_id)
    print(json.dumps({"replayed": count}))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    events = sub.add_parser("events", help="the event feed: webhooks, dead letters").add_subparsers(
        dest="events_command", required=True
    )
    subscribe = events.add_parser("subscribe", help="add a webhook receiver; prints its signing secret once")
    subscribe.add_argument("name")
    subscribe.add_argument("url")
    subscribe.add_argument("--types", nargs="*", help="event type prefixes, e.g. ticket. visit.opened (default all)")
    subscribe.add_argument("--db")
    subscribe.set_defaults(handler=_subscribe)
    status = events.add_parser("status", help="subscriptions, pending and dead deliveries")
    status.add_argument("--db")
    status.set_defaults(handler=_list)
    replay = events.add_parser("replay", help="put a dead delivery (or all) back in line")
    replay.add_argument("delivery_id", nargs="?", type=int)
    replay.add_argument("--all", action="store_true")
    replay.add_argument("--db")
    replay.set_defaults(handler=_replay)
