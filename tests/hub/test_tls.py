"""The hub's own HTTPS (`kiosk-hub serve --tls-cert/--tls-key`, or KIOSK_HUB_TLS_*): real TLS handshakes on
loopback with certificates from a hospital CA made by the test. A good certificate serves; a wrong host name, an
expired certificate and an unknown CA fail the client's check with a message that says which; files that cannot
serve stop the hub with one line, not a traceback."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.hub.servers import REPO, hub_process
from tests.support.tls_pki import CertificateAuthority, IssuedCertificate


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path / "pki")


def _port(url: str) -> int:
    assert url.startswith("https://127.0.0.1:"), url
    return int(url.rsplit(":", 1)[1])


def _as_flags(cert: IssuedCertificate) -> tuple[str, ...]:
    return ("--tls-cert", str(cert.cert_path), "--tls-key", str(cert.key_path))


def test_the_hub_serves_https_with_the_hospitals_certificate_from_flags(
    ca: CertificateAuthority, sqlite_url: str
) -> None:
    cert = ca.issue("localhost", ips=("127.0.0.1",))
    with hub_process(sqlite_url, args=_as_flags(cert)) as url:
        with httpx.Client(verify=ca.client_context()) as kiosk:
            by_name = kiosk.get(f"https://localhost:{_port(url)}/healthz")
            by_address = kiosk.get(f"https://127.0.0.1:{_port(url)}/healthz")
        with pytest.raises(httpx.RemoteProtocolError):  # no plain HTTP beside it
            httpx.get(f"http://127.0.0.1:{_port(url)}/healthz")
    assert (by_name.status_code, by_name.json()) == (200, {"status": "ok"})
    assert by_address.status_code == 200


def test_the_certificate_can_come_from_the_environment_file(ca: CertificateAuthority, sqlite_url: str) -> None:
    cert = ca.issue("localhost")
    env = {"KIOSK_HUB_TLS_CERT": str(cert.cert_path), "KIOSK_HUB_TLS_KEY": str(cert.key_path)}
    with hub_process(sqlite_url, env=env) as url, httpx.Client(verify=ca.client_context()) as kiosk:
        assert kiosk.get(f"https://localhost:{_port(url)}/healthz").status_code == 200


def _refused(sqlite_url: str, cert: IssuedCertificate, verify: ssl.SSLContext | bool) -> tuple[str, list[str]]:
    """The client's error on connecting to a hub serving `cert`, and the hub's start-up log."""
    log: list[str] = []
    with (
        hub_process(sqlite_url, args=_as_flags(cert), startup_log=log) as url,
        httpx.Client(verify=verify) as kiosk,
        pytest.raises(httpx.ConnectError) as refused,
    ):
        kiosk.get(f"https://localhost:{_port(url)}/healthz")
    return str(refused.value), log


def test_a_certificate_for_another_host_name_is_refused_by_name(ca: CertificateAuthority, sqlite_url: str) -> None:
    error, log = _refused(sqlite_url, ca.issue("kiosk-hub.benhvien.test"), ca.client_context())
    assert "Hostname mismatch, certificate is not valid for 'localhost'" in error
    # The hub said so at start: its public URL's host is not among the certificate's names.
    assert any("is not among the certificate's names ['kiosk-hub.benhvien.test']" in line for line in log)


def test_an_expired_certificate_is_refused_as_expired(ca: CertificateAuthority, sqlite_url: str) -> None:
    now = datetime.now(UTC)
    cert = ca.issue("localhost", valid_from=now - timedelta(days=400), valid_until=now - timedelta(days=1))
    error, log = _refused(sqlite_url, cert, ca.client_context())
    assert "certificate has expired" in error
    assert any("the TLS certificate expired on" in line and "renew it" in line for line in log)


def test_a_kiosk_that_does_not_trust_the_hospital_ca_is_refused_as_unknown_issuer(
    ca: CertificateAuthority, sqlite_url: str
) -> None:
    error, _ = _refused(sqlite_url, ca.issue("localhost"), True)  # certifi's bundle only
    assert "unable to get local issuer certificate" in error


def _serve(sqlite_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "kiosk_hub.cli", "serve", "--db", sqlite_url, "--port", "0", *args]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_files_that_cannot_serve_stop_the_hub_with_one_line(ca: CertificateAuthority, sqlite_url: str) -> None:
    one, other = ca.issue("localhost", name="one"), ca.issue("localhost", name="other")
    cases = {
        "tls_key_does_not_match": ("--tls-cert", str(one.cert_path), "--tls-key", str(other.key_path)),
        "tls_unreadable": ("--tls-cert", str(one.cert_path), "--tls-key", str(ca.directory / "missing.key")),
        "tls_incomplete": ("--tls-cert", str(one.cert_path)),
    }
    for code, args in cases.items():
        stopped = _serve(sqlite_url, *args)
        assert stopped.returncode == 2, code
        assert "Traceback" not in stopped.stderr
        assert json.loads(stopped.stderr.strip().splitlines()[-1])["error"] == code
