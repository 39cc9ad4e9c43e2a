"""Walking the app's routes as the router sees them (FastAPI keeps an included router whole), and the rule each
route states through its access dependency."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from kiosk_hub.access.principals import RULES


def leaf_routes(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from leaf_routes(included.routes)
        else:
            yield route


def stated_rules(route: APIRoute) -> set[str]:
    """The rules of the access dependencies nearest the route (breadth first): a rule that depends on another
    (admin on signed-in) is the route's, not the one beneath it."""
    level: list[Dependant] = [route.dependant]
    while level:
        found = {RULES[d.call] for d in level if d.call in RULES}
        if found:
            return found
        level = [sub for d in level for sub in d.dependencies]
    return set()
