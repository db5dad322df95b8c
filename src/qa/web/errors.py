"""The one place that turns an error into a response: a ``QAError``, an HTTP error or a validation
error becomes ``{"error": {"code", "message"}}`` for the API, or the error page for a browser.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from qa.errors import QAError
from qa.schemas import (
    CONTROL_RE,
    ID_PATTERN,
    KIND_PATTERN,
    MAX_RANGES,
    QUESTION_PATTERN,
    RANGES_PATTERN,
    TEXT_PATTERN,
    AskRequest,
)
from qa.web.templating import render_error

log = logging.getLogger("qa.web")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
         415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable", 504: "timeout"}


class ApiError(HTTPException):
    """An HTTP error with an explicit error code."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code=status_code, detail=message)
        self.code = code


def error_response(status: int, message: str, code: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def _render_error(request: Request, status: int, code: str, message: str,
                  headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        try:
            page = render_error(request, status, code, message)
            page.headers.update(headers or {})
            return page
        except Exception:  # a broken template must not hide the error itself
            log.exception("error page failed")
    return error_response(status, message, code, headers)


PATTERN_MESSAGES = {
    TEXT_PATTERN: "must not contain control characters",
    ID_PATTERN: "must be an id of letters, digits and _ . : - (at most 128)",
    RANGES_PATTERN: f"must be at most {MAX_RANGES} ranges like 12-20,40-52",
    KIND_PATTERN: "must be lower-case letters and _",
}


def _pattern_message(err: dict) -> str | None:
    """A sentence for a broken schema pattern, instead of the regular expression itself."""
    if err.get("type") != "string_pattern_mismatch":
        return None
    pattern = (err.get("ctx") or {}).get("pattern")
    if pattern == QUESTION_PATTERN:
        if CONTROL_RE.search(str(err.get("input", ""))):
            return "must not contain control characters"
        return "must not be empty or whitespace"
    return PATTERN_MESSAGES.get(pattern)


def _validation_message(exc: RequestValidationError) -> str:
    return validation_message(exc.errors())


def validation_message(errors: list) -> str:
    """One sentence for a list of pydantic errors (at most three of them)."""
    parts = []
    for err in errors[:3]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form")]
        msg = _pattern_message(err) or str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            return "the request body is not valid JSON"
        if err.get("type") == "missing" and not loc:
            return "a JSON request body is required"
        parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes at this path, and OPTIONS. Starlette's own 405 names
    only the methods of the first route that matched the path, so GET /api/ask and POST /api/ask
    would each hide the other. Each method is tried on the routes as the router would; the mounted
    static folders serve GET and HEAD."""
    # Routing into a Mount rewrites root_path in this scope; app_root_path keeps the app's own.
    scope = {**request.scope, "root_path": request.scope.get("app_root_path", request.scope.get("root_path", ""))}
    routes = request.app.router.routes
    if any(isinstance(r, Mount) and r.matches(scope)[0] is Match.FULL for r in routes):
        return ["GET", "HEAD", "OPTIONS"]
    methods = {"OPTIONS"}
    for method in METHODS:
        if any(r.matches({**scope, "method": method})[0] is Match.FULL for r in routes if not isinstance(r, Mount)):
            methods.add(method)
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        code = getattr(exc, "code", None) or CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        headers = getattr(exc, "headers", None)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page or endpoint: {request.url.path[:200]}"
        elif exc.status_code == 405:
            allow = ", ".join(allowed_methods(request))
            if request.method == "OPTIONS":  # what may be done here: no body, the methods in Allow
                return Response(status_code=204, headers={"Allow": allow})
            headers = {**(headers or {}), "Allow": allow}
            message = f"method {request.method} is not allowed on {request.url.path[:200]}"
        elif exc.status_code == 400 and "parsing the body" in message:
            message = "the request body could not be parsed (is it UTF-8 JSON?)"
        return _render_error(request, exc.status_code, code, message, headers)

    @app.exception_handler(QAError)
    async def _qa_error(request: Request, exc: QAError) -> Response:
        return _render_error(request, exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return _render_error(request, 422, "validation_error", _validation_message(exc))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; the server log has the details")


def validate_ask(question: str, history: list[str]) -> AskRequest:
    """Validate a question from a query string or form as the JSON body would be."""
    try:
        return AskRequest(question=question, history=history)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


