"""The hub's layers, kept by a test: route modules at the top, the app that includes them, the services below.

- No module of the hub but a route module (or the app) imports a route module: the core never reaches up to HTTP.
- Nothing imports `kiosk_hub.app` but the entry points (the `kiosk-hub` CLI and the kiosk's embedded hub).
- The services the Hub holds (queue, HIS, entitlement, kiosk tokens, access, the wire contract, the store) know no
  HTTP; of `access/` only `principals.py`, the dependencies routes state, is written for FastAPI.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP = "kiosk_hub.app"
ENTRY_POINTS = {"kiosk_hub/cli.py", "kiosk/embedded_hub.py"}
# What the Hub is built from (paths under kiosk_hub/).
SERVICES = (
    "hub.py",
    "queue/",
    "his/",
    "entitlement.py",
    "kiosk_tokens.py",
    "wire.py",
    "db/",
    "errors.py",
    "settings.py",
    "access/",
    "catalogue/",
    "explain.py",
    "tls.py",
    "events/outbox.py",
    "events/publisher.py",
    "events/delivery.py",
    "events/signing.py",
    "events/status.py",
    "events/models.py",
    "events/worker.py",
    "bhxh/checkin.py",
    "payments/book.py",
    "payments/desk.py",
    "payments/settle.py",
    "payments/fees.py",
    "payments/gateway.py",
    "payments/payos.py",
    "payments/payos_signature.py",
    "payments/models.py",
    "payments/notes.py",
    "payments/watch.py",
    "payments/reconcile.py",
    "payments/worker.py",
    "calling/desk.py",
    "calling/board.py",
    "calling/areas.py",
    "calling/screens.py",
    "calling/voice.py",
    "calling/estimate.py",
    "calling/models.py",
    "calling/refusals.py",
    "calling/services.py",
    "calling/staff_view.py",
    "waits/learn.py",
    "waits/estimate.py",
    "waits/models.py",
)
HTTP_EDGE = {"access/principals.py"}  # the routes' access dependencies: FastAPI by nature
HTTP = ("fastapi", "starlette", "kiosk_hub.web", "kiosk_hub.api")


def _files(package: str, root: Path = REPO) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def _module(path: Path, root: Path = REPO) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = REPO) -> Iterator[tuple[int, str]]:
    """Every module the file may import: `from a.b import c` names both a.b and a.b.c (c may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def route_modules(root: Path = REPO) -> set[str]:
    """Modules that make an APIRouter: the only ones that declare routes."""
    found = set()
    for path in _files("kiosk_hub", root):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            call = node.value if isinstance(node, ast.Assign) else None
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "APIRouter":
                found.add(_module(path, root))
    return found


def _is(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def test_the_route_modules_are_found() -> None:
    # Not vacuous: the rules below hold over these.
    assert {
        "kiosk_hub.api.routes_care",
        "kiosk_hub.api.routes_tickets",
        "kiosk_hub.api.status_page",
        "kiosk_hub.fleet.api",
        "kiosk_hub.fleet.console.pages",
        "kiosk_hub.leases.routes",
        "kiosk_hub.leases.page",
        "kiosk_hub.calling.routes_api",
        "kiosk_hub.calling.routes_pages",
        "kiosk_hub.calling.routes_screens",
        "kiosk_hub.calling.phone",
        "kiosk_hub.fleet.console.pages_users",
        "kiosk_hub.fleet.console.pages_access_log",
        "kiosk_hub.web.api_docs",
        "kiosk_hub.fleet.console.pages_departments",
        "kiosk_hub.health.routes",
        "kiosk_hub.events.routes",
        "kiosk_hub.events.console",
        "kiosk_hub.payments.routes",
        "kiosk_hub.payments.page",
        "kiosk_hub.payments.console",
    } <= route_modules()


def test_only_route_modules_and_the_app_import_a_route_module() -> None:
    routes = route_modules()
    found = []
    for path in _files("kiosk_hub"):
        module = _module(path)
        if module in routes or module == APP:
            continue
        for lineno, name in imported(path):
            if name in routes:
                found.append(f"{path.relative_to(REPO)}:{lineno} imports {name}")
    assert found == []


def test_only_the_entry_points_import_the_app() -> None:
    found = []
    for package in ("kiosk_hub", "kiosk"):
        for path in _files(package):
            rel = str(path.relative_to(REPO))
            if rel in ENTRY_POINTS or _module(path) == APP:
                continue
            found += [f"{rel}:{lineno} imports {name}" for lineno, name in imported(path) if _is(name, APP)]
    assert found == []


def test_the_services_know_no_http() -> None:
    found = []
    for path in _files("kiosk_hub"):
        rel = str(path.relative_to(REPO / "kiosk_hub"))
        if not rel.startswith(SERVICES) or rel in HTTP_EDGE:
            continue
        for lineno, name in imported(path):
            if any(_is(name, http) for http in HTTP):
                found.append(f"kiosk_hub/{rel}:{lineno} imports {name}")
    assert found == []


def test_the_checker_sees_routers_and_imports_of_modules_by_name(tmp_path: Path) -> None:
    package = tmp_path / "kiosk_hub" / "core"
    package.mkdir(parents=True)
    (package / "routes.py").write_text("from fastapi import APIRouter\nrouter = APIRouter()\n", encoding="utf-8")
    service = package / "service.py"
    service.write_text("from . import routes\nfrom kiosk_hub import app\n", encoding="utf-8")
    assert route_modules(tmp_path) == {"kiosk_hub.core.routes"}
    names = [name for _, name in imported(service, tmp_path)]
    assert names == ["kiosk_hub.core", "kiosk_hub.core.routes", "kiosk_hub", "kiosk_hub.app"]
