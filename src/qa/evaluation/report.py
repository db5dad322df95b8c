"""The eval report: the console table, REPORT.md and the SVG chart, from one report dict.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

SYSTEMS = {"qa": "qa", "top_passage": "top passage", "dense": "dense-only", "bm25": "BM25-only"}

Metric = tuple[str, Callable[[dict[str, Any]], Any], str, tuple[str, ...]]


def metric_rows(report: dict[str, Any]) -> list[Metric]:
    """(label, getter, format, threshold path) for each row of the table; 'pct', 'num', 'ms', 'int'."""
    qa = report["systems"]["qa"]
    rows: list[Metric] = [
        ("answer accuracy (answerable)", lambda m: m["answer_accuracy"], "pct", ("answer_accuracy",)),
        ("overall accuracy (all)", lambda m: m["overall_accuracy"], "pct", ("overall_accuracy",)),
    ]
    for k in qa["accuracy_by_kind"]:
        rows.append((f"  kind {k}", lambda m, k=k: m["accuracy_by_kind"].get(k), "pct", ("kind", k)))
    for t in qa["accuracy_by_tag"]:
        rows.append((f"  tag {t}", lambda m, t=t: m["accuracy_by_tag"].get(t), "pct", ("tag", t)))
    for label, key, fmt in [
        ("citation precision", "citation_precision", "pct"),
        ("abstention precision", "abstention_precision", "pct"),
        ("abstention recall", "abstention_recall", "pct"),
        ("false-abstention rate", "false_abstention_rate", "pct"),
        ("answers with unsupported number", "unsupported_numbers", "int"),
        ("retrieval hit@1", "hit_at_1", "pct"),
        ("retrieval hit@3", "hit_at_3", "pct"),
        ("retrieval MRR@10", "mrr", "num"),
        ("latency p50", "latency_p50_ms", "ms"),
        ("latency p95", "latency_p95_ms", "ms"),
        ("answer() errors", "errors", "int"),
        ("answers with bad citation offsets", "citation_offsets_bad", "int"),
    ]:
        rows.append((label, lambda m, key=key: m.get(key), fmt, (key,)))
    return rows


def _fmt(v: Any, fmt: str) -> str:
    if v is None:
        return "—"
    return {"pct": f"{100 * v:.1f}%", "num": f"{v:.3f}", "ms": f"{v:.1f} ms", "int": str(v)}[fmt]


def _limit(limits: dict[str, Any], path: tuple[str, ...], fmt: str) -> str:
    if path[0] in ("kind", "tag"):
        v = (limits.get(path[0]) or {}).get(path[1])
        return "" if v is None else "≥ " + _fmt(v, fmt)
    if f"{path[0]}_max" in limits:
        return "≤ " + _fmt(limits[f"{path[0]}_max"], fmt)
    return "" if path[0] not in limits else "≥ " + _fmt(limits[path[0]], fmt)


def table_cells(report: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["metric", *[SYSTEMS[s] for s in SYSTEMS], "target", "check"]
    body = []
    for label, get, fmt, path in metric_rows(report):
        vals = [_fmt(get(report["systems"][s]), fmt) for s in SYSTEMS]
        body.append([label, *vals, _limit(report["targets"], path, fmt), _limit(report["check"], path, fmt)])
    return header, body


def rich_table(report: dict[str, Any]):
    from rich.table import Table

    header, body = table_cells(report)
    n = report["systems"]["qa"]["questions"]
    t = Table(*header, title=f"qa eval — {n} questions ({report['questions_file']})")
    for row in body:
        t.add_row(*row)
    t.caption = ("retrieval rows: qa and top passage use hybrid search; dense-only and BM25-only baselines "
                 "answer with their own top passage")
    return t


def print_changes(console: Any, changed: dict[str, list[str]] | None) -> None:
    if changed is None:
        console.print("no previous report: no change list")
        return
    console.print(f"since the previous report: [red]{len(changed['regressed'])} pass→fail[/] "
                  f"{' '.join(changed['regressed'])}  [green]{len(changed['fixed'])} fail→pass[/] "
                  f"{' '.join(changed['fixed'])}")


def _md_table(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
    return "\n".join(lines)


def _short(text: str, n: int = 240) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1] + "…"


SERIES_RUNS = (("first-run-sealed.json", "sealed reports, first run (the honest figure)"),
               ("first-run-open.json", "open reports, first run"),
               ("final-development-loro.json", "development sets, final, leave-one-report-out"))


def series_lines(runs: Path) -> list[str]:
    """The real series reports' figures kept beside this set's (``eval/series/runs``): the sealed
    reports' first run next to the final figures, whichever set this report is about."""
    rows = []
    for name, title in SERIES_RUNS:
        path = runs / name
        if path.exists():
            p = json.loads(path.read_text(encoding="utf-8"))["summary"]["pooled"]
            rows.append([title, str(p["questions"]), _fmt(p["answer_accuracy"], "pct"),
                         _fmt(p["abstention_recall"], "pct"), _fmt(p["false_abstention_rate"], "pct"),
                         str(p["unsupported_numbers"])])
    if not rows:
        return []
    head = ["run", "questions", "answerable accuracy", "abstention recall", "false abstentions", "unsupported"]
    return ["## The series reports (eval/REPORT_series.md)", "", _md_table(head, rows), ""]


