"""What ``/openapi.json`` and ``/docs`` say beside the types: the error shape of each status code, with
an example, and one example request and response per operation.

The examples are data (``openapi_examples.json`` beside this module): real questions of the eval
set (``eval/questions.jsonl``, named by their ``eval_id``) and the responses a server on the seed
report gave to them. ``tests/contract/make_examples.py`` writes the file again from a built index;
``tests/web/test_openapi_contract.py`` checks that every example question is one of the eval set and
every example response fits its model.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from qa.schemas import MAX_QUESTION, ErrorResponse
from qa.web.middleware import MAX_BODY

EXAMPLES_FILE = "openapi_examples.json"

# status -> (code, what it means, an example message the server sends)
ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "The request body could not be parsed.",
          "the request body could not be parsed (is it UTF-8 JSON?)"),
    401: ("unauthorized", "QA_ADMIN_TOKEN is set and the request carries no valid token.",
          "a valid admin token is required (Authorization: Bearer …)"),
    403: ("forbidden", "QA_ADMIN_TOKEN is unset and the client is not on this machine.",
          "without an admin token (QA_ADMIN_TOKEN) reload is only allowed from this machine (127.0.0.1 or ::1)"),
    404: ("not_found", "No passage has this id.", "no passage with id 'inner-mongolia-2009:p9999'"),
    413: ("payload_too_large", f"The request body is over {MAX_BODY // 1024} KB.",
          f"request body is over the {MAX_BODY // 1024} KB limit"),
    415: ("unsupported_media_type", "The body is not JSON (Content-Type must be application/json).",
          "send JSON: the body must be a JSON object with Content-Type: application/json"),
    422: ("validation_error", "A parameter or the body breaks a rule this schema states (code "
          "validation_error); for /api/ask also an answer that fails on this input (code cannot_answer).",
          f"question: String should have at most {MAX_QUESTION} characters"),
    500: ("internal_error", "A bug or a failed index reload (code reload_failed); the server log has the "
          "details.", "internal error; the server log has the details"),
    503: ("unavailable", "The server is busy; send the request again in a moment.",
          "the server is busy; please ask again in a moment"),
    504: ("timeout", "The answer took longer than its time budget.",
          "the answer took longer than 2 s; try a shorter or simpler question"),
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these statuses: the one error shape, what the status means here and
    an example body."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        code, meaning, message = ERRORS[status]
        out[status] = {"model": ErrorResponse,
                       "description": f"{meaning} Body: {{\"error\": {{\"code\": \"{code}\", \"message\"}}}}.",
                       "content": {"application/json": {"example": {"error": {"code": code, "message": message}}}}}
    return out


@cache
def examples() -> dict[str, Any]:
    """The example file, read once."""
    return json.loads(files("qa.web").joinpath(EXAMPLES_FILE).read_text(encoding="utf-8"))


def example(name: str) -> dict[str, Any]:
    return examples()["operations"][name]


def summary(name: str) -> str:
    ex = example(name)
    return f"eval {ex['eval_id']}" if ex.get("eval_id") else "the seed report"


def body_examples(name: str) -> dict[str, Any]:
    """``Body(openapi_examples=...)`` for one operation."""
    ex = example(name)
    return {name: {"summary": summary(name), "value": ex["request"]}}


def param_examples(name: str, param: str) -> dict[str, Any]:
    """``Query/Path(openapi_examples=...)`` for one parameter of one operation."""
    ex = example(name)
    return {name: {"summary": summary(name), "value": ex["request"][param]}}


def ok(name: str, media_type: str = "application/json", **extra: Any) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entry for the 200 of one operation, with its example response."""
    content = {media_type: {"examples": {name: {"summary": summary(name), "value": example(name)["response"]}}},
               **extra}
    return {200: {"content": content}}


def with_report_ids(schema: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """State the ids ``reports`` accepts: the enum of the loaded index's report ids, on every
    ``reports`` parameter and body field (the pattern alone would let a client, or schemathesis,
    expect any well-formed id to be accepted, when an id that is not indexed is a 422)."""
    def narrow(items: dict[str, Any]) -> None:
        if ids:
            items["enum"] = list(ids)

    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                if param.get("name") == "reports":
                    narrow(param["schema"]["items"])
    for model in schema.get("components", {}).get("schemas", {}).values():
        field = model.get("properties", {}).get("reports")
        if field and "items" in field:
            narrow(field["items"])
    return schema


def any_case_pattern(names: list[str]) -> str:
    """A JSON Schema pattern that matches exactly these names in any case, or the empty string
    (none given): "Yunnan" -> ``^(|[Yy][Uu][Nn][Nn][Aa][Nn])$``. Only character classes and
    ``\\uHHHH`` escapes, read alike by ECMA 262, Python and Rust (see ``qa.schemas``)."""
    def char(c: str) -> str:
        lo, up = c.lower(), c.upper()
        if c.isalnum() and c.isascii():
            return f"[{lo}{up}]" if lo != up else c
        return f"\\u{ord(c):04x}"

    return "^(" + "|".join(["", *("".join(char(c) for c in n) for n in names)]) + ")$"


def with_regions_and_years(schema: dict[str, Any], regions: list[str], years: list[int]) -> dict[str, Any]:
    """State the regions and years ``region`` and ``year`` accept: those of the loaded index's
    reports (any other is a 422, so the schema must not promise more)."""
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                branches = param.get("schema", {}).get("anyOf", [param.get("schema", {})])
                for branch in branches:
                    if param.get("name") == "region" and branch.get("type") == "string":
                        branch["pattern"] = any_case_pattern(regions)
                    elif param.get("name") == "year" and branch.get("type") == "integer":
                        branch["enum"] = list(years) or [0]
    return schema
