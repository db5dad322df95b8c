"""``qa eval``: run the question set through ``qa.answer.pipeline.answer`` in-process and score it.

One run measures four systems side by side on the same questions:

* ``qa`` — the answer function, exactly as the API calls it (its retrieval rows use hybrid search
  over the answer's ``resolved_question``);
* ``top passage`` — "answer = the top hybrid passage", the no-composition baseline;
* ``dense-only`` / ``BM25-only`` — the same baseline with dense-only or BM25-only retrieval.

Scoring rules live in ``qa.evaluation.metrics``; thresholds in ``eval/thresholds.toml`` (``[check]`` is what
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

from qa.answer.models import Answer
from qa.evaluation import metrics as scoring
from qa.evaluation.report import SYSTEMS, print_changes, rich_table, write_all
from qa.index.load import QAIndex

DEFAULT_QUESTIONS = Path("eval/questions.jsonl")


MODES = ("hybrid", "dense", "bm25")




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
        # A computed answer asserts its result, not its operands: judge the text after each "=" then
        # ("389 ÷ 5.71 million = 0.0 kilograms" does not answer "389 kg" by quoting it).
        facts = [] if ans.computation else [(f.value, f.unit) for f in ans.facts]
        verdict = scoring.score_answer(q, ans.answered, scoring.asserted_text(ans.answer, ans.computation), facts)
        r.passed, r.reason = verdict.passed, verdict.reason
        snippets = [c.text for c in ans.citations]
        if r.answerable and ans.answered and q.get("evidence"):
            r.citation_ok = scoring.citation_supports(q["evidence"], q.get("evidence_all"), snippets)
        if ans.answered:
            labelled = {c.doc for c in ans.citations} | {row.doc for row in ans.table}  # the reports it names
            years = {index.documents[d].meta.get("year") for d in labelled if d in index.documents}
            r.unsupported = scoring.unsupported_numbers(ans.answer, snippets, ans.computation, q["question"],
                                                        {y for y in years if y})
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
        from qa.answer.pipeline import answer as answer_fn
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

