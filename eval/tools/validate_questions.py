"""Validate an eval question file (JSONL) against its source report(s).

Usage:
    python eval/tools/validate_questions.py eval/questions.jsonl [--corpus corpus]
    python eval/tools/validate_questions.py eval/questions_fictional.jsonl --corpus tests/data/fictional/corpus

Checks: every line parses, required fields/types, unique ids, allowed kinds/tags,
evidence (and evidence_all) are verbatim substrings of the report, section matches
the 【...】 heading the evidence falls under. Prints counts by kind and tag.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

KINDS = {"money", "count", "percent", "date", "who", "which", "list", "explanation",
         "arithmetic", "comparison", "unanswerable"}
TAGS = {"followup", "typo", "terse", "caps", "paraphrase", "feedback"}  # feedback: from `qa feedback export`
FIELDS = ["id", "question", "history", "kind", "tags", "answerable", "expected", "evidence", "section"]
HEAD_RE = re.compile(r"【([^】]+)】")


def section_of(text: str, pos: int) -> str:
    sec = "Overview"
    for m in HEAD_RE.finditer(text):
        if m.start() <= pos:
            sec = m.group(1)
    return sec


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--corpus", default="corpus")
    ap.add_argument("--default-doc", default="inner-mongolia-2009")
    a = ap.parse_args()
    corpus = Path(a.corpus)
    docs: dict[str, str] = {}
    errors: list[str] = []
    kinds: Counter = Counter()
    tags: Counter = Counter()
    ids: set[str] = set()
    n = 0
    for ln, line in enumerate(Path(a.path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {ln}: bad JSON: {e}")
            continue
        n += 1
        qid = q.get("id", f"line{ln}")
        for f in FIELDS:
            if f not in q:
                errors.append(f"{qid}: missing field {f}")
        if qid in ids:
            errors.append(f"{qid}: duplicate id")
        ids.add(qid)
        kind = q.get("kind")
        if kind not in KINDS:
            errors.append(f"{qid}: bad kind {kind}")
        kinds[kind] += 1
        for t in q.get("tags", []):
            if t not in TAGS:
                errors.append(f"{qid}: bad tag {t}")
            tags[t] += 1
        if not isinstance(q.get("history"), list):
            errors.append(f"{qid}: history must be a list")
        if "followup" in q.get("tags", []) and not q.get("history"):
            errors.append(f"{qid}: followup without history")
        exp = q.get("expected")
        ans = q.get("answerable")
        if kind == "unanswerable" or ans is False:
            if not (kind == "unanswerable" and ans is False and exp == {} and q.get("evidence") == ""):
                errors.append(f"{qid}: unanswerable must have kind=unanswerable, answerable=false, "
                              "expected={}, evidence=''")
            continue
        if not isinstance(exp, dict) or not exp:
            errors.append(f"{qid}: empty expected")
        elif "value" in exp:
            if not isinstance(exp["value"], (int, float)) or "unit" not in exp:
                errors.append(f"{qid}: numeric expected needs value+unit")
        elif not ("contains" in exp or "any" in exp):
            errors.append(f"{qid}: expected needs value or contains/any")
        doc_id = q.get("doc", a.default_doc)
        if doc_id not in docs:
            p = corpus / f"{doc_id}.txt"
            if not p.exists():
                errors.append(f"{qid}: no document {p}")
                continue
            docs[doc_id] = p.read_text(encoding="utf-8")
        text = docs[doc_id]
        ev = q.get("evidence", "")
        pos = text.find(ev) if ev else -1
        if pos < 0:
            errors.append(f"{qid}: evidence not verbatim: {ev!r}")
        else:
            sec = section_of(text, pos)
            if q.get("section") != sec:
                errors.append(f"{qid}: section {q.get('section')!r} != {sec!r}")
        for e in q.get("evidence_all", []) or []:
            if e not in text:
                errors.append(f"{qid}: evidence_all item not verbatim: {e!r}")
        if kind == "arithmetic" and not q.get("evidence_all"):
            errors.append(f"{qid}: arithmetic without evidence_all")
    for e in errors:
        print("ERROR", e)
    print(f"{n} questions; answerable {n - kinds['unanswerable']}, unanswerable {kinds['unanswerable']}")
    print("kinds:", dict(sorted(kinds.items())))
    print("tags:", dict(sorted(tags.items())))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
