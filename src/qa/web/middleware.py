"""ASGI middleware: the request body limit (413) and the security headers (CSP without inline
script, nosniff, referrer policy, no framing).

A refused body is read to its end before the 413 is sent (up to ``DRAIN_LIMIT`` bytes and
``DRAIN_SECONDS``): a server that answers and closes while the client is still sending makes the
kernel reset the connection, and the client loses the 413 it was sent (a 2 MB POST with
``Connection: close`` lost it nearly every time). Past those bounds, or when the client waits for
``100 Continue`` and so has not sent the body, the 413 goes out with ``Connection: close`` at once.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.web.errors import ApiError, error_response

MAX_BODY = 64 * 1024
DRAIN_LIMIT = 16 * 1024 * 1024
DRAIN_SECONDS = 10.0


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

# Swagger UI (/docs) comes from the fastapi-offline package, served from this server; its page
# starts it with one inline script, allowed by its hash (no 'unsafe-inline'; its styles are set
# through the DOM, which style-src 'self' allows).
DOCS_CSP = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'")
DOCS_PATHS = ("/docs",)
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


async def _drain(receive: Receive) -> bool:
    """Read and drop the rest of a request body; True when all of it was read in bounds."""
    seen = 0

    async def read_all() -> bool:
        nonlocal seen
        while True:
            msg = await receive()
            if msg["type"] != "http.request":
                return False
            seen += len(msg.get("body", b""))
            if not msg.get("more_body", False):
                return True
            if seen > DRAIN_LIMIT:
                return False

    try:
        return await asyncio.wait_for(read_all(), DRAIN_SECONDS)
    except TimeoutError:
        return False


class BodyLimitMiddleware:
    """413 for a body over ``limit`` bytes: by Content-Length up front, else by counting the stream."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit
        self.message = f"request body is over the {limit // 1024} KB limit"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, *, body_done: bool) -> None:
        headers = dict(scope.get("headers", []))
        waits = headers.get(b"expect", b"").lower() == b"100-continue"
        drained = body_done or (not waits and await _drain(receive))
        await error_response(413, self.message, headers=None if drained else {"Connection": "close"})(
            scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(scope, receive, send, body_done=False)
                    return
        seen = 0
        started = False
        body_done = False

        async def counted() -> Message:
            nonlocal seen, body_done
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                body_done = not msg.get("more_body", False)
                if seen > self.limit:
                    raise ApiError(413, "payload_too_large", self.message)
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                # The app's error handler rendered the 413 raised above: read the rest first.
                if msg["status"] == 413 and not body_done and not await _drain(receive):
                    msg = {**msg, "headers": [*msg.get("headers", []), (b"connection", b"close")]}
            await send(msg)

        try:
            await self.app(scope, counted, tracked)
        except ApiError as exc:
            if started or exc.status_code != 413:
                raise
            await self._refuse(scope, receive, send, body_done=body_done)


def _script_hashes(html: bytes) -> str:
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(m).digest()).decode()}'"
                    for m in INLINE_SCRIPT.findall(html))


class SecurityHeadersMiddleware:
    """CSP without inline script, nosniff, a strict referrer policy, no framing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "").startswith(DOCS_PATHS)
        held: list[Message] = []

        async def with_headers(msg: Message) -> None:
            if docs:  # hold the (small) docs page until its inline scripts can be hashed
                held.append(msg)
                if msg["type"] == "http.response.body" and msg.get("more_body", False):
                    return
                if msg["type"] == "http.response.start":
                    return
                html = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
                start = next(m for m in held if m["type"] == "http.response.start")
                await send(_secured(start, DOCS_CSP.format(hashes=_script_hashes(html))))
                await send({"type": "http.response.body", "body": html})
                return
            await send(_secured(msg, CSP) if msg["type"] == "http.response.start" else msg)

        await self.app(scope, receive, with_headers)


def _secured(msg: Message, csp: str) -> Message:
    headers = [(k, v) for k, v in msg.get("headers", []) if k.lower() != b"server"]
    headers += [(b"content-security-policy", csp.encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"strict-origin-when-cross-origin"),
                (b"x-frame-options", b"DENY")]
    return {**msg, "headers": headers}
