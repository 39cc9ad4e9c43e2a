"""The configuration editor, generated from the JSON Schema of the kiosk's RemoteConfig: one form field per leaf.

Fields are named by their dotted path (`idle.screen_seconds`); the form is read back into a document of the
same shape, which the hub then validates with the kiosk's own model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from kiosk.remote_config.schema import remote_config_json_schema
from kiosk_hub.fleet.console.i18n import FIELD_LABELS_VI

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.DOTALL)
LONG_TEXT = ("logo_png_base64",)


@dataclass
class FormField:
    path: str
    label: str
    widget: str  # text, textarea, number, select, checkboxes, group, end, hidden
    value: Any = None
    options: list[Any] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""
    error: str = ""
    depth: int = 0


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    # A field that may be left unset is "anyOf: [its type, null]": the form shows its type, and blank means unset.
    branches = [b for b in node.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1 and len(node["anyOf"]) == 2:
        node = {**node, **branches[0]}
    ref = node.get("$ref") or next((a["$ref"] for a in node.get("allOf", []) if "$ref" in a), None)
    if ref:
        resolved: dict[str, Any] = schema["$defs"][ref.rsplit("/", 1)[1]]
        return resolved
    return node


def fields(document: dict[str, Any], lang: str, errors: dict[str, str] | None = None) -> list[FormField]:
    """The editor's rows for `document` (nested groups open and close around their fields)."""
    schema = remote_config_json_schema()
    out: list[FormField] = []
    _walk(schema, schema, document, "", 0, lang, errors or {}, out)
    return out


def _label(path: str, node: dict[str, Any], lang: str) -> str:
    if lang == "vi" and path in FIELD_LABELS_VI:
        return FIELD_LABELS_VI[path]
    return str(node.get("title") or path.rsplit(".", 1)[-1])


def _walk(
    schema: dict[str, Any],
    node: dict[str, Any],
    value: dict[str, Any],
    prefix: str,
    depth: int,
    lang: str,
    errors: dict[str, str],
    out: list[FormField],
) -> None:
    for name, prop in node["properties"].items():
        path = f"{prefix}{name}"
        target = _resolve(schema, prop)
        current = value.get(name, prop.get("default"))
        label = _label(path, target if "title" in target and "properties" in target else prop, lang)
        row = FormField(path, label, "text", current, help=prop.get("description", ""), error=errors.get(path, ""))
        row.depth = depth
        if "const" in prop:
            row.widget = "hidden"
        elif target.get("type") == "object":
            out.append(FormField(path, label, "group", depth=depth))
            _walk(schema, target, current or {}, path + ".", depth + 1, lang, errors, out)
            out.append(FormField(path, label, "end", depth=depth))
            continue
        elif target.get("type") == "array":
            items = _resolve(schema, target.get("items", {}))
            if "enum" in items:
                row.widget, row.options = "checkboxes", list(items["enum"])
            else:
                row.widget = "textarea"
                row.value = ("\n" if not name.endswith("_pem") else "\n\n").join(current or [])
        elif "enum" in target:
            row.widget, row.options = "select", list(target["enum"])
        elif target.get("type") == "integer":
            row.widget, row.minimum, row.maximum = "number", target.get("minimum"), target.get("maximum")
        elif name in LONG_TEXT:
            row.widget = "textarea"
        out.append(row)


def read_form(form: FormData) -> dict[str, Any]:
    """The document the form describes; values that do not parse stay as text so validation names the field."""
    schema = remote_config_json_schema()
    return _read(schema, schema, form, "")


def _read(schema: dict[str, Any], node: dict[str, Any], form: FormData, prefix: str) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for name, prop in node["properties"].items():
        path = f"{prefix}{name}"
        target = _resolve(schema, prop)
        if "const" in prop:
            document[name] = prop["const"]
        elif target.get("type") == "object":
            document[name] = _read(schema, target, form, path + ".")
        elif target.get("type") == "array":
            items = _resolve(schema, target.get("items", {}))
            if "enum" in items:
                document[name] = [str(v) for v in form.getlist(path)]
            elif name.endswith("_pem"):
                document[name] = _PEM.findall(str(form.get(path, "")))
            else:
                lines = str(form.get(path, "")).splitlines()
                document[name] = [line.strip() for line in lines if line.strip()]
        else:
            raw = str(form.get(path, ""))
            kind = target.get("type") or (
                "integer" if all(isinstance(e, int) for e in target.get("enum", [""])) else ""
            )
            document[name] = _number(raw) if kind == "integer" else raw
    return document


def _number(raw: str) -> int | str:
    try:
        return int(raw.strip())
    except ValueError:
        return raw
