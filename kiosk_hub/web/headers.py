"""Security headers on every answer: a Content-Security-Policy without inline script or style (the console's
scripts and styles are files under /static), no framing, no MIME sniffing, no referrer beyond the hub itself, and
HSTS when the browser came over HTTPS (directly, or through a trusted proxy that said so)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hospital hosts may still serve plain HTTP
_ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",  # for browsers older than frame-ancestors
    "referrer-policy": "same-origin",  # the console's language switch reads the Referer of its own pages
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A page that needs another policy (the API docs' CDN scripts) sets its own.
                headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)