def render_markdown(report: dict[str, Any], svg_name: str) -> str:
    qa = report["systems"]["qa"]
    by_id = {q["id"]: q for q in report["questions"]}
    out = [f"# qa eval report — {report['questions_file']}", "",
           f"Generated {report['generated_at']} on the index built {report['index'].get('built_at')}; "
           f"{qa['questions']} questions. Regenerate with `qa eval`; scoring rules: `eval/README.md`.", "",
           "## Scores", "", _md_table(*table_cells(report)), "",
           f"`--check` ({'passes' if not report['check_failures'] else 'FAILS'}): "
           + ("; ".join(report["check_failures"]) or "all [check] thresholds met") + "  ",
           "Below target: " + ("; ".join(report["target_failures"]) or "none"), "",
           *series_lines(Path(report["questions_file"]).parent / "series" / "runs"),
           "## Accuracy by kind", "", f"![accuracy by kind]({svg_name})", ""]
    ch = report["changes"]
    out += ["## Changes since the previous report", ""]
    if ch is None:
        out += ["No previous report.", ""]
    else:
        for key, title in (("regressed", "Pass → fail"), ("fixed", "Fail → pass")):
            out.append(f"**{title}** ({len(ch[key])})" + (":" if ch[key] else ""))
            out += [f"- `{i}` {_short(by_id[i]['question'], 120)}" for i in ch[key]]
            out.append("")
        if ch["new"] or ch["dropped"]:
            out += [f"New questions: {len(ch['new'])}; dropped: {len(ch['dropped'])}.", ""]
    fails = [q for q in report["questions"] if not q["pass"]]
    out += [f"## Failing questions ({len(fails)})", "", "| id | kind | question | answer | reason |",
            "|---|---|---|---|---|"]
    for q in fails:
        ans = ("(abstained) " if not q["answered"] else "") + _short(q["answer"], 200)
        cells = (q["id"], q["kind"], _short(q["question"], 120), ans, q["reason"])
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    bad = [q for q in report["questions"] if q["unsupported"]]
    out += ["", f"## Answers with an unsupported number ({len(bad)})", ""]
    out += [f"- `{q['id']}`: {', '.join(q['unsupported'])} — {_short(q['answer'], 160)}"
            for q in bad] or ["None."]
    return "\n".join(out) + "\n"


COLORS = {"qa": "#2b6cb0", "top_passage": "#dd6b20", "dense": "#38a169", "bm25": "#805ad5"}


def render_svg(report: dict[str, Any]) -> str:
    """Grouped horizontal bars: accuracy of each system, overall and by kind."""
    sysm = report["systems"]
    groups = [("answerable", "answer_accuracy", None)] + [
        (k, "accuracy_by_kind", k) for k in sysm["qa"]["accuracy_by_kind"]]
    bar, gap, left, width = 9, 10, 130, 420
    gh = bar * len(SYSTEMS) + gap
    height = 40 + gh * len(groups) + 10
    e = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 70}" height="{height}" '
         f'font-family="sans-serif" font-size="11">',
         '<rect width="100%" height="100%" fill="white"/>']
    for i, (s, label) in enumerate(SYSTEMS.items()):
        x = left + i * 110
        e.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{COLORS[s]}"/>'
                 f'<text x="{x + 14}" y="17">{label}</text>')
    for g, (label, key, sub) in enumerate(groups):
        y0 = 30 + g * gh
        e.append(f'<text x="{left - 6}" y="{y0 + gh / 2}" text-anchor="end">{label}</text>')
        for i, s in enumerate(SYSTEMS):
            v = sysm[s][key] if sub is None else sysm[s][key].get(sub)
            w = 0 if v is None else round(width * v, 1)
            y = y0 + i * bar
            e.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar - 1}" fill="{COLORS[s]}"/>'
                     f'<text x="{left + w + 3}" y="{y + bar - 1}" font-size="9">{_fmt(v, "pct")}</text>')
    e.append("</svg>")
    return "\n".join(e) + "\n"


def write_all(report: dict[str, Any], paths: dict[str, Path]) -> None:
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    paths["svg"].write_text(render_svg(report), encoding="utf-8")
    paths["md"].write_text(render_markdown(report, paths["svg"].name), encoding="utf-8")

