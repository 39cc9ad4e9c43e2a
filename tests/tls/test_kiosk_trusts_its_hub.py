"""The kiosk and its hub over HTTPS, real handshakes on loopback: a CA and certificates made with `cryptography`
(tests/support/tls_pki.py), the hub served by uvicorn with them, the kiosk's own commands in their own processes.
The hospital's CA is trusted from the settings' ca_file, or from the operating system's store: there the kiosk runs
in a private mount namespace whose /etc/ssl/certs holds only that CA (this machine's store is not changed). A wrong
host name, an expired certificate, an unknown CA: one clear line, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk_hub.app import create_app
from kiosk_hub.fleet import enrolment
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.servers import serve_in_thread
from tests.support.keys import key_file_for
from tests.support.kiosk_process import REPO, KioskProcess
from tests.support.tls_pki import CertificateAuthority, IssuedCertificate

pytestmark = pytest.mark.slow
# What a kiosk started by systemd has: no variable pointing OpenSSL at another store.
NOT_INHERITED = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class TlsHub:
    def __init__(self, tmp_path: Path) -> None:
        self.url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
        upgrade(self.url)
        self.hub = build_hub(HubSettings(database_url=self.url, key_file=key_file_for(self.url)))
        self.ca = CertificateAuthority(tmp_path / "pki")

    def new_code(self) -> str:
        with self.hub.writer() as session:
            code = enrolment.create_code(session, "it-admin", datetime.now(UTC))
            session.commit()
        return code

    def serving(self, certificate: IssuedCertificate) -> AbstractContextManager[str]:
        app = create_app(self.hub, background=False)
        return serve_in_thread(app, tls=(certificate.cert_path, certificate.key_path))


@pytest.fixture
def tls_hub(tmp_path: Path) -> Iterator[TlsHub]:
    hub = TlsHub(tmp_path)
    yield hub
    hub.hub.writes.shutdown()
    hub.hub.engine.dispose()


def settings(tmp_path: Path, base_url: str, ca_file: Path | None, name: str = "sanh-tls-1") -> Path:
    path = tmp_path / f"{name}.toml"
    ca_line = f'ca_file = "{ca_file}"\n' if ca_file else ""
    path.write_text(
        f'demo = true\nkiosk_name = "{name}"\n[hub]\nmode = "remote"\nbase_url = "{base_url}"\n{ca_line}'
        '[devices]\nchip_reader = "VIRTUAL"\ncamera = "VIRTUAL"\nprinter = "VIRTUAL"\n'
        '[screen]\nvideo_driver = "offscreen"\n',
        encoding="utf-8",
    )
    return path


def kiosk_enrol(
    config: Path, code: str, state: Path, *, os_store: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`kiosk enrol`; with `os_store`, in a private mount namespace whose /etc/ssl/certs is that directory."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED} | {"KIOSK_STATE_DIR": str(state)}
    command = [sys.executable, "-m", "kiosk", "enrol", "--code", code, "--config", str(config)]
    if os_store is not None:
        command = ["unshare", "--mount", "--", "sh", "-c", 'mount --bind "$0" /etc/ssl/certs && exec "$@"',
                   str(os_store), *command]  # fmt: skip
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)


def one_error(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one clear line, not an 89-line traceback
    return dict(json.loads(lines[0]))


def os_store_with(ca: CertificateAuthority, directory: Path) -> Path:
    """A /etc/ssl/certs as update-ca-certificates leaves it, holding only the hospital's CA."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    directory.mkdir()
    shutil.copy(ca.ca_path, directory / "hospital-ca.pem")
    shutil.copy(ca.ca_path, directory / "ca-certificates.crt")
    subprocess.run(["openssl", "rehash", str(directory)], check=True, capture_output=True)
    assert any(name.endswith(".0") for name in os.listdir(directory))
    return directory


