"""``OPTIONS`` and 405 carry an ``Allow`` header that lists exactly the methods the schema documents
for the path (issue 15.3): Starlette's own 405 named only the first route's methods, so
``/api/ask`` (GET and POST) answered ``Allow: POST``."""

from __future__ import annotations

import http.client

import pytest

UNDOCUMENTED = ("PUT", "PATCH", "DELETE")


def _paths(openapi: dict) -> list[tuple[str, str, set[str]]]:
    concrete = {"/api/passages/{passage_id}": "/api/passages/abc"}
    return [(path, concrete.get(path, path), {m.upper() for m in item}) for path, item in openapi["paths"].items()]


def _allow(value: str | None) -> set[str]:
    return {m.strip() for m in (value or "").split(",") if m.strip()}


def test_options_and_405_name_every_documented_method(client, openapi):
    for path, url, documented in _paths(openapi):
        resp = client.options(url)
        assert resp.status_code == 204 and resp.content == b"", path
        assert _allow(resp.headers.get("allow")) == documented | {"OPTIONS"}, path
        for method in UNDOCUMENTED:
            resp = client.request(method, url)
            assert resp.status_code == 405, (method, path)
            assert _allow(resp.headers.get("allow")) == documented | {"OPTIONS"}, (method, path)
            assert resp.json()["error"]["code"] == "method_not_allowed"


def test_ask_takes_get_and_post(client):
    assert _allow(client.options("/api/ask").headers["allow"]) == {"GET", "POST", "OPTIONS"}
    assert _allow(client.delete("/api/ask").headers["allow"]) == {"GET", "POST", "OPTIONS"}


@pytest.mark.parametrize(("method", "path", "allow"), [("PUT", "/", {"GET", "POST", "OPTIONS"}),
                                                       ("DELETE", "/facts", {"GET", "OPTIONS"}),
                                                       ("POST", "/static/app.js", {"GET", "HEAD", "OPTIONS"})])
def test_pages_and_static_files_too(client, method, path, allow):
    resp = client.request(method, path)
    assert resp.status_code == 405 and _allow(resp.headers.get("allow")) == allow


def test_allow_over_real_http(live):
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    try:
        for method, status in (("OPTIONS", 204), ("PATCH", 405)):
            conn.request(method, "/api/ask")
            resp = conn.getresponse()
            resp.read()
            assert resp.status == status and _allow(resp.getheader("Allow")) == {"GET", "POST", "OPTIONS"}
    finally:
        conn.close()
