"""Validate a cross-report question file (eval/cross/questions*.jsonl) against the report texts.

Usage:
    python eval/tools/validate_cross.py eval/cross/questions_c.jsonl

Checks: every line parses, ids unique, the fields (and their order) are those of a line in the
reference file (questions_b.jsonl), every evidence string is a verbatim substring of its report
(eval/series/corpus/<id>.txt or corpus/<id>.txt), the values of compare/change/list cover exactly
the reports that have evidence, a compare's winner is its largest value, a stated difference is
largest minus second (compare) or later minus earlier report (change), routed and follow-up
answers name the one report their evidence comes from, unanswerable lines carry no answer.
Prints counts by type and the reports used.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def report_text(doc: str) -> str | None:
    for folder in (ROOT / "eval/series/corpus", ROOT / "corpus"):
        p = folder / f"{doc}.txt"
        if p.exists():
            return p.read_text(encoding="utf-8")
    return None


def check(q: dict, shapes: list[list[str]]) -> list[str]:
    i, errs = q.get("id"), []
    if list(q.keys()) not in shapes:
        errs.append(f"{i}: fields {list(q.keys())} not as in the reference file")
    for doc, ev in q.get("evidence", {}).items():
        text = report_text(doc)
        if text is None:
            errs.append(f"{i}: no report {doc}")
        elif ev not in text:
            errs.append(f"{i}: evidence not verbatim in {doc}: {ev!r}")
    e, kind = q.get("expected"), q.get("type")
    if not q.get("answerable"):
        if e is not None or q.get("evidence") or kind != "unanswerable":
            errs.append(f"{i}: unanswerable needs type=unanswerable, expected=null, evidence={{}}")
        return errs
    if kind in ("compare", "change", "list"):
        vals = e["values"]
        if set(vals) != set(q["evidence"]):
            errs.append(f"{i}: values and evidence name different reports")
        if kind == "compare":
            if max(vals, key=lambda k: vals[k]["value"]) != e["winner"]:
                errs.append(f"{i}: winner is not the largest value")
            if "difference" in e:
                top = sorted((v["value"] for v in vals.values()), reverse=True)
                if abs(top[0] - top[1] - e["difference"]["value"]) > 1e-6:
                    errs.append(f"{i}: difference is not largest minus second")
        if kind == "change":
            (a, va), (b, vb) = list(vals.items())
            if a[-4:] >= b[-4:]:
                errs.append(f"{i}: change values not ordered earlier -> later")
            if abs(vb["value"] - va["value"] - e["difference"]["value"]) > 1e-6:
                errs.append(f"{i}: difference is not later minus earlier")
    if kind in ("routed", "followup") and set(q["evidence"]) != {e.get("doc")}:
        errs.append(f"{i}: evidence is not from the expected doc")
    if kind == "followup" and not q.get("history"):
        errs.append(f"{i}: followup without history")
    return errs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--reference", default=str(ROOT / "eval/cross/questions_b.jsonl"))
    a = ap.parse_args()
    shapes = [list(json.loads(line).keys()) for line in Path(a.reference).read_text(encoding="utf-8").splitlines()
              if line.strip()]
    qs = [json.loads(line) for line in Path(a.path).read_text(encoding="utf-8").splitlines() if line.strip()]
    errs = [f"{k}: duplicate id" for k, n in Counter(q.get("id") for q in qs).items() if n > 1]
    for q in qs:
        errs += check(q, shapes)
    docs = sorted({d for q in qs for d in q.get("evidence", {})})
    for x in errs:
        print("ERROR", x)
    print(f"{len(qs)} questions; answerable {sum(bool(q.get('answerable')) for q in qs)}")
    print("types:", dict(sorted(Counter(q.get("type") for q in qs).items())))
    print(f"reports with evidence ({len(docs)}):", ", ".join(docs))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
