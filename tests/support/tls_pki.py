"""A hospital's own certificate authority for HTTPS tests: a CA and server certificates made with `cryptography`,
written as PEM files the way IT would hold them (CA certificate, server certificate, private key, and the
certificate+key bundle HAProxy reads). Not the chip's document-signing PKI (that is tests/support/emulated_card*).
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class IssuedCertificate:
    cert_path: Path  # the server certificate (PEM)
    key_path: Path  # its private key (PEM, unencrypted, mode 0600)
    bundle_path: Path  # certificate then key in one file (HAProxy's `crt`)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class CertificateAuthority:
    """A CA whose certificate is `ca_path`; `issue` signs server certificates for host names and IP addresses."""

    def __init__(self, directory: Path, name: str = "Bệnh viện Đa khoa Demo - CA nội bộ") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(self._name)
            .issuer_name(self._name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )  # key_cert_sign, crl_sign
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.ca_path = directory / "ca.pem"
        self.ca_path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(
        self,
        *hostnames: str,
        ips: tuple[str, ...] = (),
        name: str = "hub",
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> IssuedCertificate:
        """A server certificate (and key) for these names; an expired one with `valid_until` in the past."""
        now = datetime.now(UTC)
        key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = [x509.DNSName(h) for h in hostnames]
        names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (hostnames or ips or (name,))[0])])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from or now - timedelta(hours=1))
            .not_valid_after(valid_until or now + timedelta(days=397))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        cert_pem, key_pem = certificate.public_bytes(serialization.Encoding.PEM), _key_pem(key)
        issued = IssuedCertificate(
            self.directory / f"{name}.pem", self.directory / f"{name}.key", self.directory / f"{name}-bundle.pem"
        )
        issued.cert_path.write_bytes(cert_pem)
        for path, body in ((issued.key_path, key_pem), (issued.bundle_path, cert_pem + key_pem)):
            path.touch(mode=0o600)
            path.write_bytes(body)
        return issued

    def client_context(self) -> ssl.SSLContext:
        """What a kiosk that trusts this CA (and only it) verifies the hub with."""
        return ssl.create_default_context(cafile=str(self.ca_path))
