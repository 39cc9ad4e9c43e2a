"""HIS adapters: chosen by entry point, checked by the conformance suite (the reference HIS over loopback HTTP, the
hub's own register, `kiosk-hub his check` as a subprocess), and the REST contract document kept true."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from kiosk_hub.his import contract as c
from kiosk_hub.his.conformance import passed, run_checks
from kiosk_hub.his.loading import AdapterContext, AdapterNotFoundError, available_adapters, load_adapter
from kiosk_hub.his.register import PatientRegister
from kiosk_hub.his.rest import OPERATIONS, RestHis, rest_client
from kiosk_hub.hub import build_hub
from kiosk_hub.settings import HisSettings, HubSettings
from tests.hub.conftest import FakeClock, seed
from tests.hub.test_cli import hub_cli
from tests.support.reference_his import TOKEN, ReferenceHis

REPO = Path(__file__).resolve().parents[2]


def outcomes(results: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {r.name: r.outcome for r in results}


def test_the_reference_his_passes_the_conformance_suite(reference_his: tuple[ReferenceHis, str]) -> None:
    his, url = reference_his
    his.add_booking("HEN-20261207-0042", "BN-khong-ton-tai", datetime.now(UTC) + timedelta(minutes=10))
    with rest_client(url, TOKEN, 3.0) as http:
        results = run_checks(RestHis(http), booking_code="HEN-20261207-0042")
    assert passed(results), results
    assert set(outcomes(results).values()) == {"pass"}  # nothing skipped: the booking was given
    assert len(his.patients) == 1  # one test patient, registered once however often the suite asked
    assert all(n == 1 for n in his.opened_count.values())


def test_the_hubs_own_register_passes_the_conformance_suite(sqlite_url: str, clock: FakeClock) -> None:
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    seed(hub)
    try:
        assert isinstance(hub.his, PatientRegister)
        results = run_checks(hub.his, booking_code="DEMO-NOW")
        assert passed(results), results
        found = outcomes(results)
        # It keeps no prices (the hospital's price list in the console does): only the exam fee is skipped.
        assert found.pop("exam fee") == "skip"
        assert "skip" not in found.values()
    finally:
        hub.engine.dispose()


def test_the_suite_fails_a_his_that_opens_a_visit_twice(reference_his: tuple[ReferenceHis, str]) -> None:
    his, url = reference_his
    opened = his.open

    def forgetful(opening: c.VisitOpening) -> c.OpenedVisit:
        his.visits.pop(opening.visit_ref, None)  # a HIS that ignores the idempotency key
        return opened(opening)

    his.open = forgetful  # type: ignore[method-assign]
    with rest_client(url, TOKEN, 3.0) as http:
        results = outcomes(run_checks(RestHis(http)))
    assert results["open again: same visit"] == "FAIL"
    assert results["open a visit"] == "pass"


def test_his_check_prints_a_table_and_exits_by_the_outcome(reference_his: tuple[ReferenceHis, str]) -> None:
    his, url = reference_his
    good = hub_cli("his", "check", url, "--token", TOKEN)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "register again: same patient" in good.stdout
    assert "0 failed" in good.stdout
    his.faults.down = True
    bad = hub_cli("his", "check", url, "--token", TOKEN, "--timeout", "1")
    assert bad.returncode == 1
    assert "FAIL" in bad.stdout
    wrong_token = hub_cli("his", "check", url, "--token", "not-the-token", "--timeout", "1")
    assert wrong_token.returncode == 1


def test_adapters_are_found_by_entry_point(sqlite_url: str, clock: FakeClock) -> None:
    assert {"register", "demo", "rest", "fhir"} <= set(available_adapters())
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    try:
        context = AdapterContext(HisSettings(adapter="no-such-his"), "01043", hub.reader, hub.writer, clock)
        with pytest.raises(AdapterNotFoundError, match="register"):  # the message lists what is installed
            load_adapter(context)
        with pytest.raises(ValueError, match="KIOSK_HUB_HIS_URL"):
            load_adapter(AdapterContext(HisSettings(adapter="rest"), "01043", hub.reader, hub.writer, clock))
    finally:
        hub.engine.dispose()


def test_the_demo_hospital_is_seeded_only_when_asked(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert hub_cli("migrate", "--db", db).returncode == 0
    plain = json.loads(hub_cli("his", "sync", "--db", db).stdout)
    assert plain["skipped"]  # the register's catalogue is the hub's own: nothing to sync
    assert hub_cli("his", "check", "--db", db).returncode == 1  # the register alone has no departments
    # The demo adapter seeds the demo hospital first: the suite then passes.
    demo = subprocess.run(
        [sys.executable, "-m", "kiosk_hub.cli", "his", "check", "--db", db],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "KIOSK_HUB_HIS_ADAPTER": "demo"},
        check=False,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stdout


def test_the_committed_contract_is_what_the_adapter_speaks() -> None:
    printed = hub_cli("his", "contract")
    assert printed.returncode == 0, printed.stderr
    committed = json.loads((REPO / "docs" / "his-adapter.openapi.json").read_text(encoding="utf-8"))
    assert json.loads(printed.stdout) == committed, "regenerate: kiosk-hub his contract > docs/his-adapter.openapi.json"
    documented = {(method.upper(), path) for path, ops in committed["paths"].items() for method in ops}
    assert documented == {(op.method, op.path) for op in OPERATIONS.values()}


def test_the_reference_his_serves_every_documented_operation(reference_his: tuple[ReferenceHis, str]) -> None:
    """The reference HIS implements the document, not something else: every path answers something but 404/405
    for a route it lacks (a 404 problem body for "none" carries a code)."""
    _his, url = reference_his
    committed = json.loads((REPO / "docs" / "his-adapter.openapi.json").read_text(encoding="utf-8"))
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for path, ops in committed["paths"].items():
            for method in ops:
                concrete = path.replace("{visit_ref}", "x" * 36).replace("{code}", "HEN-1")
                response = client.request(method.upper(), concrete, json={})
                assert response.status_code != 405, (method, path)
                if response.status_code == 404:
                    assert "code" in response.json(), (method, path)
