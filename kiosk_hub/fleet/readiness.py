"""What a hub still lacks before kiosks can serve the hospital's patients, for the console's home page: no
departments, no console user but the first admin, no enrolled kiosk, no configuration, TLS off or out of date,
demo data or the demo BHXH gateway in use, no hospital HIS connected. Each gap names the page or command that
closes it; a hub with none shows nothing."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk_hub.bhxh.demo_cards import DEMO_CARDS
from kiosk_hub.db.models import Department, Kiosk, Patient
from kiosk_hub.fleet.models import ConfigVersion, ConsoleUser, FleetKiosk
from kiosk_hub.settings import HubSettings
from kiosk_hub.tls import RENEW_WITHIN, read_certificate


@dataclass(frozen=True)
class Gap:
    key: str  # the console's message `ready.<key>`
    link: str = ""  # the console page that closes it, if one does


@dataclass(frozen=True)
class HubFacts:
    """What the page knows beyond the store: how this request came in and which HIS the hub uses."""

    https: bool  # served over HTTPS (the hub's own TLS, or a proxy that says X-Forwarded-Proto: https)
    his_connected: bool  # a hospital HIS adapter, not the hub's own patient register


def gaps(session: Session, settings: HubSettings, facts: HubFacts, now: datetime) -> list[Gap]:
    found = []
    if not session.scalar(select(func.count()).select_from(Department).where(Department.active.is_(True))):
        found.append(Gap("no_departments", "/fleet/departments"))
    if (session.scalar(select(func.count()).select_from(ConsoleUser).where(ConsoleUser.disabled.is_(False))) or 0) < 2:
        found.append(Gap("one_user"))
    enrolled = (
        select(func.count())
        .select_from(FleetKiosk)
        .join(Kiosk, Kiosk.id == FleetKiosk.kiosk_id)
        .where(Kiosk.revoked.is_(False))
    )
    if not session.scalar(enrolled):
        found.append(Gap("no_kiosk", "/fleet/enrol"))
    if session.scalar(select(func.count()).select_from(ConfigVersion)) == 0:
        found.append(Gap("no_configuration", "/fleet/config"))
    found += _tls_gaps(settings, facts, now)
    demo_ids = [card.id_number for card in DEMO_CARDS]
    if session.scalar(select(Patient.id).where(Patient.id_number.in_(demo_ids)).limit(1)) is not None:
        found.append(Gap("demo_data"))
    if not facts.his_connected:
        found.append(Gap("his_builtin"))
    host = urlsplit(settings.bhxh.base_url).hostname or ""
    if not settings.bhxh.username or _loopback(host):
        found.append(Gap("bhxh_not_set_up"))
    return found


def _tls_gaps(settings: HubSettings, facts: HubFacts, now: datetime) -> list[Gap]:
    if not (settings.serves_tls or facts.https):
        return [Gap("tls_off")]
    if settings.tls_cert is None:
        return []  # a proxy in front holds the certificate
    served = read_certificate(settings.tls_cert)
    if served.expired(now):
        return [Gap("tls_expired")]
    return [Gap("tls_expiring")] if served.not_after - now < RENEW_WITHIN else []


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
