"""Measure the fact extractor against hand-written gold facts (JSON lines).

A predicted fact matches a gold fact of the same document when their ``[start, end)`` spans
overlap and their kinds are of the same family (money and per_capita are one family, date and
date_range another). Matching is one-to-one, greedy by largest overlap. ``precision`` and
``recall`` count a match only when, for numeric kinds, the values are equal too (strict);
``value_accuracy`` and ``unit_accuracy`` are measured on all span+kind matches.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from qa.corpus.documents import Document
from qa.corpus.passages import split_passages
from qa.facts.extract import extract_facts
from qa.facts.model import NUMERIC_KINDS, Fact

FAMILY = {"per_capita": "money", "date_range": "date"}


def _family(kind: str) -> str:
    return FAMILY.get(kind, kind)


def load_gold(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _same_value(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _match(pred: list[dict], gold: list[dict]) -> list[tuple[int, int]]:
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if p["doc"] != g["doc"] or _family(p["kind"]) != _family(g["kind"]):
                continue
            ov = min(p["end"], g["end"]) - max(p["start"], g["start"])
            if ov > 0:
                pairs.append((ov, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_p, used_g, out = set(), set(), []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return out


def evaluate_predictions(pred: list[dict], gold: list[dict]) -> dict:
    docs = {g["doc"] for g in gold}
    pred = [p for p in pred if p["doc"] in docs]
    pairs = _match(pred, gold)
    strict, value_ok, unit_ok, numeric = 0, 0, 0, 0
    wrong = []
    for i, j in pairs:
        p, g = pred[i], gold[j]
        is_num = g["kind"] in NUMERIC_KINDS
        v_ok = _same_value(p.get("value"), g.get("value")) if is_num else True
        u_ok = (p.get("unit") or "") == (g.get("unit") or "") if is_num else True
        if is_num:
            numeric += 1
            value_ok += v_ok
            unit_ok += u_ok
        if v_ok:
            strict += 1
        if not (v_ok and u_ok):
            wrong.append(
                {"gold": g, "pred": {k: p.get(k) for k in ("kind", "raw", "start", "value", "unit")}}
            )
    matched_p = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    keys = ("doc", "kind", "raw", "start", "end", "value", "unit")
    return {
        "gold": len(gold),
        "predicted": len(pred),
        "matched": len(pairs),
        "precision": strict / len(pred) if pred else 0.0,
        "recall": strict / len(gold) if gold else 0.0,
        "value_accuracy": value_ok / numeric if numeric else 1.0,
        "unit_accuracy": unit_ok / numeric if numeric else 1.0,
        "misses": [gold[j] for j in range(len(gold)) if j not in matched_g],
        "extras": [{k: pred[i].get(k) for k in keys} for i in range(len(pred)) if i not in matched_p],
        "wrong_values": wrong,
    }


def evaluate_facts(docs: list[Document], gold_path: Path) -> dict:
    """Extract facts from ``docs`` and score them against the gold file."""
    facts: list[Fact] = []
    for d in docs:
        facts.extend(extract_facts(d, split_passages(d)))
    return evaluate_predictions([f.to_dict() for f in facts], load_gold(Path(gold_path)))


def format_report(result: dict) -> str:
    lines = [
        f"gold {result['gold']}  predicted {result['predicted']}  matched {result['matched']}",
        f"precision {result['precision']:.1%}  recall {result['recall']:.1%}  "
        f"value accuracy {result['value_accuracy']:.1%}  unit accuracy {result['unit_accuracy']:.1%}",
    ]
    for title, key in (("missed", "misses"), ("extra", "extras")):
        if result[key]:
            lines.append(f"{title} ({len(result[key])}):")
            lines += [f"  {r['doc']}@{r['start']} {r['kind']} {r['raw']!r}" for r in result[key]]
    if result["wrong_values"]:
        lines.append(f"wrong value/unit ({len(result['wrong_values'])}):")
        for w in result["wrong_values"]:
            g, p = w["gold"], w["pred"]
            lines.append(f"  {g['doc']}@{g['start']} {g['raw']!r}: gold {g['value']} {g['unit']!r}, "
                         f"got {p['value']} {p['unit']!r}")  # fmt: skip
    return "\n".join(lines)
