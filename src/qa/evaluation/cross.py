"""The questions across reports (``eval/cross/questions.jsonl``), asked of one index of every report
of the repository (the combined index of ``qa eval series --combined``), scored by type as
``eval/cross/README.md`` says:

* compare  the right winner (the first value the answer states) and each report's value right;
* change   the computed difference right and both reports' values right;
* list     every expected report's value right, and no value for another report (the table);
* routed / followup  the value (or every ``answer_contains`` string) from the expected report;
* unanswerable  declined, or the comparison refused: a table in which a report asked has no line
  ("No comparison is made: Tibet, 2011 gives no single figure"), with no value computed (scored this
  way since the 2026-11-30 late session; the runs before it counted such an answer wrong).

A value is right within 0.5% (the reports round), taken only from a cited fact of the right report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qa.answer.models import Answer
from qa.evaluation.series import combined_index, eval_sets
from qa.settings import Settings

QUESTIONS = Path("eval/cross/questions.jsonl")
TOLERANCE = 0.005


@dataclass
class CrossResult:
    id: str
    type: str
    question: str
    right: bool
    why: str
    answer: str


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b)) + 1e-9


def stated(a: Answer) -> dict[str, list[float]]:
    """The values the answer states, by report: table rows, else its facts."""
    out: dict[str, list[float]] = {}
    if a.table:
        for r in a.table:
            if r.answered and r.value is not None:
                out.setdefault(r.doc, []).append(float(r.value))
    for v in a.values:
        if not v.computed and v.value is not None and v.doc:
            out.setdefault(v.doc, [])
            if float(v.value) not in out[v.doc]:
                out[v.doc].append(float(v.value))
    return out


def refused(a: Answer) -> bool:
    """The answer makes no comparison because a report asked does not state the measure: its table
    has a report without a line and nothing is computed or ranked."""
    return bool(a.table) and any(not r.answered for r in a.table) and a.kind != "comparison" and not any(
        v.computed for v in a.values)


def score(q: dict, a: Answer) -> tuple[bool, str]:
    """Whether ``a`` answers cross question ``q`` right, and why not."""
    kind, exp = q["type"], q.get("expected")
    if not q.get("answerable", True) or kind == "unanswerable":
        ok = not a.answered or refused(a)
        return ok, "" if ok else "answered an unanswerable question"
    if not a.answered:
        return False, "declined"
    got = stated(a)
    if kind in ("routed", "followup"):
        doc = exp["doc"]
        if "answer_contains" in exp:
            cited = {c.doc for c in a.citations}
            ok = all(s.lower() in a.answer.lower() for s in exp["answer_contains"]) and doc in cited
            return ok, "" if ok else "text or report wrong"
        ok = any(_close(v, exp["value"]) for v in got.get(doc, []))
        return ok, "" if ok else f"no {exp['value']} from {doc}"
    values = exp.get("values", {})
    wrong = [d for d, e in values.items() if not any(_close(v, e["value"]) for v in got.get(d, []))]
    if wrong:
        return False, "missing or wrong value for " + ", ".join(wrong)
    if kind == "compare":
        first = next((v for v in a.values if not v.computed), None)
        if first is None or first.doc != exp["winner"]:
            return False, "wrong winner"
        if not exp.get("difference"):
            return True, ""
        # "by how much more": scored like a change, the gap too
    if kind in ("change", "compare"):
        diff = [v.value for v in a.values if v.computed]
        ok = any(_close(d, exp["difference"]["value"]) for d in diff)
        return ok, "" if ok else f"difference {diff} != {exp['difference']['value']}"
    if kind == "list":
        extra = [d for d in got if d not in values]
        return not extra, "" if not extra else "values for reports not expected: " + ", ".join(extra)
    return False, f"unknown type {kind}"


def run_cross(settings: Settings, path: Path = QUESTIONS) -> list[CrossResult]:
    from qa.answer.pipeline import answer

    # the reports the questions were written over: the seed and the series (not the fictional ones,
    # which their writer did not read, so a "list" gold could not include them)
    sets = [s for s in eval_sets() if s.name == "seed" or s.split in ("open", "sealed")]
    index = combined_index(sets, settings, name="cross")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        a = answer(index, q["question"], q.get("history") or [], q.get("reports"))
        ok, why = score(q, a)
        out.append(CrossResult(q["id"], q["type"], q["question"], ok, why, a.answer))
    return out


def summary(results: list[CrossResult]) -> dict:
    by: dict[str, list[bool]] = {}
    for r in results:
        by.setdefault(r.type, []).append(r.right)
    return {"questions": len(results), "accuracy": sum(r.right for r in results) / max(1, len(results)),
            "by_type": {k: {"n": len(v), "right": sum(v)} for k, v in sorted(by.items())}}


def report_lines(results: list[CrossResult], out: Path | None = None) -> list[str]:
    """What ``qa eval cross`` prints: each wrong answer and why, then the figures by type; with
    ``out``, the results as JSON too."""
    s = summary(results)
    lines = [f"x {r.id} {r.type}: {r.question}\n    {r.why}; answered: {r.answer[:300]!r}"
             for r in results if not r.right]
    lines.append(f"cross-report questions: {sum(r.right for r in results)}/{s['questions']} right "
                 f"({s['accuracy']:.1%}); by type: "
                 + ", ".join(f"{k} {v['right']}/{v['n']}" for k, v in s["by_type"].items()))
    if out:
        out.write_text(json.dumps({"summary": s, "results": [r.__dict__ for r in results]}, indent=1,
                                  ensure_ascii=False), encoding="utf-8")
        lines.append(f"wrote {out}")
    return lines
