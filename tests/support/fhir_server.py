"""A small FHIR R4 server of our own on loopback, for the FHIR adapter's tests (no real FHIR server was available
where this project is built): read, search by identifier / _id / type / organization, conditional create
(If-None-Exist), update. Every resource it takes is validated with fhir.resources' R4B models, independently of
the adapter's own validation, and refused with an OperationOutcome when invalid."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

FHIR_JSON = "application/fhir+json"


@dataclass
class FhirStore:
    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    refused: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def put(self, resource: dict[str, Any]) -> dict[str, Any]:
        resource.setdefault("id", f"{resource['resourceType'].lower()}-{next(self._ids)}")
        self.resources.setdefault(resource["resourceType"], {})[resource["id"]] = resource
        return resource

    def search(self, resource_type: str, params: dict[str, str]) -> list[dict[str, Any]]:
        found = []
        for resource in self.resources.get(resource_type, {}).values():
            if all(_matches(resource, key, value) for key, value in params.items()):
                found.append(resource)
        return found


def _matches(resource: dict[str, Any], key: str, value: str) -> bool:
    if key == "_id":
        return resource.get("id") == value
    if key == "identifier":
        system, _, code = value.partition("|")
        return any(i.get("system") == system and i.get("value") == code for i in resource.get("identifier", []))
    if key == "type":
        return any(c.get("code") == value for t in resource.get("type", []) for c in t.get("coding", []))
    if key == "organization":
        return resource.get("managingOrganization", {}).get("reference") == value
    return False


def seed_hospital(store: FhirStore) -> None:
    """Two departments with rooms and hours, and one booking (code HEN-FHIR-1) for a patient the test registers."""
    hours = [{"daysOfWeek": ["mon", "tue", "wed", "thu", "fri"], "openingTime": "07:00:00", "closingTime": "16:30:00"}]
    for dep, name, rooms in (("NOI", "Khoa Nội tổng hợp", 2), ("NHI", "Khoa Nhi", 1)):
        dept_type = [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "dept"}]}
        ]
        store.put({"resourceType": "Organization", "id": dep, "name": name, "type": dept_type})
        for n in range(1, rooms + 1):
            room = {"resourceType": "Location", "id": f"{dep}-0{n}", "name": f"Phòng khám {dep} {n}"}
            store.put({**room, "managingOrganization": {"reference": f"Organization/{dep}"}, "hoursOfOperation": hours})


def create_fhir_server(store: FhirStore) -> FastAPI:
    app = FastAPI(title="loopback FHIR R4 server")

    def answer(body: dict[str, Any], status: int = 200) -> JSONResponse:
        return JSONResponse(body, status_code=status, media_type=FHIR_JSON)

    def refuse(diagnostics: str) -> JSONResponse:
        store.refused += 1
        issue = {"severity": "error", "code": "invalid", "diagnostics": diagnostics[:500]}
        return answer({"resourceType": "OperationOutcome", "issue": [issue]}, 400)

    def validated(resource_type: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("resourceType") != resource_type:
            raise ValueError("resourceType does not match the URL")
        model = get_fhir_model_class(resource_type).model_validate(body)
        return dict(model.model_dump(mode="json", exclude_none=True, by_alias=True))

    @app.get("/metadata")
    def metadata() -> JSONResponse:
        return answer({"resourceType": "CapabilityStatement", "status": "active", "date": "2026-12-07",
                       "kind": "instance", "fhirVersion": "4.0.1", "format": ["json"], "publisher": "Kiểm thử",
                       "software": {"name": "loopback FHIR", "version": "1"}})  # fmt: skip

    @app.get("/{resource_type}")
    def search(resource_type: str, request: Request) -> JSONResponse:
        found = store.search(resource_type, dict(request.query_params))
        entries = [{"fullUrl": f"{resource_type}/{r['id']}", "resource": r} for r in found]
        return answer({"resourceType": "Bundle", "type": "searchset", "total": len(found), "entry": entries})

    @app.get("/{resource_type}/{resource_id}")
    def read(resource_type: str, resource_id: str) -> JSONResponse:
        found = store.resources.get(resource_type, {}).get(resource_id)
        return answer(found) if found else refuse("not found")

    @app.post("/{resource_type}")
    async def create(resource_type: str, request: Request) -> JSONResponse:
        condition = request.headers.get("If-None-Exist")
        if condition:
            key, _, value = condition.partition("=")
            existing = store.search(resource_type, {key: value})
            if existing:
                return answer(existing[0], 200)
        try:
            resource = validated(resource_type, await request.json())
        except (ValueError, ValidationError) as exc:
            return refuse(str(exc))
        return answer(store.put(resource), 201)

    @app.put("/{resource_type}/{resource_id}")
    async def update(resource_type: str, resource_id: str, request: Request) -> JSONResponse:
        try:
            resource = validated(resource_type, await request.json())
        except (ValueError, ValidationError) as exc:
            return refuse(str(exc))
        if resource.get("id") != resource_id:
            return refuse("id does not match the URL")
        return answer(store.put(resource))

    return app
