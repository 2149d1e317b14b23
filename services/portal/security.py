"""The portal's browser-facing defences, in one middleware: security headers on every answer
(a Content-Security-Policy whose only allowed styles carry a per-request nonce, no framing, no
referrer to other sites, HSTS over https) and the same-origin rule for every state-changing
request (a POST from another site, or one that names no origin at all, is refused)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Methods that change state; the portal only has POST forms, the rest are refused the same way.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(nonce: str) -> str:
    """No scripts at all; styles only from the portal's own templates (nonce); forms post only
    to the portal; nothing may frame it."""
    return (
        "default-src 'none'; "
        f"style-src 'nonce-{nonce}'; "
        "img-src 'self' data:; "
        "form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'"
    )


def is_same_origin(headers: Headers, trusted: frozenset[str]) -> bool:
    """True when the request names the portal itself as where it came from (Origin, else
    Referer). A request that names neither is not trusted: browsers send Origin on a form POST,
    and an opaque origin ("null", a sandboxed frame) names no site."""
    parts = urlsplit(headers.get("origin") or headers.get("referer") or "")
    if not parts.scheme or not parts.netloc:
        return False
    site = f"{parts.scheme}://{parts.netloc}".lower()
    return site in trusted or parts.netloc.lower() == headers.get("host", "").lower()


Refusal = Callable[[Request], Response]


class PortalSecurityMiddleware:
    """Sets the security headers and refuses cross-site or origin-less state changes."""

    def __init__(self, app: ASGIApp, *, public_base_url: str, refusal: Refusal) -> None:
        self.app = app
        self.refusal = refusal
        base = urlsplit(public_base_url)
        self.trusted = frozenset({f"{base.scheme}://{base.netloc}".lower()})
        # behind a TLS-terminating proxy the portal itself is reached over plain http
        self.public_https = base.scheme == "https"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        https = self.public_https or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = content_security_policy(nonce)
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                if https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        if scope["method"] in UNSAFE_METHODS and not is_same_origin(
            Headers(scope=scope), self.trusted
        ):
            refused = self.refusal(Request(scope, receive))
            await refused(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