def test_a_good_certificate_from_the_settings_ca_file_enrols(tls_hub: TlsHub, tmp_path: Path) -> None:
    good = tls_hub.ca.issue("localhost", ips=("127.0.0.1",))
    with tls_hub.serving(good) as base_url:
        done = kiosk_enrol(settings(tmp_path, base_url, tls_hub.ca.ca_path), tls_hub.new_code(), tmp_path / "state")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "sanh-tls-1"
    assert (tmp_path / "state" / "credentials.json").exists()


def test_the_ca_in_the_os_store_is_trusted_and_without_it_the_kiosk_says_so(tls_hub: TlsHub, tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a private mount namespace needs root and unshare")
    good = tls_hub.ca.issue("localhost", ips=("127.0.0.1",))
    store = os_store_with(tls_hub.ca, tmp_path / "certs")
    with tls_hub.serving(good) as base_url:
        config = settings(tmp_path, base_url, ca_file=None)
        untrusted = kiosk_enrol(config, tls_hub.new_code(), tmp_path / "state")  # this machine's store: no such CA
        trusted = kiosk_enrol(config, tls_hub.new_code(), tmp_path / "state", os_store=store)
    error = one_error(untrusted)
    assert error["error"] == "certificate_not_trusted"
    assert "unable to get local issuer certificate" in error["detail"]
    assert trusted.returncode == 0, trusted.stderr
    assert json.loads(trusted.stdout)["name"] == "sanh-tls-1"


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("wrong_name", "IP address mismatch, certificate is not valid for '127.0.0.1'"),
        ("expired", "certificate has expired"),
    ],
)
def test_a_wrong_host_name_or_an_expired_certificate_is_one_clear_line(
    tls_hub: TlsHub, tmp_path: Path, case: str, said: str
) -> None:
    now = datetime.now(UTC)
    if case == "wrong_name":
        bad = tls_hub.ca.issue("kiosk-hub.benhvien.local", name=case)
    else:
        bad = tls_hub.ca.issue("localhost", ips=("127.0.0.1",), name=case, valid_from=now - timedelta(days=400),
                               valid_until=now - timedelta(days=1))  # fmt: skip
    with tls_hub.serving(bad) as base_url:
        done = kiosk_enrol(settings(tmp_path, base_url, tls_hub.ca.ca_path), tls_hub.new_code(), tmp_path / "state")
    error = one_error(done)
    assert error["error"] == "certificate_not_trusted"
    assert said in error["detail"]
    assert not (tmp_path / "state" / "credentials.json").exists()


def test_kiosk_run_over_https_says_a_bad_certificate_on_its_panel_then_enrols(tls_hub: TlsHub, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    good = tls_hub.ca.issue("localhost", ips=("127.0.0.1",))
    expired = tls_hub.ca.issue("localhost", ips=("127.0.0.1",), name="expired", valid_from=now - timedelta(days=30),
                               valid_until=now - timedelta(hours=1))  # fmt: skip
    code = tls_hub.new_code()
    with tls_hub.serving(expired) as base_url:
        kiosk = KioskProcess(enrolling(tmp_path, base_url, code, tls_hub.ca), tmp_path / "state", tmp_path, "expired")
        try:
            kiosk.ready()  # the out-of-service panel
            assert kiosk.alive_after(1)
        finally:
            kiosk.stop()
    said = kiosk.lines("out of service:")
    assert len(said) == 1
    assert "certificate_not_trusted (certificate_not_trusted: certificate has expired)" in said[0]
    assert "Traceback" not in kiosk.log()
    with tls_hub.serving(good) as base_url:  # IT renewed the certificate
        kiosk = KioskProcess(enrolling(tmp_path, base_url, code, tls_hub.ca), tmp_path / "state", tmp_path, "good")
        try:
            kiosk.ready()
            assert kiosk.lines("out of service") == []
            assert kiosk.lines("enrolled with the hub as kiosk")
        finally:
            kiosk.stop()
    assert "Traceback" not in kiosk.log()


def enrolling(tmp_path: Path, base_url: str, code: str, ca: CertificateAuthority) -> Path:
    path = settings(tmp_path, base_url, ca.ca_path)
    path.write_text(path.read_text(encoding="utf-8").replace("[hub]\n", f'[hub]\nenrolment_code = "{code}"\n'))
    return path
