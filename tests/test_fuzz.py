"""Schemathesis against the app's own OpenAPI schema, in process (ASGI): for every operation a
bounded number of generated requests, schema-valid and schema-violating; no 5xx, and every
response matches the status codes, content types and body schemas the schema declares, errors
in the one error shape.

``/api/admin/reload`` is left out: it reloads the index from disk (a test of its own).
The operations are read at collection time from an app around a stub index (the schema does not
depend on the index); the requests go to the session's app on the real index.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25
EXCLUDED = {"/api/admin/reload"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _operations() -> list[tuple[str, str, bool]]:
    from qa.settings import get_settings
    from qa.web.app import create_app

    app = create_app(get_settings(), index=SimpleNamespace(manifest={}, path="stub"))
    spec = app.openapi()
    return [(path, method.upper(), bool(op.get("parameters") or op.get("requestBody")))
            for path, item in spec["paths"].items() if path not in EXCLUDED
            for method, op in item.items() if method in ("get", "post", "put", "patch", "delete")]


OPERATIONS = _operations()
# Negative cases need something to break: operations without input get positive cases only.
CASES = [(p, m, mode) for p, m, has_input in OPERATIONS for mode in GenerationMode
         if has_input or mode is GenerationMode.POSITIVE]


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_api_operation_is_fuzzed():
    assert {"/api/ask", "/api/search", "/api/facts", "/api/passages/{passage_id}", "/api/health",
            "/api/feedback"} <= {p for p, _, _ in OPERATIONS}


@pytest.mark.parametrize(("path", "method", "mode"), CASES, ids=[f"{m} {p} {g.value}" for p, m, g in CASES])
def test_api_conforms_to_its_schema(api_schema, path, method, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body

    run()
