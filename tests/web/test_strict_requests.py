"""Request models are strict (issue 15.2) and the JSON routes read JSON only (issue 14.3): no ``0``
for ``false``, no number for a string, an unknown enum value is a 422, a form post is a 415 that
says "send JSON"; the fields of ``/api/ask`` keep their names."""

from __future__ import annotations

import pytest

POVERTY = "What is the poverty line for pastoral areas?"
# The fields of /api/ask before this change: existing clients read them.
ANSWER_FIELDS = {"question", "resolved_question", "answered", "answer", "confidence", "kind", "facts", "citations",
                 "related", "computation", "timings_ms"}
FACT_FIELDS = {"id", "kind", "value", "unit", "raw", "measure", "subject", "period", "qualifier", "doc", "passage_id",
               "section", "start", "end"}


def _error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.text[:300]
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]


@pytest.mark.parametrize(("body", "field"), [
    ({"question": POVERTY, "vote": "up", "answered": 0}, "answered"),
    ({"question": POVERTY, "vote": "up", "answered": 1}, "answered"),
    ({"question": POVERTY, "vote": "up", "answered": "false"}, "answered"),
    ({"question": 5, "vote": "up"}, "question"),
    ({"question": POVERTY, "vote": "up", "history": [1]}, "history"),
    ({"question": POVERTY, "vote": "up", "correction": 3}, "correction"),
])
def test_feedback_is_strict(client, body, field):
    assert field in _error(client.post("/api/feedback", json=body), 422)["message"]


@pytest.mark.parametrize("body", [{"question": 7}, {"question": True}, {"question": POVERTY, "history": [0]},
                                  {"question": POVERTY, "history": "earlier"}])
def test_ask_is_strict(client, body):
    _error(client.post("/api/ask", json=body), 422)


def test_true_and_false_are_stored_as_sent(client):
    for answered in (True, False, None):
        resp = client.post("/api/feedback", json={"question": POVERTY, "vote": "up", "answered": answered})
        assert resp.status_code == 200 and resp.json()["stored"] is True


@pytest.mark.parametrize(("params", "name"), [({"kind": "moneyy"}, "kind"), ({"kind": "Money"}, "kind"),
                                              ({"sort": "valeu"}, "sort"), ({"format": "xlsx"}, "format")])
def test_unknown_enum_values_are_422(client, params, name):
    err = _error(client.get("/api/facts", params=params), 422)
    assert err["code"] == "validation_error" and name in err["message"]


def test_unknown_mode_is_422(client):
    assert "mode" in _error(client.get("/api/search", params={"q": POVERTY, "mode": "fuzzy"}), 422)["message"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/feedback"])
@pytest.mark.parametrize(("content_type", "data"), [
    ("application/x-www-form-urlencoded", "question=What+is+the+poverty+line%3F&vote=up"),
    ("multipart/form-data; boundary=xyz",
     "--xyz\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\nq\r\n--xyz--\r\n"),
    ("text/plain", '{"question": "What is the poverty line?", "vote": "up"}'),
])
def test_a_body_that_is_not_json_is_415(client, path, content_type, data):
    err = _error(client.post(path, content=data, headers={"Content-Type": content_type}), 415)
    assert err["code"] == "unsupported_media_type" and "send JSON" in err["message"]


def test_json_needs_its_content_type(client):
    body = b'{"question": "What is the poverty line for pastoral areas?"}'
    for ctype in ("application/json", "application/json; charset=utf-8", "application/vnd.api+json"):
        assert client.post("/api/ask", content=body, headers={"Content-Type": ctype}).status_code == 200
    assert "send JSON" in _error(client.post("/api/ask", content=body), 415)["message"]


def test_ask_keeps_its_field_names_and_ignores_extra_fields(client):
    resp = client.post("/api/ask", json={"question": POVERTY, "client_version": "1.2", "stream": False})
    assert resp.status_code == 200
    answer = resp.json()
    assert set(answer) >= ANSWER_FIELDS and "values" in answer
    assert answer["facts"] and set(answer["facts"][0]) >= FACT_FIELDS


def test_the_no_js_forms_still_post_forms(client):
    html = {"Accept": "text/html"}
    assert client.post("/", data={"question": POVERTY}, headers=html).status_code == 200
    resp = client.post("/feedback", data={"question": POVERTY, "vote": "up", "answered": "true"}, headers=html)
    assert resp.status_code == 200
