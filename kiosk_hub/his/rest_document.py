"""The REST contract as an OpenAPI 3.1 document (`docs/his-adapter.openapi.json`), built from the operations the
REST adapter sends (`rest.OPERATIONS`) and the models it reads and writes (`contract.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from kiosk_hub.his import contract as c
from kiosk_hub.his.rest import OPERATIONS, Operation

REF = "#/components/schemas/{model}"
ERRORS = """Errors: 4xx answers carry `{"code": "...", "title": "..."}` (HisProblem). Codes the hub understands:
`patient_identity_conflict` (409: an identifier belongs to someone with other details), `identifier_required`
(422), `patient_not_found` (a visit for an unknown patient). 401/403, 408, 429 and 5xx, a timeout or an answer
that does not follow this contract are "no answer": the hub keeps the work and tries again."""


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _operation(op: Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {"operationId": op.name, "summary": op.summary, "responses": {}}
    params = [name.strip("{}") for name in op.path.split("/") if name.startswith("{")]
    if params:
        doc["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params]
    if op.name == "open_visit":
        doc.setdefault("parameters", []).append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "description": "the visit_ref again: a repeated request must answer the visit opened the first time",
                "schema": {"type": "string"},
            }
        )
    if op.request is not None:
        content: dict[str, Any] = {"schema": _ref(op.request)}
        if op.example:
            content["example"] = op.example
        doc["requestBody"] = {"required": True, "content": {"application/json": content}}
    ok = "200" if op.response is not None else "204"
    doc["responses"][ok] = (
        {"description": "done", "content": {"application/json": {"schema": _ref(op.response)}}}
        if op.response is not None
        else {"description": "done"}
    )
    if op.name == "register_patient":
        doc["responses"]["201"] = doc["responses"]["200"] | {"description": "created"}
    if op.not_found_is_none:
        doc["responses"]["404"] = {"description": "none (not an error)"}
    doc["responses"]["4XX"] = {
        "description": "refused",
        "content": {"application/json": {"schema": _ref(c.HisProblem)}},
    }
    doc["x-idempotent"] = op.idempotent
    return doc


def contract_document() -> dict[str, Any]:
    models = {m for op in OPERATIONS.values() for m in (op.request, op.response) if m is not None} | {c.HisProblem}
    _, schemas = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)], ref_template=REF
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS.values():
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kiosk hub → HIS: the generic REST HIS contract",
            "version": c.CONTRACT_VERSION,
            "description": (
                "What the hospital kiosk hub asks a hospital information system (HIS) when it runs the `rest` "
                "adapter (KIOSK_HUB_HIS_ADAPTER=rest, KIOSK_HUB_HIS_URL=<base URL>). Every request carries "
                "`Authorization: Bearer <KIOSK_HUB_HIS_TOKEN>`. Check an implementation with "
                "`kiosk-hub his check <base URL>`.\n\n" + ERRORS
            ),
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
