"""Property-based contract test: schemathesis generates requests from /openapi.json against the hub on loopback.

Every operation, valid and invalid bodies: no server error, and answers conform to the published schema.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from kiosk_hub.app import create_app
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import bhxh_settings, enrol, seed
from tests.hub.servers import serve_in_thread
from tests.support.keys import key_file_for

KEYS = itertools.count()


@pytest.fixture(scope="module")
def served_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'hub.sqlite3'}"
    upgrade(url)
    # The gateway points at a closed port: entitlement checks take the "register and re-check" path quickly.
    gateway = bhxh_settings("http://127.0.0.1:9", timeout=0.2)
    settings_ = HubSettings(database_url=url, key_file=key_file_for(url), bhxh=gateway)
    hub = build_hub(settings_)
    seed(hub)
    token = enrol(hub)
    with serve_in_thread(create_app(hub, background=False)) as base_url:
        yield base_url, token
    hub.engine.dispose()


@pytest.mark.slow
def test_generated_requests_never_break_the_hub(served_hub: tuple[str, str]) -> None:
    base_url, token = served_hub
    api = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case: schemathesis.Case) -> None:
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"st-{next(KEYS)}"}
            case.call_and_validate(
                base_url=base_url,
                headers=headers,
                checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
            )

        exercise()
    assert next(KEYS) > 5 * len(operations)  # requests were really generated and sent
