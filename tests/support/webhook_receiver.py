"""A webhook receiver for tests, over real HTTP: checks every signature like a HIS should, keeps what it took,
and can be switched down (503) to play a receiver that is away."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kiosk_hub.events.signing import HEADER, SignatureError, verify


@dataclass
class WebhookReceiver:
    secret: str = ""
    down: bool = False
    taken: list[dict[str, object]] = field(default_factory=list)
    refused_signatures: int = 0
    attempts_while_down: int = 0
    clock: object = None  # a callable giving Unix seconds; wall time when None

    def now(self) -> int:
        return int(self.clock()) if callable(self.clock) else int(time.time())

    def by_subject(self) -> dict[str, list[dict[str, object]]]:
        grouped: dict[str, list[dict[str, object]]] = {}
        for event in self.taken:
            grouped.setdefault(str(event["subject"]), []).append(event)
        return grouped


def create_receiver(receiver: WebhookReceiver) -> Starlette:
    async def take(request: Request) -> Response:
        body = await request.body()
        if receiver.down:
            receiver.attempts_while_down += 1
            return Response(status_code=503)
        try:
            verify(receiver.secret, request.headers.get(HEADER), body, receiver.now())
        except SignatureError:
            receiver.refused_signatures += 1
            return Response(status_code=401)
        receiver.taken.append(json.loads(body))
        return Response(status_code=204)

    return Starlette(routes=[Route("/hooks/his", take, methods=["POST"])])


def main() -> None:
    """`python -m tests.support.webhook_receiver SECRET`: a receiver in its own process (bench/his.py), on a free
    loopback port printed as "running on http://127.0.0.1:PORT"; GET /stats answers what it took."""
    import sys

    import uvicorn
    from starlette.responses import JSONResponse

    receiver = WebhookReceiver(secret=sys.argv[1])
    app = create_receiver(receiver)

    async def stats(_request: Request) -> Response:
        return JSONResponse({"taken": len(receiver.taken), "refused": receiver.refused_signatures})

    app.add_route("/stats", stats, methods=["GET"])
    uvicorn.run(app, host="127.0.0.1", port=0, log_level="info", access_log=False)


if __name__ == "__main__":
    main()
