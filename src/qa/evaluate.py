"""``qa eval``: run the question set through ``qa.answer.answer`` in-process and score it.

One run measures four systems side by side on the same questions:

* ``qa`` — the answer function, exactly as the API calls it (its retrieval rows use hybrid search
  over the answer's ``resolved_question``);
* ``top passage`` — "answer = the top hybrid passage", the no-composition baseline;
* ``dense-only`` / ``BM25-only`` — the same baseline with dense-only or BM25-only retrieval.

Scoring rules live in ``qa.scoring``; thresholds in ``eval/thresholds.toml`` (``[check]`` is what
``--check`` enforces, ``[targets]`` is shown for reference). Reports: ``eval/report.json``,
``eval/REPORT.md`` and ``eval/report.svg`` (suffixed ``_<name>`` for ``questions_<name>.jsonl``).
"""

from __future__ import annotations

import json
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qa import scoring
from qa.index import QAIndex
from qa.models import Answer

DEFAULT_QUESTIONS = Path("eval/questions.jsonl")
MODES = ("hybrid", "dense", "bm25")
SYSTEMS = {"qa": "qa", "top_passage": "top passage", "dense": "dense-only", "bm25": "BM25-only"}
BASELINE_MODE = {"top_passage": "hybrid", "dense": "dense", "bm25": "bm25"}
SEARCH_K = 10

AnswerFn = Callable[[QAIndex, str, list[str]], Answer]


@dataclass
class SystemRow:
    """One system's outcome on one question."""

    passed: bool
    answered: bool
    citation_ok: bool | None = None
    unsupported: list[str] = field(default_factory=list)
    latency_ms: float = 0.0


@dataclass
class QuestionResult:
    id: str
    question: str
    kind: str
    tags: list[str]
    answerable: bool
    resolved_question: str = ""
    passed: bool = False
    answered: bool = False
    answer: str = ""
    reason: str = ""
    citation_ok: bool | None = None
    unsupported: list[str] = field(default_factory=list)
    bad_citations: list[str] = field(default_factory=list)
    ranks: dict[str, int | None] = field(default_factory=dict)
    latency_ms: float = 0.0
    baselines: dict[str, bool] = field(default_factory=dict)
    error: str | None = None
    rows: dict[str, SystemRow] = field(default_factory=dict)


