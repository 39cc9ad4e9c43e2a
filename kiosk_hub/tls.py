"""The hub's own HTTPS: its certificate and key checked before uvicorn starts, so a wrong file is one clear line
instead of a traceback, and an expired or expiring certificate, or one without the hub's public name, is said in
the log and on the console's home page.

An expired certificate does not stop the hub: kiosks are refused by their own check either way, and a running
console (behind a browser warning) helps IT more than a hub that will not start."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509

RENEW_WITHIN = timedelta(days=30)


class TlsSetupError(Exception):
    """Why the hub cannot serve HTTPS with these files; `code` is stable, the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ServedCertificate:
    names: tuple[str, ...]  # DNS names and IP addresses the certificate is valid for
    not_before: datetime
    not_after: datetime

    def expired(self, now: datetime) -> bool:
        return not self.not_before <= now < self.not_after


def check_files(cert: Path, key: Path) -> ServedCertificate:
    """Load the pair as uvicorn will; refuse unreadable files and a key that is not the certificate's."""
    for path in (cert, key):
        try:
            path.read_bytes()
        except OSError as exc:
            raise TlsSetupError("unreadable", f"cannot read {path}: {exc.strerror}") from exc
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        raise TlsSetupError(
            "key_does_not_match", f"{cert} and {key} are not a PEM certificate and its private key ({exc.reason})"
        ) from exc
    return read_certificate(cert)


def read_certificate(cert: Path) -> ServedCertificate:
    served = x509.load_pem_x509_certificate(cert.read_bytes())  # the first certificate: the hub's own
    return ServedCertificate(_names(served), served.not_valid_before_utc, served.not_valid_after_utc)


def _names(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(alt.get_values_for_type(x509.DNSName)) + tuple(
        str(ip) for ip in alt.get_values_for_type(x509.IPAddress)
    )


def warnings(served: ServedCertificate, public_url: str, now: datetime) -> list[str]:
    """What IT should fix: a certificate out of its dates (kiosks refuse it now), an expiry within 30 days, a public
    name the certificate lacks."""
    found = []
    if now < served.not_before:
        found.append(f"the TLS certificate is valid only from {served.not_before:%Y-%m-%d}: check the clock")
    elif now >= served.not_after:
        found.append(f"the TLS certificate expired on {served.not_after:%Y-%m-%d}: kiosks refuse it, renew it")
    elif served.not_after - now < RENEW_WITHIN:
        found.append(f"the TLS certificate expires on {served.not_after:%Y-%m-%d}: renew it before kiosks are refused")
    host = urlsplit(public_url).hostname or ""
    if host and not any(_matches(name, host) for name in served.names):
        found.append(f"the public URL's host {host} is not among the certificate's names {list(served.names)}")
    return found


def _matches(name: str, host: str) -> bool:
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(name)
    except ValueError:
        pass
    name, host = name.lower(), host.lower()
    if name.startswith("*."):  # a wildcard covers exactly one label
        return "." in host and host.split(".", 1)[1] == name[2:]
    return name == host
