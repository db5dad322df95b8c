"""ASGI middleware: the request body limit (413) and the security headers (CSP without inline
script, nosniff, referrer policy, no framing).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.web.errors import ApiError, error_response

MAX_BODY = 64 * 1024


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


# Swagger UI at /docs loads its bundle from a CDN and starts it with an inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
            "https://fastapi.tiangolo.com; object-src 'none'; frame-ancestors 'none'")


class BodyLimitMiddleware:
    """413 for a body over ``limit`` bytes: by Content-Length up front, else by counting the stream."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"request body is over the {self.limit // 1024} KB limit"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await error_response(413, message)(scope, receive, send)
                    return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise ApiError(413, "payload_too_large", message)
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, tracked)
        except ApiError as exc:
            if started or exc.status_code != 413:
                raise
            await error_response(413, message)(scope, receive, send)


class SecurityHeadersMiddleware:
    """CSP without inline script, nosniff, a strict referrer policy, no framing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(("/docs", "/redoc")) else CSP

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = [(k, v) for k, v in msg.get("headers", []) if k.lower() != b"server"]
                headers += [(b"content-security-policy", csp.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"strict-origin-when-cross-origin"),
                            (b"x-frame-options", b"DENY")]
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, with_headers)

