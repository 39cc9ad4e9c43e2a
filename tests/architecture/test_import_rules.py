"""The import rules of docs/architecture.md, kept by a test (the idea of Home Assistant's hassfest)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEVICE_LIBRARIES = {"smartcard", "cv2", "pyzbar", "zxingcpp", "escpos", "usb", "serial"}


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def _imports(path: Path, root: Path = REPO) -> Iterator[tuple[int, str]]:
    """Every absolute module name the file imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package_parts = list(path.relative_to(root).with_suffix("").parts)[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield node.lineno, name


def _violations(package: str, forbidden: set[str], allowed_files: set[str] = frozenset()) -> list[str]:
    found = []
    for path in _modules(package):
        rel = str(path.relative_to(REPO))
        if rel in allowed_files:
            continue
        for lineno, name in _imports(path):
            top = name.split(".")
            if any(name == f or name.startswith(f + ".") for f in forbidden) or top[0] in forbidden:
                found.append(f"{rel}:{lineno} imports {name}")
    return found


def test_domain_imports_nothing_of_the_project_and_no_io_library() -> None:
    forbidden = {"kiosk", "kiosk_hub", "httpx", "kivy", "sqlalchemy", "fastapi", *DEVICE_LIBRARIES}
    found = []
    for path in _modules("kiosk/domain"):
        rel = str(path.relative_to(REPO))
        for lineno, name in _imports(path):
            if name.startswith("kiosk.domain"):
                continue  # the domain may use itself
            if name.split(".")[0] in forbidden or name in forbidden:
                found.append(f"{rel}:{lineno} imports {name}")
    assert found == []


def test_flow_never_touches_ui_devices_or_http() -> None:
    forbidden = {"kivy", "httpx", "kiosk.screens", "kiosk_hub", *DEVICE_LIBRARIES}
    assert _violations("kiosk/flow", forbidden) == []


def test_screens_reach_hardware_and_backend_only_through_the_flow() -> None:
    forbidden = {"kiosk.hardware", "kiosk.backend_client", "kiosk_hub", "httpx", *DEVICE_LIBRARIES}
    assert _violations("kiosk/screens", forbidden) == []


def test_only_adapters_import_device_libraries() -> None:
    found = []
    for package in ("kiosk", "kiosk_hub"):
        for path in _modules(package):
            rel = str(path.relative_to(REPO))
            if rel.startswith("kiosk/hardware/") and "adapter" in rel:
                continue
            for lineno, name in _imports(path):
                if name.split(".")[0] in DEVICE_LIBRARIES:
                    found.append(f"{rel}:{lineno} imports {name}")
    assert found == []


def test_the_hub_uses_only_the_kiosk_domain_and_remote_config_schema() -> None:
    # The schema (what the console edits) and the signed envelope around it (what the hub signs, the kiosk checks);
    # a release's manifest, the kiosk's update reports and maintenance windows (the same contract for releases).
    shared = ("kiosk.domain", "kiosk.remote_config.schema", "kiosk.remote_config.envelope", "kiosk.updates.manifest",
              "kiosk.updates.report", "kiosk.updates.window")  # fmt: skip
    found = []
    for path in _modules("kiosk_hub"):
        rel = str(path.relative_to(REPO))
        for lineno, name in _imports(path):
            is_kiosk = name == "kiosk" or name.startswith("kiosk.")
            if is_kiosk and not name.startswith(shared):
                found.append(f"{rel}:{lineno} imports {name}")
    assert found == []


def test_the_kiosk_reaches_the_hub_only_through_the_embedded_hub_the_demo_and_the_cli() -> None:
    # Embedded mode runs the hub in-process (kiosk/embedded_hub.py); the demo uses the hub's demo cards.
    found = [
        v
        for v in _violations("kiosk", {"kiosk_hub"})
        if not v.startswith(("kiosk/embedded_hub.py:", "kiosk/demo/", "kiosk/cli/"))
    ]
    assert found == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _reachable(start: str) -> set[str]:
    """Every kiosk module `start` can import, directly or through others, at import time or later in a function."""
    edges = _kiosk_imports()
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module not in seen and module in edges:
            seen.add(module)
            todo.extend(edges[module])
    return seen


@functools.cache
def _kiosk_imports() -> dict[str, tuple[str, ...]]:
    """Module → the names it imports; `from kiosk.demo import walk` counts as importing kiosk.demo.walk too."""
    edges = {}
    for path in _modules("kiosk"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [name for _, name in _imports(path)]
        names += [f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names]
        edges[_module_name(path)] = tuple(names)
    return edges


@pytest.mark.parametrize("start", ["kiosk.cli.run", "kiosk.runtime.root"])
def test_kiosk_run_never_reaches_demo_code(start: str) -> None:
    reached = _reachable(start)
    assert "kiosk.runtime.devices" in reached  # the walk follows imports at all
    assert sorted(m for m in reached if m.startswith("kiosk.demo")) == []


def test_screens_never_reach_the_code_that_starts_device_watchers() -> None:
    # The chip reader's and camera's watchers, the headphone jack, the fleet and systemd tasks: the runtime's.
    watchers = ("kiosk.runtime", "kiosk.speech.jack_adapter", "kiosk.flow.chip_bridge", "kiosk.flow.scan_gate")
    found = {
        f"{_module_name(path)} reaches {m}"
        for path in _modules("kiosk/screens")
        for m in _reachable(_module_name(path))
        if m.startswith(watchers)
    }
    assert sorted(found) == []


def test_the_checker_sees_forbidden_and_relative_imports(tmp_path: Path) -> None:
    # The rules above would pass on an empty tree; prove the parser finds imports where there are some.
    sample = tmp_path / "kiosk" / "domain" / "sample.py"
    sample.parent.mkdir(parents=True)
    source = "import cv2\nfrom smartcard.System import readers\nfrom ..hardware import x\n"
    sample.write_text(source, encoding="utf-8")
    names = [n for _, n in _imports(sample, root=tmp_path)]
    assert names == ["cv2", "smartcard.System", "kiosk.hardware"]


def test_the_walk_finds_demo_code_where_it_is_imported() -> None:
    # The demo's own command reaches it; without that, "never reaches" above would prove nothing.
    assert "kiosk.demo.walk" in _reachable("kiosk.demo.run")
