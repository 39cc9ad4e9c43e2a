"""The configuration editor, generated from the JSON Schema of the kiosk's RemoteConfig: one form field per leaf.

Fields are named by their dotted path (`idle.screen_seconds`); the form is read back into a document of the
same shape, which the hub then validates with the kiosk's own model. Labels and help come from `editor_words` in
the page's language; lists picked from the hub's own data (the departments) are ticked from `choices`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from kiosk.remote_config.schema import remote_config_json_schema
from kiosk_hub.fleet.console import editor_words

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.DOTALL)
LONG_TEXT = ("logo_png_base64",)
PICKED = ("departments_shown",)  # lists of the hub's own ids: ticked from a list, never typed


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    known: bool = True  # False: the document names it but the hub has no such thing


@dataclass
class FormField:
    path: str
    label: str
    widget: str  # text, textarea, number, select, checkboxes, pick, group, end, hidden
    value: Any = None
    options: list[Choice] = field(default_factory=list)
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


def fields(
    document: dict[str, Any],
    lang: str,
    errors: dict[str, str] | None = None,
    choices: Mapping[str, list[Choice]] | None = None,
) -> list[FormField]:
    """The editor's rows for `document` (nested groups open and close around their fields)."""
    schema = remote_config_json_schema()
    out: list[FormField] = []
    _walk(schema, schema, document, "", 0, _Page(lang, errors or {}, choices or {}), out)
    return out


@dataclass(frozen=True)
class _Page:
    lang: str
    errors: dict[str, str]
    choices: Mapping[str, list[Choice]]

    def picked(self, path: str, current: list[str]) -> list[Choice]:
        offered = self.choices.get(path, [])
        known = {c.value for c in offered}
        return offered + [Choice(v, v, known=False) for v in current if v not in known]


def _walk(
    schema: dict[str, Any], node: dict[str, Any], value: dict[str, Any], prefix: str, depth: int, page: _Page,
    out: list[FormField],
) -> None:  # fmt: skip
    for name, prop in node["properties"].items():
        path = f"{prefix}{name}"
        target = _resolve(schema, prop)
        current = value.get(name, prop.get("default"))
        label = editor_words.label(path, page.lang)
        row = FormField(path, label, "text", current, help=editor_words.help_text(path, page.lang))
        row.depth, row.error = depth, page.errors.get(path, "")
        if "const" in prop:
            row.widget = "hidden"
        elif target.get("type") == "object":
            out.append(FormField(path, label, "group", depth=depth))
            _walk(schema, target, current or {}, path + ".", depth + 1, page, out)
            out.append(FormField(path, label, "end", depth=depth))
            continue
        elif path in PICKED:
            row.widget, row.options = "pick", page.picked(path, list(current or []))
        elif target.get("type") == "array":
            items = _resolve(schema, target.get("items", {}))
            if "enum" in items:
                row.widget = "checkboxes"
                row.options = [Choice(str(v), editor_words.option(path, v, page.lang)) for v in items["enum"]]
            else:
                row.widget = "textarea"
                row.value = ("\n" if not name.endswith("_pem") else "\n\n").join(current or [])
        elif "enum" in target:
            row.widget = "select"
            row.options = [Choice(str(v), editor_words.option(path, v, page.lang)) for v in target["enum"]]
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
            if "enum" in items or path in PICKED:
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
