"""``values`` in the answer (issue 14.3): each value it states, in order, a computed result with its
operand fact ids; and one typed fact model in ``/api/ask`` and ``/api/facts``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _eval(qid: str) -> dict:
    for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line) if line.strip() else {}
        if q.get("id") == qid:
            return q
    raise KeyError(qid)


def _ask(client, qid: str) -> dict:
    q = _eval(qid)
    resp = client.post("/api/ask", json={"question": q["question"], "history": q["history"]})
    assert resp.status_code == 200, resp.text[:300]
    return resp.json()


@pytest.mark.parametrize("qid", ["q121", "q122", "q124", "q125", "q126"])
def test_a_computed_answer_lists_its_operands_then_its_result(client, qid):
    expected = _eval(qid)["expected"]
    ans = _ask(client, qid)
    assert ans["answered"] and ans["computation"]
    *operands, result = ans["values"]
    assert result["computed"] is True and result["fact_id"] is None
    assert result["operands"] == [f["id"] for f in ans["facts"]] == [v["fact_id"] for v in operands]
    assert not any(v["computed"] for v in operands)
    assert result["value"] == pytest.approx(expected["value"], rel=0.002)
    assert result["raw"] in ans["computation"] and ans["computation"].endswith(result["raw"])
    facts = {f["id"]: f for f in ans["facts"]}
    for v in operands:
        f = facts[v["fact_id"]]
        assert (v["value"], v["unit"], v["raw"], v["doc"]) == (f["value"], f["unit"], f["raw"], f["doc"])
    assert result["doc"] == operands[0]["doc"]


def test_the_sum_of_the_issue(client):
    ans = _ask(client, "q122")  # "533 million" used to be only in the prose
    assert [(v["raw"], v["computed"]) for v in ans["values"]] == [
        ("333 million Yuan", False), ("200 million Yuan", False), ("533 million Yuan", True)]
    assert ans["values"][-1]["value"] == 533_000_000 and ans["values"][-1]["unit"] == "yuan"


def test_a_stated_figure_is_one_value_from_its_fact(client):
    ans = _ask(client, "q028")
    assert ans["values"] and not any(v["computed"] for v in ans["values"])
    assert [v["fact_id"] for v in ans["values"]] == [f["id"] for f in ans["facts"]]
    assert 350_000_000 in [v["value"] for v in ans["values"]]


def test_an_abstention_states_no_value(client):
    resp = client.post("/api/ask", json={"question": "What was the budget of the Mars mission in 2009?"})
    ans = resp.json()
    assert ans["answered"] is False and ans["values"] == [] and ans["facts"] == []


def test_a_fact_is_the_same_object_in_ask_and_in_the_fact_table(client, openapi):
    ans = _ask(client, "q028")
    fact = ans["facts"][0]
    table = client.get("/api/facts", params={"kind": fact["kind"], "section": fact["section"], "limit": 1000})
    same = [f for f in table.json()["facts"] if f["id"] == fact["id"]]
    assert same == [fact]  # every field, typed the same
    schemas = openapi["components"]["schemas"]
    facts_items = schemas["FactsResponse"]["properties"]["facts"]["items"]
    answer_items = schemas["Answer"]["properties"]["facts"]["items"]
    assert facts_items == answer_items == {"$ref": "#/components/schemas/FactOut"}
    assert len(schemas["FactOut"]["properties"]) == 22


def test_csv_has_the_typed_fact_columns(client):
    csv_text = client.get("/api/facts", params={"format": "csv", "limit": 3}).text
    header = csv_text.splitlines()[0].split(",")
    assert header[:3] == ["id", "kind", "value"] and len(header) == 22