def load_questions(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evidence_doc(index: QAIndex, q: dict[str, Any]) -> str | None:
    """The document a question is about: its ``doc`` field, else the one holding its evidence."""
    if q.get("doc") in index.documents:
        return q["doc"]
    ev = q.get("evidence") or ""
    for doc_id, doc in index.documents.items():
        if ev and ev in doc.text:
            return doc_id
    return None


def gold_passages(index: QAIndex, q: dict[str, Any]) -> set[str] | None:
    """Ids of passages whose [start, end) holds the start of an occurrence of the evidence."""
    ev = q.get("evidence") or ""
    doc_id = evidence_doc(index, q)
    if not (q.get("answerable", True) and ev and doc_id):
        return None
    text = index.documents[doc_id].text
    offsets, pos = [], text.find(ev)
    while pos >= 0:
        offsets.append(pos)
        pos = text.find(ev, pos + 1)
    gold = {p.id for p in index.passages if p.doc == doc_id and any(p.start <= o < p.end for o in offsets)}
    return gold or None


def bad_citations(index: QAIndex, ans: Answer) -> list[str]:
    """Citations that break the contract: snippet != document[start:end], or highlights out of it."""
    bad = []
    for c in ans.citations:
        doc = index.documents.get(c.doc)
        if doc is None or doc.text[c.start:c.end] != c.text:
            bad.append(f"{c.passage_id}: snippet is not {c.doc}[{c.start}:{c.end}]")
        elif any(not (0 <= a <= b <= len(c.text)) for a, b in c.highlights):
            bad.append(f"{c.passage_id}: highlight outside the snippet")
    return bad


def _baseline_row(q: dict[str, Any], top_text: str | None, latency_ms: float) -> SystemRow:
    """'Answer = the top passage': it never abstains (unless nothing is retrieved); it passes an
    answerable question iff the passage contains all the evidence (and, for arithmetic, also states
    the expected result)."""
    if top_text is None:
        return SystemRow(passed=not q.get("answerable", True), answered=False, latency_ms=latency_ms)
    if not q.get("answerable", True):
        return SystemRow(passed=False, answered=True, citation_ok=None, latency_ms=latency_ms)
    need = q.get("evidence_all") or ([q["evidence"]] if q.get("evidence") else [])
    if need:
        ok = scoring.citation_supports(q.get("evidence", ""), q.get("evidence_all"), [top_text])
        if ok and q.get("kind") == "arithmetic":
            ok = scoring.score_answer(q, True, top_text).passed
    else:
        ok = scoring.score_answer(q, True, top_text).passed
    return SystemRow(passed=ok, answered=True, citation_ok=ok if need else None, latency_ms=latency_ms)


def evaluate_question(index: QAIndex, q: dict[str, Any], answer_fn: AnswerFn) -> QuestionResult:
    r = QuestionResult(id=q["id"], question=q["question"], kind=q.get("kind", ""),
                       tags=list(q.get("tags", [])), answerable=bool(q.get("answerable", True)))
    t0 = time.perf_counter()
    try:
        ans = answer_fn(index, q["question"], list(q.get("history") or []))
    except Exception as exc:  # one broken answer must not hide the other 170 scores
        r.latency_ms = (time.perf_counter() - t0) * 1000
        r.error = f"{type(exc).__name__}: {exc}"
        r.reason = f"error: {r.error}"
        r.resolved_question = q["question"]
        r.passed = False
        r.rows["qa"] = SystemRow(False, False, None, [], r.latency_ms)
    else:
        r.latency_ms = (time.perf_counter() - t0) * 1000
        r.resolved_question = ans.resolved_question or q["question"]
        r.answered, r.answer = ans.answered, ans.answer
        # A computed answer asserts its result, not its operands: judge the text then.
        facts = [] if ans.computation else [(f.value, f.unit) for f in ans.facts]
        verdict = scoring.score_answer(q, ans.answered, ans.answer, facts)
        r.passed, r.reason = verdict.passed, verdict.reason
        snippets = [c.text for c in ans.citations]
        if r.answerable and ans.answered and q.get("evidence"):
            r.citation_ok = scoring.citation_supports(q["evidence"], q.get("evidence_all"), snippets)
        if ans.answered:
            r.unsupported = scoring.unsupported_numbers(ans.answer, snippets, ans.computation, q["question"])
        r.bad_citations = bad_citations(index, ans)
        r.rows["qa"] = SystemRow(r.passed, r.answered, r.citation_ok, r.unsupported, r.latency_ms)

    gold = gold_passages(index, q)
    for mode in MODES:
        t1 = time.perf_counter()
        hits = index.search(r.resolved_question, SEARCH_K, mode)
        ms = (time.perf_counter() - t1) * 1000
        ids = [p.id for p, _ in hits]
        if gold is not None:
            r.ranks[mode] = next((i for i, pid in enumerate(ids, 1) if pid in gold), None)
        name = next(k for k, v in BASELINE_MODE.items() if v == mode)
        r.rows[name] = _baseline_row(q, hits[0][0].text if hits else None, ms)
        r.baselines[name] = r.rows[name].passed
    return r


def _acc(rows: list[tuple[QuestionResult, SystemRow]]) -> float | None:
    return scoring.ratio(sum(1 for _, s in rows if s.passed), len(rows))


def summarize(results: list[QuestionResult], system: str) -> dict[str, Any]:
    """All figures for one system over the question results."""
    rows = [(r, r.rows[system]) for r in results if system in r.rows]
    answerable = [(r, s) for r, s in rows if r.answerable]
    kinds = sorted({r.kind for r, _ in rows})
    tags = sorted({t for r, _ in rows for t in r.tags})
    cited = [s.citation_ok for r, s in answerable if s.answered and s.citation_ok is not None]
    mode = "hybrid" if system == "qa" else BASELINE_MODE[system]
    lat = [s.latency_ms for _, s in rows]
    m: dict[str, Any] = {
        "questions": len(rows),
        "answer_accuracy": _acc(answerable),
        "overall_accuracy": _acc(rows),
        "accuracy_by_kind": {k: _acc([(r, s) for r, s in rows if r.kind == k]) for k in kinds},
        "accuracy_by_tag": {t: _acc([(r, s) for r, s in rows if t in r.tags]) for t in tags},
        "citation_precision": scoring.ratio(sum(cited), len(cited)),
        **scoring.abstention_metrics((r.answerable, s.answered) for r, s in rows),
        "unsupported_numbers": sum(1 for _, s in rows if s.unsupported),
        **scoring.retrieval_metrics(r.ranks[mode] for r, _ in rows if mode in r.ranks),
        "latency_p50_ms": scoring.percentile(lat, 50),
        "latency_p95_ms": scoring.percentile(lat, 95),
    }
    if system == "qa":
        m["errors"] = sum(1 for r in results if r.error)
        m["citation_offsets_bad"] = sum(1 for r in results if r.bad_citations)
    return m


def run_eval(index: QAIndex, questions: list[dict[str, Any]], answer_fn: AnswerFn | None = None,
             progress: bool = True) -> tuple[list[QuestionResult], dict[str, dict[str, Any]]]:
    """Answer and score every question; returns per-question results and per-system figures."""
    if answer_fn is None:
        from qa.answer import answer as answer_fn
    from rich.console import Console
    from rich.progress import track

    it = track(questions, description="qa eval", console=Console(stderr=True), transient=True,
               disable=not progress)
    results = [evaluate_question(index, q, answer_fn) for q in it]
    return results, {name: summarize(results, name) for name in SYSTEMS}


def load_thresholds(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {"targets": {}, "check": {}}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {"targets": data.get("targets", {}), "check": data.get("check", {})}


def report_paths(questions: Path) -> dict[str, Path]:
    """eval/questions.jsonl -> eval/report.json etc.; eval/questions_x.jsonl -> eval/report_x.json."""
    stem = questions.stem
    suffix = "" if stem == "questions" else "_" + stem.removeprefix("questions_")
    d = questions.parent
    return {"json": d / f"report{suffix}.json", "md": d / f"REPORT{suffix}.md",
            "svg": d / f"report{suffix}.svg"}


def previous_passes(path: Path) -> dict[str, bool] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {q["id"]: bool(q["pass"]) for q in data.get("questions", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_report(index: QAIndex, questions_path: Path, results: list[QuestionResult],
                 systems: dict[str, dict[str, Any]], thresholds: dict[str, dict[str, Any]],
                 check_failures: list[str], changed: dict[str, list[str]] | None) -> dict[str, Any]:
    per_q = []
    for r in results:
        d = asdict(r)
        d.pop("rows")
        d["pass"] = d.pop("passed")
        per_q.append(d)
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions_file": str(questions_path),
        "index": {"path": str(index.path), "built_at": index.manifest.get("built_at"),
                  "counts": index.manifest.get("counts")},
        "systems": systems,
        "targets": thresholds["targets"],
        "check": thresholds["check"],
        "check_failures": check_failures,
        "target_failures": scoring.check_thresholds(systems["qa"], thresholds["targets"]),
        "changes": changed,
        "questions": per_q,
    }


def run_eval_cli(index: QAIndex, questions: Path | None = None, check: bool = False, write: bool = True,
                 answer_fn: AnswerFn | None = None, progress: bool | None = None) -> int:
    """Entry point of ``qa eval``: run, print the table, write reports, apply ``--check``."""
    from rich.console import Console
    from rich.markup import escape

    qpath = Path(questions) if questions else DEFAULT_QUESTIONS
    if not qpath.exists():
        print(f"error: question file not found: {qpath}", file=sys.stderr)
        return 1
    thr_path = qpath.parent / "thresholds.toml"
    if not thr_path.exists():
        thr_path = DEFAULT_QUESTIONS.parent / "thresholds.toml"
    thresholds = load_thresholds(thr_path)
    qs = load_questions(qpath)
    show = sys.stderr.isatty() if progress is None else progress
    results, systems = run_eval(index, qs, answer_fn, progress=show)
    failures = scoring.check_thresholds(systems["qa"], thresholds["check"])
    paths = report_paths(qpath)
    prev = previous_passes(paths["json"])
    changed = scoring.changes(prev, {r.id: r.passed for r in results}) if prev is not None else None
    report = build_report(index, qpath, results, systems, thresholds, failures, changed)

    console = Console() if sys.stdout.isatty() else Console(width=160)
    console.print(rich_table(report))
    errors = [r for r in results if r.error]
    if errors:
        console.print(f"[bold red]answer() raised on {len(errors)} questions[/], first ({errors[0].id}): "
                      f"{escape(errors[0].error)}", highlight=False)
    print_changes(console, changed)
    if write:
        write_all(report, paths)
        console.print(f"wrote {paths['json']}, {paths['md']}, {paths['svg']}")
    if check:
        if failures:
            console.print(f"[bold red]eval check failed[/] (\\[check] in {thr_path}): " + "; ".join(failures))
            return 1
        console.print(f"[green]eval check passed[/] (thresholds: \\[check] in {thr_path})")
    return 0


# ---- rendering: rich table, REPORT.md, report.svg -------------------------------------------------

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
