"""How the kiosk trusts its hub over HTTPS, and one clear sentence when a connection fails.

Trust is the operating system's store (the `truststore` library: on Debian and Raspberry Pi OS, /etc/ssl/certs,
where `update-ca-certificates` installs the hospital's CA), plus an optional CA file from the settings. Not
certifi's bundle, which knows no hospital CA. A failure is named, not dumped: a certificate the kiosk does not
trust, a hub that does not answer, a timeout.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import httpx
import truststore


def hub_ssl_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """Verify the hub against the OS trust store and, when given, the hospital's CA file (PEM)."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


class Trouble(StrEnum):
    CERTIFICATE = "certificate_not_trusted"  # the hub's certificate: unknown CA, wrong name, expired
    TLS = "tls_failed"  # the handshake failed for another reason (protocol, a plain-HTTP port)
    TIMEOUT = "timed_out"
    UNREACHABLE = "not_connected"  # refused, no route, unknown host name


@dataclass(frozen=True)
class ConnectionTrouble:
    kind: Trouble
    detail: str  # what the system said, for IT (no token, no personal data)

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def connection_trouble(error: BaseException) -> ConnectionTrouble:
    """What went wrong on the way to the hub, from the exception and the ones that caused it."""
    for cause in _chain(error):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return ConnectionTrouble(Trouble.CERTIFICATE, cause.verify_message or str(cause.reason))
        if isinstance(cause, ssl.SSLError):
            return ConnectionTrouble(Trouble.TLS, str(cause.reason or cause))
    if isinstance(error, httpx.TimeoutException):
        return ConnectionTrouble(Trouble.TIMEOUT, type(error).__name__)
    causes = [c for c in _chain(error) if isinstance(c, OSError) and c.strerror]
    detail = causes[-1].strerror if causes else (str(error) or type(error).__name__)
    return ConnectionTrouble(Trouble.UNREACHABLE, str(detail))


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
